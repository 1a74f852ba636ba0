import type { CostModel } from "../../engine/markets/index.ts";
import { krxBridgeCosts } from "../krx-rules.ts";
import type { MarketRules } from "../risk.ts";
import type { OrderState, Side, Tick, VenueOrder } from "../types.ts";
import { AmbiguousError, RejectedError, type Venue } from "../venue.ts";
import { type KisBody, KisClient, type KisClientOptions } from "./client.ts";
import { type KisCredentials, PATHS, TR } from "./config.ts";
import { type KisNotice, kstToUtc, utcToKst } from "./messages.ts";
import { KisRealtime } from "./realtime.ts";

/** What the journal knows of an order: KIS has no client order id, so a lost answer is matched on these. */
export interface JournalOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly amount: number;
  readonly createdAt: number;
  readonly venueOrderId: string | null;
}

export interface KisJournal {
  byClientId(clientOrderId: string): JournalOrder | undefined;
  byVenueId(venueOrderId: string): JournalOrder | undefined;
}

export interface KisVenueOptions extends KisClientOptions {
  /** the bridge's journal; without it only orders of this process can be resolved */
  journal?: KisJournal;
  /** seconds after the journal's NEW time within which a KIS order may be the lost one */
  matchWindowS?: number;
  /** poll the daily inquiry this often for open orders when no fill notices arrive (0: off) */
  pollMs?: number;
  /** fee and tax of a fill; default 0.015% + the statutory sell tax */
  costs?: CostModel;
  /** websocket path (tests) */
  wsPath?: string;
  /** the market clock handed to the risk gate's KRX session check (replays); default the wall clock */
  clock?: () => number;
}

/** One row of inquire-daily-ccld output1 (the fields used here). */
export interface KisOrderRow {
  readonly ord_dt: string;
  readonly ord_gno_brno?: string;
  readonly odno: string;
  readonly sll_buy_dvsn_cd: string;
  readonly pdno: string;
  readonly ord_qty: string;
  readonly ord_tmd: string;
  readonly tot_ccld_qty: string;
  readonly avg_prvs: string;
  readonly cncl_yn?: string;
  readonly rmn_qty?: string;
  readonly rjct_qty?: string;
  readonly ord_dvsn_cd?: string;
}

interface Tracked {
  odno: string;
  orgno: string;
  clientOrderId: string | null;
  symbol: string;
  side: Side;
  amount: number;
  filled: number;
  notional: number;
  state: OrderState;
}

/**
 * Korea Investment & Securities as a bridge venue (domain layer over KisClient): market orders
 * through order-cash, fills from the encrypted notices (and the daily inquiry), trades from
 * H0STCNT0. The client order id lives only in the journal; KIS's order number (ODNO) is the venue id.
 */
export class KisVenue implements Venue {
  readonly id = "kis";
  readonly client: KisClient;
  readonly realtime: KisRealtime;
  readonly #journal: KisJournal | undefined;
  readonly #windowMs: number;
  readonly #costs: CostModel;
  readonly #warn: (message: string) => void;
  readonly #byOdno = new Map<string, Tracked>();
  readonly #byClient = new Map<string, string>();
  readonly #listeners = new Set<(order: VenueOrder) => void>();
  #poll: NodeJS.Timeout | undefined;
  readonly #clock: (() => number) | undefined;
  #noticesOn: Promise<unknown> | undefined;

  constructor(creds: KisCredentials, options: KisVenueOptions = {}) {
    const {
      journal,
      matchWindowS = 30,
      pollMs = 0,
      costs = krxBridgeCosts(),
      wsPath,
      clock,
      ...clientOptions
    } = options;
    this.client = new KisClient(creds, clientOptions);
    this.#warn = clientOptions.onWarning ?? (() => {});
    this.realtime = new KisRealtime(this.client, { path: wsPath, onWarning: this.#warn });
    this.#journal = journal;
    this.#windowMs = matchWindowS * 1000;
    this.#costs = costs;
    this.#clock = clock;
    if (pollMs > 0) {
      this.#poll = setInterval(
        () => void this.#pollOpen().catch((e) => this.#warn(`kis poll: ${e.message}`)),
        pollMs,
      );
      this.#poll.unref();
    }
  }

  /** Subscribes to fill notices (needs the HTS id); orders work without, through the inquiry. */
  async start(): Promise<void> {
    const hts = this.client.htsId;
    if (hts) this.#noticesOn ??= this.realtime.notices(hts, (n) => this.#onNotice(n));
    await this.#noticesOn;
  }

  onOrderUpdate(listener: (order: VenueOrder) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async marketRules(symbol: string): Promise<MarketRules> {
    const body = await this.client.get(PATHS.price, TR.price[this.client.env], {
      FID_COND_MRKT_DIV_CODE: "J",
      FID_INPUT_ISCD: symbol,
    });
    const o = (body.output ?? {}) as Record<string, string>;
    const base = Number(o.stck_sdpr);
    const upper = Number(o.stck_mxpr);
    const lower = Number(o.stck_llam);
    return {
      amountStep: 1,
      minAmount: 1,
      krx:
        base > 0
          ? {
              basePrice: base,
              ...(upper > 0 && lower > 0 ? { upper, lower } : {}),
              ...(this.#clock ? { clock: this.#clock } : {}),
            }
          : undefined,
    };
  }

  async createMarketOrder({
    symbol,
    side,
    amount,
    clientOrderId,
  }: {
    symbol: string;
    side: Side;
    amount: number;
    clientOrderId: string;
  }): Promise<VenueOrder> {
    if (!Number.isInteger(amount) || amount < 1) throw new RejectedError(`invalid share amount: ${amount}`);
    if (!/^\w{6,7}$/.test(symbol)) throw new RejectedError(`invalid stock code: ${symbol}`);
    const { cano, product } = this.client.account;
    const body = await this.client.order(PATHS.order, TR[side][this.client.env], {
      CANO: cano,
      ACNT_PRDT_CD: product,
      PDNO: symbol,
      ORD_DVSN: "01",
      ORD_QTY: String(amount),
      ORD_UNPR: "0",
      EXCG_ID_DVSN_CD: "KRX",
    });
    const out = (body.output ?? {}) as Record<string, string>;
    const odno = out.ODNO ?? out.odno;
    if (!odno) throw new AmbiguousError("kis order answer without ODNO");
    const t = this.#track(odno, {
      orgno: out.KRX_FWDG_ORD_ORGNO ?? "",
      clientOrderId,
      symbol,
      side,
      amount,
    });
    return this.#view(t);
  }

  /**
   * The order behind a client order id: by the ODNO this process or the journal knows, else (the
   * answer was lost) the earliest unclaimed KIS order of the same stock, side and quantity placed
   * within the match window after the journal's NEW time. Null when nothing matches.
   */
  async fetchByClientId(symbol: string, clientOrderId: string): Promise<VenueOrder | null> {
    const known = this.#byClient.get(clientOrderId);
    const j = this.#journal?.byClientId(clientOrderId);
    const odno = known ?? j?.venueOrderId ?? undefined;
    const day = j ? utcToKst(j.createdAt).date : utcToKst(Date.now()).date;
    const rows = await this.dailyOrders({ symbol, from: day, to: utcToKst(Date.now()).date });
    let row = odno ? rows.find((r) => r.odno === odno) : undefined;
    if (!row && !odno && j) {
      const side = j.side === "sell" ? "01" : "02";
      row = rows
        .filter((r) => {
          if (r.pdno !== j.symbol || r.sll_buy_dvsn_cd !== side || Number(r.ord_qty) !== j.amount)
            return false;
          const at = kstToUtc(r.ord_dt, r.ord_tmd);
          // KIS stamps whole seconds
          if (at < j.createdAt - 1_000 || at > j.createdAt + this.#windowMs) return false;
          if (this.#byOdno.get(r.odno)?.clientOrderId) return false;
          const owner = this.#journal?.byVenueId(r.odno);
          return !owner || owner.clientOrderId === clientOrderId;
        })
        .sort((a, b) =>
          a.ord_tmd < b.ord_tmd ? -1 : a.ord_tmd > b.ord_tmd ? 1 : a.odno < b.odno ? -1 : 1,
        )[0];
    }
    if (!row) return null;
    const t = this.#fromRow(row, clientOrderId);
    return this.#view(t);
  }

  async cancel(_symbol: string, venueOrderId: string): Promise<void> {
    let t = this.#byOdno.get(venueOrderId);
    if (!t?.orgno) {
      const row = (await this.dailyOrders({ symbol: _symbol })).find((r) => r.odno === venueOrderId);
      if (!row) return;
      t = this.#fromRow(row, t?.clientOrderId ?? null);
    }
    if (t.state === "FILLED" || t.state === "CANCELED" || t.state === "REJECTED") return;
    const { cano, product } = this.client.account;
    try {
      await this.client.order(PATHS.cancel, TR.cancel[this.client.env], {
        CANO: cano,
        ACNT_PRDT_CD: product,
        KRX_FWDG_ORD_ORGNO: t.orgno,
        ORGN_ODNO: venueOrderId,
        ORD_DVSN: "00",
        RVSE_CNCL_DVSN_CD: "02",
        ORD_QTY: "0",
        ORD_UNPR: "0",
        QTY_ALL_ORD_YN: "Y",
        EXCG_ID_DVSN_CD: "KRX",
      });
    } catch (error) {
      // nothing left to cancel (filled meanwhile) is not a failure; the inquiry tells the outcome
      if (!(error instanceof RejectedError)) throw error;
      this.#warn(`kis cancel ${venueOrderId}: ${error.message}`);
    }
  }

  async openOrders(symbol: string): Promise<VenueOrder[]> {
    const rows = await this.dailyOrders({ symbol, open: true });
    return rows
      .map((r) => this.#view(this.#fromRow(r, null)))
      .filter((v) => v.state === "ACCEPTED" || v.state === "PARTIALLY_FILLED");
  }

  /** inquire-daily-ccld over all pages (15 rows a page on the mock host, 100 on real). */
  async dailyOrders({
    symbol = "",
    from = utcToKst(Date.now()).date,
    to = from,
    open = false,
  }: {
    symbol?: string;
    from?: string;
    to?: string;
    open?: boolean;
  } = {}): Promise<KisOrderRow[]> {
    const { cano, product } = this.client.account;
    const rows: KisOrderRow[] = [];
    let fk = "";
    let nk = "";
    let trCont = "";
    for (let page = 0; page < 50; page++) {
      const body: KisBody = await this.client.get(
        PATHS.dailyOrders,
        TR.dailyOrders[this.client.env],
        {
          CANO: cano,
          ACNT_PRDT_CD: product,
          INQR_STRT_DT: from,
          INQR_END_DT: to,
          SLL_BUY_DVSN_CD: "00",
          PDNO: symbol,
          CCLD_DVSN: open ? "02" : "00",
          INQR_DVSN: "01",
          INQR_DVSN_3: "00",
          ORD_GNO_BRNO: "",
          ODNO: "",
          INQR_DVSN_1: "",
          CTX_AREA_FK100: fk,
          CTX_AREA_NK100: nk,
          EXCG_ID_DVSN_CD: "KRX",
        },
        trCont,
      );
      rows.push(...((body.output1 ?? []) as KisOrderRow[]));
      const more = body._trCont === "M" || body._trCont === "F";
      if (!more) break;
      fk = String(body.ctx_area_fk100 ?? "");
      nk = String(body.ctx_area_nk100 ?? "");
      trCont = "N";
    }
    return rows;
  }

  async watchTrades(symbol: string, onTick: (tick: Tick) => void, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const stop = await this.realtime.trades(symbol, (t) =>
      onTick({
        time: t.time,
        price: t.price,
        amount: t.volume,
        id: `${utcToKst(t.time).date}-${t.cumVolume}`,
      }),
    );
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    stop();
  }

  async close(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    this.realtime.close();
  }

  #track(
    odno: string,
    o: { orgno: string; clientOrderId: string | null; symbol: string; side: Side; amount: number },
  ): Tracked {
    let t = this.#byOdno.get(odno);
    if (!t) {
      t = { odno, ...o, filled: 0, notional: 0, state: "ACCEPTED" };
      this.#byOdno.set(odno, t);
    } else {
      // a notice may have come before the order's answer
      t.orgno ||= o.orgno;
      t.clientOrderId ??= o.clientOrderId;
      t.symbol = o.symbol;
      t.side = o.side;
      t.amount = o.amount;
    }
    if (o.clientOrderId) this.#byClient.set(o.clientOrderId, odno);
    return t;
  }

  #fromRow(r: KisOrderRow, clientOrderId: string | null): Tracked {
    const owner =
      clientOrderId ??
      this.#byOdno.get(r.odno)?.clientOrderId ??
      this.#journal?.byVenueId(r.odno)?.clientOrderId ??
      null;
    const t = this.#track(r.odno, {
      orgno: r.ord_gno_brno ?? "",
      clientOrderId: owner,
      symbol: r.pdno,
      side: r.sll_buy_dvsn_cd === "01" ? "sell" : "buy",
      amount: Number(r.ord_qty),
    });
    const filled = Number(r.tot_ccld_qty) || 0;
    if (filled >= t.filled) {
      t.filled = filled;
      t.notional = filled * (Number(r.avg_prvs) || 0);
    }
    const rest = Number(r.rmn_qty ?? t.amount - filled);
    if (t.filled >= t.amount) t.state = "FILLED";
    else if (r.cncl_yn === "Y" || (rest <= 0 && t.filled < t.amount)) t.state = "CANCELED";
    else if (Number(r.rjct_qty) > 0 && t.filled === 0) t.state = "REJECTED";
    else t.state = t.filled > 0 ? "PARTIALLY_FILLED" : "ACCEPTED";
    return t;
  }

  #view(t: Tracked): VenueOrder {
    const avgPrice = t.filled > 0 ? t.notional / t.filled : 0;
    return {
      venueOrderId: t.odno,
      clientOrderId: t.clientOrderId,
      symbol: t.symbol,
      side: t.side,
      state: t.state,
      amount: t.amount,
      filled: t.filled,
      avgPrice,
      fee: t.filled > 0 ? this.#costs.commission(t.filled, avgPrice, t.side, Date.now()) : 0,
    };
  }

  #onNotice(n: KisNotice): void {
    const t = this.#track(n.odno, {
      orgno: "",
      clientOrderId:
        this.#byOdno.get(n.odno)?.clientOrderId ?? this.#journal?.byVenueId(n.odno)?.clientOrderId ?? null,
      symbol: n.code,
      side: n.side,
      amount: n.orderQty,
    });
    if (n.refused) t.state = "REJECTED";
    else if (n.fill && n.qty > 0) {
      t.filled += n.qty;
      t.notional += n.qty * n.price;
      t.state = t.filled >= t.amount ? "FILLED" : "PARTIALLY_FILLED";
    } else return;
    this.#emit(t);
  }

  async #pollOpen(): Promise<void> {
    const open = [...this.#byOdno.values()].filter(
      (t) => t.state === "ACCEPTED" || t.state === "PARTIALLY_FILLED",
    );
    if (!open.length) return;
    const rows = await this.dailyOrders();
    for (const t of open) {
      const r = rows.find((x) => x.odno === t.odno);
      if (!r) continue;
      const before = `${t.state}/${t.filled}`;
      this.#fromRow(r, t.clientOrderId);
      if (`${t.state}/${t.filled}` !== before) this.#emit(t);
    }
  }

  #emit(t: Tracked): void {
    const v = this.#view(t);
    for (const l of this.#listeners) l(v);
  }
}
