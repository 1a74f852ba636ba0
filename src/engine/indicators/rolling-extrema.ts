import { checkPeriod, nans } from "./validate.ts";

/**
 * Rolling maximum of the last `n` values (current one included), O(n) with a monotonic deque of indices
 * kept in a ring buffer (no allocation per element). A window holding a NaN yields NaN.
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
  const cap = Math.min(n, len) + 1;
  const dq = new Int32Array(cap);
  let head = 0;
  let size = 0;
  let lastNan = -1;
  for (let i = 0; i < len; i++) {
    const v = x[i];
    if (Number.isNaN(v)) lastNan = i;
    else {
      // drop candidates the new value dominates
      while (size > 0) {
        const back = x[dq[(head + size - 1) % cap]];
        if (max ? back <= v : back >= v) size--;
        else break;
      }
      dq[(head + size) % cap] = i;
      size++;
    }
    // drop the front once it slides out of the window
    while (size > 0 && dq[head] <= i - n) {
      head = (head + 1) % cap;
      size--;
    }
    if (i >= n - 1 && lastNan <= i - n && size > 0) out[i] = x[dq[head]];
  }
  return out;
}
