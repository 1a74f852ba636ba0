import { checkRange, EMPTY, intParam, TA_INTEGER_DEFAULT, type TaRange } from "./core.ts";

/** TA_SMA_Lookback (ta_SMA.c): period - 1; -1 for a bad period. */
export function TA_SMA_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  if (optInTimePeriod === TA_INTEGER_DEFAULT) optInTimePeriod = 30;
  else if (optInTimePeriod < 2 || optInTimePeriod > 100000) return -1;
  return optInTimePeriod - 1;
}

/** TA_SMA (ta_SMA.c): simple moving average, period 2..100000 (default 30). */
export function TA_SMA(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_SMA", startIdx, endIdx);
  optInTimePeriod = intParam("TA_SMA", optInTimePeriod, 30, 2, 100000);
  return INT_SMA(startIdx, endIdx, inReal, optInTimePeriod, outReal);
}

/** TA_INT_SMA (ta_SMA.c): the unchecked SMA other functions call. */
export function INT_SMA(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  const lookbackTotal = optInTimePeriod - 1;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  let periodTotal = 0;
  let trailingIdx = startIdx - lookbackTotal;
  let i = trailingIdx;
  if (optInTimePeriod > 1) {
    while (i < startIdx) periodTotal += inReal[i++];
  }
  let outIdx = 0;
  do {
    periodTotal += inReal[i++];
    const tempReal = periodTotal;
    periodTotal -= inReal[trailingIdx++];
    outReal[outIdx++] = tempReal / optInTimePeriod;
  } while (i <= endIdx);
  return { begIdx: startIdx, nbElement: outIdx };
}
