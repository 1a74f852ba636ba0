import {
  checkRange,
  EMPTY,
  intParam,
  realParam,
  TA_INTEGER_DEFAULT,
  TA_REAL_DEFAULT,
  type TaRange,
} from "./core.ts";

/** TA_T3_Lookback (ta_T3.c): 6 × (period - 1); -1 for a bad period or factor. */
export function TA_T3_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT, optInVFactor = TA_REAL_DEFAULT): number {
  if (optInTimePeriod === TA_INTEGER_DEFAULT) optInTimePeriod = 5;
  else if (optInTimePeriod < 2 || optInTimePeriod > 100000) return -1;
  if (optInVFactor !== TA_REAL_DEFAULT && (optInVFactor < 0 || optInVFactor > 1)) return -1;
  return 6 * (optInTimePeriod - 1);
}

/** TA_T3 (ta_T3.c): Tillson's T3, period 2..100000 (default 5), volume factor 0..1 (default 0.7). */
export function TA_T3(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  optInVFactor: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_T3", startIdx, endIdx);
  optInTimePeriod = intParam("TA_T3", optInTimePeriod, 5, 2, 100000);
  optInVFactor = realParam("TA_T3", optInVFactor, 0.7, 0, 1);
  const lookbackTotal = 6 * (optInTimePeriod - 1);
  if (startIdx <= lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  let today = startIdx - lookbackTotal;
  const k = 2.0 / (optInTimePeriod + 1.0);
  const one_minus_k = 1.0 - k;
  let i: number;
  let tempReal = inReal[today++];
  for (i = optInTimePeriod - 1; i > 0; i--) tempReal += inReal[today++];
  let e1 = tempReal / optInTimePeriod;
  tempReal = e1;
  for (i = optInTimePeriod - 1; i > 0; i--) {
    e1 = k * inReal[today++] + one_minus_k * e1;
    tempReal += e1;
  }
  let e2 = tempReal / optInTimePeriod;
  tempReal = e2;
  for (i = optInTimePeriod - 1; i > 0; i--) {
    e1 = k * inReal[today++] + one_minus_k * e1;
    e2 = k * e1 + one_minus_k * e2;
    tempReal += e2;
  }
  let e3 = tempReal / optInTimePeriod;
  tempReal = e3;
  for (i = optInTimePeriod - 1; i > 0; i--) {
    e1 = k * inReal[today++] + one_minus_k * e1;
    e2 = k * e1 + one_minus_k * e2;
    e3 = k * e2 + one_minus_k * e3;
    tempReal += e3;
  }
  let e4 = tempReal / optInTimePeriod;
  tempReal = e4;
  for (i = optInTimePeriod - 1; i > 0; i--) {
    e1 = k * inReal[today++] + one_minus_k * e1;
    e2 = k * e1 + one_minus_k * e2;
    e3 = k * e2 + one_minus_k * e3;
    e4 = k * e3 + one_minus_k * e4;
    tempReal += e4;
  }
  let e5 = tempReal / optInTimePeriod;
  tempReal = e5;
  for (i = optInTimePeriod - 1; i > 0; i--) {
    e1 = k * inReal[today++] + one_minus_k * e1;
    e2 = k * e1 + one_minus_k * e2;
    e3 = k * e2 + one_minus_k * e3;
    e4 = k * e3 + one_minus_k * e4;
    e5 = k * e4 + one_minus_k * e5;
    tempReal += e5;
  }
  let e6 = tempReal / optInTimePeriod;
  while (today <= startIdx) {
    e1 = k * inReal[today++] + one_minus_k * e1;
    e2 = k * e1 + one_minus_k * e2;
    e3 = k * e2 + one_minus_k * e3;
    e4 = k * e3 + one_minus_k * e4;
    e5 = k * e4 + one_minus_k * e5;
    e6 = k * e5 + one_minus_k * e6;
  }
  tempReal = optInVFactor * optInVFactor;
  const c1 = -(tempReal * optInVFactor);
  const c2 = 3.0 * (tempReal - c1);
  const c3 = -6.0 * tempReal - 3.0 * (optInVFactor - c1);
  const c4 = 1.0 + 3.0 * optInVFactor - c1 + 3.0 * tempReal;
  let outIdx = 0;
  outReal[outIdx++] = c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3;
  while (today <= endIdx) {
    e1 = k * inReal[today++] + one_minus_k * e1;
    e2 = k * e1 + one_minus_k * e2;
    e3 = k * e2 + one_minus_k * e3;
    e4 = k * e3 + one_minus_k * e4;
    e5 = k * e4 + one_minus_k * e5;
    e6 = k * e5 + one_minus_k * e6;
    outReal[outIdx++] = c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
