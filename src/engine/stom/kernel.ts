// The one per-snapshot step of STOM V1.10's engine (Py-CI-Park/STOM@63aa7ef, backtester/backengine_{kiwoom,
// upbit}_{tick,min}.py in 백테스트 mode), driven by backtestStom over whole columns and by StomSession one
// live snapshot at a time. Only the columns' storage differs: whole (every row known, AddAvgData's columns
// computed once) or growing (rows appended as they arrive, derived columns extended row by row). STOM's
// live-trader rules (live.ts) are gates inside the same step, off unless a session asks for them.

import { type Settlement, stomKiwoomSettle, stomUpbitSettle } from "../markets/costs.ts";
import { npRound, pyRound } from "../pymath.ts";
import type { StomProgram } from "./compile.ts";
import { uvilower5 } from "./fees.ts";
import {
  type StomIndicatorBars,
  type StomIndicatorName,
  type StomIndicatorNColumn,
  stomDayStarts,
  stomIndicatorColumns,
  stomIndicatorN,
} from "./indicators.ts";
import type { StomLiveRules } from "./live.ts";
import { averageDigits, fixedAverages, isStock, isTick } from "./names.ts";
import { RUNTIME, StomRuntimeError } from "./runtime.ts";
import { KST_OFFSET_MS, stomIndexMs } from "./time.ts";
import type { StomFill, StomTrade } from "./trade.ts";

export const BIDS = [1, 2, 3, 4, 5].map((k) => [`매수호가${k}`, `매수잔량${k}`]);
export const ASKS = [1, 2, 3, 4, 5].map((k) => [`매도호가${k}`, `매도잔량${k}`]);

/** The settings of a STOM run (StomBacktestOptions) the step reads. */
export interface StomKernelOptions {
  /** 투자금: KRW per buy (STOM's betting); default 1,000,000 */
  betting?: number;
  /** 평균값계산틱수: each day's first snapshots that decide nothing, and the precomputed window; default 30 */
  avgTicks?: number;
  /** the 평균값계산틱수 values the engine precomputed (default: [avgTicks]) */
  avgList?: readonly number[];
  /** 매수시장가잔량범위: ask levels a buy may take (default 3) */
  buyDepth?: number;
  /** 매도시장가잔량범위: bid levels a sell may take (default 5) */
  sellDepth?: number;
  /** "same": fill on the deciding snapshot (STOM); "next": on the symbol's next snapshot (stricter) */
  fill?: "same" | "next";
  /** self.vars values by index (an optimization's trial, or the ranges' best values) */
  vars?: readonly (number | undefined)[];
  /** STOM's optimization modes: self.vars[0] is 평균값계산틱수 (backengine: `self.tick_count < self.vars[0]`) */
  varsZeroIsAvg?: boolean;
  /** the wall clock of timedelta_sec(s) without a base time (ms); Date.now by default */
  clock?: () => number;
  /** STOM's live trader's 최대매수종목수: buys are refused while this many positions are open (off: STOM's backtester) */
  maxPositions?: number;
  /** STOM's live trader's 추정예수금: buys are refused when the walk costs more; sells add 매도금액 (off by default) */
  cash?: number;
}

/** A live venue: the session asks it to trade and books what it reports (StomSession.fill). */
export interface StomExecutor {
  buy(symbol: string, qty: number, time: number): void;
  sell(symbol: string, qty: number, time: number): void;
}

/** Rolling op over [s, e) of x; NaN when a value in it is NaN (pandas rolling). */
export function windowOp(x: Float64Array, s: number, e: number, op: "max" | "min" | "sum" | "mean"): number {
  let acc = op === "max" ? -Infinity : op === "min" ? Infinity : 0;
  let nan = false;
  for (let k = s; k < e; k++) {
    const v = x[k];
    if (Number.isNaN(v)) nan = true;
    if (op === "max") acc = Math.max(v, acc);
    else if (op === "min") acc = Math.min(v, acc);
    else acc += v;
  }
  if (nan) return Number.NaN;
  return op === "mean" ? acc / (e - s) : acc;
}

/** pandas rolling(window=n) at row r: NaN until a full window. */
function rollingAt(x: Float64Array, r: number, n: number, op: "max" | "min" | "sum" | "mean"): number {
  return r < n - 1 ? Number.NaN : windowOp(x, r + 1 - n, r + 1, op);
}

/**
 * AddAvgData's columns (rolling windows over the whole symbol) depend only on the data and the window:
 * they are kept with the source column, so an optimization's runs compute each once.
 */
const PRECOMPUTED = new WeakMap<Float64Array, Map<string, Float64Array>>();
const DAY_STARTS = new WeakMap<Float64Array, Int32Array>();
const INDICATORS = new WeakMap<Float64Array, Map<string, Record<string, Float64Array>>>();
const INDICATORS_N = new WeakMap<Float64Array, Map<string, StomIndicatorNColumn>>();

/** A growing derived column: values of rows [0, filled). */
interface Grown {
  out: Float64Array;
  filled: number;
  tuple?: Uint8Array;
}

function grow<T extends Float64Array | Uint8Array>(a: T, n: number): T {
  if (a.length >= n) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2, 64));
  b.set(a);
  return b;
}

/**
 * One symbol's columns: whole (a backtest: every row is there) or growing (a live session appends rows;
 * every derived value of a row depends on that row and earlier ones only, so it is computed once, when
 * the row is first read, and equals the whole-column value).
 */
export class StomColumns {
  readonly #grown = new Map<string, Grown>();
  /** bumped when growing moved the buffers (the step rebinds its columns) */
  version = 0;

  constructor(
    /** STOM's columns by name (buffers longer than `length` when growing) */
    public cols: Record<string, Float64Array>,
    public length: number,
    readonly growing: boolean,
  ) {}

  #names: string[] | null = null;
  #buffers: Float64Array[] = [];

  /** Appends one snapshot (growing columns) at STOM's `index`: a column the row lacks is NaN. */
  append(values: Readonly<Record<string, number>>, index: number): void {
    const r = this.length;
    const cols = this.cols;
    if (!this.#names || r >= cols.index.length) {
      if (r >= cols.index.length) {
        for (const name of Object.keys(cols)) cols[name] = grow(cols[name], r + 1);
        this.version++;
      }
      this.#names = Object.keys(cols).filter((name) => name !== "index");
      this.#buffers = this.#names.map((name) => cols[name]);
    }
    const names = this.#names;
    const buffers = this.#buffers;
    for (let k = 0; k < names.length; k++) {
      const v = values[names[k]];
      buffers[k][r] = v === undefined ? Number.NaN : v;
    }
    cols.index[r] = index;
    this.length = r + 1;
  }

  /** The column `key` made from `source` row by row (`at(x, r)`), valid up to the last row. */
  derived(source: string, key: string, at: (x: Float64Array, r: number) => number): Float64Array {
    const x = this.cols[source];
    if (!this.growing) {
      let m = PRECOMPUTED.get(x);
      if (!m) {
        m = new Map();
        PRECOMPUTED.set(x, m);
      }
      let c = m.get(key);
      if (!c) {
        c = new Float64Array(x.length);
        for (let r = 0; r < x.length; r++) c[r] = at(x, r);
        m.set(key, c);
      }
      return c;
    }
    const full = `${source}:${key}`;
    let g = this.#grown.get(full);
    if (!g) {
      g = { out: new Float64Array(64), filled: 0 };
      this.#grown.set(full, g);
    }
    g.out = grow(g.out, this.length);
    for (let r = g.filled; r < this.length; r++) g.out[r] = at(x, r);
    g.filled = this.length;
    return g.out;
  }

  /** A growing column whose rows are filled by `fill(from, to)` (TA-Lib values of the minute engines). */
  grownRows(key: string, fill: (g: Grown, from: number, to: number) => void, tuple = false): Grown {
    let g = this.#grown.get(key);
    if (!g) {
      g = { out: new Float64Array(64), filled: 0, ...(tuple ? { tuple: new Uint8Array(64) } : {}) };
      this.#grown.set(key, g);
    }
    g.out = grow(g.out, this.length);
    if (g.tuple) g.tuple = grow(g.tuple, this.length);
    if (g.filled < this.length) fill(g, g.filled, this.length);
    g.filled = this.length;
    return g;
  }
}

/** The TA-Lib values of one run's settings, kept with the data like AddAvgData's columns. */
export interface IndicatorRun {
  readonly settings: Readonly<Record<string, number>>;
  readonly key: string;
  readonly names: readonly StomIndicatorName[];
  /** 경과틱수 conditions are set: STOM's loop variable `k` shadows the settings in `_N` (backengine_kiwoom_min.py 463) */
  readonly elapsedConditions: boolean;
}

/** The `H` object a compiled text reads: the symbol's clock, helpers and STOM's engine attributes. */
class SymbolRuntime {
  i = 0;
  len = 0;
  /** 매수틱번호 of the held position (STOM's indexb, for pre = -1) */
  b = 0;
  index = 0;
  hms = 0;
  cond = 0;
  readonly condRows: number[];
  D: readonly Float64Array[] = [];

  constructor(
    readonly program: StomProgram,
    readonly code: string,
    readonly name: string,
    readonly data: StomColumns,
    readonly avg: { current: number; list: readonly number[] },
    readonly self: Record<string, unknown>,
    readonly clock: () => number,
    readonly indicators: IndicatorRun | null,
  ) {
    this.condRows = program.conditionNames.map(() => 0);
  }

  #col(name: string): Float64Array {
    const c = this.data.cols[name];
    if (!c)
      throw new StomRuntimeError("KeyError", `column ${name} is not in the data of ${this.code}`, "data");
    return c;
  }

  /** Parameter_Previous: the value `pre` snapshots ago (pre = -1: at the buy), 0 beyond today */
  prev(slot: number, pre: unknown, at: string): number {
    return this.#previous(this.D[slot], this.#whole(pre, "pre", "<column>N", at));
  }

  #previous(col: Float64Array, pre: number): number {
    if (pre < this.len) return col[pre !== -1 ? this.i - pre : this.b];
    return 0;
  }

  /** the precomputed column each helper call site read last, and for which tick (one run, one symbol) */
  readonly #memo: (Float64Array | undefined)[] = [];
  readonly #memoTick: number[] = [];

  /** numpy's slices and indices take integers only (STOM stops on a float) */
  #whole(x: unknown, what: string, helper: string, at: string): number {
    if (typeof x !== "number" || !Number.isInteger(x))
      RUNTIME.fail("TypeError", `${what} of ${helper}() must be a whole number, got ${RUNTIME.str(x)}`, at);
    return x as number;
  }

  h(k: number, tickArg: unknown, preArg: unknown, at: string): number {
    const spec = this.program.helpers[k];
    const tick = this.#whole(tickArg, "ticks", spec.name, at);
    const pre = this.#whole(preArg, "pre", spec.name, at);
    if (spec.kind === "ma") {
      const digits = averageDigits(this.program.kind);
      if (fixedAverages(this.program.kind).includes(tick)) return this.#previous(this.#column(k, tick), pre);
      if (tick + pre > this.len) return 0;
      const e = pre !== -1 ? this.i + 1 - pre : this.b + 1;
      return npRound(windowOp(this.#col("현재가"), e - tick, e, "mean"), digits.live);
    }
    if (spec.kind === "area") {
      let v: number;
      if (this.avg.list.includes(tick)) v = this.#previous(this.#column(k, tick), pre);
      else if (tick + pre <= this.len) {
        const e = pre !== -1 ? this.i + 1 - pre : this.b + 1;
        if (tick <= 0 && spec.op !== "sum" && spec.op !== "mean")
          RUNTIME.fail("ValueError", `zero-size array to reduction operation ${spec.op}`, at);
        v = windowOp(this.#col(spec.column), e - tick, e, spec.op);
      } else v = 0;
      if (spec.post === "round3") return npRound(v, 3);
      if (spec.post === "int") return RUNTIME.int(v, at);
      return v;
    }
    // angle: Parameter_Dgree
    if (this.avg.list.includes(tick)) return this.#previous(this.#column(k, tick), pre);
    if (tick + pre > this.len) return 0;
    const x = this.#col(spec.column);
    const s = pre !== -1 ? this.i - pre - tick + 1 : this.b - tick + 1;
    const e = pre !== -1 ? this.i - pre : this.b;
    // numpy's negative index counts from the array's end: the data's end in a backtest, the rows so far live
    const size = this.data.growing ? this.data.length : x.length;
    const gap = x[e] - x[s < 0 ? s + size : s];
    return pyRound((Math.atan2(gap * spec.cf, tick) / (2 * Math.PI)) * 360, 2);
  }

  /** AddAvgData's column for helper call site k (back_static.py 131-185), kept with the data */
  #column(k: number, tick: number): Float64Array {
    const growing = this.data.growing;
    const memo = this.#memo[k];
    if (!growing && memo && this.#memoTick[k] === tick) return memo;
    const spec = this.program.helpers[k];
    this.#col(spec.column);
    let c: Float64Array;
    if (spec.kind === "ma") {
      const digits = averageDigits(this.program.kind).column;
      c = this.data.derived(spec.column, `ma:${tick}:${digits}`, (x, r) =>
        npRound(rollingAt(x, r, tick, "mean"), digits),
      );
    } else if (spec.kind === "area") {
      // the column of the run's 평균값계산틱수, whatever tick of avg_list was asked (GetArrayIndex)
      const n = this.avg.current;
      const { op, post } = spec;
      c = this.data.derived(spec.column, `area:${op}:${post}:${n}`, (x, r) => {
        const w = rollingAt(x, r, n, op);
        // AddAvgData rounds these two columns (back_static.py 150, 159)
        if (post === "round3") return npRound(w, 3);
        if (post === "int") return npRound(w, 0);
        return w;
      });
    } else {
      // one angle column, of the last 평균값계산틱수 (AddAvgData overwrites it per avg)
      const n = this.avg.list[this.avg.list.length - 1];
      const [op, f] = spec.pre;
      c = this.data.derived(spec.column, `angle:${op}${f}:${n}`, (x, r) => {
        if (r < n - 1) return Number.NaN;
        const d = x[r] - x[r - (n - 1)];
        return pyRound((Math.atan2(op === "*" ? d * f : d / f, n) / (2 * Math.PI)) * 360, 2);
      });
    }
    if (!growing) {
      this.#memo[k] = c;
      this.#memoTick[k] = tick;
    }
    return c;
  }

  #bars(): StomIndicatorBars {
    return {
      close: this.#col("현재가"),
      high: this.#col("분봉고가"),
      low: this.#col("분봉저가"),
      // GetIndicator's mv is the 분당거래대금 column (backengine_kiwoom_min.py 441)
      volume: this.#col("분당거래대금"),
    };
  }

  /** A TA-Lib value of the minute engines (GetIndicator over today's bars), or `name_N(pre)` */
  ind(name: string, pre: unknown, at: string): number {
    const run = this.indicators;
    if (!run) return RUNTIME.fail("NameError", `name '${name}' is not defined`, at);
    const bars = this.#bars();
    const p = pre === null ? null : typeof pre === "number" ? pre : Number.NaN;
    const col = this.data.growing ? this.#indGrowing(run, name, p, bars) : this.#indWhole(run, name, p, bars);
    // DIM_N's except branch returns the tuple (0, 0); STOM's comparison with it raises
    if (col.tuple?.[this.i])
      RUNTIME.fail(
        "TypeError",
        `${name}_N(${RUNTIME.str(pre)}) is the tuple (0, 0) here, which cannot be compared`,
        at,
      );
    return col.values[this.i];
  }

  #indWhole(
    run: IndicatorRun,
    name: string,
    p: number | null,
    bars: StomIndicatorBars,
  ): StomIndicatorNColumn {
    const close = bars.close as Float64Array;
    let dayStart = DAY_STARTS.get(close);
    if (!dayStart) {
      dayStart = stomDayStarts(this.#col("index"));
      DAY_STARTS.set(close, dayStart);
    }
    if (p === null) {
      let m = INDICATORS.get(close);
      if (!m) {
        m = new Map();
        INDICATORS.set(close, m);
      }
      let cols = m.get(run.key);
      if (!cols) {
        cols = stomIndicatorColumns(bars, run.settings, { dayStart, names: run.names });
        m.set(run.key, cols);
      }
      return { values: cols[name], tuple: null };
    }
    let m = INDICATORS_N.get(close);
    if (!m) {
      m = new Map();
      INDICATORS_N.set(close, m);
    }
    const key = `${name}:${p}:${run.key}:${run.elapsedConditions}`;
    let col = m.get(key);
    if (!col) {
      col = stomIndicatorN(name as StomIndicatorName, p, bars, run.settings, {
        dayStart,
        elapsedConditions: run.elapsedConditions,
      });
      m.set(key, col);
    }
    return col;
  }

  /** Live: each new row's value on its day's rows so far, as GetIndicator computes it at that row. */
  #indGrowing(
    run: IndicatorRun,
    name: string,
    p: number | null,
    bars: StomIndicatorBars,
  ): StomIndicatorNColumn {
    const index = this.#col("index");
    const day = (r: number) => String(index[r]).slice(0, 8);
    // the rows of r's day up to r, as views: the value at the window's last row is the value at r
    const window = (r: number) => {
      let d = r;
      while (d > 0 && day(d - 1) === day(r)) d--;
      const v = (x: ArrayLike<number>) => (x as Float64Array).subarray(d, r + 1);
      return {
        bars: { close: v(bars.close), high: v(bars.high), low: v(bars.low), volume: v(bars.volume) },
        last: r - d,
      };
    };
    const key =
      p === null ? `ind:${run.key}:${name}` : `indN:${name}:${p}:${run.key}:${run.elapsedConditions}`;
    const g = this.data.grownRows(
      key,
      (g, from, to) => {
        for (let r = from; r < to; r++) {
          const w = window(r);
          if (p === null) {
            const cols = stomIndicatorColumns(w.bars, run.settings, {
              names: [name as StomIndicatorName],
              from: w.last,
            });
            g.out[r] = (cols as Record<string, Float64Array>)[name][w.last];
          } else {
            const col = stomIndicatorN(name as StomIndicatorName, p, w.bars, run.settings, {
              elapsedConditions: run.elapsedConditions,
              from: w.last,
            });
            g.out[r] = col.values[w.last];
            if (g.tuple) g.tuple[r] = col.tuple?.[w.last] ?? 0;
          }
        }
      },
      name === "DIM" && p !== null,
    );
    return { values: g.out, tuple: g.tuple ?? null };
  }

  elapsed(k: number): number {
    const row = this.condRows[k];
    return row !== 0 ? this.i - row : 0;
  }

  elapsedOf(name: unknown): number {
    const k = this.program.conditionNames.indexOf(String(name));
    return k < 0 ? 0 : this.elapsed(k);
  }

  now(): number {
    return stomIndexMs(this.index);
  }

  timedelta(seconds: unknown, base: unknown): number {
    const t = base === undefined ? this.clock() : (base as number);
    return t + (seconds as number) * 1000;
  }

  viTime(): number {
    return stomIndexMs(this.#col("VI해제시간")[this.i]);
  }

  vi5(): number {
    return uvilower5(this.#col("VI가격")[this.i], this.#col("VI호가단위")[this.i], this.index);
  }

  store(name: string, value: unknown): void {
    this.self[name] = value;
  }

  load(name: string, at: string): unknown {
    if (name in this.self) return this.self[name];
    return RUNTIME.fail("AttributeError", `self.${name} is part of STOM's engine, not available here`, at);
  }

  setIndicator(_key: unknown, _value: unknown): void {
    // a sell text's self.indicator line: STOM keeps it for the next snapshots; the settings are fixed per run here
  }

  getIndicator(key: unknown, at: string): unknown {
    return RUNTIME.fail("KeyError", `self.indicator[${RUNTIME.str(key)}] is not readable`, at);
  }
}

/** Walks `levels` (price, size) for `qty`: [amount, unfilled]; STOM's Buy/Sell/LastSell loops. */
export function walk(
  cols: Readonly<Record<string, Float64Array>>,
  levels: string[][],
  depth: number,
  r: number,
  qty: number,
): [number, number] {
  let amount = 0;
  let left = qty;
  for (let k = 0; k < depth; k++) {
    const price = cols[levels[k][0]][r];
    const size = cols[levels[k][1]][r];
    if (left - size <= 0) {
      amount += price * left;
      left -= size;
      break;
    }
    amount += price * size;
    left -= size;
  }
  return [amount, left];
}

/**
 * What the symbols of one run share: the settings, self (one dict for all symbols, as in STOM), the
 * open positions and cash of the live trader's rules, the trades, and the fills when a session asks.
 */
export class StomDesk {
  readonly stock: boolean;
  readonly tick: boolean;
  readonly betting: number;
  readonly buyDepth: number;
  readonly sellDepth: number;
  readonly fill: "same" | "next";
  readonly V: (number | undefined)[];
  readonly avg: { current: number; list: readonly number[] };
  readonly fees: (bg: number, cg: number) => Settlement;
  readonly self: Record<string, unknown> = {};
  readonly clock: () => number;
  readonly indicators: IndicatorRun | null;
  readonly dayDiv: number;
  /** STOM's index is the DB's wall time: KST on stock DBs, UTC on coin DBs */
  readonly offsetMs: number;
  readonly maxPositions: number | undefined;
  readonly cashLimited: boolean;
  open = 0;
  // a number field from the start (the constructor sets it): declared without a value it would
  // start as undefined and box every update (see Broker.cash)
  cash = 0;
  readonly trades: StomTrade[] = [];
  readonly days = new Set<number>();
  snapshots = 0;
  /** a session's fills of the current push (null in a backtest: nothing is collected) */
  fills: StomFill[] | null = null;
  /** 수익금 of today's closed trades (the live loss and profit stops) */
  realizedToday = 0;
  /** StrategyStop's 매수전략중지: no buy text until the next day (live) */
  buyStopped = false;
  live: StomLiveRules | null = null;
  executor: StomExecutor | null = null;

  constructor(
    readonly program: StomProgram,
    options: StomKernelOptions,
  ) {
    const { buyDepth = 3, sellDepth = 5, fill = "same", vars = [], varsZeroIsAvg = false } = options;
    const kind = program.kind;
    this.stock = isStock(kind);
    this.tick = isTick(kind);
    this.betting = options.betting ?? 1_000_000;
    this.buyDepth = buyDepth;
    this.sellDepth = sellDepth;
    this.fill = fill;
    this.clock = options.clock ?? Date.now;
    const avgTicks = varsZeroIsAvg ? Number(vars[0]) : (options.avgTicks ?? 30);
    if (!(avgTicks >= 0)) throw new Error(`invalid 평균값계산틱수: ${avgTicks}`);
    this.avg = { current: avgTicks, list: options.avgList ?? [avgTicks] };
    this.fees = this.stock ? stomKiwoomSettle : stomUpbitSettle;
    this.V = [...vars];
    // the buy text's self.indicator lines (STOM's indistg) set the TA-Lib periods before each decision
    const settings = Object.fromEntries(program.indicatorSettings.map((f) => f(this.V)));
    this.indicators = this.tick
      ? null
      : {
          settings,
          key: `${JSON.stringify(settings)}:${program.indicators.join(",")}`,
          names: program.indicators as StomIndicatorName[],
          elapsedConditions: program.conditionNames.length > 0,
        };
    this.dayDiv = this.tick ? 1e6 : 1e4;
    this.offsetMs = this.stock ? KST_OFFSET_MS : 0;
    if (
      options.maxPositions !== undefined &&
      !(Number.isInteger(options.maxPositions) && options.maxPositions >= 1)
    )
      throw new Error(`invalid max positions: ${options.maxPositions}`);
    this.maxPositions = options.maxPositions;
    this.cashLimited = options.cash !== undefined;
    this.cash = options.cash ?? Number.POSITIVE_INFINITY;
  }
}

interface Position {
  bp: number;
  qty: number;
  high: number;
  low: number;
  row: number;
  timeMs: number;
  /** live: 최고/최저수익률 start at the first 수익률 seen (kiwoom_strategy_tick.py:505-506) */
  fresh: boolean;
}

/** An order a live venue has not answered yet: STOM's list_buy / list_sell (kiwoom_strategy_tick.py:519, 554). */
type Awaiting = { side: "buy"; qty: number } | { side: "sell"; cond: number; reason?: string } | null;

/** One symbol's engine state and its step: backengine's loop body for one snapshot. */
export class StomSymbol {
  readonly H: SymbolRuntime;
  pos: Position | null = null;
  awaiting: Awaiting = null;
  #pending: { side: "buy"; qty: number } | { side: "sell"; cond: number } | null = null;
  #buy!: (V: unknown) => boolean;
  #sell!: (V: unknown, P: unknown) => boolean;
  #conds: ((V: unknown) => boolean)[] = [];
  #version = -1;
  // the columns every step reads, looked up once per binding (the Korean-keyed record is a dictionary)
  #index!: Float64Array;
  #price!: Float64Array;
  #interest!: Float64Array;
  #viTime: Float64Array | undefined;
  #lastVi = Number.NaN;
  #day = Number.NaN;
  /** the last row stepped (the row a live stop or a venue's fill is booked on) */
  last = -1;
  readonly #P = {
    수익률: 0,
    최고수익률: 0,
    최저수익률: 0,
    보유시간: 0,
    매수틱번호: 0,
    보유수량: 0,
    매수가: 0,
  };

  constructor(
    readonly desk: StomDesk,
    readonly symbolNo: number,
    readonly symbol: string,
    readonly name: string,
    readonly data: StomColumns,
    /** UTC ms per row when the rows carried `time` (a session); else from `index` */
    readonly times?: () => Float64Array,
  ) {
    const cols = data.cols;
    for (const col of [...ASKS.flat(), ...BIDS.flat(), "현재가", "관심종목"])
      if (!cols[col]) throw new Error(`missing column: ${col} (symbol ${symbol})`);
    for (const col of desk.program.columns)
      if (!cols[col]) throw new Error(`missing column: ${col} (symbol ${symbol}); the texts read it`);
    this.H = new SymbolRuntime(
      desk.program,
      symbol,
      name,
      data,
      desk.avg,
      desk.self,
      desk.clock,
      desk.indicators,
    );
    this.#bind();
  }

  /** Binds the compiled texts to the columns (again after a growing column moved). */
  #bind(): void {
    const { program } = this.desk;
    const cols = this.data.cols;
    this.#version = this.data.version;
    this.#index = cols.index;
    this.#price = cols.현재가;
    this.#interest = cols.관심종목;
    this.#viTime = this.desk.stock ? cols.VI해제시간 : undefined;
    const D = program.columns.map((name) => cols[name]);
    this.H.D = D;
    this.#buy = program.buy(D, this.H, RUNTIME) as (V: unknown) => boolean;
    this.#sell = program.sell(D, this.H, RUNTIME) as (V: unknown, P: unknown) => boolean;
    this.#conds = program.conditions.map((f) => f(D, this.H, RUNTIME) as (V: unknown) => boolean);
  }

  /** UTC ms of row r */
  timeAt(r: number): number {
    const t = this.times?.()[r];
    return t !== undefined && !Number.isNaN(t)
      ? t
      : stomIndexMs(this.data.cols.index[r]) - this.desk.offsetMs;
  }

  #close(r: number, sp: number, cond: number, reason?: string, qty?: number): void {
    const p = this.pos as Position;
    const { desk } = this;
    const cols = this.data.cols;
    const index = cols.index;
    const sold = qty ?? p.qty;
    const nowMs = stomIndexMs(index[r]);
    const seconds = (nowMs - p.timeMs) / 1000;
    const bg = sold * p.bp;
    const { pg, sg, sp: pp } = desk.fees(bg, sold * sp);
    const cap = cols.시가총액;
    const condName = reason ?? desk.program.sellConditions[cond] ?? String(cond);
    desk.cash += pg;
    desk.realizedToday += sg;
    desk.trades.push({
      code: this.symbol,
      name: this.name,
      marketCap: desk.stock && cap ? Math.trunc(cap[r]) : 0,
      buy: index[p.row],
      sell: index[r],
      hold: desk.tick ? Math.trunc(seconds) : Math.trunc(seconds / 60),
      bp: p.bp,
      sp,
      qty: sold,
      bg,
      pg,
      pp,
      sg,
      cond: condName,
      condNumber: cond,
      buyRow: p.row,
      sellRow: r,
      symbolNo: this.symbolNo,
    });
    desk.fills?.push({
      kind: "sell",
      symbol: this.symbol,
      time: this.timeAt(r),
      price: sp,
      qty: sold,
      reason: condName,
      pnl: sg,
    });
    if (sold < p.qty) p.qty -= sold;
    else {
      desk.open--;
      this.pos = null;
    }
  }

  #open(r: number, qty: number, bp: number, amount: number, timeMs: number): void {
    const { desk } = this;
    desk.open++;
    desk.cash -= amount;
    this.pos = { bp, qty, high: 0, low: 0, row: r, timeMs, fresh: desk.live !== null };
    desk.fills?.push({ kind: "buy", symbol: this.symbol, time: this.timeAt(r), price: bp, qty });
  }

  #tryBuy(r: number, qty: number): void {
    const { desk } = this;
    if (!(qty > 0)) return;
    // 최대매수종목수 counts held positions, not orders in flight (kiwoom_trader.py:209)
    if (desk.maxPositions !== undefined && desk.open >= desk.maxPositions) return;
    const [amount, left] = walk(this.data.cols, ASKS, desk.buyDepth, r, qty);
    if (left > 0) return;
    // 추정예수금 < 주문금액 refuses the order (kiwoom_trader.py:217)
    if (desk.cashLimited && amount > desk.cash) return;
    if (desk.executor) {
      // STOM's Buy sends the order only when the book within 매수시장가잔량범위 can fill it (kiwoom_strategy_tick.py:679-693)
      this.awaiting = { side: "buy", qty };
      desk.executor.buy(this.symbol, qty, this.timeAt(r));
      return;
    }
    const bp = desk.stock ? npRound(amount / qty, 0) : npRound(amount / qty, 4);
    this.#open(r, qty, bp, amount, stomIndexMs(this.data.cols.index[r]));
  }

  #trySell(r: number, cond: number): void {
    const { desk } = this;
    const qty = (this.pos as Position).qty;
    const [amount, left] = walk(this.data.cols, BIDS, desk.sellDepth, r, qty);
    if (left > 0) return;
    if (desk.executor) {
      this.awaiting = { side: "sell", cond };
      desk.executor.sell(this.symbol, qty, this.timeAt(r));
      return;
    }
    this.#close(r, desk.stock ? npRound(amount / qty, 0) : npRound(amount / qty, 4), cond);
  }

  /**
   * Sells what is held at row r at any price: LastSell (the bids within 매도시장가잔량범위, else what was
   * taken, else 현재가), the day's end in a backtest and the live trader's JangoCheongsan.
   */
  closeOut(r: number, cond: number, reason?: string): void {
    const p = this.pos;
    if (!p || this.awaiting?.side === "sell") return;
    const { desk } = this;
    if (desk.executor) {
      this.awaiting = { side: "sell", cond, ...(reason ? { reason } : {}) };
      desk.executor.sell(this.symbol, p.qty, this.timeAt(r));
      return;
    }
    const [amount, left] = walk(this.data.cols, BIDS, desk.sellDepth, r, p.qty);
    let sp: number;
    const round = (x: number) => (desk.stock ? npRound(x, 0) : npRound(x, 4));
    if (left <= 0) sp = round(amount / p.qty);
    else if (amount === 0) sp = this.data.cols.현재가[r];
    else sp = round(amount / (p.qty - left));
    this.#close(r, sp, cond, reason);
  }

  /** A live venue's report of the order in flight: books it at the symbol's last row; qty 0 = not filled. */
  filled(side: "buy" | "sell", qty: number, price: number, time: number): void {
    const a = this.awaiting;
    if (!a || a.side !== side) throw new Error(`no ${side} order in flight for ${this.symbol}`);
    if (!(qty >= 0) || !(price >= 0)) throw new Error(`invalid fill: ${qty} at ${price}`);
    const r = this.last;
    if (qty > 0 && side === "buy") this.#open(r, qty, price, qty * price, time + this.desk.offsetMs);
    else if (qty > 0 && a.side === "sell" && this.pos)
      this.#close(r, price, a.cond, a.reason, Math.min(qty, this.pos.qty));
    this.awaiting = null;
  }

  /** 체결강도평균_ != 0 and a book (kiwoom_strategy_tick.py:492, kiwoom_strategy_min.py:500, upbit_strategy_tick.py:442, upbit_strategy_min.py:470): live texts run only then */
  #liveReady(r: number): boolean {
    const cols = this.data.cols;
    const strength = cols.체결강도;
    if (strength) {
      const n = this.desk.avg.current;
      if (npRound(windowOp(strength, r + 1 - n, r + 1, "mean"), 3) === 0) return false;
    }
    if (this.desk.stock && cols.매수잔량5[r] === 0 && cols.매도잔량5[r] === 0) return false;
    return true;
  }

  /** One snapshot: row r of the symbol; `dayEnd` when it is the day's last (LastSell, no text). */
  step(r: number, dayEnd: boolean): void {
    const { desk, H, data } = this;
    if (data.version !== this.#version) this.#bind();
    const index = this.#index;
    desk.snapshots++;
    this.last = r;
    const day = Math.floor(index[r] / desk.dayDiv);
    if (day !== this.#day) {
      // a new day: 데이터길이 and 경과틱수 count today only
      this.#day = day;
      desk.days.add(day);
      H.len = 0;
      H.condRows.fill(0);
    }
    H.len++;
    if (this.#pending) {
      const order = this.#pending;
      this.#pending = null;
      if (order.side === "buy" && !this.pos && !dayEnd) this.#tryBuy(r, order.qty);
      else if (order.side === "sell" && this.pos) this.#trySell(r, order.cond);
    }
    if (dayEnd) {
      if (this.pos) this.closeOut(r, 0);
      return;
    }
    H.i = r;
    H.index = index[r];
    H.hms = desk.tick ? index[r] % 1e6 : (index[r] % 1e4) * 100;
    // STOM parses VI해제시간 on every snapshot (strp_time) and stops on a value that is not a time
    const viTime = this.#viTime;
    if (viTime && viTime[r] !== this.#lastVi) {
      this.#lastVi = viTime[r];
      if (!(stomIndexMs(this.#lastVi) >= 0))
        throw new StomRuntimeError(
          "ValueError",
          `VI해제시간 ${viTime[r]} of ${this.symbol} at ${index[r]} is not a time (STOM's engine stops on it)`,
          "data",
        );
    }
    const V = desk.V;
    const conds = this.#conds;
    // the tick engines test 경과틱수 conditions before the 평균값계산틱수 wait, the minute engines after it
    if (desk.tick) for (let k = 0; k < conds.length; k++) if (conds[k](V)) H.condRows[k] = r;
    if (H.len < desk.avg.current) return;
    if (!desk.tick) for (let k = 0; k < conds.length; k++) if (conds[k](V)) H.condRows[k] = r;
    const live = desk.live;
    if (live) {
      // from 전략종료시간 on nothing decides: the stock receiver stops at `전략종료시간 <= inthms`
      // (kiwoom_receiver_tick.py:194), the coin strategy runs only below it (upbit_strategy_tick.py:442)
      if (H.hms >= live.endTime) return;
      if (!this.#liveReady(r)) return;
      // an order in flight: STOM runs neither text for the symbol (NIB, NIS)
      if (this.awaiting) return;
    }
    const price = this.#price;
    if (!this.pos) {
      if (live && desk.buyStopped) return;
      if (!RUNTIME.truthy(this.#interest[r])) return;
      const qty = desk.stock
        ? RUNTIME.int(desk.betting / price[r], "betting")
        : npRound(desk.betting / price[r], 8);
      if (this.#buy(V)) {
        if (desk.fill === "same") this.#tryBuy(r, qty);
        else this.#pending = { side: "buy", qty };
      }
    } else {
      const p = this.pos;
      const sp = desk.fees(p.qty * p.bp, p.qty * price[r]).sp;
      if (p.fresh) {
        p.fresh = false;
        p.high = sp;
        p.low = sp;
      } else if (sp > p.high) p.high = sp;
      else if (sp < p.low) p.low = sp;
      const seconds = (stomIndexMs(index[r]) - p.timeMs) / 1000;
      const P = this.#P;
      P.수익률 = sp;
      P.최고수익률 = p.high;
      P.최저수익률 = p.low;
      P.보유시간 = desk.tick ? seconds : Math.trunc(seconds / 60);
      P.매수틱번호 = p.row;
      P.보유수량 = p.qty;
      P.매수가 = p.bp;
      H.b = p.row;
      if (this.#sell(V, P)) {
        if (desk.fill === "same") this.#trySell(r, H.cond);
        else this.#pending = { side: "sell", cond: H.cond };
      }
    }
  }
}
