import { checkPeriod, nans } from "./validate.ts";

/**
 * Linearly weighted moving average over the last `n` values, weights 1..n (newest heaviest), as TA-Lib's
 * WMA. O(n) with a running sum and a running weighted sum; the sums restart from the window whenever a NaN
 * has left it (a window holding a NaN yields NaN).
 */
export function wma(x: ArrayLike<number>, n: number): Float64Array {
  checkPeriod(n);
  const len = x.length;
  const out = nans(len);
  const divider = (n * (n + 1)) / 2;
  let sum = 0;
  let wsum = 0;
  let lastNan = -1;
  let fresh = true;
  for (let i = 0; i < len; i++) {
    if (Number.isNaN(x[i])) lastNan = i;
    if (i < n - 1) continue;
    if (lastNan > i - n) {
      fresh = true;
      continue;
    }
    if (fresh) {
      sum = 0;
      wsum = 0;
      for (let j = 0; j < n; j++) {
        const v = x[i - n + 1 + j];
        sum += v;
        wsum += v * (j + 1);
      }
      fresh = false;
    } else {
      // shifting the window lowers every old weight by one: subtract the old plain sum
      wsum += n * x[i] - sum;
      sum += x[i] - x[i - n];
    }
    out[i] = wsum / divider;
  }
  return out;
}
