import { checkRange, EMPTY, intParam, perToK, sameStart, TA_INTEGER_DEFAULT, type TaRange } from "./core.ts";
import { INT_EMA, TA_EMA_Lookback } from "./ema.ts";

/** TA_DEMA_Lookback (ta_DEMA.c): 2 × (period - 1); -1 for a bad period. */
export function TA_DEMA_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  if (optInTimePeriod === TA_INTEGER_DEFAULT) optInTimePeriod = 30;
  else if (optInTimePeriod < 2 || optInTimePeriod > 100000) return -1;
  return TA_EMA_Lookback(optInTimePeriod) * 2;
}

/** TA_DEMA (ta_DEMA.c): 2·EMA − EMA(EMA), period 2..100000 (default 30). */
export function TA_DEMA(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_DEMA", startIdx, endIdx);
  optInTimePeriod = intParam("TA_DEMA", optInTimePeriod, 30, 2, 100000);
  const lookbackEMA = TA_EMA_Lookback(optInTimePeriod);
  const lookbackTotal = lookbackEMA * 2;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  // in place (input and output the same buffer) TA-Lib keeps the first EMA in the output buffer
  const firstEMA = sameStart(inReal, outReal)
    ? outReal
    : new Float64Array(lookbackTotal + (endIdx - startIdx) + 1);
  const k = perToK(optInTimePeriod);
  const first = INT_EMA(startIdx - lookbackEMA, endIdx, inReal, optInTimePeriod, k, firstEMA);
  if (first.nbElement === 0) return EMPTY;
  const secondEMA = new Float64Array(first.nbElement);
  const second = INT_EMA(0, first.nbElement - 1, firstEMA, optInTimePeriod, k, secondEMA);
  if (second.nbElement === 0) return EMPTY;
  let firstEMAIdx = second.begIdx;
  let outIdx = 0;
  while (outIdx < second.nbElement) {
    outReal[outIdx] = 2.0 * firstEMA[firstEMAIdx++] - secondEMA[outIdx];
    outIdx++;
  }
  return { begIdx: first.begIdx + second.begIdx, nbElement: outIdx };
}
