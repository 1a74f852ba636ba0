// A strategy's decisions as one action per bar (StrategyDef.signals), so a search can run it
// without calling next() on every bar: the vectorized path of vectorbt's `from_signals`, kept to
// the few order sequences whose fills the broker can replay without order objects.
import type { Line } from "./indicators/crossover.ts";

/**
 * What next() does on a bar, as `signals()` reports it. Each code stands for one exact sequence of
 * calls, so a signal run fills, sizes and charges as the bar loop does:
 * - `long` (1): `ctx.position.close(); ctx.buy()`: closes any open trade and goes long with all the margin;
 * - `short` (-1): `ctx.position.close(); ctx.sell()`;
 * - `exit` (2): `ctx.position.close()`;
 * - `none` (0): nothing.
 */
export const SIGNAL = Object.freeze({ none: 0, long: 1, short: -1, exit: 2 } as const);

/**
 * Actions from masks, as next() would test them in order: `if (long) ... else if (short) ...
 * else if (exit) ...`. Masks are 0/1 (or boolean-like) columns of the bars' length.
 *
 *     signals: (ctx) => signalActions({ long: crossovers(rsi, 30), exit: crossunders(rsi, 70) })
 */
export function signalActions({
  long,
  short,
  exit,
}: {
  long?: ArrayLike<number>;
  short?: ArrayLike<number>;
  exit?: ArrayLike<number>;
}): Int8Array {
  const n = (long ?? short ?? exit)?.length;
  if (n === undefined) throw new Error("signalActions needs a long, short or exit mask");
  for (const [name, m] of [
    ["short", short],
    ["exit", exit],
  ] as const)
    if (m && m.length !== n) throw new Error(`invalid ${name} mask length: ${m.length} (expected ${n})`);
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    if (long?.[i]) out[i] = SIGNAL.long;
    else if (short?.[i]) out[i] = SIGNAL.short;
    else if (exit?.[i]) out[i] = SIGNAL.exit;
  }
  return out;
}

/**
 * `long` where `a` crosses above `b`, `short` where it crosses below, in one pass: the actions of
 * backtesting.py's SmaCross (`if crossover(a, b): close, buy; elif crossover(b, a): close, sell`),
 * with `crossover`'s strict comparisons (a touch is no cross) and no action where a NaN is involved.
 * Written into `out` when given (signals()' third argument, reused between an optimizer's runs).
 *
 *     signals: (ctx, state, out) => crossSignals(sma(ctx.bars.close, 10), sma(ctx.bars.close, 30), out)
 */
export function crossSignals(a: Line, b: Line, out?: Int8Array): Int8Array {
  if (typeof a === "number" && typeof b === "number") throw new Error("invalid lines: both are numbers");
  const n = typeof a === "number" ? (b as ArrayLike<number>).length : a.length;
  if (typeof b !== "number" && b.length !== n) throw new Error(`invalid length: ${b.length} (expected ${n})`);
  if (out && out.length !== n) throw new Error(`invalid out length: ${out.length} (expected ${n})`);
  // one loop over two Float64Arrays (a level becomes a column): a loop that tests for a number on
  // every bar runs several times slower
  return crossColumns(column(a, n), column(b, n), out ?? new Int8Array(n));
}

function column(x: Line, n: number): Float64Array {
  if (typeof x === "number") return new Float64Array(n).fill(x);
  return x instanceof Float64Array ? x : Float64Array.from(x);
}

function crossColumns(a: Float64Array, b: Float64Array, out: Int8Array): Int8Array {
  const n = a.length;
  // `out` may hold another run's actions; the loop then writes only the crossings (a store on every
  // bar cost more than this fill)
  out.fill(SIGNAL.none);
  if (n === 0) return out;
  // a - b has the sign of the comparison for any two numbers (IEEE subtraction of distinct finite
  // values is never 0, of equal infinities NaN, which compares false as a < b does): one
  // subtraction a bar instead of four comparisons
  let before = a[0] - b[0];
  let i = 1;
  while (i < n) {
    // four bars at a time: when the four differences and the one before have one strict sign (a
    // product of neighbours above 0; 0, NaN and an underflow to 0 fail it), none of them crosses;
    // a crossing every few dozen bars leaves most blocks to this test. Else one bar, then the next
    // four. (One loop: a loop of its own for the last bars deoptimized the function on every call,
    // its compare never seen before the first call was optimized.)
    if (i + 3 < n) {
      const d0 = a[i] - b[i];
      const d1 = a[i + 1] - b[i + 1];
      const d2 = a[i + 2] - b[i + 2];
      const d3 = a[i + 3] - b[i + 3];
      if (before * d0 > 0 && d0 * d1 > 0 && d1 * d2 > 0 && d2 * d3 > 0) {
        before = d3;
        i += 4;
        continue;
      }
    }
    before = crossAt(before, a[i] - b[i], out, i);
    i++;
  }
  return out;
}

/** Bar i's action from the difference a - b there and on the bar before; returns the one at i. */
function crossAt(before: number, d: number, out: Int8Array, i: number): number {
  if (before < 0) {
    if (d > 0) out[i] = SIGNAL.long;
  } else if (before > 0 && d < 0) out[i] = SIGNAL.short;
  return d;
}

/** Where decisions go (backtest()'s decision log); null keeps none. */
export interface DecisionSink {
  push(
    bar: number,
    kind: 0 | 1 | 2,
    size: number,
    limit: number | null,
    stop: number | null,
    sl: number | null,
    tp: number | null,
  ): void;
}
