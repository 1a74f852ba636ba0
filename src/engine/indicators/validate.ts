import type { FreeColumns } from "./free-columns.ts";

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
let reusing: FreeColumns | null = null;

/**
 * Runs `fn` with the columns nans() makes in shared memory (a SharedArrayBuffer) when `shared`, so
 * a result can be handed to other threads without a copy (an optimizer's workers share their
 * indicators), and taken from `reuse` when it has one of the length asked for.
 */
export function allocating<T>(
  { shared, reuse }: { shared: boolean; reuse?: FreeColumns | null },
  fn: () => T,
): T {
  const [wasShared, wasReusing] = [inShared, reusing];
  inShared = shared && typeof SharedArrayBuffer !== "undefined";
  reusing = reuse ?? null;
  try {
    return fn();
  } finally {
    inShared = wasShared;
    reusing = wasReusing;
  }
}

/** A Float64Array of `length` NaNs (in shared memory, or a freed column, inside allocating()). */
export function nans(length: number): Float64Array {
  const column =
    reusing?.take(length, inShared) ??
    (inShared ? new Float64Array(new SharedArrayBuffer(8 * length)) : new Float64Array(length));
  return column.fill(Number.NaN);
}
