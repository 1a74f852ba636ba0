/** Throws `invalid n: 0` unless `n` is a positive integer (window lengths, periods). */
export function checkPeriod(n: number, name = "n"): void {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`invalid ${name}: ${n}`);
}

/** Throws `invalid k: -1` unless `k` is a non-negative integer (lags: a negative lag would look ahead). */
export function checkLag(k: number, name = "k"): void {
  if (!Number.isInteger(k) || k < 0) throw new Error(`invalid ${name}: ${k}`);
}

/** Index of the first non-NaN value, or `x.length` when there is none. */
export function firstValid(x: ArrayLike<number>): number {
  let i = 0;
  while (i < x.length && Number.isNaN(x[i])) i++;
  return i;
}

let inShared = false;

/**
 * Runs `fn` with the columns nans() makes in shared memory (a SharedArrayBuffer), so a result can
 * be handed to other threads without a copy: an optimizer's workers share their indicators.
 */
export function allocatingShared<T>(fn: () => T): T {
  const previous = inShared;
  inShared = typeof SharedArrayBuffer !== "undefined";
  try {
    return fn();
  } finally {
    inShared = previous;
  }
}

/** A Float64Array of `length` NaNs (in shared memory inside allocatingShared). */
export function nans(length: number): Float64Array {
  const column = inShared ? new Float64Array(new SharedArrayBuffer(8 * length)) : new Float64Array(length);
  return column.fill(Number.NaN);
}
