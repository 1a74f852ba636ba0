import { checkLengths } from "./atr.ts";
import { rollingMax, rollingMin } from "./rolling-extrema.ts";
import { rollingMean } from "./rolling-mean.ts";
import { checkPeriod } from "./validate.ts";

export interface Stochastic {
  k: Float64Array;
  d: Float64Array;
}

/**
 * Stochastic oscillator: raw %K = 100·(close - lowest low(k)) / (highest high(k) - lowest low(k)) (0 on a
 * flat range, as TA-Lib), %K = SMA(raw, smooth), %D = SMA(%K, d). smooth = 1 gives the fast stochastic;
 * the defaults (14, 3, 3) are the usual slow stochastic (TA-Lib's STOCH with SMA averages).
 */
export function stochastic(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  k = 14,
  d = 3,
  smooth = 3,
): Stochastic {
  checkPeriod(k, "k");
  checkPeriod(d, "d");
  checkPeriod(smooth, "smooth");
  checkLengths(high, low, close);
  const hh = rollingMax(high, k);
  const ll = rollingMin(low, k);
  const raw = hh;
  for (let i = 0; i < raw.length; i++) {
    const range = hh[i] - ll[i];
    raw[i] = range > 0 ? (100 * (close[i] - ll[i])) / range : range === 0 ? 0 : Number.NaN;
  }
  const kLine = smooth === 1 ? raw : skipNanMean(raw, smooth);
  return { k: kLine, d: skipNanMean(kLine, d) };
}

// rolling mean that starts after the leading NaNs of a derived series
function skipNanMean(x: Float64Array, n: number): Float64Array {
  let f = 0;
  while (f < x.length && Number.isNaN(x[f])) f++;
  const out = new Float64Array(x.length).fill(Number.NaN);
  out.set(rollingMean(x.subarray(f), n), f);
  return out;
}
