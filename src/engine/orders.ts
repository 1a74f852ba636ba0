import type { Broker } from "./broker.ts";

/** What a strategy may ask for when it buys or sells. */
export interface OrderRequest {
  /** 0 < size < 1: fraction of available margin; otherwise a number of units (multiple of `unit`) */
  size?: number;
  /** limit price: fill at this price or better */
  limit?: number;
  /** stop price: becomes a market (or limit, with `limit`) order once touched */
  stop?: number;
  /** stop-loss price placed as a contingent stop order on the resulting trade */
  sl?: number;
  /** take-profit price placed as a contingent limit order on the resulting trade */
  tp?: number;
  /** trailing stop-loss this many percent below (long) / above (short) the highest / lowest close */
  trailPct?: number;
  /** trailing stop-loss at this absolute price distance from the close (e.g. n × ATR at entry) */
  trailBy?: number;
  tag?: unknown;
}

/**
 * A pending order. Internal sizes are whole lots (`lots`; a lot is the run's `unit`), so fractional
 * trading never accumulates rounding error; a relative order keeps its `fraction` until filled.
 */
export class Order {
  /** signed fraction of margin (|fraction| < 1), or 0 for absolute orders */
  fraction: number;
  /** signed whole lots for absolute orders, or 0 while `fraction` is set */
  lots: number;
  limit: number | null;
  stop: number | null;
  readonly sl: number | null;
  readonly tp: number | null;
  readonly parent: Trade | null;
  readonly tag: unknown;
  readonly trailPct: number | null;
  readonly trailBy: number | null;
  /** bar at which the strategy placed it */
  readonly placedBar: number;
  readonly #broker: Broker;

  constructor(
    broker: Broker,
    fraction: number,
    lots: number,
    limit: number | null,
    stop: number | null,
    sl: number | null,
    tp: number | null,
    parent: Trade | null,
    tag: unknown,
    trailPct: number | null = null,
    trailBy: number | null = null,
  ) {
    this.#broker = broker;
    this.fraction = fraction;
    this.lots = lots;
    this.limit = limit;
    this.stop = stop;
    this.sl = sl;
    this.tp = tp;
    this.parent = parent;
    this.tag = tag;
    this.trailPct = trailPct;
    this.trailBy = trailBy;
    this.placedBar = broker.i;
  }

  /** Signed size: the fraction for relative orders, units for absolute ones. */
  get size(): number {
    return this.fraction !== 0 ? this.fraction : this.lots * this.#broker.unit;
  }
  get isLong(): boolean {
    return this.fraction > 0 || this.lots > 0;
  }
  get isShort(): boolean {
    return !this.isLong;
  }
  /** SL/TP bracket orders of an open trade (not the orders trade.close() places). */
  get isContingent(): boolean {
    const p = this.parent;
    return p !== null && (this === p.slOrder || this === p.tpOrder);
  }

  cancel(): void {
    this.#broker.removeOrder(this);
    const p = this.parent;
    if (p) {
      if (this === p.slOrder) p.slOrder = null;
      else if (this === p.tpOrder) p.tpOrder = null;
    }
  }
}

/** An open or closed position leg. */
export class Trade {
  lots: number;
  readonly entryPrice: number;
  readonly entryBar: number;
  exitPrice: number | null = null;
  exitBar: number | null = null;
  slOrder: Order | null = null;
  tpOrder: Order | null = null;
  /** last SL / TP price set, kept after the order is gone for the trade list */
  slPrice: number | null = null;
  tpPrice: number | null = null;
  trailPct: number | null = null;
  trailBy: number | null = null;
  readonly tag: unknown;
  commissions = 0;
  readonly #broker: Broker;

  constructor(broker: Broker, lots: number, entryPrice: number, entryBar: number, tag: unknown) {
    this.#broker = broker;
    this.lots = lots;
    this.entryPrice = entryPrice;
    this.entryBar = entryBar;
    this.tag = tag;
  }

  /** A reduced copy that carries no bracket orders (the closed part of a partially closed trade). */
  copyWith(lots: number): Trade {
    const t = new Trade(this.#broker, lots, this.entryPrice, this.entryBar, this.tag);
    t.commissions = this.commissions;
    t.slPrice = this.slPrice;
    t.tpPrice = this.tpPrice;
    return t;
  }

  /** Signed size in units. */
  get size(): number {
    return this.lots * this.#broker.unit;
  }
  get isLong(): boolean {
    return this.lots > 0;
  }
  get isShort(): boolean {
    return this.lots < 0;
  }
  get isOpen(): boolean {
    return this.exitBar === null;
  }
  /** Profit in cash, commissions included once closed. */
  get pl(): number {
    const price = this.exitPrice ?? this.#broker.lastPrice;
    return this.size * (price - this.entryPrice) - this.commissions;
  }
  /** Profit in percent of the entry value (every `*Pct` in stom is a percent: 2.5 means 2.5%). */
  get plPct(): number {
    const price = this.exitPrice ?? this.#broker.lastPrice;
    const gross = Math.sign(this.lots) * (price / this.entryPrice - 1);
    return 100 * (gross - this.commissions / (Math.abs(this.size) * this.entryPrice));
  }
  /** Current value in cash (|size| × price). */
  get value(): number {
    return Math.abs(this.size) * (this.exitPrice ?? this.#broker.lastPrice);
  }

  get sl(): number | null {
    return this.slOrder?.stop ?? null;
  }
  /** Setting replaces the SL order; null cancels it. */
  set sl(price: number | null) {
    this.#setContingent("sl", price);
  }
  get tp(): number | null {
    return this.tpOrder?.limit ?? null;
  }
  set tp(price: number | null) {
    this.#setContingent("tp", price);
  }

  #setContingent(kind: "sl" | "tp", price: number | null): void {
    if (price !== null && !(price > 0 && price < Number.POSITIVE_INFINITY)) {
      throw new Error(`invalid ${kind} price: ${price}`);
    }
    const old = kind === "sl" ? this.slOrder : this.tpOrder;
    if (old) old.cancel();
    if (price) {
      const order = this.#broker.newOrder(
        0,
        -this.lots,
        kind === "tp" ? price : null,
        kind === "sl" ? price : null,
        null,
        null,
        this,
        this.tag,
      );
      if (kind === "sl") {
        this.slOrder = order;
        this.slPrice = price;
      } else {
        this.tpOrder = order;
        this.tpPrice = price;
      }
    }
  }

  /** Places an order closing `portion` of this trade at the next market price. */
  close(portion = 1): void {
    if (!(portion > 0 && portion <= 1)) throw new Error(`invalid portion: ${portion}`);
    this.#broker.closeTrade(this, portion);
  }
}
