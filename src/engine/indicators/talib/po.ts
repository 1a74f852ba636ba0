import {
  checkRange,
  intOpt,
  intParam,
  isZero,
  TA_EPSILON_040,
  TA_INTEGER_DEFAULT,
  type TaRange,
} from "./core.ts";
import { TA_MA, TA_MA_Lookback } from "./ma.ts";

function poLookback(fast: number, slow: number, maType: number, fastDef: number, slowDef: number): number {
  const f = intOpt(fast, fastDef, 2, 100000);
  const s = intOpt(slow, slowDef, 2, 100000);
  const m = intOpt(maType, 0, 0, 8);
  if (f < 0 || s < 0 || m < 0) return -1;
  return TA_MA_Lookback(Math.max(s, f), m);
}

/** TA_APO_Lookback (ta_APO.c): the MA lookback of the slower period; -1 for bad options. */
export function TA_APO_Lookback(
  optInFastPeriod = TA_INTEGER_DEFAULT,
  optInSlowPeriod = TA_INTEGER_DEFAULT,
  optInMAType = TA_INTEGER_DEFAULT,
): number {
  return poLookback(optInFastPeriod, optInSlowPeriod, optInMAType, 12, 26);
}

/** TA_PPO_Lookback (ta_PPO.c): the MA lookback of the slower period; -1 for bad options. */
export function TA_PPO_Lookback(
  optInFastPeriod = TA_INTEGER_DEFAULT,
  optInSlowPeriod = TA_INTEGER_DEFAULT,
  optInMAType = TA_INTEGER_DEFAULT,
): number {
  return poLookback(optInFastPeriod, optInSlowPeriod, optInMAType, 12, 26);
}

/** TA_APO (ta_APO.c): MA(fast) − MA(slow) of the chosen MA type; periods 2..100000 (12/26), matype 0..8. */
export function TA_APO(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInFastPeriod: number,
  optInSlowPeriod: number,
  optInMAType: number,
  outReal: Float64Array,
  eps = TA_EPSILON_040,
): TaRange {
  checkRange("TA_APO", startIdx, endIdx);
  optInFastPeriod = intParam("TA_APO", optInFastPeriod, 12, 2, 100000);
  optInSlowPeriod = intParam("TA_APO", optInSlowPeriod, 26, 2, 100000);
  optInMAType = intParam("TA_APO", optInMAType, 0, 0, 8);
  const tempBuffer = new Float64Array(endIdx - startIdx + 1);
  return INT_PO(
    startIdx,
    endIdx,
    inReal,
    optInFastPeriod,
    optInSlowPeriod,
    optInMAType,
    outReal,
    tempBuffer,
    false,
    eps,
  );
}

/**
 * TA_PPO (ta_PPO.c): (MA(fast) − MA(slow)) / MA(slow) × 100, 0 where MA(slow) is zero (TA_IS_ZERO);
 * periods 2..100000 (12/26), matype 0..8.
 */
export function TA_PPO(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInFastPeriod: number,
  optInSlowPeriod: number,
  optInMAType: number,
  outReal: Float64Array,
  eps = TA_EPSILON_040,
): TaRange {
  checkRange("TA_PPO", startIdx, endIdx);
  optInFastPeriod = intParam("TA_PPO", optInFastPeriod, 12, 2, 100000);
  optInSlowPeriod = intParam("TA_PPO", optInSlowPeriod, 26, 2, 100000);
  optInMAType = intParam("TA_PPO", optInMAType, 0, 0, 8);
  const tempBuffer = new Float64Array(endIdx - startIdx + 1);
  return INT_PO(
    startIdx,
    endIdx,
    inReal,
    optInFastPeriod,
    optInSlowPeriod,
    optInMAType,
    outReal,
    tempBuffer,
    true,
    eps,
  );
}

/** TA_INT_PO (ta_APO.c): the price oscillator behind APO and PPO (periods swapped when fast > slow). */
export function INT_PO(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInFastPeriod: number,
  optInSlowPeriod: number,
  optInMethod_2: number,
  outReal: Float64Array,
  tempBuffer: Float64Array,
  doPercentageOutput: boolean,
  eps = TA_EPSILON_040,
): TaRange {
  if (optInSlowPeriod < optInFastPeriod)
    [optInFastPeriod, optInSlowPeriod] = [optInSlowPeriod, optInFastPeriod];
  const fast = TA_MA(startIdx, endIdx, inReal, optInFastPeriod, optInMethod_2, tempBuffer, eps);
  const slow = TA_MA(startIdx, endIdx, inReal, optInSlowPeriod, optInMethod_2, outReal, eps);
  const tempInteger = slow.begIdx - fast.begIdx;
  if (doPercentageOutput) {
    for (let i = 0, j = tempInteger; i < slow.nbElement; i++, j++) {
      const tempReal = outReal[i];
      outReal[i] = !isZero(tempReal, eps) ? ((tempBuffer[j] - tempReal) / tempReal) * 100.0 : 0.0;
    }
  } else {
    for (let i = 0, j = tempInteger; i < slow.nbElement; i++, j++) outReal[i] = tempBuffer[j] - outReal[i];
  }
  return slow;
}
