import { checkRange, EMPTY, intParam, perToK, TA_INTEGER_DEFAULT, type TaRange } from "./core.ts";
import { INT_EMA, TA_EMA_Lookback } from "./ema.ts";

/** TA_TEMA_Lookback (ta_TEMA.c): 3 × (period - 1); -1 for a bad period. */
export function TA_TEMA_Lookback(optInTimePeriod = TA_INTEGER_DEFAULT): number {
  if (optInTimePeriod === TA_INTEGER_DEFAULT) optInTimePeriod = 30;
  else if (optInTimePeriod < 2 || optInTimePeriod > 100000) return -1;
  return TA_EMA_Lookback(optInTimePeriod) * 3;
}

/** TA_TEMA (ta_TEMA.c): 3·EMA − 3·EMA(EMA) + EMA(EMA(EMA)), period 2..100000 (default 30). */
export function TA_TEMA(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_TEMA", startIdx, endIdx);
  optInTimePeriod = intParam("TA_TEMA", optInTimePeriod, 30, 2, 100000);
  const lookbackEMA = TA_EMA_Lookback(optInTimePeriod);
  const lookbackTotal = lookbackEMA * 3;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return EMPTY;
  const firstEMA = new Float64Array(lookbackTotal + (endIdx - startIdx) + 1);
  const k = perToK(optInTimePeriod);
  const first = INT_EMA(startIdx - lookbackEMA * 2, endIdx, inReal, optInTimePeriod, k, firstEMA);
  if (first.nbElement === 0) return EMPTY;
  const secondEMA = new Float64Array(first.nbElement);
  const second = INT_EMA(0, first.nbElement - 1, firstEMA, optInTimePeriod, k, secondEMA);
  if (second.nbElement === 0) return EMPTY;
  const third = INT_EMA(0, second.nbElement - 1, secondEMA, optInTimePeriod, k, outReal);
  if (third.nbElement === 0) return EMPTY;
  let firstEMAIdx = third.begIdx + second.begIdx;
  let secondEMAIdx = third.begIdx;
  const begIdx = firstEMAIdx + first.begIdx;
  let outIdx = 0;
  while (outIdx < third.nbElement) {
    outReal[outIdx] += 3.0 * firstEMA[firstEMAIdx++] - 3.0 * secondEMA[secondEMAIdx++];
    outIdx++;
  }
  return { begIdx, nbElement: outIdx };
}
