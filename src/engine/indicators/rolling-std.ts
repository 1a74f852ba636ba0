import { checkPeriod, nans } from "./validate.ts";

/**
 * Rolling standard deviation of the last `n` values. `ddof` 0 is the population deviation (TA-Lib's
 * STDDEV and BBANDS), 1 the sample deviation (pandas' `rolling(n).std()` default). Welford's running mean
 * and sum of squared deviations, updated on add and remove and recomputed exactly every n bars, so O(n)
 * overall; a window of identical values
 * gives exactly 0. A window holding a NaN yields NaN.
 */
export function rollingStd(
  x: ArrayLike<number>,
  n: number,
  { ddof = 1 }: { ddof?: number } = {},
): Float64Array {
  const v = rollingVar(x, n, { ddof });
  for (let i = 0; i < v.length; i++) v[i] = Math.sqrt(v[i]);
  return v;
}

/** Rolling variance; see {@link rollingStd}. */
export function rollingVar(
  x: ArrayLike<number>,
  n: number,
  { ddof = 1 }: { ddof?: number } = {},
): Float64Array {
  checkPeriod(n);
  if (!Number.isInteger(ddof) || ddof < 0) throw new Error(`invalid ddof: ${ddof}`);
  const len = x.length;
  const out = nans(len);
  let nobs = 0;
  let nanCount = 0;
  let mean = 0;
  let m2 = 0;
  let prevValue = Number.NaN;
  let sameRun = 0;
  let sinceExact = 0;
  // values are taken relative to a recent value `ref` so that v - ref is exact (Sterbenz) and the running
  // mean stays small: prices of 28,000 with a spread of 0.03 would otherwise lose 8 digits
  let ref = Number.NaN;
  for (let i = 0; i < len; i++) {
    if (Number.isNaN(ref) && !Number.isNaN(x[i])) ref = x[i];
    const v = x[i] - ref;
    if (!Number.isNaN(v)) {
      nobs++;
      const delta = v - mean;
      mean += delta / nobs;
      m2 += delta * (v - mean);
      sameRun = x[i] === prevValue ? sameRun + 1 : 1;
      prevValue = x[i];
    } else nanCount++;
    if (i >= n) {
      const w = x[i - n] - ref;
      if (!Number.isNaN(w)) {
        nobs--;
        if (nobs === 0) {
          mean = 0;
          m2 = 0;
        } else {
          const delta = w - mean;
          mean -= delta / nobs;
          m2 -= delta * (w - mean);
        }
      } else nanCount--;
    }
    if (i < n - 1 || nanCount > 0) continue;
    // removing values cancels catastrophically when the spread is tiny next to the level (prices):
    // redo the window exactly (two passes) every n bars, which bounds the drift at 2x the work
    if (++sinceExact >= n) {
      sinceExact = 0;
      ref = x[i];
      mean = 0;
      for (let j = i - n + 1; j <= i; j++) mean += x[j] - ref;
      mean /= n;
      m2 = 0;
      for (let j = i - n + 1; j <= i; j++) m2 += (x[j] - ref - mean) * (x[j] - ref - mean);
    }
    if (nobs > ddof) {
      // identical values must give 0, not the rounding residue of the running updates
      out[i] = sameRun >= nobs ? 0 : Math.max(m2, 0) / (nobs - ddof);
    }
  }
  return out;
}
