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

/** Returns whose mean is the shift the power sums are taken about. */
export const MOMENT_HEAD = 64;

/**
 * Moments of equity[k] / equity[k - 1] - 1 for k > from; NaN where undefined. One pass over the
 * curve with power sums (a search runs it on every trial's 1M-bar curve; the two-pass form cost
 * twice the divisions and reads), of the returns less the mean of the first ones, so that a drift
 * far above the spread loses nothing to the sums' cancellation (tested against two passes).
 * ReturnSums takes the same returns one at a time, with the same arithmetic.
 */
export function returnMoments(equity: Float64Array, from = 0): ReturnMoments {
  const n = equity.length - from - 1;
  if (n < 2) return NO_MOMENTS(n);
  const head = Math.min(n, MOMENT_HEAD);
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
  return fromSums(n, shift, s1, s2, s3, s4);
}

const NO_MOMENTS = (n: number): ReturnMoments => ({
  sr: Number.NaN,
  skew: Number.NaN,
  kurt: Number.NaN,
  n: Math.max(0, n),
});

/** The moments of n returns from their power sums about `shift`. */
function fromSums(n: number, shift: number, s1: number, s2: number, s3: number, s4: number): ReturnMoments {
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

/**
 * returnMoments()'s Sharpe ratio taken one return at a time, for a run that keeps no equity column
 * (a screened signal run, Broker.runSignals, whose sumBars carries the sums past the head and
 * writes them back): the same returns added in the same order give the same ratio. Skew and
 * kurtosis are NaN: a search needs them of its best trial alone, which it runs again in full (the
 * two sums they take were a fifth of sumBars' time on 1M bars, every screened trial).
 */
export class ReturnSums {
  /** returns added */
  n = 0;
  shift = Number.NaN;
  s1 = 0;
  s2 = 0;
  /** set by whoever filled the sums; unset, the caller computes the moments from the equity */
  ready = false;
  readonly #head = new Float64Array(MOMENT_HEAD);

  reset(): this {
    this.n = 0;
    this.shift = Number.NaN;
    this.s1 = this.s2 = 0;
    this.ready = false;
    return this;
  }

  add(r: number): void {
    const k = this.n++;
    if (k >= MOMENT_HEAD) this.#sum(r);
    else {
      this.#head[k] = r;
      if (k === MOMENT_HEAD - 1) this.#flush(MOMENT_HEAD);
    }
  }

  #sum(r: number): void {
    const d = r - this.shift;
    this.s1 += d;
    this.s2 += d * d;
  }

  /** true once the head is in: the shift is known and add() only sums */
  get summing(): boolean {
    return this.n >= MOMENT_HEAD;
  }

  moments(): ReturnMoments {
    const n = this.n;
    if (n < 2) return NO_MOMENTS(n);
    if (n < MOMENT_HEAD) this.#flush(n);
    return fromSums(n, this.shift, this.s1, this.s2, Number.NaN, Number.NaN);
  }

  #flush(head: number): void {
    let shift = 0;
    for (let k = 0; k < head; k++) shift += this.#head[k];
    this.shift = shift / head;
    this.s1 = this.s2 = 0;
    for (let k = 0; k < head; k++) this.#sum(this.#head[k]);
  }
}
