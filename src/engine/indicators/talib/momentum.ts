import { checkRange, EMPTY, intOpt, intParam, TA_INTEGER_DEFAULT, type TaRange } from "./core.ts";

/** TA_MOM_Lookback (ta_MOM.c): period; -1 for a bad period. */
export function TA_MOM_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  return intOpt(optInTimePeriod, 10, 1, 100000);
}

/** TA_MOM (ta_MOM.c): x[t] − x[t − period], period 1..100000 (default 10). */
export function TA_MOM(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_MOM", startIdx, endIdx);
  optInTimePeriod = intParam("TA_MOM", optInTimePeriod, 10, 1, 100000);
  if (startIdx < optInTimePeriod) startIdx = optInTimePeriod;
  if (startIdx > endIdx) return EMPTY;
  let outIdx = 0;
  let inIdx = startIdx;
  let trailingIdx = startIdx - optInTimePeriod;
  while (inIdx <= endIdx) outReal[outIdx++] = inReal[inIdx++] - inReal[trailingIdx++];
  return { begIdx: startIdx, nbElement: outIdx };
}

/** TA_ROC_Lookback (ta_ROC.c): period; -1 for a bad period. */
export function TA_ROC_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  return intOpt(optInTimePeriod, 10, 1, 100000);
}

/** TA_ROC (ta_ROC.c): (x[t] / x[t − period] − 1) × 100, 0 where x[t − period] is 0; period 1..100000. */
export function TA_ROC(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_ROC", startIdx, endIdx);
  optInTimePeriod = intParam("TA_ROC", optInTimePeriod, 10, 1, 100000);
  if (startIdx < optInTimePeriod) startIdx = optInTimePeriod;
  if (startIdx > endIdx) return EMPTY;
  let outIdx = 0;
  let inIdx = startIdx;
  let trailingIdx = startIdx - optInTimePeriod;
  while (inIdx <= endIdx) {
    const tempReal = inReal[trailingIdx++];
    if (tempReal !== 0.0) outReal[outIdx++] = (inReal[inIdx] / tempReal - 1.0) * 100.0;
    else outReal[outIdx++] = 0.0;
    inIdx++;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
