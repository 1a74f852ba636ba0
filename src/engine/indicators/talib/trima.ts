import { checkRange, EMPTY, intParam, TA_INTEGER_DEFAULT, type TaRange } from "./core.ts";

/** TA_TRIMA_Lookback (ta_TRIMA.c): period - 1; -1 for a bad period. */
export function TA_TRIMA_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  if (optInTimePeriod === TA_INTEGER_DEFAULT) optInTimePeriod = 30;
  else if (optInTimePeriod < 2 || optInTimePeriod > 100000) return -1;
  return optInTimePeriod - 1;
}

/** TA_TRIMA (ta_TRIMA.c): triangular moving average (an SMA of an SMA), period 2..100000 (default 30). */
export function TA_TRIMA(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_TRIMA", startIdx, endIdx);
  optInTimePeriod = intParam("TA_TRIMA", optInTimePeriod, 30, 2, 100000);
  const lookbackTotal = optInTimePeriod - 1;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  const odd = optInTimePeriod % 2 === 1;
  let i = optInTimePeriod >> 1;
  const factor = 1.0 / (odd ? (i + 1) * (i + 1) : i * (i + 1));
  let trailingIdx = startIdx - lookbackTotal;
  let middleIdx = odd ? trailingIdx + i : trailingIdx + i - 1;
  let todayIdx = middleIdx + i;
  let numerator = 0.0;
  let numeratorSub = 0.0;
  for (i = middleIdx; i >= trailingIdx; i--) {
    const v = inReal[i];
    numeratorSub += v;
    numerator += numeratorSub;
  }
  let numeratorAdd = 0.0;
  middleIdx++;
  for (i = middleIdx; i <= todayIdx; i++) {
    const v = inReal[i];
    numeratorAdd += v;
    numerator += numeratorAdd;
  }
  let outIdx = 0;
  let tempReal = inReal[trailingIdx++];
  outReal[outIdx++] = numerator * factor;
  todayIdx++;
  // the odd and even cases differ only in the order of two statements, kept as in ta_TRIMA.c
  while (todayIdx <= endIdx) {
    numerator -= numeratorSub;
    numeratorSub -= tempReal;
    tempReal = inReal[middleIdx++];
    numeratorSub += tempReal;
    if (odd) {
      numerator += numeratorAdd;
      numeratorAdd -= tempReal;
    } else {
      numeratorAdd -= tempReal;
      numerator += numeratorAdd;
    }
    tempReal = inReal[todayIdx++];
    numeratorAdd += tempReal;
    numerator += tempReal;
    tempReal = inReal[trailingIdx++];
    outReal[outIdx++] = numerator * factor;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
