import { checkRange, EMPTY, REAL_MAX, realParam, TA_REAL_DEFAULT, type TaRange } from "./core.ts";
import { TA_MINUS_DM } from "./di.ts";

/** TA_SAR_Lookback (ta_SAR.c): 1; -1 for bad options. */
export function TA_SAR_Lookback(optInAcceleration = TA_REAL_DEFAULT, optInMaximum = TA_REAL_DEFAULT): number {
  if (optInAcceleration !== TA_REAL_DEFAULT && (optInAcceleration < 0 || optInAcceleration > REAL_MAX))
    return -1;
  if (optInMaximum !== TA_REAL_DEFAULT && (optInMaximum < 0 || optInMaximum > REAL_MAX)) return -1;
  return 1;
}

/**
 * TA_SAR (ta_SAR.c): Wilder's parabolic SAR. The first direction comes from −DM(1) at startIdx (short
 * when the low fell more than the high rose) and the first SAR is the previous bar's low or high, so with
 * startIdx = endIdx (talib.stream.SAR) only the last two bars matter. An acceleration above the maximum is
 * cut to the maximum. Acceleration and maximum 0..3e37 (defaults 0.02 and 0.2).
 */
export function TA_SAR(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  optInAcceleration: number,
  optInMaximum: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_SAR", startIdx, endIdx);
  optInAcceleration = realParam("TA_SAR", optInAcceleration, 0.02, 0, REAL_MAX);
  optInMaximum = realParam("TA_SAR", optInMaximum, 0.2, 0, REAL_MAX);
  if (startIdx < 1) startIdx = 1;
  if (startIdx > endIdx) return EMPTY;
  let af = optInAcceleration;
  if (af > optInMaximum) af = optInAcceleration = optInMaximum;
  const epTemp = new Float64Array(1);
  TA_MINUS_DM(startIdx, startIdx, inHigh, inLow, 1, epTemp);
  let isLong = epTemp[0] > 0 ? 0 : 1;
  let outIdx = 0;
  let todayIdx = startIdx;
  let newHigh = inHigh[todayIdx - 1];
  let newLow = inLow[todayIdx - 1];
  let ep: number;
  let sar: number;
  if (isLong === 1) {
    ep = inHigh[todayIdx];
    sar = newLow;
  } else {
    ep = inLow[todayIdx];
    sar = newHigh;
  }
  newLow = inLow[todayIdx];
  newHigh = inHigh[todayIdx];
  while (todayIdx <= endIdx) {
    const prevLow = newLow;
    const prevHigh = newHigh;
    newLow = inLow[todayIdx];
    newHigh = inHigh[todayIdx];
    todayIdx++;
    if (isLong === 1) {
      if (newLow <= sar) {
        isLong = 0;
        sar = ep;
        if (sar < prevHigh) sar = prevHigh;
        if (sar < newHigh) sar = newHigh;
        outReal[outIdx++] = sar;
        af = optInAcceleration;
        ep = newLow;
        sar = sar + af * (ep - sar);
        if (sar < prevHigh) sar = prevHigh;
        if (sar < newHigh) sar = newHigh;
      } else {
        outReal[outIdx++] = sar;
        if (newHigh > ep) {
          ep = newHigh;
          af += optInAcceleration;
          if (af > optInMaximum) af = optInMaximum;
        }
        sar = sar + af * (ep - sar);
        if (sar > prevLow) sar = prevLow;
        if (sar > newLow) sar = newLow;
      }
    } else if (newHigh >= sar) {
      isLong = 1;
      sar = ep;
      if (sar > prevLow) sar = prevLow;
      if (sar > newLow) sar = newLow;
      outReal[outIdx++] = sar;
      af = optInAcceleration;
      ep = newHigh;
      sar = sar + af * (ep - sar);
      if (sar > prevLow) sar = prevLow;
      if (sar > newLow) sar = newLow;
    } else {
      outReal[outIdx++] = sar;
      if (newLow < ep) {
        ep = newLow;
        af += optInAcceleration;
        if (af > optInMaximum) af = optInMaximum;
      }
      sar = sar + af * (ep - sar);
      if (sar < prevHigh) sar = prevHigh;
      if (sar < newHigh) sar = newHigh;
    }
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
