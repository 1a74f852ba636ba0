import type { OrderRequest } from "../engine/index.ts";
import type { LegView, OrderView, StrategyAccount } from "./account.ts";
import { HeldBook, type HeldJournal, type HeldOrder, memoryJournal } from "./held-orders.ts";
import { type Bar, FINAL_STATES, type OrderRecord, type Side } from "./types.ts";

/** How a live account hands an order to the OMS; returns the journalled record (maybe REJECTED). */
export type LiveSubmit = (order: {
  side: Side;
  amount: number;
  reduceOnly: boolean;
  bar: number;
  refPrice: number;
  /** a limit order resting on the venue's book at this price */
  limit?: number;
}) => OrderRecord;

/** What a restart reads back: the promotion's fills, position corrections and orders. */
export interface LiveLedger {
  promotionFills(
    promotionId: string,
  ): { side: Side; price: number; amount: number; fee: number; time: number }[];
  adjustments(promotionId: string): { amount: number }[];
  order(clientOrderId: string): OrderRecord | undefined;
}

export interface LiveAccountOptions {
  /** the quote budget */
  cash?: number;
  /** the promotion whose held orders this account keeps */
  promotionId?: string;
  /** where held orders are journalled (the live Store); in memory without one */
  journal?: HeldJournal;
  /** the venue keeps limit orders on its book: limit buys go there instead of being held */
  nativeLimit?: boolean;
  /** cancels an order at the venue (a resting limit order the strategy cancels); settles when done */
  cancel?: (order: OrderRecord, reason: string) => Promise<void> | void;
}

function price(x: number | undefined, name: string): number | null {
  if (x === undefined || x === null) return null;
  if (!(x > 0 && Number.isFinite(x))) throw new Error(`invalid ${name} price: ${x}`);
  return x;
}

/**
 * A spot position at a venue, as one promotion sees it: a quote budget (`cash`) and the base amount
 * its fills bought. Market orders go to the venue at once, sized when sent (fractions of the budget
 * at the last close), because a venue order needs an amount; orders with a price condition
 * (limit, stop, stop-limit), brackets (SL/TP) and trailing stops are held by the bridge
 * (held-orders.ts) and become market orders when a trade triggers them. Spot cannot go short:
 * sells only reduce.
 */
export class LiveAccount implements StrategyAccount {
  cash: number;
  amount = 0;
  avgPrice = 0;
  realized = 0;
  fees = 0;
  last = Number.NaN;
  readonly held: HeldBook;
  #entryBar = -1;
  #entryTime = 0;
  #bar = -1;
  readonly #submit: LiveSubmit;
  readonly #refuse: (message: string) => void;
  readonly #pending = new Map<string, OrderRecord>();
  readonly #nativeLimit: boolean;
  readonly #cancel: (order: OrderRecord, reason: string) => Promise<void> | void;

  constructor(
    submit: LiveSubmit,
    refuse: (message: string) => void,
    {
      cash = 10_000,
      promotionId = "",
      journal = memoryJournal(),
      nativeLimit = false,
      cancel = () => {},
    }: LiveAccountOptions = {},
  ) {
    this.#submit = submit;
    this.#refuse = refuse;
    this.#nativeLimit = nativeLimit;
    this.#cancel = cancel;
    this.cash = cash;
    this.held = new HeldBook(promotionId, journal, {
      send: ({ side, amount, reduceOnly, refPrice }) =>
        this.#track(side, amount, reduceOnly, this.#bar, refPrice),
      sellable: () => this.#sellable(),
      spendable: () => this.#spendable(),
      refuse,
    });
  }

  get positionSize(): number {
    return this.amount;
  }

  get equity(): number {
    return this.cash + (this.amount ? this.amount * this.last : 0);
  }

  get openLegs(): readonly LegView[] {
    if (!(this.amount > 0)) return [];
    const account = this;
    const book = this.held;
    return [
      {
        size: this.amount,
        entryPrice: this.avgPrice,
        entryBar: this.#entryBar,
        entryTime: this.#entryTime,
        exitPrice: null,
        exitBar: null,
        exitTime: null,
        pl: this.amount * (this.last - this.avgPrice),
        plPct: 100 * (this.last / this.avgPrice - 1),
        commissions: 0,
        isLong: true,
        isShort: false,
        isOpen: true,
        get sl() {
          return book.exitLevel("sl");
        },
        set sl(level: number | null) {
          book.setExit("sl", level, account.amount, account.#bar);
        },
        get tp() {
          return book.exitLevel("tp");
        },
        set tp(level: number | null) {
          book.setExit("tp", level, account.amount, account.#bar);
        },
        close(portion = 1) {
          account.close(portion, account.#bar);
        },
      },
    ];
  }

  get closedLegs(): readonly LegView[] {
    return [];
  }

  /** Orders on their way to the venue, then the orders the bridge holds (the engine's pending list). */
  get pending(): readonly OrderView[] {
    const sent = [...this.#pending.values()].map((o) => this.#sentView(o));
    return [...sent, ...this.held.waiting.map((h) => this.#heldView(h))];
  }

  onBar(bar: Bar, index: number): number {
    this.last = bar.close;
    this.#bar = index;
    return this.equity;
  }

  /** A trade from the venue's feed: held orders trigger on it. */
  onTrade(price: number): void {
    this.held.onTrade(price, this.#bar);
  }

  /** After the strategy decided on a bar: trailing stops follow its close. */
  trail(): void {
    if (Number.isFinite(this.last)) this.held.trail(this.last, this.#bar);
  }

  place(sign: 1 | -1, req: OrderRequest | undefined, bar: number): OrderView {
    const size = req?.size ?? 1 - Number.EPSILON;
    if (!(size > 0 && Number.isFinite(size))) throw new Error(`invalid size: ${size}`);
    const limit = price(req?.limit, "limit");
    const stop = price(req?.stop, "stop");
    const sl = price(req?.sl, "sl");
    const tp = price(req?.tp, "tp");
    const trailPct = req?.trailPct ?? null;
    const trailBy = req?.trailBy ?? null;
    if (trailPct !== null && !(trailPct > 0 && trailPct < 100))
      throw new Error(`invalid trailPct: ${trailPct} (a percent: 5 trails 5% below the close)`);
    if (trailBy !== null && !(trailBy > 0)) throw new Error(`invalid trailBy: ${trailBy}`);
    // the engine's check (Broker.newOrder), so a strategy fails live where it fails in a backtest
    const entry = limit || stop || this.last;
    if (sign > 0 && !((sl || -Infinity) < entry && entry < (tp || Infinity)))
      throw new Error(`long orders require sl (${sl}) < limit (${entry}) < tp (${tp})`);
    if (sign < 0 && !((tp || -Infinity) < entry && entry < (sl || Infinity)))
      throw new Error(`short orders require tp (${tp}) < limit (${entry}) < sl (${sl})`);
    const side: Side = sign > 0 ? "buy" : "sell";
    const fraction = size < 1 ? size : 0;
    const amount = size < 1 ? 0 : size;
    if (this.#nativeLimit && sign > 0 && limit !== null && stop === null) {
      // on the venue's book: it fills there at the limit or better, as the engine's limit does
      const order = this.#track(
        "buy",
        fraction ? (this.#spendable() * fraction) / limit : size,
        false,
        bar,
        limit,
        limit,
      );
      this.#holdExits(order, { side, limit, stop, sl, tp, trailPct, trailBy, bar });
      return order.state === "REJECTED" ? view(null, 0, bar) : { ...this.#sentView(order), sl, tp };
    }
    if (limit !== null || stop !== null) {
      // held until a trade meets its price; a sell's bracket has no trade to protect on spot
      const h = this.held.place({
        side,
        amount,
        fraction,
        limit,
        stop,
        sl: sign > 0 ? sl : null,
        tp: sign > 0 ? tp : null,
        trailPct: sign > 0 ? trailPct : null,
        trailBy: sign > 0 ? trailBy : null,
        bar,
      });
      return this.#heldView(h);
    }
    if (sign < 0) {
      const free = this.#sellable();
      if (!(free > 1e-12)) {
        this.#refuse("spot cannot sell short: no position left to sell");
        return view(null, 0, bar);
      }
      const order = this.#track(
        "sell",
        Math.min(free, fraction ? free * fraction : size),
        true,
        bar,
        this.last,
      );
      return view(order.clientOrderId, -order.amount, bar);
    }
    const order = this.#track(
      "buy",
      fraction ? (this.#spendable() * fraction) / this.last : size,
      false,
      bar,
      this.last,
    );
    this.#holdExits(order, { side, limit, stop, sl, tp, trailPct, trailBy, bar });
    return { ...view(order.clientOrderId, order.amount, bar), sl, tp };
  }

  /** A sent entry's bracket and trailing stop: held, they arm when the entry fills. */
  #holdExits(
    order: OrderRecord,
    exits: Omit<Parameters<HeldBook["place"]>[0], "amount" | "fraction" | "sent">,
  ): void {
    const { sl, tp, trailPct, trailBy } = exits;
    if (order.state === "REJECTED" || (sl === null && tp === null && trailPct === null && trailBy === null))
      return;
    this.held.place({ ...exits, amount: order.amount, fraction: 0, sent: order });
  }

  /** Sells `portion` of the position at market (`position.close(portion)`, a flatten, a session end). */
  close(portion: number, bar: number): void {
    if (!(portion > 0 && portion <= 1)) throw new Error(`invalid portion: ${portion}`);
    const free = this.#sellable();
    if (free > 1e-12) this.#track("sell", free * portion, true, bar, this.last);
  }

  /** An order of this promotion still open at the venue after a restart (a limit order on its book). */
  resume(order: OrderRecord): void {
    this.#pending.set(order.clientOrderId, order);
  }

  /** Cancels every held order (the kill switch, a stopped promotion); journalled. */
  cancelHeld(reason: string): void {
    this.held.cancelAll(reason);
  }

  /**
   * The venue holds less than this promotion's fills add up to (sold or withdrawn outside the
   * bridge): the position becomes what the venue holds, so exits never try to sell what is not
   * there. Cash stays: what left the account is not proceeds. Returns the signed correction.
   */
  adopt(amount: number): number {
    const target = Math.max(0, amount);
    const delta = target - this.amount;
    if (!(delta < 0)) return 0;
    this.amount = target < 1e-12 ? 0 : target;
    this.held.onFill(undefined, "sell", -delta, this.amount, this.#bar);
    return delta;
  }

  /**
   * A resumed promotion: its journalled fills and corrections replayed, then its held orders
   * restored (held-orders.ts). Returns how many fills were replayed and held orders restored.
   */
  restore(ledger: LiveLedger, promotionId: string): { fills: number; held: number } {
    const fills = ledger.promotionFills(promotionId);
    for (const f of fills) this.applyFill({ side: f.side } as OrderRecord, f);
    for (const a of ledger.adjustments(promotionId)) this.amount = Math.max(0, this.amount + a.amount);
    const held = this.held.restore((id) => ledger.order(id));
    return { fills: fills.length, held: held.length };
  }

  /** Cash minus what buys already on their way will spend (at their limit, or the last close). */
  #spendable(): number {
    let reserved = 0;
    for (const o of this.#pending.values())
      if (o.side === "buy") reserved += (o.amount - o.filled) * (o.price ?? this.last);
    return Math.max(0, this.cash - reserved);
  }

  /** The position minus sells already on their way (a close then a sell on one bar must not sell twice). */
  #sellable(): number {
    let pending = 0;
    for (const o of this.#pending.values()) if (o.side === "sell") pending += o.amount - o.filled;
    return this.amount - pending;
  }

  #track(
    side: Side,
    amount: number,
    reduceOnly: boolean,
    bar: number,
    refPrice: number,
    limit?: number,
  ): OrderRecord {
    const order = this.#submit({ side, amount, reduceOnly, bar, refPrice, ...(limit ? { limit } : {}) });
    if (order.state !== "REJECTED") this.#pending.set(order.clientOrderId, order);
    return order;
  }

  /** An order at the venue as the strategy sees it; a resting limit order can be canceled. */
  #sentView(o: OrderRecord): OrderView {
    const account = this;
    return {
      ...view(o.clientOrderId, o.side === "buy" ? o.amount : -o.amount, o.bar),
      limit: o.price ?? null,
      cancel() {
        if (o.type !== "limit") return;
        // gone from the strategy's orders and budget at once, as in the engine; the venue's
        // answer comes later, and a fill it reports before the cancel landed is still booked.
        // A cancel the venue did not take leaves the order working: it is pending again.
        account.#pending.delete(o.clientOrderId);
        void Promise.resolve(account.#cancel(o, "canceled by the strategy")).then(() => {
          if (!FINAL_STATES.has(o.state)) account.#pending.set(o.clientOrderId, o);
        });
      },
    };
  }

  #heldView(h: HeldOrder): OrderView {
    const book = this.held;
    const size = h.side === "buy" ? h.fraction || h.amount : -(h.fraction || h.amount);
    return {
      ...view(null, size, h.bar),
      limit: h.limit,
      stop: h.stop,
      sl: h.sl,
      tp: h.tp,
      cancel() {
        book.cancel(h.id, "canceled by the strategy");
      },
    };
  }

  /** Books a venue fill (from the OMS). */
  applyFill(order: OrderRecord, fill: { price: number; amount: number; fee: number; time: number }): void {
    if (order.side === "buy") {
      const total = this.amount + fill.amount;
      this.avgPrice = total > 0 ? (this.avgPrice * this.amount + fill.price * fill.amount) / total : 0;
      if (!(this.amount > 0)) {
        this.#entryBar = this.#bar;
        this.#entryTime = fill.time;
      }
      this.amount = total;
      this.cash -= fill.price * fill.amount + fill.fee;
    } else {
      this.realized += (fill.price - this.avgPrice) * fill.amount - fill.fee;
      this.amount = Math.max(0, this.amount - fill.amount);
      this.cash += fill.price * fill.amount - fill.fee;
      if (this.amount < 1e-12) this.amount = 0;
    }
    this.fees += fill.fee;
    this.held.onFill(order.clientOrderId, order.side, fill.amount, this.amount, this.#bar);
  }

  /** Forgets an order once it is final; an entry that ended unfilled never arms its bracket. */
  settle(order: OrderRecord): void {
    this.#pending.delete(order.clientOrderId);
    if (order.filled === 0 && order.state !== "FILLED")
      this.held.onUnfilled(order.clientOrderId, `its order ended ${order.state}`);
  }
}

function view(clientOrderId: string | null, size: number, bar: number): OrderView {
  return {
    clientOrderId,
    size,
    isLong: size > 0,
    isShort: size < 0,
    limit: null,
    stop: null,
    sl: null,
    tp: null,
    tag: null,
    placedBar: bar,
    cancel() {},
  };
}
