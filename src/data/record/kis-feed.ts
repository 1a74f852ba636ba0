import WebSocket from "ws";
import {
  type KisClient,
  kisDecrypt,
  kstToUtc,
  PATHS,
  records,
  TRADE_COLUMNS,
  utcToKst,
} from "../../bridge/kis/index.ts";
import type { BookEvent, TickerEvent, TradeEvent } from "../stom/receiver-events.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { Feed, FeedSink, FeedSymbol, Stream } from "./feeds.ts";

/** 국내주식 실시간체결가 (KRX) and 실시간호가 (KRX): what STOM's Kiwoom receiver reads as 주식체결 and 주식호가잔량. */
export const KIS_TRADES = "H0STCNT0";
export const KIS_BOOK = "H0STASP0";

/**
 * H0STASP0 fields, in order (koreainvestment/open-trading-api, asking_price_krx.py): code, time,
 * then ten ask prices, ten bid prices, ten ask sizes, ten bid sizes (best first), the totals, and
 * the expected-auction and overtime fields this recorder does not read.
 */
export const BOOK_WIDTH = 59;
const ASK_PRICE = 3;
const BID_PRICE = 13;
const ASK_SIZE = 23;
const BID_SIZE = 33;
const TOTAL_ASK = 43;
const TOTAL_BID = 44;

export interface KisFeedOptions {
  clock?: Clock;
  /** first reconnect wait; doubles up to 30 s */
  backoffMs?: number;
  path?: string;
}

/**
 * KRX stocks through the KIS realtime websocket (one connection: approval key from the KIS client,
 * `{header: {approval_key, custtype, tr_type}, body: {input: {tr_id, tr_key}}}` per code and feed,
 * frames `enc|tr_id|count|f0^f1^...`, PINGPONG echoed).
 *
 * Each H0STCNT0 record is a trade (CCLD_DVSN 5 is a taker sell, anything else a buy) and, when it
 * carries the day's open, high and low, the day view STOM takes from Kiwoom's 주식체결 (open,
 * high, low, last, previous close from PRDY_VRSS, 누적거래대금 ACML_TR_PBMN). H0STASP0 gives the
 * ten-level book and its totals, stamped with today's KST date (the record has the time only).
 * A drop stops every code until the socket is back; KIS has no tick history to backfill from,
 * so the trades of a drop are missing.
 */
export class KisFeed implements Feed {
  readonly market = "krx";
  private readonly codes = new Set<string>();
  private readonly keys = new Map<string, { key: string; iv: string }>();
  private readonly clock: Clock;
  private readonly backoffMs: number;
  private readonly path: string;
  private sink: FeedSink | undefined;
  private ws: WebSocket | undefined;
  private approval: string | undefined;
  private closed = false;
  private failures = 0;
  private downAt = Number.NaN;

  constructor(
    private readonly client: KisClient,
    { clock = systemClock, backoffMs = 500, path = PATHS.websocket }: KisFeedOptions = {},
  ) {
    this.clock = clock;
    this.backoffMs = backoffMs;
    this.path = path;
  }

  resolve(input: string): FeedSymbol {
    const code = input.trim().replace(/^A/, "");
    if (!/^\d{6}$/.test(code))
      throw new Error(`invalid stock code: ${input} (expected 6 digits, e.g. 005930)`);
    return { unified: code, stored: code };
  }

  watch(symbols: readonly FeedSymbol[], sink: FeedSink): void {
    this.sink = sink;
    const fresh = symbols.filter((s) => !this.codes.has(s.stored));
    for (const s of fresh) this.codes.add(s.stored);
    if (!this.ws) void this.connect();
    else for (const s of fresh) this.subscribe(s.stored, "1");
  }

  unwatch(stored: string): void {
    if (!this.codes.delete(stored)) return;
    this.subscribe(stored, "2");
  }

  async close(): Promise<void> {
    this.closed = true;
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState === WebSocket.OPEN) {
      await new Promise<void>((resolve) => {
        ws.once("close", () => resolve());
        ws.close();
        setTimeout(resolve, 1000).unref();
      });
    } else ws?.terminate();
  }

  private async connect(): Promise<void> {
    while (!this.closed) {
      try {
        this.approval ??= await this.client.approvalKey();
        const ws = new WebSocket(this.client.wsUrl + this.path);
        await new Promise<void>((resolve, reject) => {
          ws.once("open", () => resolve());
          ws.once("error", reject);
        });
        if (this.closed) {
          ws.terminate();
          return;
        }
        this.ws = ws;
        ws.on("message", (data) => this.onMessage(String(data)));
        ws.on("error", (error) => this.sink?.warn(`kis websocket: ${error.message}`));
        ws.on("close", () => this.onClose(ws));
        for (const code of this.codes) this.subscribe(code, "1");
        if (this.failures > 0) {
          const at = this.clock.now();
          for (const code of this.codes)
            for (const stream of STREAMS) this.sink?.up(code, stream, at, "missing");
        }
        this.failures = 0;
        return;
      } catch (error) {
        if (this.failures === 0) this.reportDown(error instanceof Error ? error.message : String(error));
        this.failures++;
        await this.clock.sleep(Math.min(this.backoffMs * 2 ** (this.failures - 1), 30_000));
      }
    }
  }

  private reportDown(reason: string): void {
    this.downAt = this.clock.now();
    for (const code of this.codes)
      for (const stream of STREAMS) this.sink?.down(code, stream, this.downAt, reason);
  }

  private onClose(ws: WebSocket): void {
    if (this.ws !== ws || this.closed) return;
    this.ws = undefined;
    this.reportDown("kis websocket closed");
    this.failures = 1;
    void this.connect();
  }

  private subscribe(code: string, trType: "1" | "2"): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || !this.approval) return;
    for (const trId of [KIS_TRADES, KIS_BOOK]) {
      ws.send(
        JSON.stringify({
          header: { approval_key: this.approval, custtype: "P", tr_type: trType, "content-type": "utf-8" },
          body: { input: { tr_id: trId, tr_key: code } },
        }),
      );
    }
  }

  private onMessage(raw: string): void {
    const sink = this.sink;
    if (!sink) return;
    if (raw[0] === "0" || raw[0] === "1") {
      const parts = raw.split("|");
      if (parts.length < 4) return;
      const [enc, trId, count] = parts;
      let body = parts.slice(3).join("|");
      try {
        if (enc === "1") {
          const k = this.keys.get(trId);
          if (!k) {
            sink.warn(`kis websocket: encrypted ${trId} before its key`);
            return;
          }
          body = kisDecrypt(k.key, k.iv, body);
        }
        if (trId === KIS_TRADES) {
          for (const f of records(body, Number(count), TRADE_COLUMNS.length)) {
            if (!this.codes.has(f[0])) continue;
            const { trade, ticker } = parseKisTrade(f);
            sink.event(f[0], trade);
            if (ticker) sink.event(f[0], ticker);
          }
        } else if (trId === KIS_BOOK) {
          for (const f of records(body, Number(count), BOOK_WIDTH)) {
            if (this.codes.has(f[0])) sink.event(f[0], parseKisBook(f, this.clock.now()));
          }
        }
      } catch (error) {
        sink.warn(`kis websocket ${trId}: ${error instanceof Error ? error.message : error}`);
      }
      return;
    }
    let msg: {
      header?: { tr_id?: string };
      body?: { rt_cd?: string; msg1?: string; output?: { key?: string; iv?: string } };
    };
    try {
      msg = JSON.parse(raw);
    } catch {
      sink.warn(`kis websocket: unreadable frame ${raw.slice(0, 40)}`);
      return;
    }
    const trId = msg.header?.tr_id;
    if (trId === "PINGPONG") {
      this.ws?.send(raw);
      return;
    }
    if (trId && msg.body?.output?.key && msg.body.output.iv)
      this.keys.set(trId, { key: msg.body.output.key, iv: msg.body.output.iv });
    if (msg.body?.rt_cd && msg.body.rt_cd !== "0") sink.warn(`kis websocket ${trId}: ${msg.body.msg1}`);
  }
}

const STREAMS: readonly Stream[] = ["trades", "book"];

/** One H0STCNT0 record as a trade and (when the day's open, high and low are there) the day view. */
export function parseKisTrade(f: readonly string[]): { trade: TradeEvent; ticker?: TickerEvent } {
  const time = kstToUtc(f[33], f[1]);
  const price = Number(f[2]);
  const trade: TradeEvent = {
    type: "trade",
    time,
    price,
    amount: Number(f[12]),
    // CCLD_DVSN: 1 매수 (taker buy), 5 매도 (taker sell)
    side: f[21] === "5" ? "sell" : "buy",
    id: `${f[33]}-${f[13]}`,
  };
  const open = Number(f[7]);
  const high = Number(f[8]);
  const low = Number(f[9]);
  if (!(open > 0 && high > 0 && low > 0)) return { trade };
  // PRDY_VRSS is the change from the previous close; PRDY_VRSS_SIGN 4 (하한) and 5 (하락) mean down
  const diff = Math.abs(Number(f[4]));
  const previousClose = f[3] === "4" || f[3] === "5" ? price + diff : price - diff;
  const value = Number(f[14]);
  return {
    trade,
    ticker: {
      type: "ticker",
      time,
      open,
      high,
      low,
      last: price,
      ...(previousClose > 0 ? { previousClose } : {}),
      ...(value >= 0 ? { quoteVolume: value } : {}),
    },
  };
}

/** One H0STASP0 record as a book; its time (HHMMSS KST) is put on today's KST date. */
export function parseKisBook(f: readonly string[], now: number): BookEvent {
  const side = (price: number, size: number) => {
    const out: [number, number][] = [];
    for (let i = 0; i < 10; i++) {
      const p = Number(f[price + i]);
      if (p > 0) out.push([p, Number(f[size + i])]);
    }
    return out;
  };
  return {
    type: "book",
    time: kstToUtc(utcToKst(now).date, f[1]),
    asks: side(ASK_PRICE, ASK_SIZE),
    bids: side(BID_PRICE, BID_SIZE),
    totalAskSize: Number(f[TOTAL_ASK]),
    totalBidSize: Number(f[TOTAL_BID]),
  };
}
