import {
  checkRange,
  EMPTY,
  intParam,
  isZero,
  TA_EPSILON_040,
  TA_INTEGER_DEFAULT,
  type TaRange,
} from "./core.ts";

/** TA_KAMA_Lookback (ta_KAMA.c): period (+ unstable period, 0); -1 for a bad period. */
export function TA_KAMA_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  if (optInTimePeriod === TA_INTEGER_DEFAULT) optInTimePeriod = 30;
  else if (optInTimePeriod < 2 || optInTimePeriod > 100000) return -1;
  return optInTimePeriod;
}

const CONST_MAX = 2.0 / (30.0 + 1.0);
const CONST_DIFF = 2.0 / (2.0 + 1.0) - CONST_MAX;

/** TA_KAMA (ta_KAMA.c): Kaufman adaptive moving average, period 2..100000 (default 30). */
export function TA_KAMA(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
  eps = TA_EPSILON_040,
): TaRange {
  checkRange("TA_KAMA", startIdx, endIdx);
  optInTimePeriod = intParam("TA_KAMA", optInTimePeriod, 30, 2, 100000);
  const lookbackTotal = optInTimePeriod;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  let sumROC1 = 0.0;
  let today = startIdx - lookbackTotal;
  let trailingIdx = today;
  let i = optInTimePeriod;
  let tempReal: number;
  let tempReal2: number;
  while (i-- > 0) {
    tempReal = inReal[today++];
    tempReal -= inReal[today];
    sumROC1 += Math.abs(tempReal);
  }
  let prevKAMA = inReal[today - 1];
  tempReal = inReal[today];
  tempReal2 = inReal[trailingIdx++];
  let periodROC = tempReal - tempReal2;
  let trailingValue = tempReal2;
  if (sumROC1 <= periodROC || isZero(sumROC1, eps)) tempReal = 1.0;
  else tempReal = Math.abs(periodROC / sumROC1);
  tempReal = tempReal * CONST_DIFF + CONST_MAX;
  tempReal *= tempReal;
  prevKAMA = (inReal[today++] - prevKAMA) * tempReal + prevKAMA;
  const step = (): void => {
    tempReal = inReal[today];
    tempReal2 = inReal[trailingIdx++];
    periodROC = tempReal - tempReal2;
    sumROC1 -= Math.abs(trailingValue - tempReal2);
    sumROC1 += Math.abs(tempReal - inReal[today - 1]);
    trailingValue = tempReal2;
    if (sumROC1 <= periodROC || isZero(sumROC1, eps)) tempReal = 1.0;
    else tempReal = Math.abs(periodROC / sumROC1);
    tempReal = tempReal * CONST_DIFF + CONST_MAX;
    tempReal *= tempReal;
    prevKAMA = (inReal[today++] - prevKAMA) * tempReal + prevKAMA;
  };
  while (today <= startIdx) step();
  outReal[0] = prevKAMA;
  let outIdx = 1;
  const begIdx = today - 1;
  while (today <= endIdx) {
    step();
    outReal[outIdx++] = prevKAMA;
  }
  return { begIdx, nbElement: outIdx };
}
