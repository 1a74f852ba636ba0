import {
  checkRange,
  intOpt,
  intParam,
  MAType,
  REAL_MAX,
  RetCode,
  realParam,
  sameStart,
  TA_EPSILON_040,
  TA_INTEGER_DEFAULT,
  TA_REAL_DEFAULT,
  TalibError,
  type TaRange,
} from "./core.ts";
import { TA_MA, TA_MA_Lookback } from "./ma.ts";
import { INT_stddev_using_precalc_ma, TA_STDDEV } from "./stddev.ts";

/** TA_BBANDS_Lookback (ta_BBANDS.c): the MA's lookback; -1 for bad options. */
export function TA_BBANDS_Lookback(
  optInTimePeriod = TA_INTEGER_DEFAULT,
  optInNbDevUp = TA_REAL_DEFAULT,
  optInNbDevDn = TA_REAL_DEFAULT,
  optInMAType = TA_INTEGER_DEFAULT,
): number {
  const p = intOpt(optInTimePeriod, 5, 2, 100000);
  const m = intOpt(optInMAType, 0, 0, 8);
  if (p < 0 || m < 0) return -1;
  if (optInNbDevUp !== TA_REAL_DEFAULT && (optInNbDevUp < -REAL_MAX || optInNbDevUp > REAL_MAX)) return -1;
  if (optInNbDevDn !== TA_REAL_DEFAULT && (optInNbDevDn < -REAL_MAX || optInNbDevDn > REAL_MAX)) return -1;
  return TA_MA_Lookback(p, m);
}

/**
 * TA_BBANDS (ta_BBANDS.c): middle = MA(period, matype); upper/lower = middle ± nbDev × stddev. With an SMA
 * the deviation is taken around that SMA; with any other MA it is TA_STDDEV of the input (population,
 * around its own mean), started where the MA output starts. Period 2..100000 (default 5), nbDev defaults 2.
 */
export function TA_BBANDS(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  optInNbDevUp: number,
  optInNbDevDn: number,
  optInMAType: number,
  outRealUpperBand: Float64Array,
  outRealMiddleBand: Float64Array,
  outRealLowerBand: Float64Array,
  eps = TA_EPSILON_040,
): TaRange {
  checkRange("TA_BBANDS", startIdx, endIdx);
  optInTimePeriod = intParam("TA_BBANDS", optInTimePeriod, 5, 2, 100000);
  optInNbDevUp = realParam("TA_BBANDS", optInNbDevUp, 2.0, -REAL_MAX, REAL_MAX);
  optInNbDevDn = realParam("TA_BBANDS", optInNbDevDn, 2.0, -REAL_MAX, REAL_MAX);
  optInMAType = intParam("TA_BBANDS", optInMAType, 0, 0, 8);
  let tempBuffer1: Float64Array;
  let tempBuffer2: Float64Array;
  if (sameStart(inReal, outRealUpperBand)) {
    tempBuffer1 = outRealMiddleBand;
    tempBuffer2 = outRealLowerBand;
  } else if (sameStart(inReal, outRealLowerBand)) {
    tempBuffer1 = outRealMiddleBand;
    tempBuffer2 = outRealUpperBand;
  } else if (sameStart(inReal, outRealMiddleBand)) {
    tempBuffer1 = outRealLowerBand;
    tempBuffer2 = outRealUpperBand;
  } else {
    tempBuffer1 = outRealMiddleBand;
    tempBuffer2 = outRealUpperBand;
  }
  if (sameStart(tempBuffer1, inReal) || sameStart(tempBuffer2, inReal))
    throw new TalibError("TA_BBANDS", RetCode.BAD_PARAM);
  let r = TA_MA(startIdx, endIdx, inReal, optInTimePeriod, optInMAType, tempBuffer1, eps);
  if (r.nbElement === 0) return { begIdx: r.begIdx, nbElement: 0 };
  if (optInMAType === MAType.SMA) {
    INT_stddev_using_precalc_ma(
      inReal,
      tempBuffer1,
      r.begIdx,
      r.nbElement,
      optInTimePeriod,
      tempBuffer2,
      eps,
    );
  } else {
    r = TA_STDDEV(r.begIdx, endIdx, inReal, optInTimePeriod, 1.0, tempBuffer2, eps);
  }
  const n = r.nbElement;
  if (tempBuffer1 !== outRealMiddleBand) outRealMiddleBand.set(tempBuffer1.subarray(0, n));
  let tempReal: number;
  let tempReal2: number;
  if (optInNbDevUp === optInNbDevDn) {
    if (optInNbDevUp === 1.0) {
      for (let i = 0; i < n; i++) {
        tempReal = tempBuffer2[i];
        tempReal2 = outRealMiddleBand[i];
        outRealUpperBand[i] = tempReal2 + tempReal;
        outRealLowerBand[i] = tempReal2 - tempReal;
      }
    } else {
      for (let i = 0; i < n; i++) {
        tempReal = tempBuffer2[i] * optInNbDevUp;
        tempReal2 = outRealMiddleBand[i];
        outRealUpperBand[i] = tempReal2 + tempReal;
        outRealLowerBand[i] = tempReal2 - tempReal;
      }
    }
  } else if (optInNbDevUp === 1.0) {
    for (let i = 0; i < n; i++) {
      tempReal = tempBuffer2[i];
      tempReal2 = outRealMiddleBand[i];
      outRealUpperBand[i] = tempReal2 + tempReal;
      outRealLowerBand[i] = tempReal2 - tempReal * optInNbDevDn;
    }
  } else if (optInNbDevDn === 1.0) {
    for (let i = 0; i < n; i++) {
      tempReal = tempBuffer2[i];
      tempReal2 = outRealMiddleBand[i];
      outRealLowerBand[i] = tempReal2 - tempReal;
      outRealUpperBand[i] = tempReal2 + tempReal * optInNbDevUp;
    }
  } else {
    for (let i = 0; i < n; i++) {
      tempReal = tempBuffer2[i];
      tempReal2 = outRealMiddleBand[i];
      outRealUpperBand[i] = tempReal2 + tempReal * optInNbDevUp;
      outRealLowerBand[i] = tempReal2 - tempReal * optInNbDevDn;
    }
  }
  return r;
}
