import { checkLag, nans } from "./validate.ts";

/**
 * The value `k` bars ago: out[i] = x[i - k], NaN for the first k bars. k must be a non-negative integer (a
 * negative shift would look ahead).
 *
 * @example shift(closes, 1) // previous close
 */
export function shift(x: ArrayLike<number>, k: number): Float64Array {
  checkLag(k);
  const out = nans(x.length);
  for (let i = k; i < x.length; i++) out[i] = x[i - k];
  return out;
}

/** Alias of {@link shift}. */
export const lag = shift;
