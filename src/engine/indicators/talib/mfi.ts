import { checkRange, EMPTY, intOpt, intParam, TA_INTEGER_DEFAULT, type TaRange } from "./core.ts";

/** TA_MFI_Lookback (ta_MFI.c): period (+ unstable, 0); -1 for a bad period. */
export function TA_MFI_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  return intOpt(optInTimePeriod, 14, 2, 100000);
}

/**
 * TA_MFI (ta_MFI.c): money flow index over `period` typical-price changes, 100 × positive flow / total
 * flow; 0 when the total flow is below 1.0 (an absolute threshold, in price × volume units). Flows enter
 * and leave through a circular buffer, as in C. Period 2..100000 (default 14).
 */
export function TA_MFI(
  startIdx: number,
  endIdx: number,
  inHigh: Float64Array,
  inLow: Float64Array,
  inClose: Float64Array,
  inVolume: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_MFI", startIdx, endIdx);
  optInTimePeriod = intParam("TA_MFI", optInTimePeriod, 14, 2, 100000);
  const pos = new Float64Array(optInTimePeriod);
  const neg = new Float64Array(optInTimePeriod);
  const maxIdx = optInTimePeriod - 1;
  let mflowIdx = 0;
  const lookbackTotal = optInTimePeriod;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  let outIdx = 0;
  let today = startIdx - lookbackTotal;
  let prevValue = (inHigh[today] + inLow[today] + inClose[today]) / 3.0;
  let posSumMF = 0.0;
  let negSumMF = 0.0;
  today++;
  // one money flow into the current slot (the body repeated three times in ta_MFI.c)
  const flow = (): void => {
    let tempValue1 = (inHigh[today] + inLow[today] + inClose[today]) / 3.0;
    const tempValue2 = tempValue1 - prevValue;
    prevValue = tempValue1;
    tempValue1 *= inVolume[today++];
    if (tempValue2 < 0) {
      neg[mflowIdx] = tempValue1;
      negSumMF += tempValue1;
      pos[mflowIdx] = 0.0;
    } else if (tempValue2 > 0) {
      pos[mflowIdx] = tempValue1;
      posSumMF += tempValue1;
      neg[mflowIdx] = 0.0;
    } else {
      pos[mflowIdx] = 0.0;
      neg[mflowIdx] = 0.0;
    }
  };
  const next = (): void => {
    if (++mflowIdx > maxIdx) mflowIdx = 0;
  };
  const mfi = (): number => {
    const total = posSumMF + negSumMF;
    return total < 1.0 ? 0.0 : 100.0 * (posSumMF / total);
  };
  for (let i = optInTimePeriod; i > 0; i--) {
    flow();
    next();
  }
  if (today > startIdx) {
    outReal[outIdx++] = mfi();
  } else {
    while (today < startIdx) {
      posSumMF -= pos[mflowIdx];
      negSumMF -= neg[mflowIdx];
      flow();
      next();
    }
  }
  while (today <= endIdx) {
    posSumMF -= pos[mflowIdx];
    negSumMF -= neg[mflowIdx];
    flow();
    outReal[outIdx++] = mfi();
    next();
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
