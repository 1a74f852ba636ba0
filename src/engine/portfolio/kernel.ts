import { type BookColumns, type BookFill, walkAsks, walkBids } from "../markets/book.ts";
import type { CostModel } from "../markets/costs.ts";
import type { ParamSpecs } from "../params.ts";
import { DAY_MS } from "../periods.ts";
import { Series } from "../series.ts";
import { computeStats } from "../stats.ts";
import { SymbolContext } from "./context.ts";
import type { TickConfig } from "./options.ts";
import type { TickEquity, TickFill, TickResult } from "./result.ts";
import type { TickStrategyDef } from "./strategy.ts";
import { EXIT_REASONS, TradeLog } from "./trades.ts";

/**
 * A live venue in place of the book walk. The kernel calls buy()/sell() when it decides (or must
 * force an exit) and books nothing until the venue's fill comes back through TickKernel.fill (a
 * TickSession's fill()); the symbol is pending in between, as STOM's live trader waits for 체결.
 * A venue may report synchronously, from inside buy()/sell().
 */
export interface TickExecutor {
  buy(symbol: string, qty: number, time: number): void;
  sell(symbol: string, qty: number, time: number): void;
}

/** Order state per symbol: nothing, a decided order that fills on the next snapshot, or one at the venue. */
const NONE = 0;
const BUY = 1;
const SELL = 2;
const VENUE_BUY = 3;
const VENUE_SELL = 4;
const SIGNAL = EXIT_REASONS.indexOf("signal");
const SESSION_END = EXIT_REASONS.indexOf("session-end");
const DAY_END = EXIT_REASONS.indexOf("day-end");
const LOSS_STOP = EXIT_REASONS.indexOf("loss-stop");
const PROFIT_STOP = EXIT_REASONS.indexOf("profit-stop");
const END = EXIT_REASONS.indexOf("end");

/** Fields of a context that closing a position rewrites (saved around result()'s end-of-data exits). */
const CTX_FIELDS = 6;
/** Index increments buffered before they are summed (see #incs). */
const INCS = 1024;

/** What result()'s end-of-data exits change, to undo them. */
interface Saved {
  readonly pending: Uint8Array;
  readonly qty: Float64Array;
  readonly ctxFields: Float64Array;
  readonly scalars: number[];
  readonly trades: number;
  readonly lastEquity: number;
}

/**
 * One symbol's references and price state that step reads on every event: fields of one object
 * instead of an element of eight arrays.
 */
class Slot<P extends ParamSpecs, S> {
  times: Float64Array;
  prices: Float64Array;
  state: S;
  readonly ctx: SymbolContext<P>;
  /** interest flag per row (a column, or the moneytop list's), or null when every row is listed */
  listed: ArrayLike<number> | null = null;
  /** rows before the strategy's indicators are all defined (no buy()/sell() call before) */
  warm = 0;
  /** 현재가 of the latest event (0 before the first) and of the first that moved it from 0 */
  last = 0;
  first = Number.NaN;

  constructor(ctx: SymbolContext<P>, times: Float64Array, state: S) {
    this.ctx = ctx;
    this.times = times;
    this.prices = times;
    this.state = state;
  }
}

/**
 * The tick portfolio's one set of rules, one event at a time: runTicks() feeds it whole columns in
 * merged time order, a TickSession feeds it snapshots as they come. step(s, r) runs everything that
 * happens on the symbol's row r (day change, session end, pending orders, stops, sell/buy decisions,
 * the equity sample); result() ends the data the way runTicks does without disturbing the state.
 * Hot state lives in typed arrays and plain number fields; cold paths are methods of their own so
 * step() stays small enough for the optimizer.
 */
export class TickKernel<P extends ParamSpecs, S> {
  readonly strategy: TickStrategyDef<P, S>;
  readonly config: TickConfig<P>;
  readonly names: readonly string[];
  readonly nSym: number;
  // per symbol, (re)bound by bind(): a session's columns grow
  readonly times: Float64Array[] = [];
  readonly prices: Float64Array[] = [];
  readonly books: BookColumns[] = [];
  readonly listed: (ArrayLike<number> | null)[] = [];
  readonly contexts: SymbolContext<P>[] = [];
  readonly states: S[] = [];
  // positions
  readonly qty: Float64Array;
  readonly entryNotional: Float64Array;
  readonly entryCost: Float64Array;
  readonly entryRow: Int32Array;
  readonly entrySample: Int32Array;
  readonly pending: Uint8Array;
  readonly pendingQty: Float64Array;
  readonly sellReason: Uint8Array;
  // the portfolio (SymbolContext reads cash and openPositions). Double fields start as doubles (NaN
  // until the constructor sets them): a field declared bare starts as undefined, V8 then keeps it
  // tagged, and every double written to it is a new heap number
  cash = Number.NaN;
  openPositions = 0;
  pendingBuys = 0;
  heldValue = 0;
  committed = 0;
  maxCommitted = 0;
  /** the equal-weight index times nSym, without the increments still in #incs */
  #relSum = Number.NaN;
  // the index's increments (one division each) are buffered and summed in order when a sample is
  // written: added into #relSum at once, each division waited on the one before it (~5 ns an event)
  readonly #incs = new Float64Array(INCS);
  #nIncs = 0;
  dayPnl = 0;
  curDay = Number.NaN;
  stopped = false;
  sessionOver = false;
  /** why buying stopped for the day (a venue buy filled after it is sold for this reason) */
  haltReason = -1;
  events = 0;
  /** UTC ms of the latest event */
  now = Number.NaN;
  buys = 0;
  sells = 0;
  refusedThin = 0;
  refusedCash = 0;
  forcedAtPrice = 0;
  readonly log = new TradeLog();
  /** fills are appended here when set (a session's per-event report); runTicks leaves it null */
  fills: TickFill[] | null = null;
  executor: TickExecutor | null;
  // config copied to fields: read on every event
  readonly #costs: CostModel;
  readonly #utcOffsetMs: number;
  readonly #equityEveryMs: number;
  readonly #endSecond: number;
  readonly #sameFill: boolean;
  readonly #maxPositions: number;
  readonly #budget: number;
  readonly #unit: number;
  readonly #unitDecimals: number;
  readonly #lossStop: number;
  readonly #profitStop: number;
  readonly #slots: Slot<P, S>[] = [];
  readonly #fill: BookFill = { ok: false, filled: 0, avgPrice: Number.NaN, levels: 0, notional: 0 };
  readonly #walk: { depth: number };
  // equity samples, grown by doubling; k is the current sample
  #cap = 1024;
  eqTime = new Float64Array(this.#cap);
  eqValue = new Float64Array(this.#cap);
  eqIndex = new Float64Array(this.#cap);
  k = -1;
  #bucket = Number.NaN;
  // fast-path ranges of the current bucket and day, and the local time past which the session end is checked
  #bucketLo = Number.NaN;
  #bucketHi = Number.NaN;
  #dayLo = Number.NaN;
  #dayHi = Number.NaN;
  #endNear = Number.POSITIVE_INFINITY;
  /** UTC ms below which an event changes neither bucket nor day nor reaches the session end */
  #edge = Number.NEGATIVE_INFINITY;

  constructor(
    strategy: TickStrategyDef<P, S>,
    config: TickConfig<P>,
    names: readonly string[],
    executor: TickExecutor | null = null,
  ) {
    const n = names.length;
    if (n === 0) throw new Error("no symbols");
    if (new Set(names).size !== n) throw new Error(`duplicate symbols: ${names.join(", ")}`);
    this.strategy = strategy;
    this.config = config;
    this.names = names;
    this.nSym = n;
    this.executor = executor;
    this.cash = config.cash;
    this.#relSum = n;
    this.#costs = config.costs;
    this.#utcOffsetMs = config.utcOffsetMs;
    this.#equityEveryMs = config.equityEveryMs;
    this.#endSecond = config.endSecond;
    this.#sameFill = config.fillOn === "same";
    this.#maxPositions = config.maxPositions;
    this.#budget = config.budget;
    this.#unit = config.unit;
    this.#unitDecimals = config.unitDecimals;
    this.#lossStop = config.lossStop;
    this.#profitStop = config.profitStop;
    this.#walk = { depth: config.depth };
    this.qty = new Float64Array(n);
    this.entryNotional = new Float64Array(n);
    this.entryCost = new Float64Array(n);
    this.entryRow = new Int32Array(n);
    this.entrySample = new Int32Array(n);
    this.pending = new Uint8Array(n);
    this.pendingQty = new Float64Array(n);
    this.sellReason = new Uint8Array(n);
    const empty = new Float64Array(0);
    for (let s = 0; s < n; s++) {
      this.contexts.push(new SymbolContext(names[s], config.params, this));
      this.times.push(empty);
      this.prices.push(empty);
      this.books.push({} as BookColumns);
      this.listed.push(null);
      this.states.push(undefined as S);
      this.#slots.push(new Slot(this.contexts[s], empty, undefined as S));
    }
  }

  /**
   * Points symbol s at its columns (`length` rows; runTicks: all of them, once; a session: the
   * history so far, on every snapshot) and runs init() over them. `listedRows` is the interest flag
   * per row when the interest list is a moneytop list.
   */
  bind(
    s: number,
    columns: Readonly<Record<string, Float64Array>>,
    length: number,
    listedRows: ArrayLike<number> | null = null,
  ): void {
    const name = this.names[s];
    const price = columns.현재가 ?? columns.price;
    const ctx = this.contexts[s];
    const slot = this.#slots[s];
    this.times[s] = slot.times = columns.time;
    this.prices[s] = slot.prices = price;
    this.books[s] = columns as unknown as BookColumns;
    ctx.bind(columns, price);
    const interest = this.config.interest;
    if (interest === null) this.listed[s] = null;
    else if (typeof interest === "string") {
      const col = columns[interest];
      if (!col) throw new Error(`unknown interest column: ${interest} (symbol ${name})`);
      this.listed[s] = col;
    } else this.listed[s] = listedRows;
    slot.listed = this.listed[s];
    let lead = 0;
    this.states[s] = slot.state = this.strategy.init({
      symbol: name,
      length,
      columns: Object.freeze({ ...columns }),
      params: this.config.params,
      I(values: Float64Array, label = "") {
        if (values.length !== length)
          throw new Error(`indicator ${label} has ${values.length} rows, expected ${length}`);
        let k = 0;
        while (k < length && Number.isNaN(values[k])) k++;
        if (k > lead) lead = k;
        return new Series(values, ctx, label);
      },
    });
    slot.warm = lead;
  }

  /**
   * Everything that happens on symbol s's row r; rows must come in time order over all symbols.
   * (The time is read here rather than passed, and the methods it calls read it again from (s, r):
   * a double passed to a call that is not inlined is boxed, and TurboFan boxes it once at the top,
   * where every branch's call can use it: a heap number on every event.)
   */
  step(s: number, r: number): void {
    const slot = this.#slots[s];
    const t = slot.times[r];
    this.events++;
    // the day, the sample bucket and the session end change rarely, and times never go back: one
    // comparison per event, the exact checks only at or past the nearest edge (or on a NaN time)
    const atEdge = !(t < this.#edge);
    if (atEdge) this.#crossEdges(s, r);
    else this.now = t;

    const ctx = slot.ctx;
    ctx.i = r;
    const p = slot.prices[r];
    const last = slot.last;
    // an unchanged price adds exactly 0 to both sums: skip the division
    if (p !== last) {
      const held = this.qty[s];
      if (held > 0) this.heldValue += held * (p - last);
      const first = slot.first;
      if (Number.isNaN(first)) slot.first = p;
      else {
        let n = this.#nIncs;
        if (n === INCS) n = this.#foldIncs();
        this.#incs[n] = (p - last) / first;
        this.#nIncs = n + 1;
      }
      slot.last = p;
    }

    if (atEdge && !this.sessionOver) this.#checkSessionEnd(s, r);
    if (this.pending[s] !== NONE) this.#settle(s, r);

    if (r >= slot.warm && this.pending[s] === NONE) {
      if (this.qty[s] > 0) {
        this.#mark(s, r, ctx);
        if (this.strategy.sell(ctx, slot.state)) this.#sell(s, r);
      } else if (
        !this.stopped &&
        !this.sessionOver &&
        this.openPositions + this.pendingBuys < this.#maxPositions &&
        (slot.listed === null || slot.listed[r] > 0) &&
        this.strategy.buy(ctx, slot.state)
      )
        this.#buy(s, r);
    } else if (this.qty[s] > 0) {
      // a refused or venue-pending sell leaves the position held: keep its marks current for the retry
      this.#mark(s, r, ctx);
    }
  }

  /**
   * The exact bucket and day checks (a range check each, Math.floor only near an edge; the ranges
   * keep 1 ms off both edges, so they agree with Math.floor bit for bit), then the next edge.
   */
  #crossEdges(s: number, r: number): void {
    const t = this.times[s][r];
    const local = t + this.#utcOffsetMs;
    let newBucket = false;
    if (!(t >= this.#bucketLo && t < this.#bucketHi)) {
      // near or past the bucket's edges: the exact bucket (written out here: a call would box t)
      const e = this.#equityEveryMs;
      const b = Math.floor(t / e);
      this.#bucketLo = b * e + 1;
      this.#bucketHi = (b + 1) * e - 1;
      if (b !== this.#bucket) {
        // the event before this one ended the old bucket; nothing of this event has happened yet
        this.#flushSample();
        this.#bucket = b;
        newBucket = true;
      }
    }
    this.now = t;
    if (!(local >= this.#dayLo && local < this.#dayHi)) this.#dayChanged(s, r);
    if (newBucket) this.#newSample();
    this.#setEdge();
  }

  /** The nearest of the bucket's end, the day's end and (until it passes) the session end, in UTC, 1 ms early. */
  #setEdge(): void {
    const off = this.#utcOffsetMs;
    const end = this.sessionOver ? Number.POSITIVE_INFINITY : this.#endNear - off - 1;
    // a NaN anywhere makes the edge NaN: every event takes the exact checks, as before the first one
    this.#edge = Math.min(this.#bucketHi, this.#dayHi - off - 1, end);
  }

  #checkSessionEnd(s: number, r: number): void {
    const t = this.times[s][r];
    const local = t + this.#utcOffsetMs;
    if (local >= this.#endNear && (local - this.curDay * DAY_MS) / 1000 >= this.#endSecond)
      this.#endSession();
  }

  /** Adds the buffered increments into the index sum, in event order; returns 0 (the buffer's new length). */
  #foldIncs(): number {
    const incs = this.#incs;
    const n = this.#nIncs;
    let sum = this.#relSum;
    for (let j = 0; j < n; j++) sum += incs[j];
    this.#relSum = sum;
    this.#nIncs = 0;
    return 0;
  }

  /** Writes the current sample: the state after the last event of its bucket (so far). */
  #flushSample(): void {
    const k = this.k;
    if (k < 0) return;
    this.eqTime[k] = this.now;
    this.eqValue[k] = this.cash + this.heldValue;
    this.#foldIncs();
    this.eqIndex[k] = this.#relSum / this.nSym;
  }

  #dayChanged(s: number, r: number): void {
    const local = this.times[s][r] + this.#utcOffsetMs;
    const day = Math.floor(local / DAY_MS);
    this.#dayLo = day * DAY_MS + 1;
    this.#dayHi = (day + 1) * DAY_MS - 1;
    this.#endNear = day * DAY_MS + this.#endSecond * 1000 - 1;
    if (day !== this.curDay) this.#newDay(day);
  }

  #newDay(day: number): void {
    if (!Number.isNaN(this.curDay)) {
      this.#cancelBuys();
      if (this.config.closeAtDayEnd) this.#liquidate(DAY_END);
    }
    this.curDay = day;
    this.dayPnl = 0;
    this.stopped = false;
    this.sessionOver = false;
    this.haltReason = -1;
  }

  /**
   * Sizes the equity samples for at most `samples` buckets before the first event, so a whole run
   * never grows them (each doubling copies and faults in fresh pages) and result(true) can hand them
   * out without a copy when the run fills them exactly. runTicks knows the bound from the time span.
   */
  reserveSamples(samples: number): void {
    if (this.k >= 0 || !(samples > this.#cap) || !Number.isSafeInteger(samples)) return;
    this.#cap = samples;
    this.eqTime = new Float64Array(samples);
    this.eqValue = new Float64Array(samples);
    this.eqIndex = new Float64Array(samples);
  }

  #newSample(): void {
    if (++this.k >= this.#cap) {
      this.#cap *= 2;
      this.eqTime = grow(this.eqTime, this.#cap);
      this.eqValue = grow(this.eqValue, this.#cap);
      this.eqIndex = grow(this.eqIndex, this.#cap);
    }
  }

  #endSession(): void {
    this.sessionOver = true;
    this.#setEdge();
    this.haltReason = SESSION_END;
    this.#cancelBuys();
    this.#liquidate(SESSION_END);
  }

  /** Fills the order decided on the symbol's previous row (fillOn "next"); venue orders wait for fill(). */
  #settle(s: number, r: number): void {
    const order = this.pending[s];
    if (order === BUY) {
      this.pending[s] = NONE;
      this.pendingBuys--;
      this.#open(s, r, this.pendingQty[s]);
    } else if (order === SELL) {
      this.pending[s] = NONE;
      if (this.qty[s] > 0 && this.#close(s, r, SIGNAL, false)) this.#checkStops();
    }
  }

  #mark(s: number, r: number, ctx: SymbolContext<P>): void {
    const t = this.times[s][r];
    const ret = this.#markReturn(s, r);
    ctx.수익률 = ret;
    if (ret > ctx.최고수익률) ctx.최고수익률 = ret;
    if (ret < ctx.최저수익률) ctx.최저수익률 = ret;
    ctx.보유시간 = (t - ctx.entryTime) / 1000;
  }

  #markReturn(s: number, row: number): number {
    const q = this.qty[s];
    const p = this.prices[s][row];
    const net = q * p - this.#costs.commission(q, p, "sell", this.times[s][row]) - this.entryCost[s];
    return (net / this.entryNotional[s]) * 100;
  }

  #sell(s: number, r: number): void {
    if (this.executor) this.#sendSell(s, SIGNAL);
    else if (this.#sameFill) {
      if (this.#close(s, r, SIGNAL, false)) this.#checkStops();
    } else this.pending[s] = SELL;
  }

  #buy(s: number, r: number): void {
    const t = this.times[s][r];
    const p = this.prices[s][r];
    const unit = this.#unit;
    let q = Math.floor(this.#budget / p / unit + 1e-9) * unit;
    if (this.#unitDecimals) q = Number(q.toFixed(this.#unitDecimals));
    if (!(q > 0)) return;
    if (this.executor) {
      this.pending[s] = VENUE_BUY;
      this.pendingQty[s] = q;
      this.pendingBuys++;
      this.executor.buy(this.names[s], q, t);
    } else if (this.#sameFill) this.#open(s, r, q);
    else {
      this.pending[s] = BUY;
      this.pendingQty[s] = q;
      this.pendingBuys++;
    }
  }

  #sendSell(s: number, reason: number): void {
    const executor = this.executor as TickExecutor;
    if (this.pending[s] === VENUE_SELL) return;
    this.pending[s] = VENUE_SELL;
    this.sellReason[s] = reason;
    executor.sell(this.names[s], this.qty[s], this.now);
  }

  /** Buys q units at `row` walking the asks; refused when the book is too thin or cash is short. */
  #open(s: number, row: number, q: number): void {
    const fill = this.#fill;
    walkAsks(this.books[s], row, q, this.#walk, fill);
    if (!fill.ok) {
      this.refusedThin++;
      return;
    }
    const t = this.times[s][row];
    const cost = fill.notional + this.#costs.commission(q, fill.avgPrice, "buy", t);
    if (cost > this.cash) {
      this.refusedCash++;
      return;
    }
    this.#booked(s, row, t, q, fill.avgPrice, fill.notional, cost);
  }

  #booked(s: number, row: number, t: number, q: number, price: number, notional: number, cost: number): void {
    this.cash -= cost;
    this.openPositions++;
    this.buys++;
    this.qty[s] = q;
    this.entryNotional[s] = notional;
    this.entryCost[s] = cost;
    this.entryRow[s] = row;
    this.entrySample[s] = this.k;
    this.heldValue += q * this.#slots[s].last;
    this.committed += cost;
    if (this.committed > this.maxCommitted) this.maxCommitted = this.committed;
    const ctx = this.contexts[s];
    ctx.entryPrice = price;
    ctx.entryTime = t;
    ctx.보유수량 = q;
    ctx.보유시간 = 0;
    ctx.수익률 = ctx.최고수익률 = ctx.최저수익률 = this.#markReturn(s, row);
    this.fills?.push(
      Object.freeze({ kind: "buy", symbol: this.names[s], time: t, price, qty: q, fee: cost - notional }),
    );
  }

  /**
   * Sells the whole position at `row` walking the bids; a forced exit takes 현재가 when the bids are
   * too thin. With an executor the sell goes to the venue and this returns false (booked on its fill).
   */
  #close(s: number, row: number, reason: number, forced: boolean): boolean {
    if (this.executor) {
      this.#sendSell(s, reason);
      return false;
    }
    const q = this.qty[s];
    const fill = this.#fill;
    walkBids(this.books[s], row, q, this.#walk, fill);
    let px: number;
    if (fill.ok) px = fill.avgPrice;
    else if (forced) {
      px = this.prices[s][row];
      this.forcedAtPrice++;
    } else {
      this.refusedThin++;
      return false;
    }
    this.#closed(s, row, this.times[s][row], px, fill.ok ? fill.notional : q * px, reason);
    return true;
  }

  #closed(s: number, row: number, t: number, px: number, notional: number, reason: number): void {
    const q = this.qty[s];
    const fee = this.#costs.commission(q, px, "sell", t);
    const pnl = notional - fee - this.entryCost[s];
    this.cash += notional - fee;
    this.openPositions--;
    this.sells++;
    this.heldValue -= q * this.#slots[s].last;
    this.committed -= this.entryCost[s];
    this.dayPnl += pnl;
    const ctx = this.contexts[s];
    this.log.push(
      s,
      ctx.entryTime,
      t,
      this.entryRow[s],
      row,
      ctx.entryPrice,
      px,
      q,
      pnl,
      (pnl / this.entryNotional[s]) * 100,
      this.entryCost[s] - this.entryNotional[s] + fee,
      this.entrySample[s],
      Math.max(this.k, 0),
      reason,
    );
    this.qty[s] = 0;
    ctx.보유수량 = 0;
    ctx.수익률 = ctx.최고수익률 = ctx.최저수익률 = Number.NaN;
    ctx.entryPrice = ctx.entryTime = Number.NaN;
    this.fills?.push(
      Object.freeze({
        kind: "sell",
        symbol: this.names[s],
        time: t,
        price: px,
        qty: q,
        fee,
        reason: EXIT_REASONS[reason],
        pnl,
      }),
    );
  }

  /** Drops decided buys; buys already at a venue stay pending there (and keep counting). */
  #cancelBuys(): void {
    let atVenue = 0;
    for (let s = 0; s < this.nSym; s++) {
      if (this.pending[s] === BUY) this.pending[s] = NONE;
      else if (this.pending[s] === VENUE_BUY) atVenue++;
    }
    this.pendingBuys = atVenue;
  }

  #liquidate(reason: number): void {
    for (let s = 0; s < this.nSym; s++) {
      if (this.pending[s] === SELL) this.pending[s] = NONE;
      if (this.qty[s] > 0) this.#close(s, this.contexts[s].i, reason, true);
    }
  }

  #checkStops(): void {
    if (this.stopped) return;
    const reason =
      this.dayPnl <= -this.#lossStop ? LOSS_STOP : this.dayPnl >= this.#profitStop ? PROFIT_STOP : -1;
    if (reason < 0) return;
    this.stopped = true;
    this.haltReason = reason;
    this.#cancelBuys();
    this.#liquidate(reason);
  }

  /**
   * Books a venue's fill of the order pending on symbol s (executor mode): at the symbol's latest
   * snapshot, at the venue's average price and time. A buy filled after buying stopped for the day
   * is sold at once for the same reason.
   */
  fill(s: number, side: "buy" | "sell", qty: number, avgPrice: number, time: number): void {
    const name = this.names[s];
    if (!(qty > 0) || !Number.isFinite(qty)) throw new Error(`invalid fill qty: ${qty}`);
    if (!(avgPrice > 0) || !Number.isFinite(avgPrice)) throw new Error(`invalid fill price: ${avgPrice}`);
    if (!Number.isFinite(time)) throw new Error(`invalid fill time: ${time}`);
    const row = this.contexts[s].i;
    if (side === "buy") {
      if (this.pending[s] !== VENUE_BUY) throw new Error(`no buy pending for ${name}`);
      this.pending[s] = NONE;
      this.pendingBuys--;
      const notional = qty * avgPrice;
      this.#booked(
        s,
        row,
        time,
        qty,
        avgPrice,
        notional,
        notional + this.#costs.commission(qty, avgPrice, "buy", time),
      );
      if (this.haltReason >= 0 && this.executor) this.#sendSell(s, this.haltReason);
    } else if (side === "sell") {
      if (this.pending[s] !== VENUE_SELL) throw new Error(`no sell pending for ${name}`);
      const held = this.qty[s];
      if (Math.abs(qty - held) > held * 1e-9)
        throw new Error(`sell fill of ${qty} for ${held} held (${name})`);
      this.pending[s] = NONE;
      const reason = this.sellReason[s];
      this.#closed(s, row, time, avgPrice, held * avgPrice, reason);
      if (reason === SIGNAL) this.#checkStops();
    } else throw new Error(`invalid side: ${side}`);
  }

  /** Forgets the venue order pending on symbol s (refused or cancelled there); a sell is asked again. */
  cancel(s: number): void {
    const order = this.pending[s];
    if (order === VENUE_BUY) this.pendingBuys--;
    if (order === VENUE_BUY || order === VENUE_SELL) this.pending[s] = NONE;
  }

  /** "buy" or "sell" while an order waits on symbol s, else null. */
  pendingSide(s: number): "buy" | "sell" | null {
    const order = this.pending[s];
    return order === NONE ? null : order === BUY || order === VENUE_BUY ? "buy" : "sell";
  }

  /**
   * The run as runTicks reports it when the data ends now: pending buys canceled, positions closed
   * on their latest books (reason day-end, or end without closeAtDayEnd), stats over the equity. The
   * exits are undone afterwards, so a session can go on; no venue order is sent for them. With
   * `last` (runTicks: the kernel is dropped after) they are not undone, and the equity arrays are
   * handed out instead of copies when they are exactly full.
   */
  result(last = false): TickResult<P> {
    const saved = last ? null : this.#save();
    const executor = this.executor;
    const fills = this.fills;
    this.executor = null;
    this.fills = null;
    try {
      this.#flushSample();
      this.#cancelBuys();
      this.#liquidate(this.config.closeAtDayEnd ? DAY_END : END);
      const k = this.k;
      if (k >= 0) this.eqValue[k] = this.cash + this.heldValue;
      return this.#report(last);
    } finally {
      this.executor = executor;
      this.fills = fills;
      if (saved) this.#restore(saved);
    }
  }

  #report(last: boolean): TickResult<P> {
    const n = this.k + 1;
    const whole = last && n === this.#cap;
    const equity: TickEquity = Object.freeze({
      time: whole ? this.eqTime : this.eqTime.slice(0, n),
      equity: whole ? this.eqValue : this.eqValue.slice(0, n),
      index: whole ? this.eqIndex : this.eqIndex.slice(0, n),
    });
    const trades = this.log.finish(this.names);
    const returns = new Float64Array(trades.length);
    for (let j = 0; j < trades.length; j++) returns[j] = trades.returnPct[j] / 100;
    const stats = computeStats(
      equity.time,
      equity.index,
      equity.equity,
      {
        pnl: trades.pnl,
        returns,
        entryBar: Float64Array.from(trades.entrySample),
        exitBar: Float64Array.from(trades.exitSample),
        entryTime: trades.entryTime,
        exitTime: trades.exitTime,
      },
      { requiredCapital: this.maxCommitted, riskFreeRate: this.config.riskFreeRate },
    );
    return Object.freeze({
      trades,
      equity,
      stats,
      params: this.config.params,
      orders: Object.freeze({
        buys: this.buys,
        sells: this.sells,
        refusedThin: this.refusedThin,
        refusedCash: this.refusedCash,
        forcedAtPrice: this.forcedAtPrice,
      }),
      events: this.events,
    });
  }

  #save(): Saved {
    const ctxFields = new Float64Array(this.nSym * CTX_FIELDS);
    for (let s = 0; s < this.nSym; s++) {
      const c = this.contexts[s];
      ctxFields.set(
        [c.수익률, c.최고수익률, c.최저수익률, c.보유수량, c.entryPrice, c.entryTime],
        s * CTX_FIELDS,
      );
    }
    return {
      pending: this.pending.slice(),
      qty: this.qty.slice(),
      ctxFields,
      scalars: [
        this.cash,
        this.openPositions,
        this.pendingBuys,
        this.heldValue,
        this.committed,
        this.dayPnl,
        this.sells,
        this.forcedAtPrice,
        this.refusedThin,
      ],
      trades: this.log.length,
      lastEquity: this.k >= 0 ? this.eqValue[this.k] : 0,
    };
  }

  #restore(saved: Saved): void {
    this.pending.set(saved.pending);
    this.qty.set(saved.qty);
    for (let s = 0; s < this.nSym; s++) {
      const c = this.contexts[s];
      const f = saved.ctxFields.subarray(s * CTX_FIELDS);
      [c.수익률, c.최고수익률, c.최저수익률, c.보유수량, c.entryPrice, c.entryTime] = f;
    }
    [
      this.cash,
      this.openPositions,
      this.pendingBuys,
      this.heldValue,
      this.committed,
      this.dayPnl,
      this.sells,
      this.forcedAtPrice,
      this.refusedThin,
    ] = saved.scalars;
    this.log.truncate(saved.trades);
    if (this.k >= 0) this.eqValue[this.k] = saved.lastEquity;
  }
}

function grow(a: Float64Array, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}
