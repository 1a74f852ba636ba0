import { checkPeriod, nans } from "./validate.ts";

/**
 * Rolling maximum of the last `n` values (current one included), O(n) with a monotonic deque of indices
 * (one Int32Array, no allocation per element). A window holding a NaN yields NaN.
 *
 * @example rollingMax(highs, 20) // Donchian upper band
 */
export function rollingMax(x: ArrayLike<number>, n: number): Float64Array {
  return extrema(x, n, true);
}

/** Rolling minimum of the last `n` values; see {@link rollingMax}. */
export function rollingMin(x: ArrayLike<number>, n: number): Float64Array {
  return extrema(x, n, false);
}

function extrema(x: ArrayLike<number>, n: number, max: boolean): Float64Array {
  checkPeriod(n);
  const len = x.length;
  const out = nans(len);
  // indices of candidates, values monotonic from head to tail; a full-length buffer avoids ring arithmetic
  const dq = new Int32Array(len);
  let head = 0;
  let tail = 0;
  let lastNan = -1;
  for (let i = 0; i < len; i++) {
    const v = x[i];
    if (Number.isNaN(v)) lastNan = i;
    else {
      // drop candidates the new value dominates
      if (max) while (tail > head && x[dq[tail - 1]] <= v) tail--;
      else while (tail > head && x[dq[tail - 1]] >= v) tail--;
      dq[tail++] = i;
    }
    // drop the front once it slides out of the window
    while (tail > head && dq[head] <= i - n) head++;
    if (i >= n - 1 && lastNan <= i - n && tail > head) out[i] = x[dq[head]];
  }
  return out;
}
