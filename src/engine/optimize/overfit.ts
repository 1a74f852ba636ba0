import { normalCdf } from "./tpe.ts";

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1))
    return p === 0 ? Number.NEGATIVE_INFINITY : p === 1 ? Number.POSITIVE_INFINITY : Number.NaN;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowP = 0.02425;
  if (p < lowP) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - lowP) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

export interface DeflatedSharpe {
  /** probability that the best trial's true Sharpe ratio is above zero after deflating for the search */
  readonly dsr: number;
  /** per-bar Sharpe ratio of the best trial */
  readonly sr: number;
  /** expected maximum per-bar Sharpe ratio of `trials` skill-less trials */
  readonly sr0: number;
  readonly trials: number;
  /** returns behind the best trial's ratio */
  readonly n: number;
}

const EULER_GAMMA = 0.5772156649015329;

/**
 * Deflated Sharpe ratio (Bailey & López de Prado, "The Deflated Sharpe Ratio: Correcting for
 * Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40(5),
 * 2014): the probabilistic Sharpe ratio of the best trial against SR0, the maximum Sharpe ratio
 * expected from `trials` independent skill-less trials with the observed variance of Sharpe ratios:
 *
 *   SR0 = sqrt(V[SR]) ((1 - γ) Φ⁻¹(1 - 1/N) + γ Φ⁻¹(1 - 1/(N e)))
 *   DSR = Φ((SR - SR0) sqrt(T - 1) / sqrt(1 - skew SR + (kurt - 1)/4 SR²))
 *
 * All ratios are per bar (not annualized). A DSR under 0.95 says the best result is plausibly luck.
 * Trials are counted as independent, which overstates N for neighbouring grid cells (the paper's
 * caveat), so the DSR errs on the side of suspicion.
 */
export function deflatedSharpe({
  sr,
  srs,
  n,
  skew,
  kurt,
}: {
  sr: number;
  /** per-bar Sharpe ratios of every trial (NaN ignored) */
  srs: ArrayLike<number>;
  n: number;
  skew: number;
  kurt: number;
}): DeflatedSharpe {
  let count = 0;
  let mean = 0;
  for (let k = 0; k < srs.length; k++) {
    if (Number.isFinite(srs[k])) {
      count++;
      mean += srs[k];
    }
  }
  mean /= count || 1;
  let v = 0;
  for (let k = 0; k < srs.length; k++) if (Number.isFinite(srs[k])) v += (srs[k] - mean) ** 2;
  v = count > 1 ? v / (count - 1) : 0;
  const sr0 =
    count > 1
      ? Math.sqrt(v) *
        ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / count) +
          EULER_GAMMA * normalQuantile(1 - 1 / (count * Math.E)))
      : 0;
  const denom = Math.sqrt(Math.max(1e-12, 1 - skew * sr + ((kurt - 1) / 4) * sr * sr));
  const dsr = n > 1 && Number.isFinite(sr) ? normalCdf(((sr - sr0) * Math.sqrt(n - 1)) / denom) : Number.NaN;
  return Object.freeze({ dsr, sr, sr0, trials: count, n });
}
