import {
  checkRange,
  EMPTY,
  intOpt,
  intParam,
  perToK,
  RetCode,
  TA_INTEGER_DEFAULT,
  TalibError,
  type TaRange,
} from "./core.ts";
import { INT_EMA, TA_EMA_Lookback } from "./ema.ts";

/** TA_MACD_Lookback (ta_MACD.c): EMA lookback of the slower period + of the signal; -1 for bad periods. */
export function TA_MACD_Lookback(
  optInFastPeriod = TA_INTEGER_DEFAULT,
  optInSlowPeriod = TA_INTEGER_DEFAULT,
  optInSignalPeriod = TA_INTEGER_DEFAULT,
): number {
  let fast = intOpt(optInFastPeriod, 12, 2, 100000);
  let slow = intOpt(optInSlowPeriod, 26, 2, 100000);
  const signal = intOpt(optInSignalPeriod, 9, 1, 100000);
  if (fast < 0 || slow < 0 || signal < 0) return -1;
  if (slow < fast) [fast, slow] = [slow, fast];
  return TA_EMA_Lookback(slow) + TA_EMA_Lookback(signal);
}

/**
 * TA_MACD (ta_MACD.c): MACD = EMA(fast) − EMA(slow) (periods swapped when fast > slow), signal = EMA of
 * MACD, hist = MACD − signal. Both price EMAs start lookbackSignal bars before startIdx, each seeded with
 * its own SMA there. Fast/slow 2..100000 (12/26), signal 1..100000 (9).
 */
export function TA_MACD(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInFastPeriod: number,
  optInSlowPeriod: number,
  optInSignalPeriod: number,
  outMACD: Float64Array,
  outMACDSignal: Float64Array,
  outMACDHist: Float64Array,
): TaRange {
  checkRange("TA_MACD", startIdx, endIdx);
  optInFastPeriod = intParam("TA_MACD", optInFastPeriod, 12, 2, 100000);
  optInSlowPeriod = intParam("TA_MACD", optInSlowPeriod, 26, 2, 100000);
  optInSignalPeriod = intParam("TA_MACD", optInSignalPeriod, 9, 1, 100000);
  return INT_MACD(
    startIdx,
    endIdx,
    inReal,
    optInFastPeriod,
    optInSlowPeriod,
    optInSignalPeriod,
    outMACD,
    outMACDSignal,
    outMACDHist,
  );
}

/** TA_INT_MACD (ta_MACD.c). A period of 0 would be the fixed 0.15/0.075 factors of MACDFIX. */
export function INT_MACD(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInFastPeriod: number,
  optInSlowPeriod: number,
  optInSignalPeriod_2: number,
  outMACD: Float64Array,
  outMACDSignal: Float64Array,
  outMACDHist: Float64Array,
): TaRange {
  if (optInSlowPeriod < optInFastPeriod)
    [optInFastPeriod, optInSlowPeriod] = [optInSlowPeriod, optInFastPeriod];
  let k1: number;
  let k2: number;
  if (optInSlowPeriod !== 0) k1 = perToK(optInSlowPeriod);
  else {
    optInSlowPeriod = 26;
    k1 = 0.075;
  }
  if (optInFastPeriod !== 0) k2 = perToK(optInFastPeriod);
  else {
    optInFastPeriod = 12;
    k2 = 0.15;
  }
  const lookbackSignal = TA_EMA_Lookback(optInSignalPeriod_2);
  const lookbackTotal = lookbackSignal + TA_EMA_Lookback(optInSlowPeriod);
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  let tempInteger = endIdx - startIdx + 1 + lookbackSignal;
  const fastEMABuffer = new Float64Array(tempInteger);
  const slowEMABuffer = new Float64Array(tempInteger);
  tempInteger = startIdx - lookbackSignal;
  const slow = INT_EMA(tempInteger, endIdx, inReal, optInSlowPeriod, k1, slowEMABuffer);
  const fast = INT_EMA(tempInteger, endIdx, inReal, optInFastPeriod, k2, fastEMABuffer);
  if (
    slow.begIdx !== tempInteger ||
    fast.begIdx !== tempInteger ||
    slow.nbElement !== fast.nbElement ||
    slow.nbElement !== endIdx - startIdx + 1 + lookbackSignal
  )
    throw new TalibError("TA_MACD", RetCode.INTERNAL_ERROR);
  for (let i = 0; i < slow.nbElement; i++) fastEMABuffer[i] = fastEMABuffer[i] - slowEMABuffer[i];
  const n = endIdx - startIdx + 1;
  for (let i = 0; i < n; i++) outMACD[i] = fastEMABuffer[lookbackSignal + i];
  const signal = INT_EMA(
    0,
    slow.nbElement - 1,
    fastEMABuffer,
    optInSignalPeriod_2,
    perToK(optInSignalPeriod_2),
    outMACDSignal,
  );
  for (let i = 0; i < signal.nbElement; i++) outMACDHist[i] = outMACD[i] - outMACDSignal[i];
  return { begIdx: startIdx, nbElement: signal.nbElement };
}
