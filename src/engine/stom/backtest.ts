// STOM V1.10's backtest engine (Py-CI-Park/STOM@63aa7ef, backtester/backengine_{kiwoom,upbit}_{tick,min}.py
// in 백테스트 mode): each symbol on its own, snapshot by snapshot; the day's first 평균값계산틱수 snapshots
// decide nothing; a buy walks the asks up to 매수시장가잔량범위 levels on the deciding snapshot, a sell the
// bids up to 매도시장가잔량범위; the day's last snapshot runs no text and closes what is held (LastSell).

import type { StomProgram } from "./compile.ts";
import { StomColumns, StomDesk, type StomKernelOptions, StomSymbol } from "./kernel.ts";
import type { StomKind } from "./layouts.ts";
import { isStock, isTick } from "./names.ts";
import { KST_OFFSET_MS, msToStomIndex } from "./time.ts";
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

/** The run's settings: what the kernel step reads (kernel.ts). */
export type StomBacktestOptions = StomKernelOptions;

export interface StomRun {
  /** every closed trade, sorted by sell time as STOM's result table is (then symbol order) */
  readonly trades: readonly StomTrade[];
  /** trading days in the data (STOM's day_count) */
  readonly days: number;
  /** snapshots processed */
  readonly snapshots: number;
}

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
  const desk = new StomDesk(program, options);
  const kind = program.kind;
  const dayDiv = desk.dayDiv;
  // STOM's live trader's rules, as an option: a buy is refused while 최대매수종목수 positions are open
  // or the cash cannot pay it (stock/kiwoom_trader.py 209-216); symbols then run merged in time order
  const merged = options.maxPositions !== undefined || options.cash !== undefined;
  const steppers: { index: Float64Array; step: (r: number) => void }[] = [];

  inputs.forEach((input, symbolNo) => {
    const src = input.columns;
    const n = input.length ?? (src.index ?? src.time ?? src.현재가).length;
    const cols: Record<string, Float64Array> = {};
    for (const [name, values] of Object.entries(src)) {
      if (name === "time" || typeof (values as ArrayLike<unknown>)[0] === "string") continue;
      cols[name] = toFloat64(values, n);
    }
    const index = toFloat64(withIndex(input, kind).columns.index, n);
    cols.index = index;
    const symbol = new StomSymbol(
      desk,
      symbolNo,
      input.symbol,
      input.name ?? input.symbol,
      new StomColumns(cols, n, false),
    );
    const last = n - 1;
    if (last <= 0) return;
    // the day's last snapshot is known from the data: the next one is another day's, or there is none
    const step = (r: number) =>
      symbol.step(r, r === last || Math.floor(index[r] / dayDiv) !== Math.floor(index[r + 1] / dayDiv));
    if (merged) steppers.push({ index, step });
    else for (let r = 0; r < n; r++) step(r);
  });
  if (merged) runMerged(steppers);
  return { trades: sortTrades(desk.trades), days: desk.days.size, snapshots: desk.snapshots };
}

/** GetResultDataframe sorts the table by its index (the sell time); a stable sort keeps symbol order. */
export function sortTrades(trades: StomTrade[]): StomTrade[] {
  return trades.sort((a, b) => a.sell - b.sell || a.symbolNo - b.symbolNo);
}
