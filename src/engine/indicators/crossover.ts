import { Series } from "../series.ts";

/** A column, or a constant level such as 70 for an RSI threshold. */
export type Line = ArrayLike<number> | number;

/** What `crossover` compares: a Series (at the current bar), an array (its last two values) or a level. */
export type Crossable = Series | ArrayLike<number> | number;

/**
 * True when `a` just crossed above `b`: a[-2] < b[-2] and a[-1] > b[-1], backtesting.py's
 * `crossover`. On Series (the values `init` returns through `ctx.I`) that is the current bar, so
 * `if (crossover(fast, slow)) ctx.buy()` acts only on the bar of the cross; on arrays it reads
 * their last two values; either side may be a number. For the whole column at once, `crossovers`.
 *
 * @example next(ctx, { fast, slow }) { if (crossover(fast, slow)) ctx.buy(); }
 */
export function crossover(a: Crossable, b: Crossable): boolean {
  if (a instanceof Series && b instanceof Series) return Series.crossedAbove(a, b);
  return last(a, 1) < last(b, 1) && last(a, 0) > last(b, 0);
}

/** True when `a` just crossed below `b`: crossover(b, a). */
export function crossunder(a: Crossable, b: Crossable): boolean {
  return crossover(b, a);
}

// Value k steps back from the newest one. A Series from another copy of the engine (a strategy that
// imports `stom` while the runner bundles its own) fails `instanceof`, so Series are recognised by
// shape: an object with at() that is not an array (typed arrays have at() too, counted from the end).
function last(x: Crossable, k: number): number {
  if (typeof x === "number") return x;
  if (x instanceof Series) return x.at(k);
  if (Array.isArray(x) || ArrayBuffer.isView(x)) {
    const j = x.length - 1 - k;
    return j >= 0 ? x[j] : Number.NaN;
  }
  const s = x as { at?: unknown };
  if (typeof s.at === "function") return (s as Series).at(k);
  const j = x.length - 1 - k;
  return j >= 0 ? x[j] : Number.NaN;
}

/**
 * 1 where `a` crosses above `b` over the whole column: a[i-1] < b[i-1] and a[i] > b[i]
 * (`crossover` applied at every bar); 0 elsewhere, at bar 0 and wherever a NaN is involved.
 * `a` or `b` may be a number.
 *
 * @example crossovers(sma(closes, 10), sma(closes, 20))
 */
export function crossovers(a: Line, b: Line): Uint8Array {
  return cross(a, b);
}

/** 1 where `a` crosses below `b` over the whole column: a[i-1] > b[i-1] and a[i] < b[i]. */
export function crossunders(a: Line, b: Line): Uint8Array {
  return cross(b, a);
}

function cross(a: Line, b: Line): Uint8Array {
  const an = typeof a === "number";
  const bn = typeof b === "number";
  if (an && bn) throw new Error("invalid lines: both are numbers");
  const len = an ? (b as ArrayLike<number>).length : (a as ArrayLike<number>).length;
  if (!an && !bn && (b as ArrayLike<number>).length !== len) {
    throw new Error(`invalid length: ${(b as ArrayLike<number>).length} (expected ${len})`);
  }
  const out = new Uint8Array(len);
  if (len === 0) return out;
  const av = a as ArrayLike<number>;
  const bv = b as ArrayLike<number>;
  let pa = an ? (a as number) : av[0];
  let pb = bn ? (b as number) : bv[0];
  for (let i = 1; i < len; i++) {
    const ca = an ? (a as number) : av[i];
    const cb = bn ? (b as number) : bv[i];
    if (pa < pb && ca > cb) out[i] = 1;
    pa = ca;
    pb = cb;
  }
  return out;
}
