import { type Commission, floorDiv, type OrderRequest, roundHalfEven } from "../engine/index.ts";
import {
  checkMarketOnly,
  type LegView,
  type OrderGate,
  type OrderView,
  type StrategyAccount,
} from "./account.ts";
import type { Bar } from "./types.ts";

export interface PaperOptions {
  cash?: number;
  commission?: Commission;
  spread?: number;
  slippage?: number;
  margin?: number;
  unit?: number;
}

interface Leg {
  lots: number;
  readonly entryPrice: number;
  readonly entryBar: number;
  readonly entryTime: number;
  exitPrice: number | null;
  exitBar: number | null;
  exitTime: number | null;
  commissions: number;
}

interface Pending {
  readonly clientOrderId: string;
  readonly fraction: number;
  lots: number;
  readonly leg: Leg | null;
  readonly tag: unknown;
  readonly placedBar: number;
  view?: OrderView;
}

/**
 * The paper book: market orders fill at the open of the bar after the decision (the first trade
 * after it), sized, netted FIFO and charged exactly like the engine's simulated broker, so a paper
 * run and a backtest on the same bars make the same trades. Fills are booked when that bar closes,
 * because the engine sizes fraction orders with the fill bar's close as the mark.
 */
export class PaperAccount implements StrategyAccount {
  cash: number;
  readonly unit: number;
  readonly #legs: Leg[] = [];
  readonly #closed: Leg[] = [];
  readonly #queue: Pending[] = [];
  readonly #commission: (size: number, price: number, exit: boolean) => number;
  readonly #spread: number;
  readonly #slippage: number;
  readonly #leverage: number;
  readonly #gate: OrderGate;
  #last = Number.NaN;
  #bar = -1;

  constructor(
    gate: OrderGate,
    { cash = 10_000, commission = 0, spread = 0, slippage = 0, margin = 1, unit = 1 }: PaperOptions = {},
  ) {
    if (!(cash > 0)) throw new Error(`cash should be > 0, got ${cash}`);
    if (!(margin > 0 && margin <= 1)) throw new Error(`margin should be in (0, 1], got ${margin}`);
    if (!(unit > 0)) throw new Error(`unit should be > 0, got ${unit}`);
    this.#gate = gate;
    this.cash = cash;
    this.unit = unit;
    if (typeof commission === "function") this.#commission = commission;
    else {
      const [fixed, relative] = typeof commission === "number" ? [0, commission] : commission;
      this.#commission = (size, price) => fixed + Math.abs(size) * price * relative;
    }
    this.#spread = spread;
    this.#slippage = slippage;
    this.#leverage = 1 / margin;
  }

  get lastPrice(): number {
    return this.#last;
  }

  get positionSize(): number {
    let lots = 0;
    for (const leg of this.#legs) lots += leg.lots;
    return lots * this.unit;
  }

  get equity(): number {
    let sum = this.cash;
    for (const leg of this.#legs) sum += this.#pl(leg);
    return sum;
  }

  get realized(): number {
    let sum = 0;
    for (const leg of this.#closed) sum += this.#pl(leg);
    return sum;
  }

  get openLegs(): readonly LegView[] {
    return this.#legs.map((leg) => this.#view(leg));
  }

  get closedLegs(): readonly LegView[] {
    return this.#closed.map((leg) => this.#view(leg));
  }

  get pending(): readonly OrderView[] {
    return this.#queue.map((p) => this.#orderView(p));
  }

  place(sign: 1 | -1, req: OrderRequest | undefined, bar: number): OrderView {
    checkMarketOnly(req);
    const size = req?.size ?? 1 - Number.EPSILON;
    if (!(size > 0 && Number.isFinite(size))) throw new Error(`invalid size: ${size}`);
    let fraction = 0;
    let lots = 0;
    if (size < 1) fraction = sign * size;
    else {
      lots = Math.round(size / this.unit);
      if (Math.abs(lots * this.unit - size) > 1e-9 * size) {
        throw new Error(`size ${size} is not a whole number of units (unit ${this.unit})`);
      }
      lots *= sign;
    }
    const id = this.#gate.submit({
      side: sign > 0 ? "buy" : "sell",
      fraction: Math.abs(fraction),
      amount: fraction ? Number.NaN : Math.abs(lots) * this.unit,
      reduceOnly: false,
      bar,
      refPrice: this.#last,
    });
    const pending: Pending = {
      clientOrderId: id ?? "",
      fraction,
      lots,
      leg: null,
      tag: req?.tag,
      placedBar: bar,
    };
    if (id === null) return this.#orderView(pending);
    this.#queue.push(pending);
    return this.#orderView(pending);
  }

  close(portion: number, bar: number): void {
    for (const leg of this.#legs) this.#closeLeg(leg, portion, bar);
  }

  #closeLeg(leg: Leg, portion: number, bar: number): void {
    const lots = -Math.sign(leg.lots) * Math.max(1, Math.trunc(roundHalfEven(Math.abs(leg.lots) * portion)));
    const id = this.#gate.submit({
      side: lots > 0 ? "buy" : "sell",
      fraction: 0,
      amount: Math.abs(lots) * this.unit,
      reduceOnly: true,
      bar,
      refPrice: this.#last,
    });
    if (id === null) return;
    // closes jump the queue, like the engine's, so the money is free for the entry that follows
    this.#queue.unshift({ clientOrderId: id, fraction: 0, lots, leg, tag: null, placedBar: bar });
  }

  /** Fills pending orders against a newly closed bar (global index `index`); returns the equity. */
  onBar(bar: Bar, index: number): number {
    this.#bar = index;
    this.#last = bar.close;
    if (this.#queue.length) this.#process(bar, index);
    return this.equity;
  }

  /** Cancels every pending order (stop, kill switch). */
  cancelAll(reason: string): void {
    for (const p of this.#queue.splice(0)) this.#gate.cancel(p.clientOrderId, reason);
  }

  #pl(leg: Leg): number {
    const price = leg.exitPrice ?? this.#last;
    return leg.lots * this.unit * (price - leg.entryPrice) - leg.commissions;
  }

  #plPct(leg: Leg): number {
    const price = leg.exitPrice ?? this.#last;
    const gross = Math.sign(leg.lots) * (price / leg.entryPrice - 1);
    return 100 * (gross - leg.commissions / (Math.abs(leg.lots * this.unit) * leg.entryPrice));
  }

  get #marginAvailable(): number {
    let used = 0;
    for (const leg of this.#legs) used += (Math.abs(leg.lots * this.unit) * this.#last) / this.#leverage;
    return Math.max(0, this.equity - used);
  }

  #process(bar: Bar, i: number): void {
    const unit = this.unit;
    for (const order of this.#queue.slice()) {
      if (!this.#queue.includes(order)) continue;
      this.#queue.splice(this.#queue.indexOf(order), 1);
      const long = order.fraction > 0 || order.lots > 0;
      let price = bar.open;
      if (this.#slippage) price *= 1 + (long ? this.#slippage : -this.#slippage);
      let moved = 0;

      if (order.leg) {
        const leg = order.leg;
        const lots = Math.sign(order.lots) * Math.min(Math.abs(leg.lots), Math.abs(order.lots));
        if (this.#legs.includes(leg) && lots) {
          this.#reduce(leg, price, lots, i, bar.time);
          moved = Math.abs(lots);
        }
        this.#report(order, price, moved, bar.time);
        continue;
      }

      const adjusted = price * (1 + Math.sign(order.fraction || order.lots) * this.#spread);
      let needLots: number;
      let perLot: number;
      if (order.fraction !== 0) {
        const f = order.fraction;
        perLot = adjusted * unit + this.#commission(f, price * unit, false) / Math.abs(f);
        needLots =
          Math.sign(f) * Math.trunc(floorDiv(this.#marginAvailable * this.#leverage * Math.abs(f), perLot));
        if (!needLots) {
          this.#gate.cancel(order.clientOrderId, "insufficient margin");
          continue;
        }
      } else {
        const size = order.lots * unit;
        perLot = (adjusted + this.#commission(size, price, false) / Math.abs(size)) * unit;
        needLots = order.lots;
      }
      for (const leg of this.#legs.slice()) {
        if (leg.lots > 0 === long) continue;
        if (Math.abs(needLots) >= Math.abs(leg.lots)) {
          moved += Math.abs(leg.lots);
          needLots += leg.lots;
          this.#closeAt(leg, price, i, bar.time);
        } else {
          moved += Math.abs(needLots);
          this.#reduce(leg, price, needLots, i, bar.time);
          needLots = 0;
        }
        if (!needLots) break;
      }
      if (Math.abs(needLots) * perLot > this.#marginAvailable * this.#leverage) {
        if (moved) this.#report(order, price, moved, bar.time);
        else this.#gate.cancel(order.clientOrderId, "insufficient margin");
        continue;
      }
      if (needLots) {
        this.#legs.push({
          lots: needLots,
          entryPrice: adjusted,
          entryBar: i,
          entryTime: bar.time,
          exitPrice: null,
          exitBar: null,
          exitTime: null,
          commissions: 0,
        });
        this.cash -= this.#commission(needLots * unit, adjusted, false);
        moved += Math.abs(needLots);
      }
      this.#report(order, price, moved, bar.time);
    }
  }

  #report(order: Pending, price: number, lots: number, time: number): void {
    if (!lots) {
      this.#gate.cancel(order.clientOrderId, "nothing left to close");
      return;
    }
    const amount = lots * this.unit;
    // fee = what left the account beyond the traded value, recomputed from the commission model;
    // with the order's own signed amount and exit=false the model sees the fill's true side
    const fee = this.#commission(amount, price, false);
    this.#gate.fill(order.clientOrderId, { price, amount, fee, time });
  }

  #reduce(leg: Leg, price: number, lots: number, i: number, time: number): void {
    const left = leg.lots + lots;
    let closing = leg;
    if (left) {
      leg.lots = left;
      closing = { ...leg, lots: -lots };
      this.#legs.push(closing);
    }
    this.#closeAt(closing, price, i, time);
  }

  #closeAt(leg: Leg, price: number, i: number, time: number): void {
    this.#legs.splice(this.#legs.indexOf(leg), 1);
    leg.exitPrice = price;
    leg.exitBar = i;
    leg.exitTime = time;
    this.#closed.push(leg);
    const exitCommission = this.#commission(leg.lots * this.unit, price, true);
    this.cash += this.#pl(leg) - exitCommission;
    leg.commissions = exitCommission + this.#commission(leg.lots * this.unit, leg.entryPrice, false);
  }

  #view(leg: Leg): LegView {
    const account = this;
    return {
      get size() {
        return leg.lots * account.unit;
      },
      entryPrice: leg.entryPrice,
      entryBar: leg.entryBar,
      entryTime: leg.entryTime,
      exitPrice: leg.exitPrice,
      exitBar: leg.exitBar,
      exitTime: leg.exitTime,
      get pl() {
        return account.#pl(leg);
      },
      get plPct() {
        return account.#plPct(leg);
      },
      commissions: leg.commissions,
      isLong: leg.lots > 0,
      isShort: leg.lots < 0,
      isOpen: leg.exitBar === null,
      close(portion = 1) {
        if (account.#legs.includes(leg)) account.#closeLeg(leg, portion, account.#bar);
      },
    };
  }

  #orderView(p: Pending): OrderView {
    const account = this;
    p.view ??= {
      clientOrderId: p.clientOrderId || null,
      size: p.fraction !== 0 ? p.fraction : p.lots * this.unit,
      isLong: p.fraction > 0 || p.lots > 0,
      isShort: !(p.fraction > 0 || p.lots > 0),
      limit: null,
      stop: null,
      sl: null,
      tp: null,
      tag: p.tag,
      placedBar: p.placedBar,
      cancel() {
        const k = account.#queue.indexOf(p);
        if (k >= 0) {
          account.#queue.splice(k, 1);
          account.#gate.cancel(p.clientOrderId, "canceled by strategy");
        }
      },
    };
    return p.view;
  }
}
