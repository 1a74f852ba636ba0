import { drawAdmissible, drawUniform } from "./random.ts";
import type { Rng } from "./rng.ts";
import type { Constraint, Params, Sampler } from "./sampler.ts";
import { type Dimension, paramKey, type SearchSpace } from "./space.ts";

/**
 * Tree-structured Parzen Estimator, a simplified port of Optuna's default TPESampler (optuna/optuna,
 * optuna/samplers/_tpe: Bergstra et al., "Algorithms for Hyper-Parameter Optimization", NeurIPS 2011):
 * - the first `startup` trials are uniform random;
 * - then trials are split into the best gamma(n) = min(ceil(0.1 n), 25) ("below") and the rest;
 * - each dimension gets two Parzen estimators (mixtures of truncated normals, one per observation
 *   plus a prior centred on the range with sigma = range; sigmas from the gaps to neighbours, clipped
 *   to [range / min(100, 1 + n), range] — Optuna's univariate "magic clip"); observation weights are
 *   Optuna's default_weights (flat for n < 25, older ones ramped down beyond);
 * - `candidates` points are drawn from the "below" mixtures and the one maximizing
 *   sum over dimensions of log l(x) - log g(x) is proposed.
 * Discrete dimensions are searched over the index of their values (step-sized bins, like Optuna's
 * IntDistribution with step). Differences from Optuna: dimensions are drawn jointly per candidate
 * so the constraint filters whole candidates; a batch of proposals is made from the same history
 * (like Optuna with n_jobs, but deterministic); candidates already evaluated are skipped.
 */
export function tpeSampler(
  space: SearchSpace,
  {
    trials,
    rand,
    constraint,
    startup = 10,
    candidates = 24,
  }: { trials: number; rand: Rng; constraint?: Constraint; startup?: number; candidates?: number },
): Sampler {
  const seen = new Set<string>();
  const history: { params: Params; score: number }[] = [];
  let asked = 0;

  const random = (): Params => {
    const p: Record<string, number> = { ...space.fixed };
    for (const d of space.dims) p[d.name] = drawUniform(d, rand);
    return p;
  };

  const propose = (): Params | undefined => {
    const scored = history.filter((h) => !Number.isNaN(h.score));
    if (history.length < startup || scored.length < 2) return drawAdmissible(random, { constraint, seen });
    const order = history
      .map((h, k) => ({ k, score: Number.isNaN(h.score) ? Number.NEGATIVE_INFINITY : h.score }))
      .sort((a, b) => b.score - a.score || a.k - b.k);
    const nBelow = Math.min(Math.ceil(0.1 * history.length), 25, scored.length);
    const belowSet = new Set(order.slice(0, nBelow).map((o) => o.k));
    const below: number[] = [];
    const above: number[] = [];
    for (let k = 0; k < history.length; k++) (belowSet.has(k) ? below : above).push(k);
    const models = space.dims.map((d) => {
      const x = (ks: number[]) => ks.map((k) => toUnit(d, history[k].params[d.name]));
      return { d, l: parzen(d, x(below)), g: parzen(d, x(above)) };
    });
    let best: Params | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < candidates; c++) {
      const p: Record<string, number> = { ...space.fixed };
      let s = 0;
      for (const { d, l, g } of models) {
        const u = sampleMixture(l, rand);
        const v = fromUnit(d, u);
        const snapped = toUnit(d, v);
        s += logPdfMixture(l, snapped) - logPdfMixture(g, snapped);
        p[d.name] = v;
      }
      if (constraint && !constraint(p)) continue;
      if (seen.has(paramKey(p))) continue;
      if (s > bestScore) [best, bestScore] = [p, s];
    }
    if (best) {
      seen.add(paramKey(best));
      return best;
    }
    return drawAdmissible(random, { constraint, seen });
  };

  return {
    ask(n) {
      const out: Params[] = [];
      while (asked < trials && out.length < n) {
        const p = propose();
        if (!p) {
          asked = trials;
          break;
        }
        out.push(p);
        asked++;
      }
      return out;
    },
    tell(params, score) {
      history.push({ params, score });
    },
  };
}

/** Discrete dimensions map to value indices k in [-0.5, m - 0.5]; continuous ones stay as they are. */
interface Bounds {
  readonly low: number;
  readonly high: number;
}
const unitBounds = (d: Dimension): Bounds =>
  d.continuous ? { low: d.low, high: d.high } : { low: -0.5, high: d.values.length - 0.5 };

function toUnit(d: Dimension, v: number): number {
  if (d.continuous) return v;
  const k = d.values.indexOf(v);
  return Math.max(k, 0);
}

function fromUnit(d: Dimension, u: number): number {
  if (d.continuous) return Math.min(d.high, Math.max(d.low, u));
  const k = Math.min(d.values.length - 1, Math.max(0, Math.round(u)));
  return d.values[k];
}

interface Mixture {
  readonly mu: Float64Array;
  readonly sigma: Float64Array;
  /** normalized */
  readonly w: Float64Array;
  readonly low: number;
  readonly high: number;
}

/** Optuna's default_weights: flat up to 25 observations, then a ramp from 1/n for the oldest. */
function defaultWeights(n: number): number[] {
  if (n < 25) return new Array(n).fill(1);
  const ramp = Array.from({ length: n - 25 }, (_, k) => 1 / n + ((1 - 1 / n) * k) / Math.max(1, n - 26));
  return [...ramp, ...new Array(25).fill(1)];
}

function parzen(d: Dimension, obs: number[]): Mixture {
  const { low, high } = unitBounds(d);
  const range = high - low;
  const prior = (low + high) / 2;
  const mus = [...obs, prior];
  const weights = [...defaultWeights(obs.length), 1];
  // sigma of each observation: the larger gap to its neighbours in sorted order (prior included)
  const order = mus.map((_, k) => k).sort((a, b) => mus[a] - mus[b]);
  const sigma = new Float64Array(mus.length);
  for (let r = 0; r < order.length; r++) {
    const m = mus[order[r]];
    const left = r > 0 ? m - mus[order[r - 1]] : m - low;
    const right = r < order.length - 1 ? mus[order[r + 1]] - m : high - m;
    sigma[order[r]] = Math.max(left, right);
  }
  const minSigma = range / Math.min(100, 1 + mus.length);
  for (let k = 0; k < sigma.length; k++) sigma[k] = Math.min(range, Math.max(minSigma, sigma[k]));
  sigma[mus.length - 1] = range;
  const total = weights.reduce((a, b) => a + b, 0);
  return {
    mu: Float64Array.from(mus),
    sigma,
    w: Float64Array.from(weights, (x) => x / total),
    low,
    high,
  };
}

function sampleMixture(m: Mixture, rand: Rng): number {
  let u = rand();
  let k = 0;
  while (k < m.w.length - 1 && u >= m.w[k]) u -= m.w[k++];
  for (let tries = 0; tries < 100; tries++) {
    const x = m.mu[k] + m.sigma[k] * rand.normal();
    if (x >= m.low && x <= m.high) return x;
  }
  return Math.min(m.high, Math.max(m.low, m.mu[k]));
}

const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** erf, Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7, plenty for ranking candidates). */
export function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return s * y;
}

export const normalCdf = (z: number): number => 0.5 * (1 + erf(z / SQRT2));

function logPdfMixture(m: Mixture, x: number): number {
  let maxTerm = Number.NEGATIVE_INFINITY;
  const terms = new Float64Array(m.mu.length);
  for (let k = 0; k < m.mu.length; k++) {
    const z = (x - m.mu[k]) / m.sigma[k];
    const mass = normalCdf((m.high - m.mu[k]) / m.sigma[k]) - normalCdf((m.low - m.mu[k]) / m.sigma[k]);
    terms[k] =
      Math.log(m.w[k]) - 0.5 * z * z - LOG_SQRT_2PI - Math.log(m.sigma[k]) - Math.log(Math.max(mass, 1e-300));
    if (terms[k] > maxTerm) maxTerm = terms[k];
  }
  let s = 0;
  for (let k = 0; k < terms.length; k++) s += Math.exp(terms[k] - maxTerm);
  return maxTerm + Math.log(s);
}
