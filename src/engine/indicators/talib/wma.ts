import { checkRange, EMPTY, intParam, TA_INTEGER_DEFAULT, type TaRange } from "./core.ts";

/** TA_WMA_Lookback (ta_WMA.c): period - 1; -1 for a bad period. */
export function TA_WMA_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  if (optInTimePeriod === TA_INTEGER_DEFAULT) optInTimePeriod = 30;
  else if (optInTimePeriod < 2 || optInTimePeriod > 100000) return -1;
  return optInTimePeriod - 1;
}

/** TA_WMA (ta_WMA.c): linearly weighted moving average, period 2..100000 (default 30). */
export function TA_WMA(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_WMA", startIdx, endIdx);
  optInTimePeriod = intParam("TA_WMA", optInTimePeriod, 30, 2, 100000);
  const lookbackTotal = optInTimePeriod - 1;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  if (optInTimePeriod === 1) {
    const n = endIdx - startIdx + 1;
    for (let k = 0; k < n; k++) outReal[k] = inReal[startIdx + k];
    return { begIdx: startIdx, nbElement: n };
  }
  const divider = (optInTimePeriod * (optInTimePeriod + 1)) >> 1;
  let outIdx = 0;
  let trailingIdx = startIdx - lookbackTotal;
  let periodSum = 0.0;
  let periodSub = 0.0;
  let inIdx = trailingIdx;
  let i = 1;
  while (inIdx < startIdx) {
    const tempReal = inReal[inIdx++];
    periodSub += tempReal;
    periodSum += tempReal * i;
    i++;
  }
  let trailingValue = 0.0;
  while (inIdx <= endIdx) {
    const tempReal = inReal[inIdx++];
    periodSub += tempReal;
    periodSub -= trailingValue;
    periodSum += tempReal * optInTimePeriod;
    trailingValue = inReal[trailingIdx++];
    outReal[outIdx++] = periodSum / divider;
    periodSum -= periodSub;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
