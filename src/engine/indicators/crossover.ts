/** A column, or a constant level such as 70 for an RSI threshold. */
export type Line = ArrayLike<number> | number;

/**
 * 1 where `a` crosses above `b`: a[i-1] < b[i-1] and a[i] > b[i] (backtesting.py's `crossover`, applied at
 * every bar); 0 elsewhere, at bar 0 and wherever a NaN is involved. `a` or `b` may be a number.
 *
 * @example crossover(sma(closes, 10), sma(closes, 20))
 */
export function crossover(a: Line, b: Line): Uint8Array {
  return cross(a, b);
}

/** 1 where `a` crosses below `b`: a[i-1] > b[i-1] and a[i] < b[i]. */
export function crossunder(a: Line, b: Line): Uint8Array {
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
