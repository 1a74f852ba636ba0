import {
  checkRange,
  EMPTY,
  intOpt,
  intParam,
  TA_EPSILON_040,
  TA_INTEGER_DEFAULT,
  type TaRange,
} from "./core.ts";
import { TA_MA, TA_MA_Lookback } from "./ma.ts";

/** TA_STOCH_Lookback (ta_STOCH.c): fastK − 1 + the two MA lookbacks; -1 for bad options. */
export function TA_STOCH_Lookback(
  optInFastK_Period = TA_INTEGER_DEFAULT,
  optInSlowK_Period = TA_INTEGER_DEFAULT,
  optInSlowK_MAType = TA_INTEGER_DEFAULT,
  optInSlowD_Period = TA_INTEGER_DEFAULT,
  optInSlowD_MAType = TA_INTEGER_DEFAULT,
): number {
  const fk = intOpt(optInFastK_Period, 5, 1, 100000);
  const sk = intOpt(optInSlowK_Period, 3, 1, 100000);
  const skm = intOpt(optInSlowK_MAType, 0, 0, 8);
  const sd = intOpt(optInSlowD_Period, 3, 1, 100000);
  const sdm = intOpt(optInSlowD_MAType, 0, 0, 8);
  if (fk < 0 || sk < 0 || skm < 0 || sd < 0 || sdm < 0) return -1;
  return fk - 1 + TA_MA_Lookback(sk, skm) + TA_MA_Lookback(sd, sdm);
}

/** TA_STOCHF_Lookback (ta_STOCHF.c): fastK − 1 + the %D MA lookback; -1 for bad options. */
export function TA_STOCHF_Lookback(
  optInFastK_Period = TA_INTEGER_DEFAULT,
  optInFastD_Period = TA_INTEGER_DEFAULT,
  optInFastD_MAType = TA_INTEGER_DEFAULT,
): number {
  const fk = intOpt(optInFastK_Period, 5, 1, 100000);
  const fd = intOpt(optInFastD_Period, 3, 1, 100000);
  const fdm = intOpt(optInFastD_MAType, 0, 0, 8);
  if (fk < 0 || fd < 0 || fdm < 0) return -1;
  return fk - 1 + TA_MA_Lookback(fd, fdm);
}

/**
 * The raw %K loop shared by ta_STOCH.c and ta_STOCHF.c: 100 × (close − lowest low) / (highest high −
 * lowest low) over fastK bars, 0 when the range is 0, from `today` to endIdx into `buffer`.
 */
function fastK(
  trailingIdx: number,
  today: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  buffer: Float64Array,
): number {
  let outIdx = 0;
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
      diff = (highest - lowest) / 100.0;
    } else if (tmp <= lowest) {
      lowestIdx = today;
      lowest = tmp;
      diff = (highest - lowest) / 100.0;
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
      diff = (highest - lowest) / 100.0;
    } else if (tmp >= highest) {
      highestIdx = today;
      highest = tmp;
      diff = (highest - lowest) / 100.0;
    }
    if (diff !== 0.0) buffer[outIdx++] = (inClose[today] - lowest) / diff;
    else buffer[outIdx++] = 0.0;
    trailingIdx++;
    today++;
  }
  return outIdx;
}

/**
 * TA_STOCH (ta_STOCH.c): slow %K = MA(slowK) of raw %K (smoothed in place, as in C), slow %D = MA(slowD)
 * of slow %K. FastK 1..100000 (5), slowK/slowD 1..100000 (3), MA types 0..8 (SMA).
 */
export function TA_STOCH(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  optInFastK_Period: number,
  optInSlowK_Period: number,
  optInSlowK_MAType: number,
  optInSlowD_Period: number,
  optInSlowD_MAType: number,
  outSlowK: Float64Array,
  outSlowD: Float64Array,
  eps = TA_EPSILON_040,
): TaRange {
  checkRange("TA_STOCH", startIdx, endIdx);
  optInFastK_Period = intParam("TA_STOCH", optInFastK_Period, 5, 1, 100000);
  optInSlowK_Period = intParam("TA_STOCH", optInSlowK_Period, 3, 1, 100000);
  optInSlowK_MAType = intParam("TA_STOCH", optInSlowK_MAType, 0, 0, 8);
  optInSlowD_Period = intParam("TA_STOCH", optInSlowD_Period, 3, 1, 100000);
  optInSlowD_MAType = intParam("TA_STOCH", optInSlowD_MAType, 0, 0, 8);
  const lookbackK = optInFastK_Period - 1;
  const lookbackKSlow = TA_MA_Lookback(optInSlowK_Period, optInSlowK_MAType);
  const lookbackDSlow = TA_MA_Lookback(optInSlowD_Period, optInSlowD_MAType);
  const lookbackTotal = lookbackK + lookbackDSlow + lookbackKSlow;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  const trailingIdx = startIdx - lookbackTotal;
  const today = trailingIdx + lookbackK;
  const tempBuffer = new Float64Array(endIdx - today + 1);
  const outIdx = fastK(trailingIdx, today, endIdx, inHigh, inLow, inClose, tempBuffer);
  const k = TA_MA(0, outIdx - 1, tempBuffer, optInSlowK_Period, optInSlowK_MAType, tempBuffer, eps);
  if (k.nbElement === 0) return EMPTY;
  const d = TA_MA(0, k.nbElement - 1, tempBuffer, optInSlowD_Period, optInSlowD_MAType, outSlowD, eps);
  for (let i = 0; i < d.nbElement; i++) outSlowK[i] = tempBuffer[lookbackDSlow + i];
  return { begIdx: startIdx, nbElement: d.nbElement };
}

/**
 * TA_STOCHF (ta_STOCHF.c): fast %K (raw) and fast %D = MA(fastD) of it. FastK 1..100000 (5), fastD
 * 1..100000 (3), MA type 0..8 (SMA).
 */
export function TA_STOCHF(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  optInFastK_Period: number,
  optInFastD_Period: number,
  optInFastD_MAType: number,
  outFastK: Float64Array,
  outFastD: Float64Array,
  eps = TA_EPSILON_040,
): TaRange {
  checkRange("TA_STOCHF", startIdx, endIdx);
  optInFastK_Period = intParam("TA_STOCHF", optInFastK_Period, 5, 1, 100000);
  optInFastD_Period = intParam("TA_STOCHF", optInFastD_Period, 3, 1, 100000);
  optInFastD_MAType = intParam("TA_STOCHF", optInFastD_MAType, 0, 0, 8);
  const lookbackK = optInFastK_Period - 1;
  const lookbackFastD = TA_MA_Lookback(optInFastD_Period, optInFastD_MAType);
  const lookbackTotal = lookbackK + lookbackFastD;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  const trailingIdx = startIdx - lookbackTotal;
  const today = trailingIdx + lookbackK;
  const tempBuffer = new Float64Array(endIdx - today + 1);
  const outIdx = fastK(trailingIdx, today, endIdx, inHigh, inLow, inClose, tempBuffer);
  const d = TA_MA(0, outIdx - 1, tempBuffer, optInFastD_Period, optInFastD_MAType, outFastD, eps);
  if (d.nbElement === 0) return EMPTY;
  for (let i = 0; i < d.nbElement; i++) outFastK[i] = tempBuffer[lookbackFastD + i];
  return { begIdx: startIdx, nbElement: d.nbElement };
}
