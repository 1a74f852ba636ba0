/** Moments of per-bar simple returns of an equity curve, for the deflated Sharpe ratio. */
export interface ReturnMoments {
  /** per-bar Sharpe ratio (mean / sample std), not annualized */
  readonly sr: number;
  readonly skew: number;
  /** kurtosis (not excess; 3 for a normal distribution) */
  readonly kurt: number;
  /** number of returns */
  readonly n: number;
}

/**
 * Moments of equity[k] / equity[k - 1] - 1 for k > from; NaN where undefined. One pass over the
 * curve with power sums (a search runs it on every trial's 1M-bar curve; the two-pass form cost
 * twice the divisions and reads), of the returns less the mean of the first ones, so that a drift
 * far above the spread loses nothing to the sums' cancellation (tested against two passes).
 */
export function returnMoments(equity: Float64Array, from = 0): ReturnMoments {
  const n = equity.length - from - 1;
  if (n < 2) return { sr: Number.NaN, skew: Number.NaN, kurt: Number.NaN, n: Math.max(0, n) };
  const head = Math.min(n, 64);
  let shift = 0;
  for (let k = from + 1; k <= from + head; k++) shift += equity[k] / equity[k - 1] - 1;
  shift /= head;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let k = from + 1; k < equity.length; k++) {
    const d = equity[k] / equity[k - 1] - 1 - shift;
    const d2 = d * d;
    s1 += d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
  }
  // central moments of the shifted returns (the same as the returns'), from the raw ones
  const m = s1 / n;
  const m2 = m * m;
  const pop = Math.max(0, s2 / n - m2);
  const m3 = s3 / n - 3 * m * (s2 / n) + 2 * m2 * m;
  const m4 = s4 / n - 4 * m * (s3 / n) + 6 * m2 * (s2 / n) - 3 * m2 * m2;
  const std = Math.sqrt((pop * n) / (n - 1));
  return {
    sr: std > 0 ? (m + shift) / std : Number.NaN,
    skew: pop > 0 ? m3 / pop ** 1.5 : Number.NaN,
    kurt: pop > 0 ? m4 / (pop * pop) : Number.NaN,
    n,
  };
}
