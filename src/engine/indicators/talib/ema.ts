import { checkRange, EMPTY, intParam, perToK, TA_INTEGER_DEFAULT, type TaRange } from "./core.ts";

/** TA_EMA_Lookback (ta_EMA.c): period - 1 (+ the unstable period, 0); -1 for a bad period. */
export function TA_EMA_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  if (optInTimePeriod === TA_INTEGER_DEFAULT) optInTimePeriod = 30;
  else if (optInTimePeriod < 2 || optInTimePeriod > 100000) return -1;
  return optInTimePeriod - 1;
}

/** TA_EMA (ta_EMA.c): exponential moving average, k = 2 / (period + 1), period 2..100000 (default 30). */
export function TA_EMA(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_EMA", startIdx, endIdx);
  optInTimePeriod = intParam("TA_EMA", optInTimePeriod, 30, 2, 100000);
  return INT_EMA(startIdx, endIdx, inReal, optInTimePeriod, perToK(optInTimePeriod), outReal);
}

/**
 * TA_INT_EMA (ta_EMA.c), default compatibility: the EMA is seeded with the SMA of the `period` values that
 * end `lookback` bars before startIdx. So the value at startIdx depends on startIdx, not only on the data:
 * with startIdx = endIdx (python's talib.stream) the result is just the SMA of the last `period` values.
 */
export function INT_EMA(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  optInK_1: number,
  outReal: Float64Array,
): TaRange {
  // LOOKBACK_CALL(EMA) is the range-checked lookback: -1 for period 1 (MACD's signal period may be 1)
  const lookbackTotal = TA_EMA_Lookback(optInTimePeriod);
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  let today = startIdx - lookbackTotal;
  let i = optInTimePeriod;
  let tempReal = 0.0;
  while (i-- > 0) tempReal += inReal[today++];
  let prevMA = tempReal / optInTimePeriod;
  while (today <= startIdx) prevMA = (inReal[today++] - prevMA) * optInK_1 + prevMA;
  outReal[0] = prevMA;
  let outIdx = 1;
  while (today <= endIdx) {
    prevMA = (inReal[today++] - prevMA) * optInK_1 + prevMA;
    outReal[outIdx++] = prevMA;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
