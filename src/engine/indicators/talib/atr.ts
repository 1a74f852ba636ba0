import { checkRange, EMPTY, intOpt, intParam, TA_INTEGER_DEFAULT, type TaRange } from "./core.ts";
import { INT_SMA } from "./sma.ts";

/** TA_TRANGE_Lookback (ta_TRANGE.c): 1. */
export function TA_TRANGE_Lookback(): number {
  return 1;
}

/** TA_TRANGE (ta_TRANGE.c): true range, max(high − low, |prevClose − high|, |prevClose − low|). */
export function TA_TRANGE(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_TRANGE", startIdx, endIdx);
  if (startIdx < 1) startIdx = 1;
  if (startIdx > endIdx) return EMPTY;
  let outIdx = 0;
  let today = startIdx;
  while (today <= endIdx) {
    const tempLT = inLow[today];
    const tempHT = inHigh[today];
    const tempCY = inClose[today - 1];
    let greatest = tempHT - tempLT;
    const val2 = Math.abs(tempCY - tempHT);
    if (val2 > greatest) greatest = val2;
    const val3 = Math.abs(tempCY - tempLT);
    if (val3 > greatest) greatest = val3;
    outReal[outIdx++] = greatest;
    today++;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}

/** TA_ATR_Lookback (ta_ATR.c): period (+ unstable period, 0); -1 for a bad period. */
export function TA_ATR_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  return intOpt(optInTimePeriod, 14, 1, 100000);
}

/**
 * TA_ATR (ta_ATR.c): Wilder's average true range, seeded with the SMA of the `period` true ranges that end
 * at startIdx − unstable (so talib.stream.ATR is the plain mean of the last `period` true ranges).
 * Period 1..100000 (default 14); period 1 is TRANGE.
 */
export function TA_ATR(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_ATR", startIdx, endIdx);
  optInTimePeriod = intParam("TA_ATR", optInTimePeriod, 14, 1, 100000);
  const lookbackTotal = optInTimePeriod;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  if (optInTimePeriod <= 1) return TA_TRANGE(startIdx, endIdx, inHigh, inLow, inClose, outReal);
  const tempBuffer = new Float64Array(lookbackTotal + (endIdx - startIdx) + 1);
  TA_TRANGE(startIdx - lookbackTotal + 1, endIdx, inHigh, inLow, inClose, tempBuffer);
  const prevATRTemp = new Float64Array(1);
  INT_SMA(optInTimePeriod - 1, optInTimePeriod - 1, tempBuffer, optInTimePeriod, prevATRTemp);
  let prevATR = prevATRTemp[0];
  let today = optInTimePeriod;
  let outIdx = 1;
  outReal[0] = prevATR;
  let nbATR = endIdx - startIdx + 1;
  while (--nbATR !== 0) {
    prevATR *= optInTimePeriod - 1;
    prevATR += tempBuffer[today++];
    prevATR /= optInTimePeriod;
    outReal[outIdx++] = prevATR;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
