import {
  checkRange,
  EMPTY,
  intOpt,
  intParam,
  isZeroOrNeg,
  REAL_MAX,
  realParam,
  TA_EPSILON_040,
  TA_INTEGER_DEFAULT,
  type TaRange,
} from "./core.ts";

/** TA_STDDEV_Lookback (ta_STDDEV.c): period - 1; -1 for a bad period. */
export function TA_STDDEV_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  const p = intOpt(optInTimePeriod, 5, 2, 100000);
  return p < 0 ? -1 : p - 1;
}

/** TA_STDDEV (ta_STDDEV.c): population standard deviation × nbDev; period 2..100000 (default 5). */
export function TA_STDDEV(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  optInNbDev: number,
  outReal: Float64Array,
  eps = TA_EPSILON_040,
): TaRange {
  checkRange("TA_STDDEV", startIdx, endIdx);
  optInTimePeriod = intParam("TA_STDDEV", optInTimePeriod, 5, 2, 100000);
  optInNbDev = realParam("TA_STDDEV", optInNbDev, 1.0, -REAL_MAX, REAL_MAX);
  const r = INT_VAR(startIdx, endIdx, inReal, optInTimePeriod, outReal);
  if (optInNbDev !== 1.0) {
    for (let i = 0; i < r.nbElement; i++) {
      const tempReal = outReal[i];
      outReal[i] = !isZeroOrNeg(tempReal, eps) ? Math.sqrt(tempReal) * optInNbDev : 0.0;
    }
  } else {
    for (let i = 0; i < r.nbElement; i++) {
      const tempReal = outReal[i];
      outReal[i] = !isZeroOrNeg(tempReal, eps) ? Math.sqrt(tempReal) : 0.0;
    }
  }
  return r;
}

/** TA_INT_VAR (ta_VAR.c): population variance from running sums of x and x². */
export function INT_VAR(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  const nbInitialElementNeeded = optInTimePeriod - 1;
  if (startIdx < nbInitialElementNeeded) startIdx = nbInitialElementNeeded;
  if (startIdx > endIdx) return EMPTY;
  let periodTotal1 = 0;
  let periodTotal2 = 0;
  let trailingIdx = startIdx - nbInitialElementNeeded;
  let i = trailingIdx;
  let tempReal: number;
  if (optInTimePeriod > 1) {
    while (i < startIdx) {
      tempReal = inReal[i++];
      periodTotal1 += tempReal;
      tempReal *= tempReal;
      periodTotal2 += tempReal;
    }
  }
  let outIdx = 0;
  do {
    tempReal = inReal[i++];
    periodTotal1 += tempReal;
    tempReal *= tempReal;
    periodTotal2 += tempReal;
    const meanValue1 = periodTotal1 / optInTimePeriod;
    const meanValue2 = periodTotal2 / optInTimePeriod;
    tempReal = inReal[trailingIdx++];
    periodTotal1 -= tempReal;
    tempReal *= tempReal;
    periodTotal2 -= tempReal;
    outReal[outIdx++] = meanValue2 - meanValue1 * meanValue1;
  } while (i <= endIdx);
  return { begIdx: startIdx, nbElement: outIdx };
}

/**
 * TA_INT_stddev_using_precalc_ma (ta_STDDEV.c): the standard deviation around a moving average computed
 * beforehand (BBANDS with an SMA): sqrt(mean(x²) − ma²) over the period ending at each MA value.
 */
export function INT_stddev_using_precalc_ma(
  inReal: Float64Array,
  inMovAvg: Float64Array,
  inMovAvgBegIdx: number,
  inMovAvgNbElement: number,
  timePeriod: number,
  output: Float64Array,
  eps = TA_EPSILON_040,
): void {
  let startSum = 1 + inMovAvgBegIdx - timePeriod;
  let endSum = inMovAvgBegIdx;
  let periodTotal2 = 0;
  let tempReal: number;
  for (let outIdx = startSum; outIdx < endSum; outIdx++) {
    tempReal = inReal[outIdx];
    tempReal *= tempReal;
    periodTotal2 += tempReal;
  }
  for (let outIdx = 0; outIdx < inMovAvgNbElement; outIdx++, startSum++, endSum++) {
    tempReal = inReal[endSum];
    tempReal *= tempReal;
    periodTotal2 += tempReal;
    let meanValue2 = periodTotal2 / timePeriod;
    tempReal = inReal[startSum];
    tempReal *= tempReal;
    periodTotal2 -= tempReal;
    tempReal = inMovAvg[outIdx];
    tempReal *= tempReal;
    meanValue2 -= tempReal;
    output[outIdx] = !isZeroOrNeg(meanValue2, eps) ? Math.sqrt(meanValue2) : 0.0;
  }
}
