import { checkRange, EMPTY, intOpt, intParam, TA_INTEGER_DEFAULT, type TaRange } from "./core.ts";

/** TA_CCI_Lookback (ta_CCI.c): period - 1; -1 for a bad period. */
export function TA_CCI_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  const p = intOpt(optInTimePeriod, 14, 2, 100000);
  return p < 0 ? -1 : p - 1;
}

/**
 * TA_CCI (ta_CCI.c): commodity channel index of the typical price (h + l + c) / 3 with the mean absolute
 * deviation; 0 when either the deviation from the mean or the mean deviation is 0. The sums run over
 * TA-Lib's circular buffer in slot order (not time order), as in C. Period 2..100000 (default 14).
 */
export function TA_CCI(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_CCI", startIdx, endIdx);
  optInTimePeriod = intParam("TA_CCI", optInTimePeriod, 14, 2, 100000);
  const lookbackTotal = optInTimePeriod - 1;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  const circBuffer = new Float64Array(optInTimePeriod);
  const maxIdx = optInTimePeriod - 1;
  let circIdx = 0;
  let i = startIdx - lookbackTotal;
  if (optInTimePeriod > 1) {
    while (i < startIdx) {
      circBuffer[circIdx] = (inHigh[i] + inLow[i] + inClose[i]) / 3;
      i++;
      if (++circIdx > maxIdx) circIdx = 0;
    }
  }
  let outIdx = 0;
  do {
    const lastValue = (inHigh[i] + inLow[i] + inClose[i]) / 3;
    circBuffer[circIdx] = lastValue;
    let theAverage = 0;
    for (let j = 0; j < optInTimePeriod; j++) theAverage += circBuffer[j];
    theAverage /= optInTimePeriod;
    let tempReal2 = 0;
    for (let j = 0; j < optInTimePeriod; j++) tempReal2 += Math.abs(circBuffer[j] - theAverage);
    const tempReal = lastValue - theAverage;
    if (tempReal !== 0.0 && tempReal2 !== 0.0)
      outReal[outIdx++] = tempReal / (0.015 * (tempReal2 / optInTimePeriod));
    else outReal[outIdx++] = 0.0;
    if (++circIdx > maxIdx) circIdx = 0;
    i++;
  } while (i <= endIdx);
  return { begIdx: startIdx, nbElement: outIdx };
}
