import { checkPeriod, nans } from "./validate.ts";

/**
 * Rolling sum of the last `n` values, as pandas' `rolling(n).sum()` (Kahan-compensated running sum; a run
 * of identical values sums exactly to value × count). A window holding a NaN yields NaN.
 */
export function rollingSum(x: ArrayLike<number>, n: number): Float64Array {
  checkPeriod(n);
  const len = x.length;
  const out = nans(len);
  let sum = 0;
  let compAdd = 0;
  let compRemove = 0;
  let nobs = 0;
  let prevValue = 0;
  let sameRun = 0;
  let y = 0;
  let t = 0;
  for (let i = 0; i < len; i++) {
    const s = i + 1 > n ? i + 1 - n : 0;
    if (i === 0 || s >= i) {
      sum = compAdd = compRemove = 0;
      nobs = 0;
      prevValue = x[s];
      sameRun = 0;
      for (let j = s; j <= i; j++) {
        const v = x[j];
        if (!Number.isNaN(v)) {
          nobs++;
          y = v - compAdd;
          t = sum + y;
          compAdd = t - sum - y;
          sum = t;
          sameRun = v === prevValue ? sameRun + 1 : 1;
          prevValue = v;
        }
      }
    } else {
      if (i >= n) {
        const v = x[i - n];
        if (!Number.isNaN(v)) {
          nobs--;
          y = -v - compRemove;
          t = sum + y;
          compRemove = t - sum - y;
          sum = t;
        }
      }
      const v = x[i];
      if (!Number.isNaN(v)) {
        nobs++;
        y = v - compAdd;
        t = sum + y;
        compAdd = t - sum - y;
        sum = t;
        sameRun = v === prevValue ? sameRun + 1 : 1;
        prevValue = v;
      }
    }
    if (nobs >= n) out[i] = sameRun >= nobs ? prevValue * nobs : sum;
  }
  return out;
}
