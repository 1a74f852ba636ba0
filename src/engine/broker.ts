import type { Bars } from "./bars.ts";
import { MOMENT_HEAD, type ReturnSums } from "./optimize/moments.ts";
import { Order, type OrderRequest, Trade } from "./orders.ts";
import { floorDiv, roundHalfEven } from "./pymath.ts";
import { markBars, QUIET, quietState, sumBars } from "./quiet-bars.ts";
import type { DecisionSink } from "./signals.ts";

/**
 * Relative rate, `[fixed, relative]` per fill, or `(size, price, exit) => cash`. As in backtesting.py,
 * `size` is the trade's signed size on both of its fills; `exit` tells the closing fill apart, so
 * side-dependent costs (KRX's sell-side tax) can be charged: a fill sells when `size > 0 === exit`.
 */
export type Commission =
  | number
  | readonly [fixed: number, relative: number]
  | ((size: number, price: number, exit: boolean) => number);

export interface BrokerOptions {
  cash?: number;
  commission?: Commission;
  /** bid-ask spread as a fraction of price, paid once on entry (buys a fraction higher) */
  spread?: number;
  /** adverse fill slippage as a fraction of price on market and stop fills (entries and exits) */
  slippage?: number;
  /** required margin ratio; 1 = no leverage, 0.1 = 10:1 */
  margin?: number;
  /** fill market orders at the deciding bar's close instead of the next open */
  tradeOnClose?: boolean;
  /** allow long and short trades at once instead of netting FIFO */
  hedging?: boolean;
  /** each new order first closes every open trade and cancels pending orders */
  exclusiveOrders?: boolean;
  /** smallest tradable quantity; 1 = whole units (default), 1e-8 = satoshis */
  unit?: number;
  /**
   * "margin" (default, backtesting.py's): shorts and leverage allowed. "cash": a spot account, as
   * Upbit, Binance spot and KRX stocks are: no leverage, a sell only reduces what is held (the part
   * of an order that would open a short is dropped, with a warning), so it trades as spot live does.
   */
  account?: AccountModel;
}

export type AccountModel = "margin" | "cash";
export const ACCOUNT_MODELS: readonly AccountModel[] = ["margin", "cash"];

export class OutOfMoney extends Error {}

/**
 * Told what the broker does with orders, for a journal: the bridge's paper venue is this broker,
 * and its OMS records each execution. Null in backtests (one branch per executed order).
 */
export interface BrokerListener {
  /** `order` executed `lots` (signed) at `price` on bar `bar` (netting and opening together) */
  executed(order: Order, price: number, lots: number, bar: number): void;
  /** `order` left the book without executing (or with only its netting part executed) */
  canceled(order: Order, reason: string): void;
}

/**
 * Closed trades' fields as columns, appended as each trade closes, so the trade list and the
 * stats read typed arrays at the end of a run instead of walking one object per trade. A trade's
 * fields are taken when it closes (nothing moves them afterwards: trailing stops and brackets
 * only touch open trades).
 */
export class ClosedTradeLog {
  length = 0;
  lots = new Float64Array(256);
  // Int32 so that they index the bar columns directly (a double index takes a slow path)
  entryBar = new Int32Array(256);
  exitBar = new Int32Array(256);
  entryPrice = new Float64Array(256);
  exitPrice = new Float64Array(256);
  commissions = new Float64Array(256);
  // The columns a plain trade (append) has NaN in, written when first read: a search's signal runs
  // close tens of thousands of trades and read none of them, and on this kind of machine the pages
  // they would fill cost more than the run writes (3 MB a thread of a 1M-bar grid)
  #sl = new Float64Array(256);
  #tp = new Float64Array(256);
  #slNow = new Float64Array(256);
  #tpNow = new Float64Array(256);
  #trailPct = new Float64Array(256);
  #trailBy = new Float64Array(256);
  /** by trade; only tagged trades have an entry (a signal run's tens of thousands of trades have none) */
  readonly tags: unknown[] = [];
  /** trades [0, #plainTo) have NaN in the plain columns (they are kept from run to run) */
  #plainTo = 0;
  /** trades from here to the end were appended plain, their NaN not written yet */
  #lazyFrom = Number.POSITIVE_INFINITY;
  /** the plain columns' values below this index were written (what a growth copies) */
  #written = 0;

  /** NaN when none */
  get sl(): Float64Array {
    this.#settle();
    return this.#sl;
  }
  /** NaN when none */
  get tp(): Float64Array {
    this.#settle();
    return this.#tp;
  }
  /** what the trade's sl getter returned at the close (NaN for null), to rebuild it */
  get slNow(): Float64Array {
    this.#settle();
    return this.#slNow;
  }
  /** what the trade's tp getter returned at the close (NaN for null), to rebuild it */
  get tpNow(): Float64Array {
    this.#settle();
    return this.#tpNow;
  }
  get trailPct(): Float64Array {
    this.#settle();
    return this.#trailPct;
  }
  get trailBy(): Float64Array {
    this.#settle();
    return this.#trailBy;
  }

  push(t: Trade): void {
    this.#settle();
    const k = this.length;
    if (k < this.#plainTo) this.#plainTo = k;
    if (k === this.lots.length) this.#grow(2 * k);
    this.lots[k] = t.lots;
    this.entryBar[k] = t.entryBar;
    this.exitBar[k] = t.exitBar as number;
    this.entryPrice[k] = t.entryPrice;
    this.exitPrice[k] = t.exitPrice as number;
    this.#sl[k] = t.slPrice ?? Number.NaN;
    this.#tp[k] = t.tpPrice ?? Number.NaN;
    this.commissions[k] = t.commissions;
    this.#slNow[k] = t.sl ?? Number.NaN;
    this.#tpNow[k] = t.tp ?? Number.NaN;
    this.#trailPct[k] = t.trailPct ?? Number.NaN;
    this.#trailBy[k] = t.trailBy ?? Number.NaN;
    if (t.tag !== undefined) this.tags[k] = t.tag;
    this.length = k + 1;
    if (this.#written < k + 1) this.#written = k + 1;
  }

  /** Empties the log for another run, keeping its columns. */
  clear(): this {
    this.length = 0;
    this.tags.length = 0;
    this.#lazyFrom = Number.POSITIVE_INFINITY;
    return this;
  }

  /**
   * A trade without brackets, trailing stop or tag, from its fields (the signal path has no Trade
   * object); its NaN columns are written by `settlePlain` once the run is over.
   */
  append(
    lots: number,
    entryBar: number,
    exitBar: number,
    entryPrice: number,
    exitPrice: number,
    commissions: number,
  ): void {
    const k = this.length;
    // grown 4× at a time: a signal run closes tens of thousands of trades, and each growth copies the columns
    if (k === this.lots.length) this.#grow(4 * k);
    this.lots[k] = lots;
    this.entryBar[k] = entryBar;
    this.exitBar[k] = exitBar;
    this.entryPrice[k] = entryPrice;
    this.exitPrice[k] = exitPrice;
    this.commissions[k] = commissions;
    this.length = k + 1;
  }

  /** Trades `from` to the end were appended: no SL, TP or trailing stop (NaN, written when read). */
  settlePlain(from: number): void {
    // a log reused by signal runs only is NaN there already
    const start = Math.max(from, this.#plainTo);
    if (start < this.length && start < this.#lazyFrom) this.#lazyFrom = start;
  }

  /** Writes the NaN of the plain trades not written yet. */
  #settle(): void {
    const from = this.#lazyFrom;
    if (from === Number.POSITIVE_INFINITY) return;
    this.#lazyFrom = Number.POSITIVE_INFINITY;
    const n = this.length;
    for (const column of [this.#sl, this.#tp, this.#slNow, this.#tpNow, this.#trailPct, this.#trailBy])
      column.fill(Number.NaN, from, n);
    if (from <= this.#plainTo && n > this.#plainTo) this.#plainTo = n;
    if (this.#written < n) this.#written = n;
  }

  #grow(capacity: number): void {
    const grow = (a: Float64Array, used = a.length) => {
      const b = new Float64Array(capacity);
      b.set(used === a.length ? a : a.subarray(0, used));
      return b;
    };
    const growInt = (a: Int32Array) => {
      const b = new Int32Array(capacity);
      b.set(a);
      return b;
    };
    this.lots = grow(this.lots);
    this.entryBar = growInt(this.entryBar);
    this.exitBar = growInt(this.exitBar);
    this.entryPrice = grow(this.entryPrice);
    this.exitPrice = grow(this.exitPrice);
    this.commissions = grow(this.commissions);
    // only what was written of the plain columns: the rest is untouched memory, and stays so
    const w = Math.min(this.#written, this.#sl.length);
    this.#sl = grow(this.#sl, w);
    this.#tp = grow(this.#tp, w);
    this.#slNow = grow(this.#slNow, w);
    this.#tpNow = grow(this.#tpNow, w);
    this.#trailPct = grow(this.#trailPct, w);
    this.#trailBy = grow(this.#trailBy, w);
  }

  /** Trade k as a closed Trade object with the fields and getters it had when it closed. */
  rebuild(broker: Broker, k: number): Trade {
    this.#settle();
    const orNull = (x: number) => (Number.isNaN(x) ? null : x);
    const lots = this.lots[k];
    const tag = this.tags[k];
    const t = new Trade(broker, lots, this.entryPrice[k], this.entryBar[k], tag);
    t.exitPrice = this.exitPrice[k];
    t.exitBar = this.exitBar[k];
    t.commissions = this.commissions[k];
    t.slPrice = orNull(this.#sl[k]);
    t.tpPrice = orNull(this.#tp[k]);
    t.trailPct = orNull(this.#trailPct[k]);
    t.trailBy = orNull(this.#trailBy[k]);
    const sl = orNull(this.#slNow[k]);
    const tp = orNull(this.#tpNow[k]);
    // detached bracket orders, only so that t.sl and t.tp read as they did
    if (sl !== null) t.slOrder = new Order(broker, 0, -lots, null, sl, null, null, t, tag);
    if (tp !== null) t.tpOrder = new Order(broker, 0, -lots, tp, null, null, null, t, tag);
    return t;
  }
}

const NO_REQUEST: OrderRequest = Object.freeze({});

/** buy()'s and sell()'s default size: all the margin available (backtesting.py's 1 - ε). */
const ALL_IN = 1 - Number.EPSILON;

/** Removes `x` from `a` in place; splice() would allocate the array of removed items. */
function removeFrom<T>(a: T[], x: T): boolean {
  const k = a.indexOf(x);
  if (k < 0) return false;
  for (let j = k + 1; j < a.length; j++) a[j - 1] = a[j];
  a.pop();
  return true;
}

function price(x: number | undefined | null, name: string): number | null {
  if (x === undefined || x === null) return null;
  if (!(x > 0 && Number.isFinite(x))) throw new Error(`invalid ${name} price: ${x}`);
  return x;
}

/** Writes the sums sumBars carried past the head (in `k`) back into `sums`, with their count. */
function settleSums(sums: ReturnSums, k: Float64Array): ReturnSums {
  if (sums.summing) {
    sums.n += k[QUIET.summed];
    sums.s1 = k[QUIET.s1];
    sums.s2 = k[QUIET.s2];
  }
  return sums;
}

/**
 * The simulated broker, a faithful port of backtesting.py's `_Broker` (same fill prices, same
 * sizing, same FIFO netting and contingent-order handling), with sizes counted in whole lots.
 *
 * Intrabar rule: within one bar, the order queue is processed in order, and SL (stop) orders are
 * queued before TP (limit) orders, so when a bar's range covers both SL and TP the stop-loss wins
 * (pessimistic). A stop-limit whose stop and limit are both inside the bar is assumed to hit the
 * limit first only if that is on the far side of the stop ("before it counts"): then it waits.
 */
export class Broker {
  /** the bars so far: a live session extends them (extend()) */
  bars: Bars;
  readonly unit: number;
  listener: BrokerListener | null = null;
  // a number from the start (0 until the constructor sets it): declared without a value, the field
  // would start as undefined, stay a tagged field, and box every cash update in a fresh HeapNumber
  cash = 0;
  /** current bar index */
  i = 0;
  readonly orders: Order[] = [];
  readonly trades: Trade[] = [];
  /** the closed trades as columns, every one of them */
  readonly closedLog: ClosedTradeLog;
  readonly #closed: Trade[] = [];
  #keepClosed = false;
  equity: Float64Array;
  readonly warnings: string[] = [];
  /** largest cash value tied up in open trades at entry prices, over the run */
  requiredCapital = 0;

  // the user's function, or null for fixed + relative: a closure made per broker would be a new
  // call target on every run, and the optimized code that inlined the last one would be dropped
  readonly #commissionFn: ((size: number, price: number, exit: boolean) => number) | null;
  readonly #fixed: number;
  readonly #relative: number;
  readonly #spread: number;
  readonly #slippage: number;
  readonly #leverage: number;
  readonly #tradeOnClose: boolean;
  readonly #hedging: boolean;
  readonly #exclusive: boolean;
  readonly #queue: (Order | null)[] = [];
  /** a cash (spot) account: sells never open shorts */
  readonly #cash: boolean;
  #warnedShort = false;

  constructor(
    bars: Bars,
    {
      cash = 10_000,
      commission = 0,
      spread = 0,
      slippage = 0,
      margin = 1,
      tradeOnClose = false,
      hedging = false,
      exclusiveOrders = false,
      unit = 1,
      account = "margin",
    }: BrokerOptions = {},
    /** the column to write the equity into, one per bar (an optimizer reuses one from run to run) */
    equity?: Float64Array,
    /** a log to write the closed trades into, emptied first (reused likewise: fresh memory is slow here) */
    closedLog?: ClosedTradeLog,
  ) {
    if (!ACCOUNT_MODELS.includes(account)) throw new Error(`invalid account: ${account} (margin or cash)`);
    if (account === "cash" && margin !== 1)
      throw new Error(`a cash account has no leverage: margin ${margin}`);
    if (account === "cash" && hedging) throw new Error("a cash account nets: hedging needs a margin account");
    if (!(cash > 0)) throw new Error(`cash should be > 0, got ${cash}`);
    if (!(margin > 0 && margin <= 1)) throw new Error(`margin should be in (0, 1], got ${margin}`);
    if (!(unit > 0)) throw new Error(`unit should be > 0, got ${unit}`);
    if (!(spread >= 0 && spread < 1)) throw new Error(`spread should be in [0, 1), got ${spread}`);
    if (!(slippage >= 0 && slippage < 1)) throw new Error(`slippage should be in [0, 1), got ${slippage}`);
    this.bars = bars;
    this.cash = cash;
    this.unit = unit;
    this.closedLog = closedLog?.clear() ?? new ClosedTradeLog();
    if (typeof commission === "function") {
      this.#commissionFn = commission;
      this.#fixed = 0;
      this.#relative = 0;
    } else {
      const [fixed, relative] = typeof commission === "number" ? [0, commission] : commission;
      if (!(fixed >= 0)) throw new Error(`fixed commission should be >= 0, got ${fixed}`);
      if (!(relative >= -0.1 && relative < 0.1)) {
        throw new Error(`commission should be between -10% (rebates) and 10%, got ${relative}`);
      }
      this.#commissionFn = null;
      this.#fixed = fixed;
      this.#relative = relative;
    }
    this.#spread = spread;
    this.#slippage = slippage;
    this.#leverage = 1 / margin;
    this.#cash = account === "cash";
    this.#tradeOnClose = tradeOnClose;
    this.#hedging = hedging;
    this.#exclusive = exclusiveOrders;
    // bars before the first next() stay 0 here; the backtest fills them (the first recorded equity)
    this.equity = equity?.length === bars.length ? equity : new Float64Array(bars.length);
  }

  /** Takes longer bars (the same ones plus new ones at the end), for a session fed bar by bar. */
  extend(bars: Bars): void {
    if (bars.length < this.bars.length)
      throw new Error(`bars shrank from ${this.bars.length} to ${bars.length}`);
    this.bars = bars;
    if (this.equity.length < bars.length) {
      const grown = new Float64Array(Math.max(bars.length, 2 * this.equity.length));
      grown.set(this.equity);
      this.equity = grown;
    }
  }

  /**
   * Closed trades, oldest first. Keeping every closed Trade object alive through a run costs more
   * in garbage collection than the trading itself, and most strategies never look at one, so the
   * objects are kept only from the first time a strategy could get hold of a Trade (exposeTrades);
   * the trades closed before that are rebuilt from closedLog, and no one can tell them apart,
   * since no one held them.
   */
  get closedTrades(): readonly Trade[] {
    this.exposeTrades();
    return this.#closed;
  }

  /** Called when Trade objects become reachable from strategy code (open trades, orders' parents). */
  exposeTrades(): void {
    if (this.#keepClosed) return;
    this.#keepClosed = true;
    const log = this.closedLog;
    for (let k = 0; k < log.length; k++) this.#closed.push(log.rebuild(this, k));
  }

  /** Close of the current bar. */
  get lastPrice(): number {
    return this.bars.close[this.i];
  }

  get currentEquity(): number {
    let sum = this.cash;
    const trades = this.trades;
    for (let k = 0; k < trades.length; k++) sum += trades[k].pl;
    return sum;
  }

  get marginAvailable(): number {
    let used = 0;
    const trades = this.trades;
    for (let k = 0; k < trades.length; k++) used += trades[k].value / this.#leverage;
    return Math.max(0, this.currentEquity - used);
  }

  /** Signed position size in units. */
  get positionSize(): number {
    let lots = 0;
    for (let k = 0; k < this.trades.length; k++) lots += this.trades[k].lots;
    return lots * this.unit;
  }

  commission(size: number, price: number, exit = false): number {
    return this.#commission(size, price, exit);
  }

  #commission(size: number, price: number, exit = false): number {
    const fn = this.#commissionFn;
    return fn ? fn(size, price, exit) : this.#fixed + Math.abs(size) * price * this.#relative;
  }

  #adjustedPrice(size: number, price: number): number {
    return price * (1 + Math.sign(size) * this.#spread);
  }

  removeOrder(order: Order): void {
    if (!removeFrom(this.orders, order)) throw new Error("order is not pending");
  }

  /** Validates and queues an order; `fraction` xor `lots` is non-zero. */
  newOrder(
    fraction: number,
    lots: number,
    limit: number | null,
    stop: number | null,
    sl: number | null,
    tp: number | null,
    trade: Trade | null,
    tag: unknown,
    trailPct: number | null = null,
    trailBy: number | null = null,
  ): Order {
    const isLong = fraction > 0 || lots > 0;
    const adjusted = this.#adjustedPrice(isLong ? 1 : -1, this.lastPrice);
    const entry = limit || stop || adjusted;
    if (isLong) {
      if (!((sl || -Infinity) < entry && entry < (tp || Infinity))) {
        throw new Error(`long orders require sl (${sl}) < limit (${entry}) < tp (${tp})`);
      }
    } else if (!((tp || -Infinity) < entry && entry < (sl || Infinity))) {
      throw new Error(`short orders require tp (${tp}) < limit (${entry}) < sl (${sl})`);
    }
    const order = new Order(this, fraction, lots, limit, stop, sl, tp, trade, tag, trailPct, trailBy);
    if (!trade && this.#exclusive) {
      for (const o of this.orders.slice()) if (!o.isContingent) o.cancel();
      for (const t of this.trades.slice()) t.close();
    }
    // stop-loss orders go first so that a bar touching both SL and TP exits at the SL
    if (trade && stop) this.orders.unshift(order);
    else this.orders.push(order);
    return order;
  }

  /** Places a strategy order (buy when `sign` is 1, sell when -1). */
  place(sign: 1 | -1, req: OrderRequest = NO_REQUEST): Order {
    const size = req.size ?? ALL_IN;
    if (!(size > 0 && Number.isFinite(size))) throw new Error(`invalid size: ${size}`);
    let fraction = 0;
    let lots = 0;
    if (size < 1) {
      fraction = sign * size;
    } else {
      lots = Math.round(size / this.unit);
      if (Math.abs(lots * this.unit - size) > 1e-9 * size) {
        throw new Error(`size ${size} is not a whole number of units (unit ${this.unit})`);
      }
      lots *= sign;
    }
    if (req.trailPct !== undefined && !(req.trailPct > 0 && req.trailPct < 100)) {
      throw new Error(`invalid trailPct: ${req.trailPct} (a percent: 5 trails 5% below the close)`);
    }
    if (req.trailBy !== undefined && !(req.trailBy > 0)) throw new Error(`invalid trailBy: ${req.trailBy}`);
    return this.newOrder(
      fraction,
      lots,
      price(req.limit, "limit"),
      price(req.stop, "stop"),
      price(req.sl, "sl"),
      price(req.tp, "tp"),
      null,
      req.tag,
      req.trailPct ?? null,
      req.trailBy ?? null,
    );
  }

  closeTrade(trade: Trade, portion: number): void {
    const lots =
      -Math.sign(trade.lots) * Math.max(1, Math.trunc(roundHalfEven(Math.abs(trade.lots) * portion)));
    const order = new Order(this, 0, lots, null, null, null, null, trade, trade.tag);
    this.orders.unshift(order);
  }

  /** Processes pending orders against bar i and records equity; throws OutOfMoney when wiped out. */
  next(i: number): void {
    this.i = i;
    if (this.orders.length) this.#processOrders();
    // the per-bar path: Trade.pl and Trade.size inlined by hand (same operations, same order), as
    // these getters are not reliably inlined and this runs on every bar
    //   equity = cash + Σ trade.pl;  capital = Σ |trade.size| × trade.entryPrice
    const trades = this.trades;
    // `cash` can be a tagged field; without a numeric start the sum is boxed on every bar
    let equity = this.cash + 0;
    if (trades.length) {
      const close = this.bars.close[i];
      const unit = this.unit;
      let capital = 0;
      for (let k = 0; k < trades.length; k++) {
        const t = trades[k];
        const size = t.lots * unit;
        equity += size * (close - t.entryPrice) - t.commissions;
        capital += Math.abs(size) * t.entryPrice;
      }
      if (capital > this.requiredCapital) this.requiredCapital = capital;
    }
    this.equity[i] = equity;
    if (equity <= 0) {
      for (const trade of this.trades.slice()) this.#closeTradeAt(trade, this.bars.close[i], i);
      this.cash = 0;
      this.equity.fill(0, i);
      throw new OutOfMoney();
    }
  }

  /** Moves trailing stops after the strategy's decision at bar i. */
  trail(): void {
    const trades = this.trades;
    for (let k = 0; k < trades.length; k++) {
      const t = trades[k];
      if (t.trailPct === null && t.trailBy === null) continue;
      // read here, not before the loop: this runs on every bar, and a double kept live across
      // the loop (or returned by a getter that is not inlined) is boxed, 16 bytes per bar
      const close = this.bars.close[this.i];
      const dist = t.trailBy ?? (close * (t.trailPct as number)) / 100;
      const level = t.isLong ? close - dist : close + dist;
      const current = t.sl;
      const better = current === null || (t.isLong ? level > current : level < current);
      if (!better || !(level > 0)) continue;
      if (t.slOrder) {
        t.slOrder.stop = level;
        t.slPrice = level;
      } else t.sl = level;
    }
  }

  #processOrders(): void {
    const { open: O, high: H, low: L, close: C } = this.bars;
    const i = this.i;
    const open = O[i];
    const high = H[i];
    const low = L[i];
    let reprocess = false;
    // the queue changes while it is processed: walk a snapshot, skipping orders already gone.
    // The snapshot lives in a reused array (this method only recurses after its loop is done).
    const queue = this.#queue;
    const count = this.orders.length;
    for (let k = 0; k < count; k++) queue[k] = this.orders[k];
    for (let q = 0; q < count; q++) {
      const order = queue[q] as Order;
      queue[q] = null;
      if (!this.orders.includes(order)) continue;
      const long = order.isLong;

      const stopPrice = order.stop;
      if (stopPrice) {
        const hit = long ? high >= stopPrice : low <= stopPrice;
        if (!hit) continue;
        // once touched, a stop order becomes a market (or limit) order
        order.stop = null;
      }

      let price: number;
      if (order.limit) {
        const limit = order.limit;
        const limitHit = long ? low <= limit : high >= limit;
        // stop and limit both inside the bar: assume the limit was touched before the stop counted
        const limitBeforeStop =
          limitHit && (long ? limit <= (stopPrice || -Infinity) : limit >= (stopPrice || Infinity));
        if (!limitHit || limitBeforeStop) continue;
        price = long ? Math.min(stopPrice || open, limit) : Math.max(stopPrice || open, limit);
      } else {
        price = this.#tradeOnClose && !order.isContingent ? C[i - 1] : open;
        if (stopPrice) price = long ? Math.max(price, stopPrice) : Math.min(price, stopPrice);
        if (this.#slippage) price *= 1 + (long ? this.#slippage : -this.#slippage);
      }

      const isMarket = !order.limit && !stopPrice;
      const timeIndex = isMarket && this.#tradeOnClose && !order.isContingent ? i - 1 : i;

      const parent = order.parent;
      if (parent) {
        const prevLots = parent.lots;
        const lots = Math.sign(order.lots) * Math.min(Math.abs(prevLots), Math.abs(order.lots));
        if (this.trades.includes(parent)) {
          this.#reduceTrade(parent, price, lots, timeIndex);
          this.listener?.executed(order, price, lots, timeIndex);
        } else this.listener?.canceled(order, "its trade is closed");
        if (order !== parent.slOrder && order !== parent.tpOrder) this.removeOrder(order);
        continue;
      }

      const adjusted = this.#adjustedPrice(order.fraction || order.lots, price);
      const unit = this.unit;
      let needLots: number;
      let perLot: number;
      if (order.fraction !== 0) {
        const f = order.fraction;
        perLot = adjusted * unit + this.#commission(f, price * unit) / Math.abs(f);
        needLots =
          Math.sign(f) * Math.trunc(floorDiv(this.marginAvailable * this.#leverage * Math.abs(f), perLot));
        if (!needLots) {
          this.warnings.push(`bar ${i}: broker canceled the relative-sized order due to insufficient margin`);
          this.removeOrder(order);
          this.listener?.canceled(order, "insufficient margin");
          continue;
        }
      } else {
        const size = order.lots * unit;
        perLot = (adjusted + this.#commission(size, price) / Math.abs(size)) * unit;
        needLots = order.lots;
      }

      const wanted = needLots;
      if (!this.#hedging) {
        // net against opposite trades first, FIFO, at the unadjusted price (spread was paid on entry).
        // Walked in place rather than over a copy: closing removes exactly the trade at `j`, and
        // a partial close leaves it there and ends the walk.
        const trades = this.trades;
        const count = trades.length;
        let j = 0;
        for (let k = 0; k < count; k++) {
          const trade = trades[j];
          if (trade.isLong === long) {
            j++;
            continue;
          }
          if (Math.abs(needLots) >= Math.abs(trade.lots)) {
            this.#closeTradeAt(trade, price, timeIndex);
            needLots += trade.lots;
          } else {
            this.#reduceTrade(trade, price, needLots, timeIndex);
            needLots = 0;
          }
          if (!needLots) break;
        }
      }

      if (needLots < 0 && this.#cash) {
        // spot: what is left after closing the longs would be a short
        if (!this.#warnedShort) {
          this.#warnedShort = true;
          this.warnings.push(
            `bar ${i} (and maybe later ones): cash account: a sell only reduces the position; the short part was dropped`,
          );
        }
        this.removeOrder(order);
        if (this.listener) {
          if (wanted !== needLots) this.listener.executed(order, price, wanted - needLots, timeIndex);
          this.listener.canceled(order, "a cash account cannot sell short");
        }
        continue;
      }
      if (Math.abs(needLots) * perLot > this.marginAvailable * this.#leverage) {
        this.removeOrder(order);
        if (this.listener) {
          if (wanted !== needLots) this.listener.executed(order, price, wanted - needLots, timeIndex);
          this.listener.canceled(order, "insufficient margin");
        }
        continue;
      }

      if (needLots) {
        const trade = this.#openTrade(adjusted, needLots, order.sl, order.tp, timeIndex, order.tag);
        trade.trailPct = order.trailPct;
        trade.trailBy = order.trailBy;
        if (order.sl || order.tp) {
          if (isMarket) {
            // a bracket of a market entry may trigger on the entry bar itself
            reprocess = true;
          } else if (
            stopPrice &&
            !order.limit &&
            order.tp &&
            ((long && order.tp <= high && (order.sl || -Infinity) < low) ||
              (!long && order.tp >= low && (order.sl || Infinity) > high))
          ) {
            reprocess = true;
          } else if (
            (low <= (order.sl || -Infinity) && (order.sl || -Infinity) <= high) ||
            (low <= (order.tp || -Infinity) && (order.tp || -Infinity) <= high)
          ) {
            this.warnings.push(
              `bar ${i}: a contingent SL/TP order would execute in the same bar its parent stop/limit order filled; it waits for the next bar`,
            );
          }
        }
      }
      this.removeOrder(order);
      this.listener?.executed(order, price, wanted, timeIndex);
    }
    if (reprocess) this.#processOrders();
  }

  /**
   * The bar loop of a strategy given as signals (StrategyDef.signals, codes in signals.ts): what
   * next() placing `actions[i]`'s orders on each bar i from `start`, with this broker filling and
   * marking them, does, without order or trade objects. At most one trade is open, so the orders
   * reduce to two at a time: the close of the open trade and the new all-in entry, filled in that
   * order at the next bar's price (the close order is queued first, as position.close() unshifts
   * it). Every figure is computed by the same operations in the same order as #processOrders,
   * #closeTradeAt, #openTrade and next(), so the closed-trade log, the equity, the cash and the
   * warnings come out equal to the bar loop's. `finalize`: the end of backtest() with
   * finalizeTrades. With `sums` (a search's screened run), the per-bar returns go into them
   * instead of the equity into its column, which then holds only the first and last bars (what
   * the stats without the bar pass read); `sums.ready` tells whether that was done (series of
   * more than MOMENT_HEAD + 1 bars). Returns true when the account ran out of money.
   */
  runSignals(
    actions: Int8Array,
    start: number,
    log: DecisionSink | null,
    finalize: boolean,
    sums: ReturnSums | null = null,
  ): boolean {
    if (this.trades.length || this.orders.length) throw new Error("runSignals needs a fresh broker");
    const n = this.bars.length;
    if (actions.length !== n) throw new Error(`signals: ${actions.length} actions for ${n} bars`);
    const C = this.bars.close;
    const unit = this.unit;
    const equity = this.equity;
    // the open trade (lots 0: none) lives in #signal between fills; the bar loop keeps it in locals
    const t = this.#signal;
    t.lots = 0;
    let lots = 0;
    let entry = 0;
    // orders placed on the previous bar: the close of the open trade, and an entry (1, -1) or none
    let closing = false;
    let pending = 0;
    let required = this.requiredCapital;
    let outOfMoney = false;
    const logged = this.closedLog.length;
    // the cash changes only on fills: a local here, not a field read on every bar
    let cash = this.cash;
    const last = n - 1;
    // returns into `sums`: returnMoments(equity, start - 1)'s, from the bar before `start` (filled
    // with the start's equity, so the first return is 0), the last one once the run is over
    const into = sums?.reset() ?? null;
    const fused = into !== null && n - start > MOMENT_HEAD + 1;
    // the head of the returns goes into `into` one by one; past it, the quiet bars between actions
    // are marked and summed by sumBars, the sums carried in `k`; without sums, markBars marks them
    let summing = false;
    let prev = 0;
    const k = this.#quiet.fill(0);
    let i = start;
    for (; i < n; i++) {
      if (pending !== 0 || closing) {
        this.#fillSignal(i, closing, pending);
        cash = this.cash;
        lots = t.lots;
        entry = t.entry;
        pending = 0;
        closing = false;
        if (lots !== 0) {
          const capital = 0 + Math.abs(lots * unit) * entry;
          if (capital > required) required = capital;
        }
      }
      // the bars up to the next action, the bar out of money or the last bar, whichever is first
      if ((summing || !fused) && i < last) {
        k[QUIET.cash] = cash;
        k[QUIET.size] = lots * unit;
        k[QUIET.entry] = entry;
        i = summing
          ? sumBars(C, this.bars.open, actions, i, last, k)
          : markBars(C, this.bars.open, actions, i, last, k, equity);
      }
      // next(i)'s marking: equity = cash + Σ trade.pl (an open trade's commissions are 0; with none,
      // lots is 0 and so is the term)
      const value = cash + lots * unit * (C[i] - entry);
      if (!fused) equity[i] = value;
      else if (!summing) {
        // the start's bar (its return is 0) and the head's returns, one by one (it ends before the
        // last bar: a fused run has more than MOMENT_HEAD + 1 bars)
        if (i === start) {
          equity[i] = value;
          prev = value;
        }
        if (!(value <= 0)) {
          // a bar that runs out of money returns what the zeroed equity gives (below)
          (into as ReturnSums).add(value / prev - 1);
          prev = value;
          if ((into as ReturnSums).summing) {
            summing = true;
            const sums = into as ReturnSums;
            k[QUIET.prev] = prev;
            k[QUIET.shift] = sums.shift;
            k[QUIET.s1] = sums.s1;
            k[QUIET.s2] = sums.s2;
          }
        }
      } else if (i === last) equity[i] = value;
      if (value <= 0) {
        outOfMoney = true;
        break;
      }
      const a = actions[i];
      if (a === 0) continue;
      if (a !== 1 && a !== -1 && a !== 2) throw new Error(`invalid signal ${a} at bar ${i} (0, 1, -1 or 2)`);
      if (lots !== 0) {
        log?.push(i, 2, 1, null, null, null, null);
        closing = true;
      }
      if (a !== 2) {
        pending = a;
        log?.push(i, a > 0 ? 0 : 1, (a > 0 ? 1 : -1) * ALL_IN, null, null, null, null);
      }
    }
    if (outOfMoney) {
      this.#signalOutOfMoney(i, lots, required, logged);
      if (fused) {
        const all = settleSums(into as ReturnSums, k);
        // bar i's equity is 0 now, and so is the start's (the bars before it) when i is the start;
        // the bars after it return 0 / 0 - 1
        all.add(i > start ? 0 / (summing ? k[QUIET.prev] : prev) - 1 : Number.NaN);
        for (let j = i + 1; j < n; j++) all.add(Number.NaN);
        all.ready = true;
      }
      return true;
    }
    // the ends of a run are methods of their own: a path first taken in a long run (an entry on
    // the last bar, say) deoptimizes the function it is in, and V8 compiles that anew (runSignals:
    // 25-45 ms of TurboFan a time, in every worker thread of a search)
    if (finalize) {
      if (start < n) required = this.#finalizeSignal(last, lots, pending, required);
    } else if (lots !== 0) {
      this.warnings.push("some trades remain open at the end; use finalizeTrades to include them in stats");
    }
    this.requiredCapital = required;
    this.closedLog.settlePlain(logged);
    if (fused) {
      const all = settleSums(into as ReturnSums, k);
      all.add(equity[last] / (summing ? k[QUIET.prev] : prev) - 1);
      all.ready = true;
    }
    return false;
  }

  /** runSignals' end when the account ran out of money at bar i, as next()'s OutOfMoney ends a run. */
  #signalOutOfMoney(i: number, lots: number, required: number, logged: number): void {
    // what is open closes at the bar's close, and the equity is 0 from there
    this.i = i;
    if (lots !== 0) this.#closeSignal(this.bars.close[i], i);
    this.cash = 0;
    this.equity.fill(0, i);
    this.requiredCapital = required;
    this.closedLog.settlePlain(logged);
  }

  /**
   * runSignals' end with finalizeTrades, as backtest()'s: every open trade closes and the last bar
   * is processed again, so the closes (and the last decision's orders) fill at its price; the
   * finalizing close is queued first. Returns the required capital.
   */
  #finalizeSignal(last: number, lots: number, pending: number, required: number): number {
    const C = this.bars.close;
    const equity = this.equity;
    const t = this.#signal;
    this.#fillSignal(last, lots !== 0, pending);
    let value = this.cash + 0;
    if (t.lots !== 0) {
      const size = t.lots * this.unit;
      value += size * (C[last] - t.entry) - 0;
      const capital = 0 + Math.abs(size) * t.entry;
      if (capital > required) required = capital;
    }
    equity[last] = value;
    if (value <= 0) {
      // out of money on the re-run: backtest() ignores it after closing and zeroing
      if (t.lots !== 0) this.#closeSignal(C[last], last);
      this.cash = 0;
      equity.fill(0, last);
    }
    return required;
  }

  /** runSignals' state for the quiet bars */
  readonly #quiet = quietState();

  /** The signal path's open trade between fills (lots 0: none). */
  readonly #signal = { lots: 0, entry: 0, entryBar: 0 };

  /**
   * #processOrders for the signal path on bar i: the close of the open trade when `close` (queued
   * first, as position.close() unshifts it), then an all-in entry when `entry` is 1 or -1.
   */
  #fillSignal(i: number, close: boolean, entry: number): void {
    this.i = i;
    const t = this.#signal;
    const base = this.#tradeOnClose ? this.bars.close[i - 1] : this.bars.open[i];
    const timeIndex = this.#tradeOnClose ? i - 1 : i;
    if (close && t.lots !== 0) {
      // the close order is long when it closes a short
      let price = base;
      if (this.#slippage) price *= 1 + (t.lots < 0 ? this.#slippage : -this.#slippage);
      this.#closeSignal(price, timeIndex);
    }
    if (entry === 0) return;
    const long = entry > 0;
    // a sign times ALL_IN, not a choice between ALL_IN and -ALL_IN: TurboFan merged those two as
    // a tagged value and boxed -ALL_IN in a fresh HeapNumber on every entry
    const f = (long ? 1 : -1) * ALL_IN;
    let price = base;
    if (this.#slippage) price *= 1 + (long ? this.#slippage : -this.#slippage);
    const unit = this.unit;
    const adjusted = this.#adjustedPrice(f, price);
    const perLot = adjusted * unit + this.#commission(f, price * unit) / Math.abs(f);
    // no trade is open here: the margin available is the cash (currentEquity, with 0 used)
    const available = Math.max(0, this.cash - 0);
    const needLots = Math.sign(f) * Math.trunc(floorDiv(available * this.#leverage * Math.abs(f), perLot));
    if (!needLots) {
      this.warnings.push(`bar ${i}: broker canceled the relative-sized order due to insufficient margin`);
    } else if (needLots < 0 && this.#cash) {
      if (!this.#warnedShort) {
        this.#warnedShort = true;
        this.warnings.push(
          `bar ${i} (and maybe later ones): cash account: a sell only reduces the position; the short part was dropped`,
        );
      }
    } else if (!(Math.abs(needLots) * perLot > available * this.#leverage)) {
      t.lots = needLots;
      t.entry = adjusted;
      t.entryBar = timeIndex;
      this.cash -= this.#commission(needLots * unit, adjusted);
    }
  }

  /** #closeTradeAt for the signal path's open trade. */
  #closeSignal(price: number, timeIndex: number): void {
    const t = this.#signal;
    const size = t.lots * this.unit;
    const exitCommission = this.#commission(size, price, true);
    this.cash += size * (price - t.entry) - 0 - exitCommission;
    const commissions = exitCommission + this.#commission(size, t.entry);
    this.closedLog.append(t.lots, t.entryBar, timeIndex, t.entry, price, commissions);
    t.lots = 0;
  }

  #reduceTrade(trade: Trade, price: number, lots: number, timeIndex: number): void {
    const left = trade.lots + lots;
    let closing = trade;
    if (left) {
      trade.lots = left;
      if (trade.slOrder) trade.slOrder.lots = -left;
      if (trade.tpOrder) trade.tpOrder.lots = -left;
      closing = trade.copyWith(-lots);
      this.trades.push(closing);
    }
    this.#closeTradeAt(closing, price, timeIndex);
  }

  #closeTradeAt(trade: Trade, price: number, timeIndex: number): void {
    removeFrom(this.trades, trade);
    if (trade.slOrder && this.orders.includes(trade.slOrder)) this.removeOrder(trade.slOrder);
    if (trade.tpOrder && this.orders.includes(trade.tpOrder)) this.removeOrder(trade.tpOrder);
    trade.exitPrice = price;
    trade.exitBar = timeIndex;
    if (this.#keepClosed) this.#closed.push(trade);
    const exitCommission = this.#commission(trade.size, price, true);
    this.cash += trade.pl - exitCommission;
    // charged here rather than at entry because partial closes change the size
    trade.commissions = exitCommission + this.#commission(trade.size, trade.entryPrice);
    this.closedLog.push(trade);
  }

  #openTrade(
    price: number,
    lots: number,
    sl: number | null,
    tp: number | null,
    timeIndex: number,
    tag: unknown,
  ): Trade {
    const trade = new Trade(this, lots, price, timeIndex, tag);
    this.trades.push(trade);
    this.cash -= this.#commission(trade.size, price);
    if (tp) trade.tp = tp;
    if (sl) trade.sl = sl;
    return trade;
  }
}
