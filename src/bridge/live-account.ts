import type { OrderRequest } from "../engine/index.ts";
import { checkMarketOnly, type LegView, type OrderView, type StrategyAccount } from "./account.ts";
import type { Bar, OrderRecord, Side } from "./types.ts";

/** How a live account hands an order to the OMS; returns the journalled record (maybe REJECTED). */
export type LiveSubmit = (order: {
  side: Side;
  amount: number;
  reduceOnly: boolean;
  bar: number;
  refPrice: number;
}) => OrderRecord;

/**
 * A spot position at a venue, as one promotion sees it: a quote budget (`cash`) and the base amount
 * its fills bought. Sizes are fixed when the order is sent (fractions of the budget at the last
 * close), because a venue order needs an amount; spot cannot go short, so sells only reduce.
 */
export class LiveAccount implements StrategyAccount {
  cash: number;
  amount = 0;
  avgPrice = 0;
  realized = 0;
  fees = 0;
  last = Number.NaN;
  #entryBar = -1;
  #entryTime = 0;
  #bar = -1;
  readonly #submit: LiveSubmit;
  readonly #refuse: (message: string) => void;
  readonly #pending = new Map<string, OrderRecord>();

  constructor(
    submit: LiveSubmit,
    refuse: (message: string) => void,
    { cash = 10_000 }: { cash?: number } = {},
  ) {
    this.#submit = submit;
    this.#refuse = refuse;
    this.cash = cash;
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
        close(portion = 1) {
          account.close(portion, account.#bar);
        },
      },
    ];
  }

  get closedLegs(): readonly LegView[] {
    return [];
  }

  get pending(): readonly OrderView[] {
    return [...this.#pending.values()].map((o) => ({
      clientOrderId: o.clientOrderId,
      size: o.side === "buy" ? o.amount : -o.amount,
      isLong: o.side === "buy",
      isShort: o.side === "sell",
      limit: null,
      stop: null,
      sl: null,
      tp: null,
      tag: null,
      placedBar: o.bar,
      cancel() {},
    }));
  }

  onBar(bar: Bar, index: number): number {
    this.last = bar.close;
    this.#bar = index;
    return this.equity;
  }

  place(sign: 1 | -1, req: OrderRequest | undefined, bar: number): OrderView {
    checkMarketOnly(req);
    const size = req?.size ?? 1 - Number.EPSILON;
    if (!(size > 0 && Number.isFinite(size))) throw new Error(`invalid size: ${size}`);
    if (sign < 0) {
      const free = this.#sellable();
      if (!(free > 1e-12)) {
        this.#refuse("spot cannot sell short: no position left to sell");
        return nothingView(bar);
      }
      return this.#send("sell", Math.min(free, size < 1 ? free * size : size), true, bar);
    }
    const amount = size < 1 ? (this.#spendable() * size) / this.last : size;
    return this.#send("buy", amount, false, bar);
  }

  close(portion: number, bar: number): void {
    const free = this.#sellable();
    if (free > 1e-12) this.#send("sell", free * Math.min(1, portion), true, bar);
  }

  /** Cash minus what buys already on their way will spend (at the last close). */
  #spendable(): number {
    let reserved = 0;
    for (const o of this.#pending.values())
      if (o.side === "buy") reserved += (o.amount - o.filled) * this.last;
    return Math.max(0, this.cash - reserved);
  }

  /** The position minus sells already on their way (a close then a sell on one bar must not sell twice). */
  #sellable(): number {
    let pending = 0;
    for (const o of this.#pending.values()) if (o.side === "sell") pending += o.amount - o.filled;
    return this.amount - pending;
  }

  #send(side: Side, amount: number, reduceOnly: boolean, bar: number): OrderView {
    const order = this.#submit({ side, amount, reduceOnly, bar, refPrice: this.last });
    if (order.state !== "REJECTED") this.#pending.set(order.clientOrderId, order);
    return {
      clientOrderId: order.clientOrderId,
      size: side === "buy" ? amount : -amount,
      isLong: side === "buy",
      isShort: side === "sell",
      limit: null,
      stop: null,
      sl: null,
      tp: null,
      tag: null,
      placedBar: bar,
      cancel() {},
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
  }

  /** Forgets an order once it is final. */
  settle(order: OrderRecord): void {
    this.#pending.delete(order.clientOrderId);
  }
}

function nothingView(bar: number): OrderView {
  return {
    clientOrderId: null,
    size: 0,
    isLong: false,
    isShort: false,
    limit: null,
    stop: null,
    sl: null,
    tp: null,
    tag: null,
    placedBar: bar,
    cancel() {},
  };
}
