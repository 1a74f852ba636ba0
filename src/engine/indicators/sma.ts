import { recall } from "../optimize/memo.ts";
import { rollingMean } from "./rolling-mean.ts";

/**
 * Simple moving average of the last `n` values (current one included); NaN for the first n - 1 and for
 * any window holding a NaN. Equal to pandas' `rolling(n).mean()`, as backtesting.py computes it.
 *
 * @example sma(closes, 10)
 */
export function sma(x: ArrayLike<number>, n: number): Float64Array {
  // shared across an optimizer's runs when it has made a memo active (optimize/memo.ts)
  return recall("sma", x, [n], () => rollingMean(x, n));
}
