import type { ParamSpecs } from "../params.ts";
import { TickKernel } from "./kernel.ts";
import { TimeMerge } from "./merge.ts";
import { type InterestList, resolveTickOptions, type TickRunOptions } from "./options.ts";
import type { TickResult } from "./result.ts";
import type { TickStrategyDef } from "./strategy.ts";

export type { TickEquity, TickOrderCounts, TickResult } from "./result.ts";

/** One symbol's snapshots: a data-layer Frame of kind "ticks" fits (time, 현재가 or price, the 5-level book). */
export interface TickInput {
  readonly symbol: string;
  readonly length?: number;
  readonly columns: Readonly<Record<string, ArrayLike<unknown>>>;
}

/** The 20 book columns every snapshot carries (level 1 = best). */
export const BOOK_COLUMNS: readonly string[] = Object.freeze(
  ["매도호가", "매도잔량", "매수호가", "매수잔량"].flatMap((p) => [1, 2, 3, 4, 5].map((k) => `${p}${k}`)),
);

/** Rows the merge hands the kernel at a time: small enough to stay in cache, large enough to amortize. */
const CHUNK = 1024;
/**
 * Most equity samples reserved up front (3 × 32 MB): a long span with gaps (nights, weekends) can
 * bound far more samples than it writes; past this the samples grow by doubling as before.
 */
const MAX_RESERVE = 1 << 22;

function numericColumns(input: TickInput): { length: number; columns: Record<string, Float64Array> } {
  const src = input.columns;
  if (!src.time) throw new Error(`missing column: time (symbol ${input.symbol})`);
  const length = input.length ?? src.time.length;
  const columns: Record<string, Float64Array> = {};
  for (const [name, col] of Object.entries(src)) {
    if (col.length !== length)
      throw new Error(`column ${name} has ${col.length} rows, expected ${length} (symbol ${input.symbol})`);
    if (col instanceof Float64Array) columns[name] = col;
    else if (ArrayBuffer.isView(col)) columns[name] = Float64Array.from(col as unknown as ArrayLike<number>);
    else if (Array.isArray(col) && (col.length === 0 || typeof col[0] === "number"))
      columns[name] = Float64Array.from(col as number[]);
  }
  for (const name of BOOK_COLUMNS) {
    if (!columns[name]) throw new Error(`missing column: ${name} (symbol ${input.symbol})`);
  }
  if (!columns.현재가 && !columns.price) throw new Error(`missing column: 현재가 (symbol ${input.symbol})`);
  return { length, columns };
}

/** 1 where the symbol is on the list at its row's time (the last list at or before it). */
function listedRows(symbol: string, time: Float64Array, list: InterestList): Uint8Array {
  const out = new Uint8Array(time.length);
  let m = -1;
  let listed = 0;
  for (let r = 0; r < time.length; r++) {
    let moved = false;
    while (m + 1 < list.time.length && list.time[m + 1] <= time[r]) {
      m++;
      moved = true;
    }
    if (moved) listed = list.codes[m].includes(symbol) ? 1 : 0;
    out[r] = listed;
  }
  return out;
}

/**
 * Runs a STOM-style tick strategy over many symbols' snapshots merged in time order, with cash shared
 * across symbols. Buys walk the asks and sells the bids of the 5-level book (refused when too thin);
 * one position per symbol; see docs/engine.md for the full rules. The rules are TickKernel's, the
 * same a TickSession runs snapshot by snapshot; here init() runs once per symbol over whole columns.
 *
 *     runTicks(strategy, [frameA, frameB], { budget: 1_000_000, maxPositions: 5, costs: costPreset("upbit"), unit: 1e-8 })
 */
export function runTicks<P extends ParamSpecs, S>(
  strategy: TickStrategyDef<P, S>,
  inputs: readonly TickInput[],
  options: TickRunOptions = {},
): TickResult<P> {
  const config = resolveTickOptions(strategy.params, options);
  const kernel = new TickKernel(
    strategy,
    config,
    inputs.map((x) => x.symbol),
  );
  const { interest } = config;
  for (let s = 0; s < inputs.length; s++) {
    const { length, columns } = numericColumns(inputs[s]);
    const list =
      interest !== null && typeof interest !== "string"
        ? listedRows(inputs[s].symbol, columns.time, interest)
        : null;
    kernel.bind(s, columns, length, list);
  }
  kernel.reserveSamples(Math.min(sampleBound(kernel.times, config.equityEveryMs), MAX_RESERVE));
  const merge = new TimeMerge(kernel.times);
  const symbols = new Int32Array(CHUNK);
  const rows = new Int32Array(CHUNK);
  for (let n = merge.take(symbols, rows); n > 0; n = merge.take(symbols, rows)) {
    for (let j = 0; j < n; j++) kernel.step(symbols[j], rows[j]);
  }
  return kernel.result(true);
}

/**
 * At most how many equity samples a run writes: the buckets its time span touches, and no more
 * than one per event (NaN when a column is empty or out of order; reserveSamples ignores that).
 */
function sampleBound(times: readonly Float64Array[], every: number): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let events = 0;
  for (const t of times) {
    if (t.length === 0) continue;
    lo = Math.min(lo, t[0]);
    hi = Math.max(hi, t[t.length - 1]);
    events += t.length;
  }
  return Math.min(Math.floor(hi / every) - Math.floor(lo / every) + 1, events);
}
