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

// ta_MINUS_DI.c and ta_PLUS_DI.c are the same code with the directional-move test mirrored; `minus` picks
// the side. Wilder's smoothing is seeded with plain sums of the first period − 1 moves and true ranges.

/** TA_MINUS_DI_Lookback / TA_PLUS_DI_Lookback: period (1 for period 1); -1 for a bad period. */
export function TA_DI_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  const p = intOpt(optInTimePeriod, 14, 1, 100000);
  if (p < 0) return -1;
  return Math.max(p, 1);
}

/** TA_MINUS_DI_Lookback (ta_MINUS_DI.c). */
export const TA_MINUS_DI_Lookback = TA_DI_Lookback;
/** TA_PLUS_DI_Lookback (ta_PLUS_DI.c). */
export const TA_PLUS_DI_Lookback = TA_DI_Lookback;

/** TA_MINUS_DI (ta_MINUS_DI.c): −DI = 100 × smoothed −DM / smoothed TR; period 1..100000 (default 14). */
export function TA_MINUS_DI(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
  eps = TA_EPSILON_040,
): TaRange {
  return di("TA_MINUS_DI", true, startIdx, endIdx, inHigh, inLow, inClose, optInTimePeriod, outReal, eps);
}

/** TA_PLUS_DI (ta_PLUS_DI.c): +DI = 100 × smoothed +DM / smoothed TR; period 1..100000 (default 14). */
export function TA_PLUS_DI(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
  eps = TA_EPSILON_040,
): TaRange {
  return di("TA_PLUS_DI", false, startIdx, endIdx, inHigh, inLow, inClose, optInTimePeriod, outReal, eps);
}

/** TRUE_RANGE(TH, TL, YC) as the DI/DX/ADX sources define it. */
export function trueRange(th: number, tl: number, yc: number): number {
  let out = th - tl;
  let t = Math.abs(th - yc);
  if (t > out) out = t;
  t = Math.abs(tl - yc);
  if (t > out) out = t;
  return out;
}

function di(
  func: string,
  minus: boolean,
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
  eps: number,
): TaRange {
  checkRange(func, startIdx, endIdx);
  optInTimePeriod = intParam(func, optInTimePeriod, 14, 1, 100000);
  const lookbackTotal = Math.max(optInTimePeriod, 1);
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  let outIdx = 0;
  let today: number;
  let prevHigh: number;
  let prevLow: number;
  let prevClose: number;
  let diffP: number;
  let diffM: number;
  let tempReal: number;
  // the side's directional move is "taken" when it is positive and beats the other side
  const takes = (): boolean => (minus ? diffM > 0 && diffP < diffM : diffP > 0 && diffP > diffM);
  if (optInTimePeriod <= 1) {
    today = startIdx - 1;
    prevHigh = inHigh[today];
    prevLow = inLow[today];
    prevClose = inClose[today];
    while (today < endIdx) {
      today++;
      tempReal = inHigh[today];
      diffP = tempReal - prevHigh;
      prevHigh = tempReal;
      tempReal = inLow[today];
      diffM = prevLow - tempReal;
      prevLow = tempReal;
      if (takes()) {
        tempReal = trueRange(prevHigh, prevLow, prevClose);
        if (isZero(tempReal, eps)) outReal[outIdx++] = 0.0;
        else outReal[outIdx++] = (minus ? diffM : diffP) / tempReal;
      } else outReal[outIdx++] = 0.0;
      prevClose = inClose[today];
    }
    return { begIdx: startIdx, nbElement: outIdx };
  }
  let prevDM = 0.0;
  let prevTR = 0.0;
  today = startIdx - lookbackTotal;
  prevHigh = inHigh[today];
  prevLow = inLow[today];
  prevClose = inClose[today];
  let i = optInTimePeriod - 1;
  while (i-- > 0) {
    today++;
    tempReal = inHigh[today];
    diffP = tempReal - prevHigh;
    prevHigh = tempReal;
    tempReal = inLow[today];
    diffM = prevLow - tempReal;
    prevLow = tempReal;
    if (takes()) prevDM += minus ? diffM : diffP;
    tempReal = trueRange(prevHigh, prevLow, prevClose);
    prevTR += tempReal;
    prevClose = inClose[today];
  }
  const step = (): void => {
    today++;
    tempReal = inHigh[today];
    diffP = tempReal - prevHigh;
    prevHigh = tempReal;
    tempReal = inLow[today];
    diffM = prevLow - tempReal;
    prevLow = tempReal;
    if (takes()) prevDM = prevDM - prevDM / optInTimePeriod + (minus ? diffM : diffP);
    else prevDM = prevDM - prevDM / optInTimePeriod;
    tempReal = trueRange(prevHigh, prevLow, prevClose);
    prevTR = prevTR - prevTR / optInTimePeriod + tempReal;
    prevClose = inClose[today];
  };
  i = 0 + 1; // unstable period (0) + 1
  while (i-- !== 0) step();
  outReal[0] = !isZero(prevTR, eps) ? 100.0 * (prevDM / prevTR) : 0.0;
  outIdx = 1;
  while (today < endIdx) {
    step();
    outReal[outIdx++] = !isZero(prevTR, eps) ? 100.0 * (prevDM / prevTR) : 0.0;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}

/** TA_MINUS_DM_Lookback (ta_MINUS_DM.c): period − 1 (1 for period 1); -1 for a bad period. */
export function TA_MINUS_DM_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  const p = intOpt(optInTimePeriod, 14, 1, 100000);
  if (p < 0) return -1;
  return p > 1 ? p - 1 : 1;
}

/** TA_MINUS_DM (ta_MINUS_DM.c): smoothed −DM; period 1..100000 (default 14). TA_SAR uses period 1. */
export function TA_MINUS_DM(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_MINUS_DM", startIdx, endIdx);
  optInTimePeriod = intParam("TA_MINUS_DM", optInTimePeriod, 14, 1, 100000);
  const lookbackTotal = optInTimePeriod > 1 ? optInTimePeriod - 1 : 1;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  let outIdx = 0;
  let today: number;
  let prevHigh: number;
  let prevLow: number;
  let tempReal: number;
  let diffP: number;
  let diffM: number;
  if (optInTimePeriod <= 1) {
    today = startIdx - 1;
    prevHigh = inHigh[today];
    prevLow = inLow[today];
    while (today < endIdx) {
      today++;
      tempReal = inHigh[today];
      diffP = tempReal - prevHigh;
      prevHigh = tempReal;
      tempReal = inLow[today];
      diffM = prevLow - tempReal;
      prevLow = tempReal;
      outReal[outIdx++] = diffM > 0 && diffP < diffM ? diffM : 0;
    }
    return { begIdx: startIdx, nbElement: outIdx };
  }
  let prevMinusDM = 0.0;
  today = startIdx - lookbackTotal;
  prevHigh = inHigh[today];
  prevLow = inLow[today];
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
  }
  i = 0; // unstable period
  while (i-- !== 0) {
    today++;
    tempReal = inHigh[today];
    diffP = tempReal - prevHigh;
    prevHigh = tempReal;
    tempReal = inLow[today];
    diffM = prevLow - tempReal;
    prevLow = tempReal;
    if (diffM > 0 && diffP < diffM) prevMinusDM = prevMinusDM - prevMinusDM / optInTimePeriod + diffM;
    else prevMinusDM = prevMinusDM - prevMinusDM / optInTimePeriod;
  }
  outReal[0] = prevMinusDM;
  outIdx = 1;
  while (today < endIdx) {
    today++;
    tempReal = inHigh[today];
    diffP = tempReal - prevHigh;
    prevHigh = tempReal;
    tempReal = inLow[today];
    diffM = prevLow - tempReal;
    prevLow = tempReal;
    if (diffM > 0 && diffP < diffM) prevMinusDM = prevMinusDM - prevMinusDM / optInTimePeriod + diffM;
    else prevMinusDM = prevMinusDM - prevMinusDM / optInTimePeriod;
    outReal[outIdx++] = prevMinusDM;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
