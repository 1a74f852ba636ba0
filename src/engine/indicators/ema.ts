import { checkPeriod, firstValid, nans } from "./validate.ts";

export interface EmaOptions {
  /**
   * "sma" (default, TA-Lib): the first output, at bar n - 1, is the simple mean of the first n values, then
   * e += alpha·(x - e). "first" (pandas `ewm(span=n, adjust=false)`): the recursion starts at the first value.
   */
  seed?: "sma" | "first";
  /** pandas' `adjust=true`: the weighted mean with weights (1 - alpha)^k over all values so far. */
  adjust?: boolean;
}

/**
 * Exponential moving average with alpha = 2 / (n + 1). Every mode outputs NaN for the first n - 1 bars
 * (pandas modes as `min_periods=n`). Leading NaNs are skipped (so EMAs of other indicators chain); a NaN
 * after that propagates in the TA-Lib mode and is carried over in the pandas modes (`ignore_na=false`).
 *
 * @example ema(closes, 12) // TA-Lib EMA(12)
 * @example ema(closes, 12, { seed: "first" }) // pandas closes.ewm(span=12, adjust=False, min_periods=12).mean()
 */
export function ema(
  x: ArrayLike<number>,
  n: number,
  { seed = "sma", adjust = false }: EmaOptions = {},
): Float64Array {
  checkPeriod(n);
  const alpha = 2 / (n + 1);
  return adjust || seed === "first" ? ewmPandas(x, alpha, n, adjust) : emaTalib(x, n, alpha);
}

function emaTalib(x: ArrayLike<number>, n: number, alpha: number): Float64Array {
  const len = x.length;
  const out = nans(len);
  const f = firstValid(x);
  if (f + n > len) return out;
  let e = 0;
  for (let i = f; i < f + n; i++) e += x[i];
  e /= n;
  out[f + n - 1] = e;
  for (let i = f + n; i < len; i++) {
    e = (x[i] - e) * alpha + e;
    out[i] = e;
  }
  return out;
}

/** pandas' `ewma` (aggregations.pyx) without times: the mean of exponentially weighted values. */
export function ewmPandas(
  x: ArrayLike<number>,
  alpha: number,
  minPeriods: number,
  adjust: boolean,
): Float64Array {
  const len = x.length;
  const out = nans(len);
  if (len === 0) return out;
  const oldWtFactor = 1 - alpha;
  const newWt = adjust ? 1 : alpha;
  let weighted = x[0];
  let nobs = !Number.isNaN(weighted) ? 1 : 0;
  if (nobs >= minPeriods) out[0] = weighted;
  let oldWt = 1;
  for (let i = 1; i < len; i++) {
    const cur = x[i];
    const isObs = !Number.isNaN(cur);
    if (isObs) nobs++;
    if (!Number.isNaN(weighted)) {
      oldWt *= oldWtFactor;
      if (isObs) {
        if (weighted !== cur) weighted = (oldWt * weighted + newWt * cur) / (oldWt + newWt);
        oldWt = adjust ? oldWt + newWt : 1;
      }
    } else if (isObs) weighted = cur;
    if (nobs >= minPeriods) out[i] = weighted;
  }
  return out;
}
