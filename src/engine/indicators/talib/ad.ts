import { checkRange, EMPTY, intOpt, intParam, perToK, TA_INTEGER_DEFAULT, type TaRange } from "./core.ts";
import { TA_EMA_Lookback } from "./ema.ts";

/** TA_AD_Lookback (ta_AD.c): 0. */
export function TA_AD_Lookback(): number {
  return 0;
}

/**
 * TA_AD (ta_AD.c): Chaikin accumulation/distribution line, Σ ((close − low) − (high − close)) / (high −
 * low) × volume (bars with high = low add nothing). The sum starts at startIdx, so with startIdx = endIdx
 * (talib.stream.AD) it is only the last bar's money-flow volume.
 */
export function TA_AD(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  inVolume: Float64Array,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_AD", startIdx, endIdx);
  let nbBar = endIdx - startIdx + 1;
  const nbElement = nbBar;
  let currentBar = startIdx;
  let outIdx = 0;
  let ad = 0.0;
  while (nbBar !== 0) {
    const high = inHigh[currentBar];
    const low = inLow[currentBar];
    const tmp = high - low;
    const close = inClose[currentBar];
    if (tmp > 0.0) ad += ((close - low - (high - close)) / tmp) * inVolume[currentBar];
    outReal[outIdx++] = ad;
    currentBar++;
    nbBar--;
  }
  return { begIdx: startIdx, nbElement };
}

/** TA_ADOSC_Lookback (ta_ADOSC.c): the EMA lookback of the slower period; -1 for bad periods. */
export function TA_ADOSC_Lookback(
  optInFastPeriod = TA_INTEGER_DEFAULT,
  optInSlowPeriod = TA_INTEGER_DEFAULT,
): number {
  const fast = intOpt(optInFastPeriod, 3, 2, 100000);
  const slow = intOpt(optInSlowPeriod, 10, 2, 100000);
  if (fast < 0 || slow < 0) return -1;
  return TA_EMA_Lookback(Math.max(fast, slow));
}

/**
 * TA_ADOSC (ta_ADOSC.c): Chaikin A/D oscillator, EMA(fast) − EMA(slow) of the A/D line, both EMAs seeded
 * with the first A/D value at startIdx − lookback. Periods 2..100000 (defaults 3 and 10).
 */
export function TA_ADOSC(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  inVolume: Float64Array,
  optInFastPeriod: number,
  optInSlowPeriod: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_ADOSC", startIdx, endIdx);
  optInFastPeriod = intParam("TA_ADOSC", optInFastPeriod, 3, 2, 100000);
  optInSlowPeriod = intParam("TA_ADOSC", optInSlowPeriod, 10, 2, 100000);
  const slowestPeriod = Math.max(optInFastPeriod, optInSlowPeriod);
  const lookbackTotal = TA_EMA_Lookback(slowestPeriod);
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  let today = startIdx - lookbackTotal;
  let ad = 0.0;
  // CALCULATE_AD
  const calculateAD = (): void => {
    const high = inHigh[today];
    const low = inLow[today];
    const tmp = high - low;
    const close = inClose[today];
    if (tmp > 0.0) ad += ((close - low - (high - close)) / tmp) * inVolume[today];
    today++;
  };
  const fastk = perToK(optInFastPeriod);
  const one_minus_fastk = 1.0 - fastk;
  const slowk = perToK(optInSlowPeriod);
  const one_minus_slowk = 1.0 - slowk;
  calculateAD();
  let fastEMA = ad;
  let slowEMA = ad;
  while (today < startIdx) {
    calculateAD();
    fastEMA = fastk * ad + one_minus_fastk * fastEMA;
    slowEMA = slowk * ad + one_minus_slowk * slowEMA;
  }
  let outIdx = 0;
  while (today <= endIdx) {
    calculateAD();
    fastEMA = fastk * ad + one_minus_fastk * fastEMA;
    slowEMA = slowk * ad + one_minus_slowk * slowEMA;
    outReal[outIdx++] = fastEMA - slowEMA;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
