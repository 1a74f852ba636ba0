import { checkRange, EMPTY, intOpt, intParam, TA_INTEGER_DEFAULT, type TaRange } from "./core.ts";

/** TA_WILLR_Lookback (ta_WILLR.c): period - 1; -1 for a bad period. */
export function TA_WILLR_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  const p = intOpt(optInTimePeriod, 14, 2, 100000);
  return p < 0 ? -1 : p - 1;
}

/** TA_WILLR (ta_WILLR.c): Williams %R, (highest − close) / (highest − lowest) × −100; period 2..100000. */
export function TA_WILLR(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_WILLR", startIdx, endIdx);
  optInTimePeriod = intParam("TA_WILLR", optInTimePeriod, 14, 2, 100000);
  const nbInitialElementNeeded = optInTimePeriod - 1;
  if (startIdx < nbInitialElementNeeded) startIdx = nbInitialElementNeeded;
  if (startIdx > endIdx) return EMPTY;
  let outIdx = 0;
  let today = startIdx;
  let trailingIdx = startIdx - nbInitialElementNeeded;
  let lowestIdx = -1;
  let highestIdx = -1;
  let diff = 0.0;
  let highest = 0.0;
  let lowest = 0.0;
  let tmp: number;
  while (today <= endIdx) {
    tmp = inLow[today];
    if (lowestIdx < trailingIdx) {
      lowestIdx = trailingIdx;
      lowest = inLow[lowestIdx];
      let i = lowestIdx;
      while (++i <= today) {
        tmp = inLow[i];
        if (tmp < lowest) {
          lowestIdx = i;
          lowest = tmp;
        }
      }
      diff = (highest - lowest) / -100.0;
    } else if (tmp <= lowest) {
      lowestIdx = today;
      lowest = tmp;
      diff = (highest - lowest) / -100.0;
    }
    tmp = inHigh[today];
    if (highestIdx < trailingIdx) {
      highestIdx = trailingIdx;
      highest = inHigh[highestIdx];
      let i = highestIdx;
      while (++i <= today) {
        tmp = inHigh[i];
        if (tmp > highest) {
          highestIdx = i;
          highest = tmp;
        }
      }
      diff = (highest - lowest) / -100.0;
    } else if (tmp >= highest) {
      highestIdx = today;
      highest = tmp;
      diff = (highest - lowest) / -100.0;
    }
    if (diff !== 0.0) outReal[outIdx++] = (highest - inClose[today]) / diff;
    else outReal[outIdx++] = 0.0;
    trailingIdx++;
    today++;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
