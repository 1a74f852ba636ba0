// python's `talib.stream.<FUNC>(...)` (ta-lib-python, talib/_stream.pxi): the TA-Lib function called with
// startIdx = endIdx = length − 1 on the whole arrays, returning that one value (NaN when the last bar is
// still inside the lookback). No NaN skipping. An empty array is TA_OUT_OF_RANGE_START_INDEX, unequal
// lengths are "input array lengths are different": both throw, as python raises.
//
// Because TA-Lib seeds its smoothed functions at startIdx − lookback, a stream value is generally NOT the
// last value of the whole-array function: stream.EMA is the SMA of the last `period` values, stream.RSI
// is the simple-average RSI of the last `period` changes, stream.AD is the last bar's money-flow volume,
// stream.OBV is the last volume, stream.ATR the mean of the last `period` true ranges.

import { TA_AD, TA_ADOSC } from "./ad.ts";
import { TA_ADX, TA_ADXR } from "./adx.ts";
import { TA_AROON } from "./aroon.ts";
import { TA_ATR, TA_TRANGE } from "./atr.ts";
import { TA_BBANDS } from "./bbands.ts";
import { TA_CCI } from "./cci.ts";
import { TA_EPSILON_040 } from "./core.ts";
import { TA_DEMA } from "./dema.ts";
import { TA_MINUS_DI, TA_MINUS_DM, TA_PLUS_DI } from "./di.ts";
import { TA_EMA } from "./ema.ts";
import { TA_KAMA } from "./kama.ts";
import { TA_MA } from "./ma.ts";
import { TA_MACD } from "./macd.ts";
import { TA_MAMA } from "./mama.ts";
import { TA_MFI } from "./mfi.ts";
import { TA_MOM, TA_ROC } from "./momentum.ts";
import { TA_OBV } from "./obv.ts";
import { TA_APO, TA_PPO } from "./po.ts";
import {
  asDoubles,
  type BbandsOptions,
  commonLength,
  type PoOptions,
  pyInt,
  type StochfOptions,
  type StochOptions,
  type TalibOptions,
} from "./python.ts";
import { TA_RSI } from "./rsi.ts";
import { TA_SAR } from "./sar.ts";
import { TA_SMA } from "./sma.ts";
import { TA_STDDEV } from "./stddev.ts";
import { TA_STOCH, TA_STOCHF } from "./stoch.ts";
import { TA_T3 } from "./t3.ts";
import { TA_TEMA } from "./tema.ts";
import { TA_TRIMA } from "./trima.ts";
import { TA_WILLR } from "./willr.ts";
import { TA_WMA } from "./wma.ts";

/** The body shared by every _stream.pxi wrapper: outputs start as NaN, TA-Lib runs on the last index. */
function last(
  raw: readonly ArrayLike<number>[],
  nOut: number,
  call: (i: number, ins: Float64Array[], outs: Float64Array[]) => void,
): Float64Array {
  const inputs = raw.map(asDoubles);
  const length = commonLength(inputs);
  const outs = Array.from({ length: nOut }, () => new Float64Array(1).fill(Number.NaN));
  call(length - 1, inputs, outs);
  const r = new Float64Array(nOut);
  for (let k = 0; k < nOut; k++) r[k] = outs[k][0];
  return r;
}

const eps = (o: TalibOptions): number => o.epsilon ?? TA_EPSILON_040;

type Arr = ArrayLike<number>;

/** talib.stream.AD(high, low, close, volume). */
export function AD(high: Arr, low: Arr, close: Arr, volume: Arr): number {
  return last([high, low, close, volume], 1, (i, [h, l, c, v], [o]) => {
    TA_AD(i, i, h, l, c, v, o);
  })[0];
}

/** talib.stream.ADOSC(high, low, close, volume, fastperiod=3, slowperiod=10). */
export function ADOSC(
  high: Arr,
  low: Arr,
  close: Arr,
  volume: Arr,
  { fastperiod = 3, slowperiod = 10 }: { fastperiod?: number; slowperiod?: number } = {},
): number {
  const f = pyInt("fastperiod", fastperiod);
  const s = pyInt("slowperiod", slowperiod);
  return last([high, low, close, volume], 1, (i, [h, l, c, v], [o]) => {
    TA_ADOSC(i, i, h, l, c, v, f, s, o);
  })[0];
}

/** talib.stream.ADX(high, low, close, timeperiod=14). */
export function ADX(
  high: Arr,
  low: Arr,
  close: Arr,
  { timeperiod = 14, ...o }: { timeperiod?: number } & TalibOptions = {},
): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([high, low, close], 1, (i, [h, l, c], [out]) => {
    TA_ADX(i, i, h, l, c, p, out, eps(o));
  })[0];
}

/** talib.stream.ADXR(high, low, close, timeperiod=14). */
export function ADXR(
  high: Arr,
  low: Arr,
  close: Arr,
  { timeperiod = 14, ...o }: { timeperiod?: number } & TalibOptions = {},
): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([high, low, close], 1, (i, [h, l, c], [out]) => {
    TA_ADXR(i, i, h, l, c, p, out, eps(o));
  })[0];
}

/** talib.stream.APO(real, fastperiod=12, slowperiod=26, matype=0). */
export function APO(
  real: Arr,
  { fastperiod = 12, slowperiod = 26, matype = 0, ...o }: PoOptions = {},
): number {
  const f = pyInt("fastperiod", fastperiod);
  const s = pyInt("slowperiod", slowperiod);
  const m = pyInt("matype", matype);
  return last([real], 1, (i, [x], [out]) => {
    TA_APO(i, i, x, f, s, m, out, eps(o));
  })[0];
}

/** talib.stream.AROON(high, low, timeperiod=14) → [aroondown, aroonup]. */
export function AROON(
  high: Arr,
  low: Arr,
  { timeperiod = 14 }: { timeperiod?: number } = {},
): [number, number] {
  const p = pyInt("timeperiod", timeperiod);
  const r = last([high, low], 2, (i, [h, l], [d, u]) => {
    TA_AROON(i, i, h, l, p, d, u);
  });
  return [r[0], r[1]];
}

/** talib.stream.ATR(high, low, close, timeperiod=14). */
export function ATR(
  high: Arr,
  low: Arr,
  close: Arr,
  { timeperiod = 14 }: { timeperiod?: number } = {},
): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([high, low, close], 1, (i, [h, l, c], [out]) => {
    TA_ATR(i, i, h, l, c, p, out);
  })[0];
}

/** talib.stream.BBANDS(real, timeperiod=5, nbdevup=2, nbdevdn=2, matype=0) → [upper, middle, lower]. */
export function BBANDS(
  real: Arr,
  { timeperiod = 5, nbdevup = 2, nbdevdn = 2, matype = 0, ...o }: BbandsOptions = {},
): [number, number, number] {
  const p = pyInt("timeperiod", timeperiod);
  const m = pyInt("matype", matype);
  const r = last([real], 3, (i, [x], [u, mid, l]) => {
    TA_BBANDS(i, i, x, p, nbdevup, nbdevdn, m, u, mid, l, eps(o));
  });
  return [r[0], r[1], r[2]];
}

/** talib.stream.CCI(high, low, close, timeperiod=14). */
export function CCI(
  high: Arr,
  low: Arr,
  close: Arr,
  { timeperiod = 14 }: { timeperiod?: number } = {},
): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([high, low, close], 1, (i, [h, l, c], [out]) => {
    TA_CCI(i, i, h, l, c, p, out);
  })[0];
}

/** talib.stream.DEMA(real, timeperiod=30). */
export function DEMA(real: Arr, { timeperiod = 30 }: { timeperiod?: number } = {}): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([real], 1, (i, [x], [out]) => {
    TA_DEMA(i, i, x, p, out);
  })[0];
}

/** talib.stream.EMA(real, timeperiod=30). */
export function EMA(real: Arr, { timeperiod = 30 }: { timeperiod?: number } = {}): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([real], 1, (i, [x], [out]) => {
    TA_EMA(i, i, x, p, out);
  })[0];
}

/** talib.stream.KAMA(real, timeperiod=30). */
export function KAMA(
  real: Arr,
  { timeperiod = 30, ...o }: { timeperiod?: number } & TalibOptions = {},
): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([real], 1, (i, [x], [out]) => {
    TA_KAMA(i, i, x, p, out, eps(o));
  })[0];
}

/** talib.stream.MA(real, timeperiod=30, matype=0). */
export function MA(
  real: Arr,
  { timeperiod = 30, matype = 0, ...o }: { timeperiod?: number; matype?: number } & TalibOptions = {},
): number {
  const p = pyInt("timeperiod", timeperiod);
  const m = pyInt("matype", matype);
  return last([real], 1, (i, [x], [out]) => {
    TA_MA(i, i, x, p, m, out, eps(o));
  })[0];
}

/** talib.stream.MACD(real, fastperiod=12, slowperiod=26, signalperiod=9) → [macd, signal, hist]. */
export function MACD(
  real: Arr,
  {
    fastperiod = 12,
    slowperiod = 26,
    signalperiod = 9,
  }: { fastperiod?: number; slowperiod?: number; signalperiod?: number } = {},
): [number, number, number] {
  const f = pyInt("fastperiod", fastperiod);
  const s = pyInt("slowperiod", slowperiod);
  const g = pyInt("signalperiod", signalperiod);
  const r = last([real], 3, (i, [x], [m, sig, h]) => {
    TA_MACD(i, i, x, f, s, g, m, sig, h);
  });
  return [r[0], r[1], r[2]];
}

/** talib.stream.MAMA(real, fastlimit=0.5, slowlimit=0.05) → [mama, fama]. */
export function MAMA(
  real: Arr,
  { fastlimit = 0.5, slowlimit = 0.05 }: { fastlimit?: number; slowlimit?: number } = {},
): [number, number] {
  const r = last([real], 2, (i, [x], [m, f]) => {
    TA_MAMA(i, i, x, fastlimit, slowlimit, m, f);
  });
  return [r[0], r[1]];
}

/** talib.stream.MFI(high, low, close, volume, timeperiod=14). */
export function MFI(
  high: Arr,
  low: Arr,
  close: Arr,
  volume: Arr,
  { timeperiod = 14 }: { timeperiod?: number } = {},
): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([high, low, close, volume], 1, (i, [h, l, c, v], [out]) => {
    TA_MFI(i, i, h, l, c, v, p, out);
  })[0];
}

/** talib.stream.MINUS_DI(high, low, close, timeperiod=14). */
export function MINUS_DI(
  high: Arr,
  low: Arr,
  close: Arr,
  { timeperiod = 14, ...o }: { timeperiod?: number } & TalibOptions = {},
): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([high, low, close], 1, (i, [h, l, c], [out]) => {
    TA_MINUS_DI(i, i, h, l, c, p, out, eps(o));
  })[0];
}

/** talib.stream.MINUS_DM(high, low, timeperiod=14). */
export function MINUS_DM(high: Arr, low: Arr, { timeperiod = 14 }: { timeperiod?: number } = {}): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([high, low], 1, (i, [h, l], [out]) => {
    TA_MINUS_DM(i, i, h, l, p, out);
  })[0];
}

/** talib.stream.MOM(real, timeperiod=10). */
export function MOM(real: Arr, { timeperiod = 10 }: { timeperiod?: number } = {}): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([real], 1, (i, [x], [out]) => {
    TA_MOM(i, i, x, p, out);
  })[0];
}

/** talib.stream.OBV(real, volume). */
export function OBV(real: Arr, volume: Arr): number {
  return last([real, volume], 1, (i, [x, v], [out]) => {
    TA_OBV(i, i, x, v, out);
  })[0];
}

/** talib.stream.PLUS_DI(high, low, close, timeperiod=14). */
export function PLUS_DI(
  high: Arr,
  low: Arr,
  close: Arr,
  { timeperiod = 14, ...o }: { timeperiod?: number } & TalibOptions = {},
): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([high, low, close], 1, (i, [h, l, c], [out]) => {
    TA_PLUS_DI(i, i, h, l, c, p, out, eps(o));
  })[0];
}

/** talib.stream.PPO(real, fastperiod=12, slowperiod=26, matype=0). */
export function PPO(
  real: Arr,
  { fastperiod = 12, slowperiod = 26, matype = 0, ...o }: PoOptions = {},
): number {
  const f = pyInt("fastperiod", fastperiod);
  const s = pyInt("slowperiod", slowperiod);
  const m = pyInt("matype", matype);
  return last([real], 1, (i, [x], [out]) => {
    TA_PPO(i, i, x, f, s, m, out, eps(o));
  })[0];
}

/** talib.stream.ROC(real, timeperiod=10). */
export function ROC(real: Arr, { timeperiod = 10 }: { timeperiod?: number } = {}): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([real], 1, (i, [x], [out]) => {
    TA_ROC(i, i, x, p, out);
  })[0];
}

/** talib.stream.RSI(real, timeperiod=14). */
export function RSI(
  real: Arr,
  { timeperiod = 14, ...o }: { timeperiod?: number } & TalibOptions = {},
): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([real], 1, (i, [x], [out]) => {
    TA_RSI(i, i, x, p, out, eps(o));
  })[0];
}

/** talib.stream.SAR(high, low, acceleration=0.02, maximum=0.2). */
export function SAR(
  high: Arr,
  low: Arr,
  { acceleration = 0.02, maximum = 0.2 }: { acceleration?: number; maximum?: number } = {},
): number {
  return last([high, low], 1, (i, [h, l], [out]) => {
    TA_SAR(i, i, h, l, acceleration, maximum, out);
  })[0];
}

/** talib.stream.SMA(real, timeperiod=30). */
export function SMA(real: Arr, { timeperiod = 30 }: { timeperiod?: number } = {}): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([real], 1, (i, [x], [out]) => {
    TA_SMA(i, i, x, p, out);
  })[0];
}

/** talib.stream.STDDEV(real, timeperiod=5, nbdev=1). */
export function STDDEV(
  real: Arr,
  { timeperiod = 5, nbdev = 1, ...o }: { timeperiod?: number; nbdev?: number } & TalibOptions = {},
): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([real], 1, (i, [x], [out]) => {
    TA_STDDEV(i, i, x, p, nbdev, out, eps(o));
  })[0];
}

/** talib.stream.STOCH(high, low, close, 5, 3, 0, 3, 0) → [slowk, slowd]. */
export function STOCH(
  high: Arr,
  low: Arr,
  close: Arr,
  {
    fastk_period = 5,
    slowk_period = 3,
    slowk_matype = 0,
    slowd_period = 3,
    slowd_matype = 0,
    ...o
  }: StochOptions = {},
): [number, number] {
  const fk = pyInt("fastk_period", fastk_period);
  const sk = pyInt("slowk_period", slowk_period);
  const skm = pyInt("slowk_matype", slowk_matype);
  const sd = pyInt("slowd_period", slowd_period);
  const sdm = pyInt("slowd_matype", slowd_matype);
  const r = last([high, low, close], 2, (i, [h, l, c], [k, d]) => {
    TA_STOCH(i, i, h, l, c, fk, sk, skm, sd, sdm, k, d, eps(o));
  });
  return [r[0], r[1]];
}

/** talib.stream.STOCHF(high, low, close, fastk_period=5, fastd_period=3, fastd_matype=0) → [fastk, fastd]. */
export function STOCHF(
  high: Arr,
  low: Arr,
  close: Arr,
  { fastk_period = 5, fastd_period = 3, fastd_matype = 0, ...o }: StochfOptions = {},
): [number, number] {
  const fk = pyInt("fastk_period", fastk_period);
  const fd = pyInt("fastd_period", fastd_period);
  const fdm = pyInt("fastd_matype", fastd_matype);
  const r = last([high, low, close], 2, (i, [h, l, c], [k, d]) => {
    TA_STOCHF(i, i, h, l, c, fk, fd, fdm, k, d, eps(o));
  });
  return [r[0], r[1]];
}

/** talib.stream.T3(real, timeperiod=5, vfactor=0.7). */
export function T3(
  real: Arr,
  { timeperiod = 5, vfactor = 0.7 }: { timeperiod?: number; vfactor?: number } = {},
): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([real], 1, (i, [x], [out]) => {
    TA_T3(i, i, x, p, vfactor, out);
  })[0];
}

/** talib.stream.TEMA(real, timeperiod=30). */
export function TEMA(real: Arr, { timeperiod = 30 }: { timeperiod?: number } = {}): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([real], 1, (i, [x], [out]) => {
    TA_TEMA(i, i, x, p, out);
  })[0];
}

/** talib.stream.TRANGE(high, low, close). */
export function TRANGE(high: Arr, low: Arr, close: Arr): number {
  return last([high, low, close], 1, (i, [h, l, c], [out]) => {
    TA_TRANGE(i, i, h, l, c, out);
  })[0];
}

/** talib.stream.TRIMA(real, timeperiod=30). */
export function TRIMA(real: Arr, { timeperiod = 30 }: { timeperiod?: number } = {}): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([real], 1, (i, [x], [out]) => {
    TA_TRIMA(i, i, x, p, out);
  })[0];
}

/** talib.stream.WILLR(high, low, close, timeperiod=14). */
export function WILLR(
  high: Arr,
  low: Arr,
  close: Arr,
  { timeperiod = 14 }: { timeperiod?: number } = {},
): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([high, low, close], 1, (i, [h, l, c], [out]) => {
    TA_WILLR(i, i, h, l, c, p, out);
  })[0];
}

/** talib.stream.WMA(real, timeperiod=30). */
export function WMA(real: Arr, { timeperiod = 30 }: { timeperiod?: number } = {}): number {
  const p = pyInt("timeperiod", timeperiod);
  return last([real], 1, (i, [x], [out]) => {
    TA_WMA(i, i, x, p, out);
  })[0];
}
