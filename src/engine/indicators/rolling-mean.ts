import { checkPeriod, nans } from "./validate.ts";

/**
 * Rolling mean over the last `n` values, the current one included: pandas' `Series.rolling(n).mean()`
 * bit for bit. It replicates pandas 2.x `roll_mean` (aggregations.pyx): a running sum with separate Kahan
 * compensations for adds and removes, a run of identical values returned as that value (GH#42064), and
 * sign clamping (an all-positive window never yields a negative mean). backtesting.py builds its SMA with
 * this, and its golden GOOG test compares crossovers, so drift against pandas could flip a trade.
 *
 * NaN policy (pandas' with min_periods = n): a window holding a NaN (fewer than `minPeriods` valid values)
 * yields NaN. Warm-up: the first n - 1 outputs are NaN.
 *
 * @example rollingMean(Float64Array.of(1, 2, 3, 4), 2) // [NaN, 1.5, 2.5, 3.5]
 */
export function rollingMean(
  x: ArrayLike<number>,
  n: number,
  { minPeriods = n }: { minPeriods?: number } = {},
): Float64Array {
  checkPeriod(n);
  const len = x.length;
  const out = nans(len);
  let sum = 0;
  let compAdd = 0;
  let compRemove = 0;
  let nobs = 0;
  let negCt = 0;
  let prevValue = 0;
  let sameRun = 0;
  let y = 0;
  let t = 0;
  for (let i = 0; i < len; i++) {
    // pandas restarts from scratch on the first window and, for n = 1, on every window (they do not overlap)
    if (i === 0 || n === 1) {
      sum = compAdd = compRemove = 0;
      nobs = negCt = 0;
      prevValue = x[i];
      sameRun = 0;
    } else if (i >= n) {
      const w = x[i - n];
      if (!Number.isNaN(w)) {
        nobs--;
        y = -w - compRemove;
        t = sum + y;
        compRemove = t - sum - y;
        sum = t;
        if (w < 0 || (w === 0 && 1 / w < 0)) negCt--;
      }
    }
    const v = x[i];
    if (!Number.isNaN(v)) {
      nobs++;
      y = v - compAdd;
      t = sum + y;
      compAdd = t - sum - y;
      sum = t;
      if (v < 0 || (v === 0 && 1 / v < 0)) negCt++;
      sameRun = v === prevValue ? sameRun + 1 : 1;
      prevValue = v;
    }
    if (nobs >= minPeriods && nobs > 0) {
      let r = sum / nobs;
      if (sameRun >= nobs) r = prevValue;
      else if (negCt === 0 && r < 0) r = 0;
      else if (negCt === nobs && r > 0) r = 0;
      out[i] = r;
    }
  }
  return out;
}
