import { checkRange, EMPTY, intOpt, intParam, TA_INTEGER_DEFAULT, type TaRange } from "./core.ts";

/** TA_AROON_Lookback (ta_AROON.c): period; -1 for a bad period. */
export function TA_AROON_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  return intOpt(optInTimePeriod, 14, 2, 100000);
}

/**
 * TA_AROON (ta_AROON.c): Aroon down and up over period + 1 bars, 100 / period × (period − bars since the
 * lowest low / highest high); ties go to the most recent bar. Period 2..100000 (default 14).
 */
export function TA_AROON(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  optInTimePeriod: number,
  outAroonDown: Float64Array,
  outAroonUp: Float64Array,
): TaRange {
  checkRange("TA_AROON", startIdx, endIdx);
  optInTimePeriod = intParam("TA_AROON", optInTimePeriod, 14, 2, 100000);
  if (startIdx < optInTimePeriod) startIdx = optInTimePeriod;
  if (startIdx > endIdx) return EMPTY;
  let outIdx = 0;
  let today = startIdx;
  let trailingIdx = startIdx - optInTimePeriod;
  let lowestIdx = -1;
  let highestIdx = -1;
  let lowest = 0.0;
  let highest = 0.0;
  const factor = 100.0 / optInTimePeriod;
  let tmp: number;
  while (today <= endIdx) {
    tmp = inLow[today];
    if (lowestIdx < trailingIdx) {
      lowestIdx = trailingIdx;
      lowest = inLow[lowestIdx];
      let i = lowestIdx;
      while (++i <= today) {
        tmp = inLow[i];
        if (tmp <= lowest) {
          lowestIdx = i;
          lowest = tmp;
        }
      }
    } else if (tmp <= lowest) {
      lowestIdx = today;
      lowest = tmp;
    }
    tmp = inHigh[today];
    if (highestIdx < trailingIdx) {
      highestIdx = trailingIdx;
      highest = inHigh[highestIdx];
      let i = highestIdx;
      while (++i <= today) {
        tmp = inHigh[i];
        if (tmp >= highest) {
          highestIdx = i;
          highest = tmp;
        }
      }
    } else if (tmp >= highest) {
      highestIdx = today;
      highest = tmp;
    }
    outAroonUp[outIdx] = factor * (optInTimePeriod - (today - highestIdx));
    outAroonDown[outIdx] = factor * (optInTimePeriod - (today - lowestIdx));
    outIdx++;
    trailingIdx++;
    today++;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
