// STOM V1.10's backtest engine (Py-CI-Park/STOM@63aa7ef, backtester/backengine_{kiwoom,upbit}_{tick,min}.py
// in 백테스트 mode): each symbol on its own, snapshot by snapshot; the day's first 평균값계산틱수 snapshots
// decide nothing; a buy walks the asks up to 매수시장가잔량범위 levels on the deciding snapshot, a sell the
// bids up to 매도시장가잔량범위; the day's last snapshot runs no text and closes what is held (LastSell).

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
import type { StomKind } from "./layouts.ts";
import { averageDigits, fixedAverages, isStock, isTick } from "./names.ts";
import { RUNTIME, StomRuntimeError } from "./runtime.ts";
import { KST_OFFSET_MS, msToStomIndex, stomIndexMs } from "./time.ts";
import type { StomTrade } from "./trade.ts";

/** One symbol's snapshots: STOM's columns by their Korean names, and its times. */
export interface StomInput {
  readonly symbol: string;
  /** 종목명 (stock DBs' codename); the code when absent */
  readonly name?: string;
  readonly length?: number;
  /** STOM's columns; `index` (yyyymmddhhmmss, yyyymmddhhmm on minute DBs) or `time` (UTC ms) */
  readonly columns: Readonly<Record<string, ArrayLike<unknown>>>;
}

export interface StomBacktestOptions {
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

export interface StomRun {
  /** every closed trade, sorted by sell time as STOM's result table is (then symbol order) */
  readonly trades: readonly StomTrade[];
  /** trading days in the data (STOM's day_count) */
  readonly days: number;
  /** snapshots processed */
  readonly snapshots: number;
}

const BIDS = [1, 2, 3, 4, 5].map((k) => [`매수호가${k}`, `매수잔량${k}`]);
const ASKS = [1, 2, 3, 4, 5].map((k) => [`매도호가${k}`, `매도잔량${k}`]);

const INDEXED = new WeakMap<StomInput, StomInput>();

/** The input with STOM's `index` column (computed from `time` in the DB's zone when missing), cached. */
export function withIndex(input: StomInput, kind: StomKind): StomInput {
  if (input.columns.index) return input;
  let out = INDEXED.get(input);
  if (!out) {
    const time = input.columns.time;
    if (!time) throw new Error(`missing column: index or time (symbol ${input.symbol})`);
    const n = input.length ?? time.length;
    const index = new Float64Array(n);
    for (let r = 0; r < n; r++)
      index[r] = msToStomIndex(Number(time[r]), isStock(kind) ? KST_OFFSET_MS : 0, isTick(kind));
    out = { ...input, columns: { ...input.columns, index } };
    INDEXED.set(input, out);
  }
  return out;
}

function toFloat64(values: ArrayLike<unknown>, n: number): Float64Array {
  if (values instanceof Float64Array) return values;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) out[r] = Number(values[r]);
  return out;
}

interface Position {
  bp: number;
  qty: number;
  high: number;
  low: number;
  row: number;
  timeMs: number;
}

/** Rolling op over the whole array, NaN until a full window (pandas rolling(window=n)). */
function rolling(x: Float64Array, n: number, op: "max" | "min" | "sum" | "mean"): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  for (let r = n - 1; r < x.length; r++) out[r] = windowOp(x, r + 1 - n, r + 1, op);
  return out;
}

function windowOp(x: Float64Array, s: number, e: number, op: "max" | "min" | "sum" | "mean"): number {
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

/**
 * AddAvgData's columns (rolling windows over the whole symbol) depend only on the data and the window:
 * they are kept with the source column, so an optimization's runs compute each once.
 */
const PRECOMPUTED = new WeakMap<Float64Array, Map<string, Float64Array>>();

function precomputed(source: Float64Array, key: string, make: () => Float64Array): Float64Array {
  let m = PRECOMPUTED.get(source);
  if (!m) {
    m = new Map();
    PRECOMPUTED.set(source, m);
  }
  let c = m.get(key);
  if (!c) {
    c = make();
    m.set(key, c);
  }
  return c;
}

const DAY_STARTS = new WeakMap<Float64Array, Int32Array>();
const INDICATORS = new WeakMap<Float64Array, Map<string, Record<string, Float64Array>>>();
const INDICATORS_N = new WeakMap<Float64Array, Map<string, StomIndicatorNColumn>>();

/** The TA-Lib values of one run's settings, kept with the data like AddAvgData's columns. */
interface IndicatorRun {
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

  constructor(
    readonly program: StomProgram,
    readonly code: string,
    readonly name: string,
    readonly D: readonly Float64Array[],
    readonly cols: Readonly<Record<string, Float64Array>>,
    readonly avg: { current: number; list: readonly number[] },
    readonly self: Record<string, unknown>,
    readonly clock: () => number,
    readonly indicators: IndicatorRun | null,
  ) {
    this.condRows = program.conditionNames.map(() => 0);
  }

  #col(name: string): Float64Array {
    const c = this.cols[name];
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
    const gap = x[e] - x[s < 0 ? s + x.length : s];
    return pyRound((Math.atan2(gap * spec.cf, tick) / (2 * Math.PI)) * 360, 2);
  }

  /** AddAvgData's column for helper call site k (back_static.py 131-185), kept with the data */
  #column(k: number, tick: number): Float64Array {
    const memo = this.#memo[k];
    if (memo && this.#memoTick[k] === tick) return memo;
    const spec = this.program.helpers[k];
    const x = this.#col(spec.column);
    let c: Float64Array;
    if (spec.kind === "ma") {
      const digits = averageDigits(this.program.kind).column;
      c = precomputed(x, `ma:${tick}:${digits}`, () =>
        rolling(x, tick, "mean").map((v) => npRound(v, digits)),
      );
    } else if (spec.kind === "area") {
      // the column of the run's 평균값계산틱수, whatever tick of avg_list was asked (GetArrayIndex)
      const n = this.avg.current;
      c = precomputed(x, `area:${spec.op}:${spec.post}:${n}`, () => {
        const w = rolling(x, n, spec.op);
        // AddAvgData rounds these two columns (back_static.py 150, 159)
        if (spec.post === "round3") return w.map((y) => npRound(y, 3));
        if (spec.post === "int") return w.map((y) => npRound(y, 0));
        return w;
      });
    } else {
      // one angle column, of the last 평균값계산틱수 (AddAvgData overwrites it per avg)
      const n = this.avg.list[this.avg.list.length - 1];
      const [op, f] = spec.pre;
      c = precomputed(x, `angle:${op}${f}:${n}`, () => {
        const out = new Float64Array(x.length).fill(Number.NaN);
        for (let r = n - 1; r < x.length; r++) {
          const d = x[r] - x[r - (n - 1)];
          out[r] = pyRound((Math.atan2(op === "*" ? d * f : d / f, n) / (2 * Math.PI)) * 360, 2);
        }
        return out;
      });
    }
    this.#memo[k] = c;
    this.#memoTick[k] = tick;
    return c;
  }

  /** A TA-Lib value of the minute engines (GetIndicator over today's bars), or `name_N(pre)` */
  ind(name: string, pre: unknown, at: string): number {
    const run = this.indicators;
    if (!run) return RUNTIME.fail("NameError", `name '${name}' is not defined`, at);
    const bars: StomIndicatorBars = {
      close: this.#col("현재가"),
      high: this.#col("분봉고가"),
      low: this.#col("분봉저가"),
      // GetIndicator's mv is the 분당거래대금 column (backengine_kiwoom_min.py 441)
      volume: this.#col("분당거래대금"),
    };
    const close = bars.close as Float64Array;
    let dayStart = DAY_STARTS.get(close);
    if (!dayStart) {
      dayStart = stomDayStarts(this.#col("index"));
      DAY_STARTS.set(close, dayStart);
    }
    if (pre === null) {
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
      return cols[name][this.i];
    }
    const p = typeof pre === "number" ? pre : Number.NaN;
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
    // DIM_N's except branch returns the tuple (0, 0); STOM's comparison with it raises
    if (col.tuple?.[this.i])
      RUNTIME.fail(
        "TypeError",
        `${name}_N(${RUNTIME.str(pre)}) is the tuple (0, 0) here, which cannot be compared`,
        at,
      );
    return col.values[this.i];
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

/** Steps every symbol's snapshots in time order (equal times in symbol order): a k-way merge. */
function runMerged(steppers: readonly { index: Float64Array; step: (r: number) => void }[]): void {
  const at = steppers.map(() => 0);
  const heap: number[] = [];
  const less = (a: number, b: number) => {
    const ta = steppers[a].index[at[a]];
    const tb = steppers[b].index[at[b]];
    return ta < tb || (ta === tb && a < b);
  };
  const push = (k: number) => {
    heap.push(k);
    for (let c = heap.length - 1; c > 0; ) {
      const p = (c - 1) >> 1;
      if (!less(heap[c], heap[p])) break;
      [heap[c], heap[p]] = [heap[p], heap[c]];
      c = p;
    }
  };
  const pop = (): number => {
    const top = heap[0];
    const lastK = heap.pop() as number;
    if (heap.length > 0) {
      heap[0] = lastK;
      for (let c = 0; ; ) {
        const l = 2 * c + 1;
        const r = l + 1;
        let m = c;
        if (l < heap.length && less(heap[l], heap[m])) m = l;
        if (r < heap.length && less(heap[r], heap[m])) m = r;
        if (m === c) break;
        [heap[c], heap[m]] = [heap[m], heap[c]];
        c = m;
      }
    }
    return top;
  };
  steppers.forEach((s, k) => {
    if (s.index.length > 0) push(k);
  });
  while (heap.length > 0) {
    const k = pop();
    steppers[k].step(at[k]);
    at[k]++;
    if (at[k] < steppers[k].index.length) push(k);
  }
}

/** Walks `levels` (price, size) for `qty`: [amount, unfilled]; STOM's Buy/Sell/LastSell loops. */
function walk(
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
 * Runs a compiled STOM program over the symbols with STOM's backtest rules and returns its trades.
 * A text that raises (ZeroDivisionError, NameError ...) stops the run with a StomRuntimeError, as
 * STOM stops its backtest.
 *
 *     const { trades, days } = backtestStom(compileStom(buy, sell, { kind }), inputs, { betting: 1e6 });
 */
export function backtestStom(
  program: StomProgram,
  inputs: readonly StomInput[],
  options: StomBacktestOptions = {},
): StomRun {
  const {
    betting = 1_000_000,
    buyDepth = 3,
    sellDepth = 5,
    fill = "same",
    vars = [],
    varsZeroIsAvg = false,
    clock = Date.now,
  } = options;
  const kind = program.kind;
  const stock = isStock(kind);
  const tick = isTick(kind);
  const avgTicks = varsZeroIsAvg ? Number(vars[0]) : (options.avgTicks ?? 30);
  if (!(avgTicks >= 0)) throw new Error(`invalid 평균값계산틱수: ${avgTicks}`);
  const avg = { current: avgTicks, list: options.avgList ?? [avgTicks] };
  const fees: (bg: number, cg: number) => Settlement = stock ? stomKiwoomSettle : stomUpbitSettle;
  const V: (number | undefined)[] = [...vars];
  const self: Record<string, unknown> = {};
  const trades: StomTrade[] = [];
  const days = new Set<number>();
  // the buy text's self.indicator lines (STOM's indistg) set the TA-Lib periods before each decision
  const settings = Object.fromEntries(program.indicatorSettings.map((f) => f(V)));
  const indicators: IndicatorRun | null = tick
    ? null
    : {
        settings,
        key: `${JSON.stringify(settings)}:${program.indicators.join(",")}`,
        names: program.indicators as StomIndicatorName[],
        elapsedConditions: program.conditionNames.length > 0,
      };
  const dayDiv = tick ? 1e6 : 1e4;
  let snapshots = 0;

  // STOM's live trader's rules, as an option: a buy is refused while 최대매수종목수 positions are open
  // or the cash cannot pay it (stock/kiwoom_trader.py 209-216); symbols then run merged in time order
  const live = options.maxPositions !== undefined || options.cash !== undefined;
  const book = { open: 0, cash: options.cash ?? Number.POSITIVE_INFINITY };
  if (
    options.maxPositions !== undefined &&
    !(Number.isInteger(options.maxPositions) && options.maxPositions >= 1)
  )
    throw new Error(`invalid max positions: ${options.maxPositions}`);
  const steppers: { index: Float64Array; step: (r: number) => void; symbolNo: number }[] = [];

  inputs.forEach((input, symbolNo) => {
    const src = input.columns;
    const n = input.length ?? (src.index ?? src.time ?? src.현재가).length;
    const cols: Record<string, Float64Array> = {};
    for (const [name, values] of Object.entries(src)) {
      if (name === "time" || typeof (values as ArrayLike<unknown>)[0] === "string") continue;
      cols[name] = toFloat64(values, n);
    }
    const index = toFloat64(withIndex(input, kind).columns.index, n);
    for (const name of [...ASKS.flat(), ...BIDS.flat(), "현재가", "관심종목"])
      if (!cols[name]) throw new Error(`missing column: ${name} (symbol ${input.symbol})`);
    const D = program.columns.map((name) => {
      const c = cols[name];
      if (!c) throw new Error(`missing column: ${name} (symbol ${input.symbol}); the texts read it`);
      return c;
    });
    cols.index = index;
    const H = new SymbolRuntime(
      program,
      input.symbol,
      input.name ?? input.symbol,
      D,
      cols,
      avg,
      self,
      clock,
      indicators,
    );
    const buy = program.buy(D, H, RUNTIME) as (V: unknown) => boolean;
    const sell = program.sell(D, H, RUNTIME) as (V: unknown, P: unknown) => boolean;
    const conds = program.conditions.map((f) => f(D, H, RUNTIME) as (V: unknown) => boolean);
    const price = cols.현재가;
    const interest = cols.관심종목;
    const cap = cols.시가총액;
    const viTime = stock ? cols.VI해제시간 : undefined;
    const last = n - 1;
    let pos: Position | null = null;
    let pending: { side: "buy"; qty: number } | { side: "sell"; cond: number } | null = null;
    H.len = 0;
    if (last <= 0) return;

    const close = (r: number, sp: number, cond: number) => {
      const p = pos as Position;
      const nowMs = stomIndexMs(index[r]);
      const seconds = (nowMs - p.timeMs) / 1000;
      const bg = p.qty * p.bp;
      const { pg, sg, sp: pp } = fees(bg, p.qty * sp);
      book.open--;
      book.cash += pg;
      trades.push({
        code: input.symbol,
        name: input.name ?? input.symbol,
        marketCap: stock && cap ? Math.trunc(cap[r]) : 0,
        buy: index[p.row],
        sell: index[r],
        hold: tick ? Math.trunc(seconds) : Math.trunc(seconds / 60),
        bp: p.bp,
        sp,
        qty: p.qty,
        bg,
        pg,
        pp,
        sg,
        cond: program.sellConditions[cond] ?? String(cond),
        condNumber: cond,
        buyRow: p.row,
        sellRow: r,
        symbolNo,
      });
      pos = null;
    };
    const tryBuy = (r: number, qty: number) => {
      if (!(qty > 0)) return;
      if (live && options.maxPositions !== undefined && book.open >= options.maxPositions) return;
      const [amount, left] = walk(cols, ASKS, buyDepth, r, qty);
      if (left <= 0) {
        if (live && amount > book.cash) return;
        book.open++;
        book.cash -= amount;
        pos = {
          bp: stock ? npRound(amount / qty, 0) : npRound(amount / qty, 4),
          qty,
          high: 0,
          low: 0,
          row: r,
          timeMs: stomIndexMs(index[r]),
        };
      }
    };
    const trySell = (r: number, cond: number) => {
      const qty = (pos as Position).qty;
      const [amount, left] = walk(cols, BIDS, sellDepth, r, qty);
      if (left <= 0) close(r, stock ? npRound(amount / qty, 0) : npRound(amount / qty, 4), cond);
    };
    let lastVi = Number.NaN;
    const P = { 수익률: 0, 최고수익률: 0, 최저수익률: 0, 보유시간: 0, 매수틱번호: 0, 보유수량: 0, 매수가: 0 };

    const step = (r: number) => {
      snapshots++;
      H.len++;
      const dayEnd = r === last || Math.floor(index[r] / dayDiv) !== Math.floor(index[r + 1] / dayDiv);
      if (pending) {
        const order = pending;
        pending = null;
        if (order.side === "buy" && !pos && !dayEnd) tryBuy(r, order.qty);
        else if (order.side === "sell" && pos) trySell(r, order.cond);
      }
      if (dayEnd) {
        days.add(Math.floor(index[r] / dayDiv));
        // LastSell: the bids within 매도시장가잔량범위, else what was taken, else 현재가
        if (pos) {
          const p = pos as Position;
          const [amount, left] = walk(cols, BIDS, sellDepth, r, p.qty);
          let sp: number;
          if (left <= 0) sp = stock ? npRound(amount / p.qty, 0) : npRound(amount / p.qty, 4);
          else if (amount === 0) sp = price[r];
          else sp = stock ? npRound(amount / (p.qty - left), 0) : npRound(amount / (p.qty - left), 4);
          close(r, sp, 0);
        }
        H.len = 0;
        H.condRows.fill(0);
        return;
      }
      H.i = r;
      H.index = index[r];
      H.hms = tick ? index[r] % 1e6 : (index[r] % 1e4) * 100;
      // STOM parses VI해제시간 on every snapshot (strp_time) and stops on a value that is not a time
      if (viTime && viTime[r] !== lastVi) {
        lastVi = viTime[r];
        if (!(stomIndexMs(lastVi) >= 0))
          throw new StomRuntimeError(
            "ValueError",
            `VI해제시간 ${viTime[r]} of ${input.symbol} at ${index[r]} is not a time (STOM's engine stops on it)`,
            "data",
          );
      }
      // the tick engines test 경과틱수 conditions before the 평균값계산틱수 wait, the minute engines after it
      if (tick) for (let k = 0; k < conds.length; k++) if (conds[k](V)) H.condRows[k] = r;
      if (H.len < avg.current) return;
      if (!tick) for (let k = 0; k < conds.length; k++) if (conds[k](V)) H.condRows[k] = r;
      if (!pos) {
        if (!RUNTIME.truthy(interest[r])) return;
        const qty = stock ? RUNTIME.int(betting / price[r], "betting") : npRound(betting / price[r], 8);
        if (buy(V)) {
          if (fill === "same") tryBuy(r, qty);
          else pending = { side: "buy", qty };
        }
      } else {
        const p = pos as Position;
        const sp = fees(p.qty * p.bp, p.qty * price[r]).sp;
        if (sp > p.high) p.high = sp;
        else if (sp < p.low) p.low = sp;
        const seconds = (stomIndexMs(index[r]) - p.timeMs) / 1000;
        P.수익률 = sp;
        P.최고수익률 = p.high;
        P.최저수익률 = p.low;
        P.보유시간 = tick ? seconds : Math.trunc(seconds / 60);
        P.매수틱번호 = p.row;
        P.보유수량 = p.qty;
        P.매수가 = p.bp;
        H.b = p.row;
        if (sell(V, P)) {
          if (fill === "same") trySell(r, H.cond);
          else pending = { side: "sell", cond: H.cond };
        }
      }
    };
    if (live) steppers.push({ index, step, symbolNo });
    else for (let r = 0; r < n; r++) step(r);
  });
  if (live) runMerged(steppers);
  // GetResultDataframe sorts the table by its index (the sell time); a stable sort keeps symbol order
  trades.sort((a, b) => a.sell - b.sell || a.symbolNo - b.symbolNo);
  return { trades, days: days.size, snapshots };
}
