import { type Bars, type FrameLike, toBars } from "./bars.ts";
import { Broker, type BrokerOptions, ClosedTradeLog, OutOfMoney } from "./broker.ts";
import type { FreeColumns } from "./indicators/free-columns.ts";
import { ReturnSums } from "./optimize/moments.ts";
import { Order, type OrderRequest, Trade } from "./orders.ts";
import { type ParamSpecs, type ParamValues, resolveParams } from "./params.ts";
import { type Clock, Series } from "./series.ts";
import type { DecisionSink } from "./signals.ts";
import { computeStats, drawdown, type Stats, statsColumns, type TradeStatsInput } from "./stats.ts";
import type { InitContext, NextContext, Position, StrategyDef } from "./strategy.ts";

export interface BacktestOptions extends BrokerOptions {
  /** close trades still open after the last bar (at its open) so they count in the stats */
  finalizeTrades?: boolean;
  /** strategy parameter overrides, checked against the strategy's specs */
  params?: Readonly<Record<string, unknown>>;
  /** annual, as a fraction, for Sharpe, Sortino and alpha */
  riskFreeRate?: number;
  /**
   * run the strategy's signals() instead of next() on every bar: the same result, faster (an
   * optimizer's default when the strategy has signals(); see StrategyDef.signals)
   */
  signals?: boolean;
}

/** Closed trades as columns (Arrow-friendly). returnPct in percent (like the stats); times UTC ms. */
export interface TradeColumns {
  readonly length: number;
  readonly size: Float64Array;
  readonly entryBar: Float64Array;
  readonly exitBar: Float64Array;
  readonly entryPrice: Float64Array;
  readonly exitPrice: Float64Array;
  /** NaN when none */
  readonly sl: Float64Array;
  readonly tp: Float64Array;
  readonly pnl: Float64Array;
  readonly commission: Float64Array;
  readonly returnPct: Float64Array;
  readonly entryTime: Float64Array;
  readonly exitTime: Float64Array;
  readonly tag: readonly unknown[];
  /** indicator values at entry and exit, by indicator name */
  readonly indicators: Readonly<Record<string, { entry: Float64Array; exit: Float64Array }>>;
}

/** One order placed by the strategy (not SL/TP brackets), for the look-ahead check. */
export interface Decision {
  readonly bar: number;
  readonly kind: "buy" | "sell" | "close";
  readonly size: number;
  readonly limit: number | null;
  readonly stop: number | null;
  readonly sl: number | null;
  readonly tp: number | null;
}

export interface BacktestResult {
  readonly stats: Stats;
  readonly trades: TradeColumns;
  readonly equity: Float64Array;
  /** fraction below the running peak, per bar */
  readonly drawdown: Float64Array;
  readonly params: Readonly<Record<string, number>>;
  /** total commissions paid over closed trades */
  readonly commissions: number;
  /** first bar next() was called on */
  readonly startBar: number;
  readonly decisions: readonly Decision[];
  readonly warnings: readonly string[];
}

/**
 * The strategy's orders as growing columns: a run places one or two orders per trade, and keeping
 * them as objects for the whole run costs more in garbage collection than the orders themselves.
 * `Decision` objects are built only when someone reads `result.decisions` (the look-ahead check).
 */
class DecisionLog implements DecisionSink {
  length = 0;
  #bar = new Float64Array(1024);
  #kind = new Uint8Array(1024);
  #size = new Float64Array(1024);
  // null prices as NaN: real prices are validated finite and > 0
  #limit = new Float64Array(1024);
  #stop = new Float64Array(1024);
  #sl = new Float64Array(1024);
  #tp = new Float64Array(1024);

  static readonly KINDS = ["buy", "sell", "close"] as const;

  /** `record` false: a run nobody asks the decisions of (a screened optimizer run) keeps none */
  constructor(readonly record = true) {}

  push(
    bar: number,
    kind: 0 | 1 | 2,
    size: number,
    limit: number | null,
    stop: number | null,
    sl: number | null,
    tp: number | null,
  ): void {
    if (!this.record) return;
    const k = this.length;
    if (k === this.#bar.length) this.#grow(2 * k);
    this.#bar[k] = bar;
    this.#kind[k] = kind;
    this.#size[k] = size;
    this.#limit[k] = limit ?? Number.NaN;
    this.#stop[k] = stop ?? Number.NaN;
    this.#sl[k] = sl ?? Number.NaN;
    this.#tp[k] = tp ?? Number.NaN;
    this.length = k + 1;
  }

  #grow(capacity: number): void {
    const grow = <T extends Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a);
      return b;
    };
    this.#bar = grow(this.#bar);
    this.#kind = grow(this.#kind);
    this.#size = grow(this.#size);
    this.#limit = grow(this.#limit);
    this.#stop = grow(this.#stop);
    this.#sl = grow(this.#sl);
    this.#tp = grow(this.#tp);
  }

  toArray(): Decision[] {
    const orNull = (x: number) => (Number.isNaN(x) ? null : x);
    const out = new Array<Decision>(this.length);
    for (let k = 0; k < this.length; k++) {
      out[k] = Object.freeze({
        bar: this.#bar[k],
        kind: DecisionLog.KINDS[this.#kind[k]],
        size: this.#size[k],
        limit: orNull(this.#limit[k]),
        stop: orNull(this.#stop[k]),
        sl: orNull(this.#sl[k]),
        tp: orNull(this.#tp[k]),
      });
    }
    return out;
  }
}

// The contexts are class instances with methods on the prototype: object literals with getters
// are dictionaries in V8 (every ctx.x a hash lookup), and closures made per run would give the
// optimized bar loop new call targets on every run, so it would be thrown away and recompiled.

/**
 * What the strategy host reads from its broker: the engine's simulated Broker in backtests and
 * paper runs; in live runs an account at a venue behaves as one (src/bridge/live-session.ts).
 */
export interface HostBroker {
  readonly trades: readonly Trade[];
  readonly closedTrades: readonly Trade[];
  readonly orders: readonly Order[];
  readonly positionSize: number;
  readonly currentEquity: number;
  place(sign: 1 | -1, req?: OrderRequest): Order;
  exposeTrades(): void;
  /** takes the bars so far (the same ones plus new ones) */
  extend(bars: Bars): void;
  /** fills what bar i's prices fill, then marks the account at its close */
  next(i: number): void;
  /** moves trailing stops after next() */
  trail(): void;
}

/** Places a strategy order and logs it as a decision. */
function placeOrder(
  broker: HostBroker,
  log: DecisionLog,
  bar: number,
  sign: 1 | -1,
  req?: OrderRequest,
): Order {
  const order = broker.place(sign, req);
  log.push(bar, sign > 0 ? 0 : 1, order.size, order.limit, order.stop, order.sl, order.tp);
  return order;
}

/** The open position as next() sees it. */
class PositionView implements Position {
  readonly #broker: HostBroker;
  readonly #log: DecisionLog;
  readonly #clock: Clock;
  constructor(broker: HostBroker, log: DecisionLog, clock: Clock) {
    this.#broker = broker;
    this.#log = log;
    this.#clock = clock;
  }
  get size(): number {
    return this.#broker.positionSize;
  }
  get pl(): number {
    let s = 0;
    for (const t of this.#broker.trades) s += t.pl;
    return s;
  }
  get plPct(): number {
    let w = 0;
    let s = 0;
    for (const t of this.#broker.trades) {
      w += Math.abs(t.size);
      s += Math.abs(t.size) * t.plPct;
    }
    return w ? s / w : 0;
  }
  get isLong(): boolean {
    return this.#broker.positionSize > 0;
  }
  get isShort(): boolean {
    return this.#broker.positionSize < 0;
  }
  close(portion = 1): void {
    const trades = this.#broker.trades;
    if (trades.length) this.#log.push(this.#clock.i, 2, portion, null, null, null, null);
    for (let k = 0; k < trades.length; k++) trades[k].close(portion);
  }
}

/** What next() sees at the clock's bar. Call its methods on it (`ctx.buy()`), not detached. */
class BarContext<P extends ParamSpecs> implements NextContext<P> {
  readonly #clock: Clock;
  readonly #bars: Bars;
  readonly #broker: HostBroker;
  readonly #log: DecisionLog;
  readonly #columns: Map<string, Series>;
  readonly open: Series;
  readonly high: Series;
  readonly low: Series;
  readonly close: Series;
  readonly volume: Series;
  readonly params: ParamValues<P>;
  readonly position: Position;
  constructor(clock: Clock, bars: Bars, broker: HostBroker, log: DecisionLog, params: ParamValues<P>) {
    this.#clock = clock;
    this.#bars = bars;
    this.#broker = broker;
    this.#log = log;
    this.#columns = new Map();
    this.open = this.col("open");
    this.high = this.col("high");
    this.low = this.col("low");
    this.close = this.col("close");
    this.volume = this.col("volume");
    this.params = params;
    this.position = new PositionView(broker, log, clock);
  }
  get i(): number {
    return this.#clock.i;
  }
  get time(): number {
    return this.#bars.time[this.#clock.i];
  }
  get trades(): readonly Trade[] {
    this.#broker.exposeTrades();
    return this.#broker.trades;
  }
  get closedTrades(): readonly Trade[] {
    return this.#broker.closedTrades;
  }
  get orders(): readonly Order[] {
    // contingent orders lead to their trades
    this.#broker.exposeTrades();
    return this.#broker.orders;
  }
  get equity(): number {
    return this.#broker.currentEquity;
  }
  buy(req?: OrderRequest): Order {
    return placeOrder(this.#broker, this.#log, this.#clock.i, 1, req);
  }
  sell(req?: OrderRequest): Order {
    return placeOrder(this.#broker, this.#log, this.#clock.i, -1, req);
  }
  col(name: string): Series {
    let s = this.#columns.get(name);
    if (!s) {
      const values = this.#bars.columns[name];
      if (!values) throw new Error(`unknown column: ${name}`);
      s = new Series(values, this.#clock, name);
      this.#columns.set(name, s);
    }
    return s;
  }
}

// V8 drops a class's instance shapes (maps) once no instance is left alive, and with them every
// optimized function that embedded them ("weak objects"): a GC between two backtests (an
// optimizer's, a benchmark's, a notebook's) would send the next run back to the interpreter, and
// its hot paths would be compiled anew. One small object of each kind the bar loop touches is
// kept from run to run, built when the run ends, while the run's own objects hold the shapes.
const TINY_BARS = toBars({ length: 1, columns: { time: [0], open: [1], high: [1], low: [1], close: [1] } });
const kept: object[] = [];
function keepShapes(params: ParamValues<ParamSpecs>): void {
  const broker = new Broker(TINY_BARS);
  const ctx = new BarContext({ i: 0 }, TINY_BARS, broker, new DecisionLog(), params);
  const trade = new Trade(broker, 1, 1, 0, undefined);
  const order = new Order(broker, 0, 1, null, null, null, null, null, undefined);
  kept.splice(0, kept.length, broker, ctx, trade, order);
}

const firstValid = (values: Float64Array): number => {
  for (let k = 0; k < values.length; k++) if (!Number.isNaN(values[k])) return k;
  return 0; // numpy's argmin of an all-NaN mask is 0
};

/**
 * The columns the stats read, written into `out` for the first log.length trades (Trade.size, .pl
 * and .plPct's arithmetic, in the same order): pnl, returns as fractions (backtesting.py's
 * ReturnPct, straight from the trades, not pct / 100), bars and times.
 */
function tradeStatsInto(log: ClosedTradeLog, unit: number, time: Float64Array, out: TradeStatsInput): void {
  const n = log.length;
  const { lots, entryPrice, exitPrice, commissions } = log;
  const bar0 = log.entryBar;
  const bar1 = log.exitBar;
  const { pnl, returns, entryBar, exitBar, entryTime, exitTime } = out;
  for (let k = 0; k < n; k++) {
    const l = lots[k];
    const s = l * unit;
    const p0 = entryPrice[k];
    const p1 = exitPrice[k];
    const c = commissions[k];
    pnl[k] = s * (p1 - p0) - c;
    returns[k] = Math.sign(l) * (p1 / p0 - 1) - c / (Math.abs(s) * p0);
    entryBar[k] = bar0[k];
    exitBar[k] = bar1[k];
    entryTime[k] = time[bar0[k]];
    exitTime[k] = time[bar1[k]];
  }
}

/** The closed trades as columns, and what the stats read of them, from the columns the broker wrote. */
function tradeColumns(
  log: ClosedTradeLog,
  unit: number,
  time: Float64Array,
  indicators: Map<string, Float64Array>,
): { columns: TradeColumns; input: TradeStatsInput } {
  const n = log.length;
  const bar0 = log.entryBar;
  const bar1 = log.exitBar;
  const input = statsColumns(n);
  tradeStatsInto(log, unit, time, input);
  const size = new Float64Array(n);
  const returnPct = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    size[k] = log.lots[k] * unit;
    returnPct[k] = input.returns[k] * 100;
  }
  const byName: Record<string, { entry: Float64Array; exit: Float64Array }> = {};
  for (const [name, values] of indicators) {
    const entry = new Float64Array(n);
    const exit = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      entry[k] = values[bar0[k]];
      exit[k] = values[bar1[k]];
    }
    byName[name] = { entry, exit };
  }
  const columns: TradeColumns = {
    length: n,
    size,
    entryBar: input.entryBar,
    exitBar: input.exitBar,
    entryPrice: log.entryPrice.slice(0, n),
    exitPrice: log.exitPrice.slice(0, n),
    sl: log.sl.slice(0, n),
    tp: log.tp.slice(0, n),
    pnl: input.pnl,
    commission: log.commissions.slice(0, n),
    returnPct,
    entryTime: input.entryTime,
    exitTime: input.exitTime,
    tag: Array.from({ length: n }, (_, k) => log.tags[k] ?? null),
    indicators: byName,
  };
  return { columns, input };
}

/**
 * Columns a search's runs write into, one run after another, instead of allocating them per run:
 * on this kind of machine a fresh 8 MB column costs more in page faults (~25 ms) than a whole run
 * of a fast strategy. Only for screenedBacktest(), whose results never hold on to them.
 */
export class RunBuffers {
  #equity: Float64Array = new Float64Array(0);
  /** a run has written every value of #equity */
  #written = false;
  #actions = new Int8Array(0);
  readonly log = new ClosedTradeLog();
  #trades = statsColumns(0);
  /**
   * false: a signal run sums its per-bar returns into `sums` instead of writing every bar's equity
   * (when only the stats without the bar pass and the return moments are read); `sums.ready` says
   * that it did
   */
  keepEquity = true;
  readonly sums = new ReturnSums();

  /** `reuse`: freed columns the equity column may be taken from (faulted in already) */
  constructor(readonly reuse: FreeColumns | null = null) {}

  /**
   * the equity column for n bars (every value is written by the run, or, with keepEquity false, a
   * few: the column a search's screened runs got has most of its pages never touched, and its
   * first full run takes a column written before from `reuse` instead, when there is one)
   */
  equity(n: number): Float64Array {
    if (this.#equity.length !== n || (this.keepEquity && !this.#written)) {
      const next =
        this.reuse?.take(n, false) ??
        this.reuse?.take(n, true) ??
        (this.#equity.length !== n ? new Float64Array(n) : undefined);
      if (next) {
        if (this.#written) this.reuse?.give(this.#equity);
        this.#equity = next;
        this.#written = false;
      }
    }
    if (this.keepEquity) this.#written = true;
    return this.#equity;
  }

  /** a zeroed action column for signals() */
  actions(n: number): Int8Array {
    if (this.#actions.length !== n) this.#actions = new Int8Array(n);
    else this.#actions.fill(0);
    return this.#actions;
  }

  /** the stat columns of the log's trades, views of reused columns */
  trades(unit: number, time: Float64Array): TradeStatsInput {
    const n = this.log.length;
    if (this.#trades.pnl.length < n) this.#trades = statsColumns(Math.max(n, 2 * this.#trades.pnl.length));
    tradeStatsInto(this.log, unit, time, this.#trades);
    const t = this.#trades;
    return {
      pnl: t.pnl.subarray(0, n),
      returns: t.returns.subarray(0, n),
      entryBar: t.entryBar.subarray(0, n),
      exitBar: t.exitBar.subarray(0, n),
      entryTime: t.entryTime.subarray(0, n),
      exitTime: t.exitTime.subarray(0, n),
    };
  }
}

/**
 * The bar loop, in a function of its own: a loop inside the long backtest() body only gets
 * optimized by on-stack replacement of all of backtest(), compiled anew on each run while the
 * first bars run unoptimized; this small function stays compiled from one run to the next.
 */
function runBars<P extends ParamSpecs, S>(
  strategy: StrategyDef<P, S>,
  ctx: NextContext<P>,
  state: S,
  broker: Broker,
  clock: Clock,
  start: number,
  end: number,
): void {
  for (let i = start; i < end; i++) {
    clock.i = i;
    broker.next(i);
    strategy.next(ctx, state);
    broker.trail();
  }
}

/**
 * Runs a strategy over bars, bar by bar: at bar i the broker first fills pending orders with bar
 * i's prices, then next() decides with data up to bar i's close. next() starts on the bar after
 * the longest indicator warm-up, like backtesting.py.
 *
 *     const { stats, trades } = backtest(smaCross, bars, { cash: 10_000, params: { fast: 10 } });
 */
export function backtest<P extends ParamSpecs, S>(
  strategy: StrategyDef<P, S>,
  data: Bars | FrameLike,
  options: BacktestOptions = {},
): BacktestResult {
  const run = simulate(strategy, data, options);
  return finish(
    run.broker,
    run.bars,
    run.indicators,
    run.decisions,
    run.params,
    run.warmup,
    run.start,
    run.riskFreeRate,
  );
}

/** A backtest whose stats are computed when asked (an optimizer's screening pass). */
export interface ScreenedBacktest {
  readonly equity: Float64Array;
  /** first bar next() was called on */
  readonly startBar: number;
  /**
   * The stats of the run, as backtest() computes them; with `barStats: false` without the pass
   * over every bar (the stats in BAR_PASS_STATS are NaN), with `tradeStats: false` without the
   * passes over the trades (TRADE_PASS_STATS are NaN); every other one is the same number.
   */
  stats(barStats: boolean, tradeStats?: boolean): Stats;
}

/**
 * backtest() for a search: the same run, with the stats left for the caller to ask for, in full or
 * without the pass over every bar; `stats(true)` equals `backtest(...).stats`.
 *
 *     const run = screenedBacktest(smaCross, bars, { params: { fast: 10 } });
 *     if (run.stats(false).sqn > best) full = run.stats(true);
 */
export function screenedBacktest<P extends ParamSpecs, S>(
  strategy: StrategyDef<P, S>,
  data: Bars | FrameLike,
  options: BacktestOptions = {},
  /** columns to run in, reused from run to run (the stats of a run are read before the next one) */
  buffers: RunBuffers = new RunBuffers(),
): ScreenedBacktest {
  const run = simulate(strategy, data, options, buffers);
  const { broker, bars, start } = run;
  const equity = backfill(broker, bars.length, start);
  const { warmup, riskFreeRate } = run;
  const requiredCapital = broker.requiredCapital;
  keepShapes(run.params);
  const partialEquity = buffers.sums.ready;
  let columns: TradeStatsInput | undefined;
  return Object.freeze({
    equity,
    startBar: start,
    stats: (barStats: boolean, tradeStats = true) => {
      if (barStats && partialEquity)
        throw new Error("internal: the run kept no equity for the bar-pass stats");
      // no trade list is read: only the columns the stats take, in the buffers, or their number
      let trades: TradeStatsInput | number = broker.closedLog.length;
      if (tradeStats) {
        columns ??= buffers.trades(broker.unit, bars.time);
        trades = columns;
      }
      return computeStats(bars.time, bars.close, equity, trades, {
        firstTradingBar: warmup,
        riskFreeRate,
        requiredCapital,
        barStats,
      });
    },
  });
}

/** The run itself: init(), the bar loop and the end of the run, leaving the results to finish(). */
function simulate<P extends ParamSpecs, S>(
  strategy: StrategyDef<P, S>,
  data: Bars | FrameLike,
  {
    finalizeTrades = false,
    params: overrides = {},
    riskFreeRate = 0,
    signals = false,
    ...brokerOptions
  }: BacktestOptions,
  /** a search's reused columns; its runs keep no decision log (nobody reads it) */
  buffers?: RunBuffers,
) {
  const bars = toBars(data);
  const n = bars.length;
  const params = resolveParams(strategy.params, overrides) as ParamValues<P>;
  const broker = new Broker(bars, brokerOptions, buffers?.equity(n), buffers?.log);
  buffers?.sums.reset();
  const clock: Clock = { i: 0 };
  const decisions = new DecisionLog(!buffers);
  const indicators = new Map<string, Float64Array>();
  let warmup = 0;

  const nextCtx = new BarContext<P>(clock, bars, broker, decisions, params);
  const initCtx = initContext(bars, params, nextCtx, broker, clock, indicators, (k) => {
    warmup = Math.max(warmup, k);
  });
  const state = strategy.init(initCtx);

  const start = 1 + warmup;
  if (signals) {
    const actions = signalsOf(strategy, initCtx, state, buffers?.actions(n) ?? new Int8Array(n));
    if (broker.orders.length)
      throw new Error("signals: init() placed orders; with signals() it may only declare indicators");
    const sums = buffers && !buffers.keepEquity ? buffers.sums : null;
    broker.runSignals(actions, start, decisions.record ? decisions : null, finalizeTrades, sums);
    return { broker, bars, indicators, decisions, params, warmup, start, riskFreeRate };
  }
  let outOfMoney = false;
  try {
    runBars(strategy, nextCtx, state, broker, clock, start, n);
  } catch (e) {
    // only broker.next() throws OutOfMoney: the run stops at that bar
    if (!(e instanceof OutOfMoney)) throw e;
    outOfMoney = true;
  }
  if (!outOfMoney) {
    if (finalizeTrades) {
      for (const t of broker.trades.slice().reverse()) t.close();
      // re-run the last bar so these closes (and the last next()'s orders) fill at its open
      if (start < n) {
        try {
          broker.next(n - 1);
        } catch (e) {
          if (!(e instanceof OutOfMoney)) throw e;
        }
      }
    } else if (broker.trades.length) {
      broker.warnings.push("some trades remain open at the end; use finalizeTrades to include them in stats");
    }
  }

  return { broker, bars, indicators, decisions, params, warmup, start, riskFreeRate };
}

/** The strategy's signals() as an Int8Array of one action per bar. */
function signalsOf<P extends ParamSpecs, S>(
  strategy: StrategyDef<P, S>,
  ctx: InitContext<P>,
  state: S,
  column: Int8Array,
): Int8Array {
  if (!strategy.signals)
    throw new Error(`${strategy.name ?? "the strategy"} has no signals(): run it without the signals option`);
  const n = column.length;
  const out = strategy.signals(ctx, state, column);
  if (!out || out.length !== n)
    throw new Error(`signals() returned ${out?.length ?? out} actions for ${n} bars`);
  return out instanceof Int8Array ? out : Int8Array.from(out);
}

/**
 * The equity with the bars before the first next() filled, the trade columns, and the stats of
 * them on demand (with or without the pass over every bar).
 */
function settle(
  broker: Broker,
  bars: Bars,
  indicators: Map<string, Float64Array>,
  warmup: number,
  start: number,
  riskFreeRate: number,
) {
  const equity = backfill(broker, bars.length, start);
  const { columns: trades, input } = tradeColumns(broker.closedLog, broker.unit, bars.time, indicators);
  const requiredCapital = broker.requiredCapital;
  const statsOf = (barStats: boolean) =>
    computeStats(bars.time, bars.close, equity, input, {
      firstTradingBar: warmup,
      riskFreeRate,
      requiredCapital,
      barStats,
    });
  return { equity, trades, statsOf };
}

/**
 * The equity over n bars: bars before the first next() carry the first recorded equity (pandas
 * bfill), or the cash if next() never ran; every bar from `start` on was recorded by the broker.
 */
function backfill(broker: Broker, n: number, start: number): Float64Array {
  const equity = broker.equity.length === n ? broker.equity : broker.equity.slice(0, n);
  equity.fill(start < n ? equity[start] : broker.cash, 0, Math.min(start, n));
  return equity;
}

/** The result of a run over `bars` so far: equity before the first next() filled, trades, stats. */
function finish<P extends ParamSpecs>(
  broker: Broker,
  bars: Bars,
  indicators: Map<string, Float64Array>,
  decisions: DecisionLog,
  params: ParamValues<P>,
  warmup: number,
  start: number,
  riskFreeRate: number,
): BacktestResult {
  const { equity, trades, statsOf } = settle(broker, bars, indicators, warmup, start, riskFreeRate);
  let commissions = 0;
  for (let k = 0; k < trades.length; k++) commissions += trades.commission[k];
  const stats = statsOf(true);
  keepShapes(params);
  let built: Decision[] | undefined;
  let dd: Float64Array | undefined;
  return Object.freeze({
    stats,
    trades,
    equity,
    // built on first read: an optimizer's runs never read it, and it is another column of n
    get drawdown() {
      dd ??= drawdown(equity);
      return dd;
    },
    params,
    commissions,
    startBar: start,
    get decisions() {
      built ??= decisions.toArray();
      return built;
    },
    warnings: broker.warnings,
  });
}

/**
 * What init() gets: the bars, the params, I() (which records each indicator and reports its first
 * valid bar to `warm`, unless it is a scatter), and the trading view of next()'s context.
 */
function initContext<P extends ParamSpecs>(
  bars: Bars,
  params: ParamValues<P>,
  nextCtx: BarContext<P>,
  broker: HostBroker,
  clock: Clock,
  indicators: Map<string, Float64Array>,
  warm: (firstValidBar: number) => void,
  valid: (values: Float64Array) => number = firstValid,
  ordersAllowed = true,
): InitContext<P> {
  const n = bars.length;
  const position = nextCtx.position;
  // a session re-runs init() on every bar: an order placed there counts on the first bar only
  const ignored = (): Order => IGNORED_ORDER;
  const trading = {
    buy: ordersAllowed ? (req?: OrderRequest) => nextCtx.buy(req) : ignored,
    sell: ordersAllowed ? (req?: OrderRequest) => nextCtx.sell(req) : ignored,
    position,
    get trades() {
      broker.exposeTrades();
      return broker.trades;
    },
    get closedTrades() {
      return broker.closedTrades;
    },
    get orders() {
      broker.exposeTrades();
      return broker.orders;
    },
    get equity() {
      return broker.currentEquity;
    },
  };

  // the getters are copied as getters (Object.assign would call them, and reading trades or orders
  // tells the broker the strategy may hold Trade objects)
  return Object.assign(Object.create(null, Object.getOwnPropertyDescriptors(trading)), {
    bars,
    params,
    I(values: Float64Array, name = `I${indicators.size}`, { scatter = false } = {}) {
      if (!(values instanceof Float64Array)) values = Float64Array.from(values as ArrayLike<number>);
      if (values.length !== n)
        throw new Error(`indicator ${name} has ${values.length} values, expected ${n}`);
      if (!scatter) warm(valid(values));
      indicators.set(name, values);
      return new Series(values, clock, name);
    },
  });
}

/** One closed bar, as a session takes it. */
export interface BarInput {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume?: number;
}

const SESSION_COLUMNS = ["time", "open", "high", "low", "close", "volume"] as const;

/** What buy()/sell() in init() return when a session re-runs init(): an order that never was. */
const IGNORED_ORDER = Object.freeze({
  size: 0,
  isLong: false,
  isShort: false,
  limit: null,
  stop: null,
  sl: null,
  tp: null,
  tag: null,
  placedBar: -1,
  cancel() {},
}) as unknown as Order;

/** First valid bar, or the length while the indicator has none yet: not warmed up so far. */
const firstValidSoFar = (values: Float64Array): number => {
  for (let k = 0; k < values.length; k++) if (!Number.isNaN(values[k])) return k;
  return values.length;
};

/**
 * The backtest's strategy host and broker, fed one closed bar at a time: the bridge's paper runs
 * and replays. Each push re-runs init() over every bar since the first, so an indicator with memory
 * (EMA, RSI, cumulative volume) sees the history a backtest over the same bars sees, then the broker
 * fills what was decided on the previous bar and next() decides on the new one (once past the
 * warm-up). After pushing bars one by one, result() equals backtest() over them (orders, trades,
 * equity, stats), whatever their number. init() runs once per bar over n bars, O(n) a bar.
 *
 *     const session = new BarSession(smaCross, { cash: 10_000 });
 *     for (const bar of feed) session.push(bar);
 *     session.result().trades;
 */
export class BarSession<P extends ParamSpecs = ParamSpecs, S = unknown, B extends HostBroker = Broker> {
  readonly strategy: StrategyDef<P, S>;
  readonly params: ParamValues<P>;
  /** the engine's simulated broker, or the account given as `broker` (a live venue's) */
  readonly broker: B;
  readonly #cols: Record<(typeof SESSION_COLUMNS)[number], Float64Array>;
  #n = 0;
  #bars: Bars;
  readonly #clock: Clock = { i: 0 };
  readonly #decisions = new DecisionLog();
  readonly #indicators = new Map<string, Float64Array>();
  #warmup = 0;
  #start = -1;
  readonly #riskFreeRate: number;

  constructor(
    strategy: StrategyDef<P, S>,
    {
      params: overrides = {},
      riskFreeRate = 0,
      finalizeTrades,
      broker,
      // a session calls next() bar by bar: signals() is for whole runs
      signals: _signals,
      ...brokerOptions
    }: BacktestOptions & { broker?: B } = {},
  ) {
    if (finalizeTrades) throw new Error("a session has no last bar: finalizeTrades is for backtest()");
    this.strategy = strategy;
    this.params = resolveParams(strategy.params, overrides) as ParamValues<P>;
    this.#riskFreeRate = riskFreeRate;
    this.#cols = Object.fromEntries(SESSION_COLUMNS.map((c) => [c, new Float64Array(256)])) as Record<
      (typeof SESSION_COLUMNS)[number],
      Float64Array
    >;
    this.#bars = this.#view();
    this.broker = broker ?? (new Broker(this.#bars, brokerOptions) as unknown as B);
  }

  /** bars pushed so far; the newest is bar length - 1 */
  get length(): number {
    return this.#n;
  }

  /** The bars pushed so far (zero-copy views). */
  get bars(): Bars {
    return this.#bars;
  }

  /** First bar next() ran on, or -1 while warming up. */
  get startBar(): number {
    return this.#start;
  }

  /**
   * Appends a closed bar; the broker fills on it, then next() decides on it. With `decide: false`
   * (outside a live trader's session hours) the broker still fills and marks, next() is skipped.
   */
  push(bar: BarInput, { decide = true }: { decide?: boolean } = {}): void {
    const n = this.#n;
    if (n > 0 && !(bar.time > this.#cols.time[n - 1]))
      throw new Error(`bar at ${bar.time} is not after the last bar (${this.#cols.time[n - 1]})`);
    for (const c of ["open", "high", "low", "close"] as const)
      if (!Number.isFinite(bar[c])) throw new Error(`invalid bar ${c}: ${bar[c]}`);
    if (n === this.#cols.time.length) {
      for (const c of SESSION_COLUMNS) {
        const grown = new Float64Array(2 * n);
        grown.set(this.#cols[c]);
        this.#cols[c] = grown;
      }
    }
    const cols = this.#cols;
    cols.time[n] = bar.time;
    cols.open[n] = bar.open;
    cols.high[n] = bar.high;
    cols.low[n] = bar.low;
    cols.close[n] = bar.close;
    cols.volume[n] = bar.volume ?? 0;
    this.#n = n + 1;
    const bars = this.#view();
    this.#bars = bars;
    this.broker.extend(bars);

    const broker = this.broker;
    const clock = this.#clock;
    const ctx = new BarContext<P>(clock, bars, broker, this.#decisions, this.params);
    this.#indicators.clear();
    let warmup = 0;
    const initCtx = initContext(
      bars,
      this.params,
      ctx,
      broker,
      clock,
      this.#indicators,
      (k) => {
        warmup = Math.max(warmup, k);
      },
      firstValidSoFar,
      // init() runs again on every bar: orders it places count once, on the first bar (as in a backtest)
      n === 0,
    );
    // as in backtest(): init() sees the clock at 0, next() at its bar
    clock.i = 0;
    const state = this.strategy.init(initCtx);
    this.#warmup = warmup;
    if (n < 1 + warmup) return;
    if (this.#start < 0) this.#start = n;
    clock.i = n;
    broker.next(n);
    if (!decide) return;
    this.strategy.next(ctx, state);
    broker.trail();
  }

  /** The run so far, as backtest() reports it over the same bars (simulated broker only). */
  result(): BacktestResult {
    const n = this.#n;
    if (!(this.broker instanceof Broker))
      throw new Error("a session on a venue account has no backtest result");
    return finish(
      this.broker,
      this.#bars,
      this.#indicators,
      this.#decisions,
      this.params,
      this.#warmup,
      this.#start < 0 ? n : this.#start,
      this.#riskFreeRate,
    );
  }

  // built here rather than by toBars(): each bar was checked as it came, and a scan per push
  // would make a long session quadratic in bars as well as in init()
  #view(): Bars {
    const n = this.#n;
    const c = this.#cols;
    const columns: Record<string, Float64Array> = {};
    for (const name of SESSION_COLUMNS) columns[name] = c[name].subarray(0, n);
    return Object.freeze({
      length: n,
      time: columns.time,
      open: columns.open,
      high: columns.high,
      low: columns.low,
      close: columns.close,
      volume: columns.volume,
      columns: Object.freeze(columns),
    });
  }
}
