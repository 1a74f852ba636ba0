import { checkRange, EMPTY, realParam, TA_REAL_DEFAULT, type TaRange } from "./core.ts";

/** TA_MAMA_Lookback (ta_MAMA.c): 32 (+ unstable period, 0); -1 for bad limits. */
export function TA_MAMA_Lookback(optInFastLimit = TA_REAL_DEFAULT, optInSlowLimit = TA_REAL_DEFAULT): number {
  if (optInFastLimit !== TA_REAL_DEFAULT && (optInFastLimit < 0.01 || optInFastLimit > 0.99)) return -1;
  if (optInSlowLimit !== TA_REAL_DEFAULT && (optInSlowLimit < 0.01 || optInSlowLimit > 0.99)) return -1;
  return 32;
}

/** One of the HILBERT_VARIABLES of ta_utility.h: the odd and even three-slot histories and their carries. */
interface Hilbert {
  readonly odd: Float64Array;
  readonly even: Float64Array;
  prevOdd: number;
  prevEven: number;
  prevInputOdd: number;
  prevInputEven: number;
}

function hilbert(): Hilbert {
  return {
    odd: new Float64Array(3),
    even: new Float64Array(3),
    prevOdd: 0,
    prevEven: 0,
    prevInputOdd: 0,
    prevInputEven: 0,
  };
}

const A = 0.0962;
const B = 0.5769;

// DO_HILBERT_EVEN / DO_HILBERT_ODD (ta_utility.h), statement for statement
function hilbertEven(h: Hilbert, input: number, idx: number, adjustedPrevPeriod: number): number {
  const hilbertTempReal = A * input;
  let v = -h.even[idx];
  h.even[idx] = hilbertTempReal;
  v += hilbertTempReal;
  v -= h.prevEven;
  h.prevEven = B * h.prevInputEven;
  v += h.prevEven;
  h.prevInputEven = input;
  v *= adjustedPrevPeriod;
  return v;
}

function hilbertOdd(h: Hilbert, input: number, idx: number, adjustedPrevPeriod: number): number {
  const hilbertTempReal = A * input;
  let v = -h.odd[idx];
  h.odd[idx] = hilbertTempReal;
  v += hilbertTempReal;
  v -= h.prevOdd;
  h.prevOdd = B * h.prevInputOdd;
  v += h.prevOdd;
  h.prevInputOdd = input;
  v *= adjustedPrevPeriod;
  return v;
}

/**
 * TA_MAMA (ta_MAMA.c): Ehlers' MESA adaptive moving average; fills outMAMA and outFAMA. Limits 0.01..0.99
 * (defaults 0.5 and 0.05). The Hilbert transform alternates on the parity of the absolute input index, so
 * the result depends on where the input array starts. Uses Math.atan where C uses atan (libm): results can
 * differ from the C library in the last bits.
 */
export function TA_MAMA(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInFastLimit: number,
  optInSlowLimit: number,
  outMAMA: Float64Array,
  outFAMA: Float64Array,
): TaRange {
  checkRange("TA_MAMA", startIdx, endIdx);
  optInFastLimit = realParam("TA_MAMA", optInFastLimit, 0.5, 0.01, 0.99);
  optInSlowLimit = realParam("TA_MAMA", optInSlowLimit, 0.05, 0.01, 0.99);
  const rad2Deg = 180.0 / (4.0 * Math.atan(1));
  const lookbackTotal = 32;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  let trailingWMAIdx = startIdx - lookbackTotal;
  let today = trailingWMAIdx;
  let tempReal = inReal[today++];
  let periodWMASub = tempReal;
  let periodWMASum = tempReal;
  tempReal = inReal[today++];
  periodWMASub += tempReal;
  periodWMASum += tempReal * 2.0;
  tempReal = inReal[today++];
  periodWMASub += tempReal;
  periodWMASum += tempReal * 3.0;
  let trailingWMAValue = 0.0;
  // DO_PRICE_WMA: a 4-bar WMA of the price
  const priceWMA = (varNewPrice: number): number => {
    periodWMASub += varNewPrice;
    periodWMASub -= trailingWMAValue;
    periodWMASum += varNewPrice * 4.0;
    trailingWMAValue = inReal[trailingWMAIdx++];
    const smoothed = periodWMASum * 0.1;
    periodWMASum -= periodWMASub;
    return smoothed;
  };
  let smoothedValue: number;
  let i = 9;
  do {
    tempReal = inReal[today++];
    smoothedValue = priceWMA(tempReal);
  } while (--i !== 0);
  let hilbertIdx = 0;
  const detrender = hilbert();
  const q1 = hilbert();
  const jI = hilbert();
  const jQ = hilbert();
  let detrenderV = 0.0;
  let Q1 = 0.0;
  let jIV = 0.0;
  let jQV = 0.0;
  let period = 0.0;
  let outIdx = 0;
  let prevI2 = 0.0;
  let prevQ2 = 0.0;
  let Re = 0.0;
  let Im = 0.0;
  let mama = 0.0;
  let fama = 0.0;
  let I1ForOddPrev3 = 0.0;
  let I1ForEvenPrev3 = 0.0;
  let I1ForOddPrev2 = 0.0;
  let I1ForEvenPrev2 = 0.0;
  let prevPhase = 0.0;
  let Q2: number;
  let I2: number;
  let tempReal2: number;
  while (today <= endIdx) {
    const adjustedPrevPeriod = 0.075 * period + 0.54;
    const todayValue = inReal[today];
    smoothedValue = priceWMA(todayValue);
    if (today % 2 === 0) {
      detrenderV = hilbertEven(detrender, smoothedValue, hilbertIdx, adjustedPrevPeriod);
      Q1 = hilbertEven(q1, detrenderV, hilbertIdx, adjustedPrevPeriod);
      jIV = hilbertEven(jI, I1ForEvenPrev3, hilbertIdx, adjustedPrevPeriod);
      jQV = hilbertEven(jQ, Q1, hilbertIdx, adjustedPrevPeriod);
      if (++hilbertIdx === 3) hilbertIdx = 0;
      Q2 = 0.2 * (Q1 + jIV) + 0.8 * prevQ2;
      I2 = 0.2 * (I1ForEvenPrev3 - jQV) + 0.8 * prevI2;
      I1ForOddPrev3 = I1ForOddPrev2;
      I1ForOddPrev2 = detrenderV;
      if (I1ForEvenPrev3 !== 0.0) tempReal2 = Math.atan(Q1 / I1ForEvenPrev3) * rad2Deg;
      else tempReal2 = 0.0;
    } else {
      detrenderV = hilbertOdd(detrender, smoothedValue, hilbertIdx, adjustedPrevPeriod);
      Q1 = hilbertOdd(q1, detrenderV, hilbertIdx, adjustedPrevPeriod);
      jIV = hilbertOdd(jI, I1ForOddPrev3, hilbertIdx, adjustedPrevPeriod);
      jQV = hilbertOdd(jQ, Q1, hilbertIdx, adjustedPrevPeriod);
      Q2 = 0.2 * (Q1 + jIV) + 0.8 * prevQ2;
      I2 = 0.2 * (I1ForOddPrev3 - jQV) + 0.8 * prevI2;
      I1ForEvenPrev3 = I1ForEvenPrev2;
      I1ForEvenPrev2 = detrenderV;
      if (I1ForOddPrev3 !== 0.0) tempReal2 = Math.atan(Q1 / I1ForOddPrev3) * rad2Deg;
      else tempReal2 = 0.0;
    }
    tempReal = prevPhase - tempReal2;
    prevPhase = tempReal2;
    if (tempReal < 1.0) tempReal = 1.0;
    if (tempReal > 1.0) {
      tempReal = optInFastLimit / tempReal;
      if (tempReal < optInSlowLimit) tempReal = optInSlowLimit;
    } else {
      tempReal = optInFastLimit;
    }
    mama = tempReal * todayValue + (1 - tempReal) * mama;
    tempReal *= 0.5;
    fama = tempReal * mama + (1 - tempReal) * fama;
    if (today >= startIdx) {
      outMAMA[outIdx] = mama;
      outFAMA[outIdx++] = fama;
    }
    Re = 0.2 * (I2 * prevI2 + Q2 * prevQ2) + 0.8 * Re;
    Im = 0.2 * (I2 * prevQ2 - Q2 * prevI2) + 0.8 * Im;
    prevQ2 = Q2;
    prevI2 = I2;
    tempReal = period;
    if (Im !== 0.0 && Re !== 0.0) period = 360.0 / (Math.atan(Im / Re) * rad2Deg);
    tempReal2 = 1.5 * tempReal;
    if (period > tempReal2) period = tempReal2;
    tempReal2 = 0.67 * tempReal;
    if (period < tempReal2) period = tempReal2;
    if (period < 6) period = 6;
    else if (period > 50) period = 50;
    period = 0.2 * period + 0.8 * tempReal;
    today++;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
