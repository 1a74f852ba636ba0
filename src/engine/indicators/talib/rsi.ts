import {
  checkRange,
  EMPTY,
  intOpt,
  intParam,
  isZero,
  TA_EPSILON_040,
  TA_INTEGER_DEFAULT,
  type TaRange,
} from "./core.ts";

/** TA_RSI_Lookback (ta_RSI.c): period (+ unstable, 0); -1 for a bad period. */
export function TA_RSI_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  return intOpt(optInTimePeriod, 14, 2, 100000);
}

/**
 * TA_RSI (ta_RSI.c), default compatibility: Wilder's RSI whose averages are seeded with the plain means of
 * the `period` changes that end at startIdx − unstable. With startIdx = endIdx (talib.stream.RSI) that is
 * Cutler's RSI of the last `period` changes, not the value of the whole-series RSI at that bar.
 * 0 when average gain + loss is zero (TA_IS_ZERO). Period 2..100000 (default 14).
 */
export function TA_RSI(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
  eps = TA_EPSILON_040,
): TaRange {
  checkRange("TA_RSI", startIdx, endIdx);
  optInTimePeriod = intParam("TA_RSI", optInTimePeriod, 14, 2, 100000);
  const lookbackTotal = optInTimePeriod;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  let outIdx = 0;
  // (period 1 copies the input in ta_RSI.c; unreachable after the range check)
  let today = startIdx - lookbackTotal;
  let prevValue = inReal[today];
  let prevGain = 0.0;
  let prevLoss = 0.0;
  let tempValue1: number;
  let tempValue2: number;
  today++;
  for (let i = optInTimePeriod; i > 0; i--) {
    tempValue1 = inReal[today++];
    tempValue2 = tempValue1 - prevValue;
    prevValue = tempValue1;
    if (tempValue2 < 0) prevLoss -= tempValue2;
    else prevGain += tempValue2;
  }
  prevLoss /= optInTimePeriod;
  prevGain /= optInTimePeriod;
  if (today > startIdx) {
    tempValue1 = prevGain + prevLoss;
    outReal[outIdx++] = !isZero(tempValue1, eps) ? 100.0 * (prevGain / tempValue1) : 0.0;
  } else {
    while (today < startIdx) {
      tempValue1 = inReal[today];
      tempValue2 = tempValue1 - prevValue;
      prevValue = tempValue1;
      prevLoss *= optInTimePeriod - 1;
      prevGain *= optInTimePeriod - 1;
      if (tempValue2 < 0) prevLoss -= tempValue2;
      else prevGain += tempValue2;
      prevLoss /= optInTimePeriod;
      prevGain /= optInTimePeriod;
      today++;
    }
  }
  while (today <= endIdx) {
    tempValue1 = inReal[today++];
    tempValue2 = tempValue1 - prevValue;
    prevValue = tempValue1;
    prevLoss *= optInTimePeriod - 1;
    prevGain *= optInTimePeriod - 1;
    if (tempValue2 < 0) prevLoss -= tempValue2;
    else prevGain += tempValue2;
    prevLoss /= optInTimePeriod;
    prevGain /= optInTimePeriod;
    tempValue1 = prevGain + prevLoss;
    outReal[outIdx++] = !isZero(tempValue1, eps) ? 100.0 * (prevGain / tempValue1) : 0.0;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
