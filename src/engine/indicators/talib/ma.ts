import {
  checkRange,
  intOpt,
  intParam,
  MAType,
  RetCode,
  TA_EPSILON_040,
  TA_INTEGER_DEFAULT,
  TalibError,
  type TaRange,
} from "./core.ts";
import { TA_DEMA, TA_DEMA_Lookback } from "./dema.ts";
import { TA_EMA, TA_EMA_Lookback } from "./ema.ts";
import { TA_KAMA, TA_KAMA_Lookback } from "./kama.ts";
import { TA_MAMA, TA_MAMA_Lookback } from "./mama.ts";
import { TA_SMA, TA_SMA_Lookback } from "./sma.ts";
import { TA_T3, TA_T3_Lookback } from "./t3.ts";
import { TA_TEMA, TA_TEMA_Lookback } from "./tema.ts";
import { TA_TRIMA, TA_TRIMA_Lookback } from "./trima.ts";
import { TA_WMA, TA_WMA_Lookback } from "./wma.ts";

/** TA_MA_Lookback (ta_MA.c): the lookback of the chosen MA; 0 for period 1; -1 for bad options. */
export function TA_MA_Lookback(
  optInTimePeriod = TA_INTEGER_DEFAULT,
  optInMAType = TA_INTEGER_DEFAULT,
): number {
  optInTimePeriod = intOpt(optInTimePeriod, 30, 1, 100000);
  optInMAType = intOpt(optInMAType, 0, 0, 8);
  if (optInTimePeriod < 0 || optInMAType < 0) return -1;
  if (optInTimePeriod <= 1) return 0;
  switch (optInMAType) {
    case MAType.SMA:
      return TA_SMA_Lookback(optInTimePeriod);
    case MAType.EMA:
      return TA_EMA_Lookback(optInTimePeriod);
    case MAType.WMA:
      return TA_WMA_Lookback(optInTimePeriod);
    case MAType.DEMA:
      return TA_DEMA_Lookback(optInTimePeriod);
    case MAType.TEMA:
      return TA_TEMA_Lookback(optInTimePeriod);
    case MAType.TRIMA:
      return TA_TRIMA_Lookback(optInTimePeriod);
    case MAType.KAMA:
      return TA_KAMA_Lookback(optInTimePeriod);
    case MAType.MAMA:
      return TA_MAMA_Lookback(0.5, 0.05);
    case MAType.T3:
      return TA_T3_Lookback(optInTimePeriod, 0.7);
    default:
      return 0;
  }
}

/**
 * TA_MA (ta_MA.c): the moving average of type optInMAType (0 SMA, 1 EMA, 2 WMA, 3 DEMA, 4 TEMA, 5 TRIMA,
 * 6 KAMA, 7 MAMA with limits 0.5/0.05 and the period ignored, 8 T3 with volume factor 0.7). Period
 * 1..100000 (default 30); period 1 copies the input.
 */
export function TA_MA(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  optInTimePeriod: number,
  optInMAType: number,
  outReal: Float64Array,
  eps = TA_EPSILON_040,
): TaRange {
  checkRange("TA_MA", startIdx, endIdx);
  optInTimePeriod = intParam("TA_MA", optInTimePeriod, 30, 1, 100000);
  optInMAType = intParam("TA_MA", optInMAType, 0, 0, 8);
  if (optInTimePeriod === 1) {
    const nbElement = endIdx - startIdx + 1;
    for (let outIdx = 0, todayIdx = startIdx; outIdx < nbElement; outIdx++, todayIdx++)
      outReal[outIdx] = inReal[todayIdx];
    return { begIdx: startIdx, nbElement };
  }
  switch (optInMAType) {
    case MAType.SMA:
      return TA_SMA(startIdx, endIdx, inReal, optInTimePeriod, outReal);
    case MAType.EMA:
      return TA_EMA(startIdx, endIdx, inReal, optInTimePeriod, outReal);
    case MAType.WMA:
      return TA_WMA(startIdx, endIdx, inReal, optInTimePeriod, outReal);
    case MAType.DEMA:
      return TA_DEMA(startIdx, endIdx, inReal, optInTimePeriod, outReal);
    case MAType.TEMA:
      return TA_TEMA(startIdx, endIdx, inReal, optInTimePeriod, outReal);
    case MAType.TRIMA:
      return TA_TRIMA(startIdx, endIdx, inReal, optInTimePeriod, outReal);
    case MAType.KAMA:
      return TA_KAMA(startIdx, endIdx, inReal, optInTimePeriod, outReal, eps);
    case MAType.MAMA:
      return TA_MAMA(startIdx, endIdx, inReal, 0.5, 0.05, outReal, new Float64Array(endIdx - startIdx + 1));
    case MAType.T3:
      return TA_T3(startIdx, endIdx, inReal, optInTimePeriod, 0.7, outReal);
    default:
      throw new TalibError("TA_MA", RetCode.BAD_PARAM);
  }
}
