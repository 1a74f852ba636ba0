import { ema } from "./ema.ts";
import { checkPeriod } from "./validate.ts";

export interface Macd {
  macd: Float64Array;
  signal: Float64Array;
  histogram: Float64Array;
}

/**
 * MACD: macd = EMA(fast) - EMA(slow), signal = EMA(macd, signal), histogram = macd - signal, EMAs seeded
 * with their SMA (see {@link ema}). The macd line starts at bar slow - 1, the signal at slow + signal - 2.
 * TA-Lib seeds its fast EMA later so that both start together, so its first values differ slightly; the
 * difference decays geometrically.
 */
export function macd(x: ArrayLike<number>, fast = 12, slow = 26, signal = 9): Macd {
  checkPeriod(fast, "fast");
  checkPeriod(slow, "slow");
  checkPeriod(signal, "signal");
  if (fast >= slow) throw new Error(`invalid fast: ${fast} (must be below slow ${slow})`);
  const line = ema(x, fast);
  const slowLine = ema(x, slow);
  for (let i = 0; i < line.length; i++) line[i] -= slowLine[i];
  const sig = ema(line, signal);
  const histogram = new Float64Array(line.length);
  for (let i = 0; i < line.length; i++) histogram[i] = line[i] - sig[i];
  return { macd: line, signal: sig, histogram };
}
