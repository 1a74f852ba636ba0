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

/** Moments of equity[k] / equity[k - 1] - 1 for k > from; NaN where undefined. */
export function returnMoments(equity: Float64Array, from = 0): ReturnMoments {
  const n = equity.length - from - 1;
  if (n < 2) return { sr: Number.NaN, skew: Number.NaN, kurt: Number.NaN, n: Math.max(0, n) };
  let mean = 0;
  for (let k = from + 1; k < equity.length; k++) mean += equity[k] / equity[k - 1] - 1;
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let k = from + 1; k < equity.length; k++) {
    const d = equity[k] / equity[k - 1] - 1 - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const std = Math.sqrt(m2 / (n - 1));
  const pop = m2 / n;
  return {
    sr: std > 0 ? mean / std : Number.NaN,
    skew: pop > 0 ? m3 / n / pop ** 1.5 : Number.NaN,
    kurt: pop > 0 ? m4 / n / (pop * pop) : Number.NaN,
    n,
  };
}
