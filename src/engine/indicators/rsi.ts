import { checkPeriod, firstValid, nans } from "./validate.ts";

/**
 * Relative Strength Index with Wilder's smoothing, as TA-Lib's RSI: the first averages (at bar n) are the
 * plain means of the first n gains and losses, then avg = (avg·(n - 1) + current) / n. RSI = 100·gain /
 * (gain + loss); 0 when both averages are 0 (TA-Lib). Leading NaNs are skipped; a later NaN propagates.
 *
 * @example rsi(closes) // RSI(14)
 */
export function rsi(x: ArrayLike<number>, n = 14): Float64Array {
  checkPeriod(n);
  const len = x.length;
  const out = nans(len);
  const f = firstValid(x);
  if (f + n >= len) return out;
  let gain = 0;
  let loss = 0;
  for (let i = f + 1; i <= f + n; i++) {
    const d = x[i] - x[i - 1];
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= n;
  loss /= n;
  out[f + n] = ratio(gain, loss);
  for (let i = f + n + 1; i < len; i++) {
    const d = x[i] - x[i - 1];
    // Math.max keeps a NaN change NaN instead of counting it as no move
    const up = Math.max(d, 0);
    const down = Math.max(-d, 0);
    gain = (gain * (n - 1) + up) / n;
    loss = (loss * (n - 1) + down) / n;
    out[i] = ratio(gain, loss);
  }
  return out;
}

function ratio(gain: number, loss: number): number {
  const total = gain + loss;
  // TA-Lib's TA_IS_ZERO threshold
  return total > -1e-14 && total < 1e-14 ? 0 : (100 * gain) / total;
}
