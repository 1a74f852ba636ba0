import { rollingMean } from "./rolling-mean.ts";
import { rollingStd } from "./rolling-std.ts";

export interface Bollinger {
  middle: Float64Array;
  upper: Float64Array;
  lower: Float64Array;
}

/**
 * Bollinger bands: middle = SMA(n), upper/lower = middle ± k·std. `ddof` defaults to 0, the population
 * deviation of TA-Lib's BBANDS and of Bollinger's own definition; pass `{ ddof: 1 }` for pandas'
 * `rolling(n).std()`.
 */
export function bollinger(
  x: ArrayLike<number>,
  n = 20,
  k = 2,
  { ddof = 0 }: { ddof?: number } = {},
): Bollinger {
  if (!Number.isFinite(k)) throw new Error(`invalid k: ${k}`);
  const middle = rollingMean(x, n);
  const sd = rollingStd(x, n, { ddof });
  const upper = new Float64Array(x.length);
  const lower = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    upper[i] = middle[i] + k * sd[i];
    lower[i] = middle[i] - k * sd[i];
  }
  return { middle, upper, lower };
}
