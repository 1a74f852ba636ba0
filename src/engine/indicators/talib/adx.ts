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
import { trueRange } from "./di.ts";

/** TA_ADX_Lookback (ta_ADX.c): 2 × period − 1 (+ unstable, 0); -1 for a bad period. */
export function TA_ADX_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  const p = intOpt(optInTimePeriod, 14, 2, 100000);
  return p < 0 ? -1 : 2 * p - 1;
}

/**
 * TA_ADX (ta_ADX.c): average directional index. The first ADX is the plain mean of `period` DX values,
 * then Wilder's smoothing. Period 2..100000 (default 14).
 */
export function TA_ADX(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
  eps = TA_EPSILON_040,
): TaRange {
  checkRange("TA_ADX", startIdx, endIdx);
  optInTimePeriod = intParam("TA_ADX", optInTimePeriod, 14, 2, 100000);
  const lookbackTotal = 2 * optInTimePeriod - 1;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  let prevMinusDM = 0.0;
  let prevPlusDM = 0.0;
  let prevTR = 0.0;
  let today = startIdx - lookbackTotal;
  let prevHigh = inHigh[today];
  let prevLow = inLow[today];
  let prevClose = inClose[today];
  let tempReal: number;
  let diffP: number;
  let diffM: number;
  let i = optInTimePeriod - 1;
  while (i-- > 0) {
    today++;
    tempReal = inHigh[today];
    diffP = tempReal - prevHigh;
    prevHigh = tempReal;
    tempReal = inLow[today];
    diffM = prevLow - tempReal;
    prevLow = tempReal;
    if (diffM > 0 && diffP < diffM) prevMinusDM += diffM;
    else if (diffP > 0 && diffP > diffM) prevPlusDM += diffP;
    tempReal = trueRange(prevHigh, prevLow, prevClose);
    prevTR += tempReal;
    prevClose = inClose[today];
  }
  // one smoothing step of −DM, +DM and TR (the body shared by the three loops of ta_ADX.c)
  const smooth = (): void => {
    today++;
    tempReal = inHigh[today];
    diffP = tempReal - prevHigh;
    prevHigh = tempReal;
    tempReal = inLow[today];
    diffM = prevLow - tempReal;
    prevLow = tempReal;
    prevMinusDM -= prevMinusDM / optInTimePeriod;
    prevPlusDM -= prevPlusDM / optInTimePeriod;
    if (diffM > 0 && diffP < diffM) prevMinusDM += diffM;
    else if (diffP > 0 && diffP > diffM) prevPlusDM += diffP;
    tempReal = trueRange(prevHigh, prevLow, prevClose);
    prevTR = prevTR - prevTR / optInTimePeriod + tempReal;
    prevClose = inClose[today];
  };
  let sumDX = 0.0;
  i = optInTimePeriod;
  while (i-- > 0) {
    smooth();
    if (!isZero(prevTR, eps)) {
      const minusDI = 100.0 * (prevMinusDM / prevTR);
      const plusDI = 100.0 * (prevPlusDM / prevTR);
      tempReal = minusDI + plusDI;
      if (!isZero(tempReal, eps)) sumDX += 100.0 * (Math.abs(minusDI - plusDI) / tempReal);
    }
  }
  let prevADX = sumDX / optInTimePeriod;
  // (the unstable-period loop of ta_ADX.c runs 0 times)
  outReal[0] = prevADX;
  let outIdx = 1;
  while (today < endIdx) {
    smooth();
    if (!isZero(prevTR, eps)) {
      const minusDI = 100.0 * (prevMinusDM / prevTR);
      const plusDI = 100.0 * (prevPlusDM / prevTR);
      tempReal = minusDI + plusDI;
      if (!isZero(tempReal, eps)) {
        tempReal = 100.0 * (Math.abs(minusDI - plusDI) / tempReal);
        prevADX = (prevADX * (optInTimePeriod - 1) + tempReal) / optInTimePeriod;
      }
    }
    outReal[outIdx++] = prevADX;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}

/** TA_ADXR_Lookback (ta_ADXR.c): period + ADX lookback − 1 = 3 × period − 2; -1 for a bad period. */
export function TA_ADXR_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  const p = intOpt(optInTimePeriod, 14, 2, 100000);
  if (p < 0) return -1;
  return p > 1 ? p + TA_ADX_Lookback(p) - 1 : 3;
}

/** TA_ADXR (ta_ADXR.c): (ADX + ADX period − 1 bars ago) / 2; period 2..100000 (default 14). */
export function TA_ADXR(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
  eps = TA_EPSILON_040,
): TaRange {
  checkRange("TA_ADXR", startIdx, endIdx);
  optInTimePeriod = intParam("TA_ADXR", optInTimePeriod, 14, 2, 100000);
  const adxrLookback = TA_ADXR_Lookback(optInTimePeriod);
  if (startIdx < adxrLookback) startIdx = adxrLookback;
  if (startIdx > endIdx) return EMPTY;
  const adx = new Float64Array(endIdx - startIdx + optInTimePeriod);
  TA_ADX(startIdx - (optInTimePeriod - 1), endIdx, inHigh, inLow, inClose, optInTimePeriod, adx, eps);
  let i = optInTimePeriod - 1;
  let j = 0;
  let outIdx = 0;
  let nbElement = endIdx - startIdx + 2;
  while (--nbElement !== 0) outReal[outIdx++] = (adx[i++] + adx[j++]) / 2.0;
  return { begIdx: startIdx, nbElement: outIdx };
}
