// python's `talib.<FUNC>(...)` (ta-lib-python, talib/_func.pxi): whole arrays in, arrays of the same length
// out, NaN through the lookback. As there: inputs must have equal lengths; leading NaNs (a row where any
// input is NaN) are skipped and the function runs on the rest; integer options go through a C int.
// Where TA-Lib writes fewer values than length − lookback (BBANDS with MAMA and a period above 33),
// python leaves uninitialised memory; these wrappers leave NaN.

import { TA_AD, TA_AD_Lookback, TA_ADOSC, TA_ADOSC_Lookback } from "./ad.ts";
import { TA_ADX, TA_ADX_Lookback, TA_ADXR, TA_ADXR_Lookback } from "./adx.ts";
import { TA_AROON, TA_AROON_Lookback } from "./aroon.ts";
import { TA_ATR, TA_ATR_Lookback, TA_TRANGE, TA_TRANGE_Lookback } from "./atr.ts";
import { TA_BBANDS, TA_BBANDS_Lookback } from "./bbands.ts";
import { TA_CCI, TA_CCI_Lookback } from "./cci.ts";
import { TA_EPSILON_040 } from "./core.ts";
import { TA_DEMA, TA_DEMA_Lookback } from "./dema.ts";
import { TA_DI_Lookback, TA_MINUS_DI, TA_MINUS_DM, TA_MINUS_DM_Lookback, TA_PLUS_DI } from "./di.ts";
import { TA_EMA, TA_EMA_Lookback } from "./ema.ts";
import { TA_KAMA, TA_KAMA_Lookback } from "./kama.ts";
import { TA_MA, TA_MA_Lookback } from "./ma.ts";
import { TA_MACD, TA_MACD_Lookback } from "./macd.ts";
import { TA_MAMA, TA_MAMA_Lookback } from "./mama.ts";
import { TA_MFI, TA_MFI_Lookback } from "./mfi.ts";
import { TA_MOM, TA_MOM_Lookback, TA_ROC, TA_ROC_Lookback } from "./momentum.ts";
import { TA_OBV, TA_OBV_Lookback } from "./obv.ts";
import { TA_APO, TA_APO_Lookback, TA_PPO, TA_PPO_Lookback } from "./po.ts";
import { TA_RSI, TA_RSI_Lookback } from "./rsi.ts";
import { TA_SAR, TA_SAR_Lookback } from "./sar.ts";
import { TA_SMA, TA_SMA_Lookback } from "./sma.ts";
import { TA_STDDEV, TA_STDDEV_Lookback } from "./stddev.ts";
import { TA_STOCH, TA_STOCH_Lookback, TA_STOCHF, TA_STOCHF_Lookback } from "./stoch.ts";
import { TA_T3, TA_T3_Lookback } from "./t3.ts";
import { TA_TEMA, TA_TEMA_Lookback } from "./tema.ts";
import { TA_TRIMA, TA_TRIMA_Lookback } from "./trima.ts";
import { TA_WILLR, TA_WILLR_Lookback } from "./willr.ts";
import { TA_WMA, TA_WMA_Lookback } from "./wma.ts";

/** Option shared by every wrapper: the TA_IS_ZERO epsilon (TA_EPSILON_040 by default, what STOM ran). */
export interface TalibOptions {
  readonly epsilon?: number;
}

/** A python float array: Float64Array as is, anything else copied into one. */
export function asDoubles(x: ArrayLike<number>): Float64Array {
  return x instanceof Float64Array ? x : Float64Array.from(x);
}

/**
 * A python `int` argument (Cython C int): a finite number truncated toward zero (what Cython 0.29 does
 * with a float), outside int32 an error, as python's OverflowError.
 */
export function pyInt(name: string, v: number): number {
  if (!Number.isFinite(v)) throw new TypeError(`invalid ${name}: ${v} (an integer is required)`);
  const t = Math.trunc(v);
  if (t < -2147483648 || t > 2147483647)
    throw new RangeError(`invalid ${name}: ${v} (value too large for a C int)`);
  return t;
}

/** check_length2/3/4 of _func.pxi: the common length of the inputs. */
export function commonLength(inputs: readonly Float64Array[]): number {
  const n = inputs[0].length;
  for (const a of inputs) if (a.length !== n) throw new Error("input array lengths are different");
  return n;
}

/** check_begidxN of _func.pxi: the first row where no input is NaN (length − 1 when there is none). */
function beginIndex(inputs: readonly Float64Array[], length: number): number {
  for (let i = 0; i < length; i++) {
    let ok = true;
    for (const a of inputs) {
      const v = a[i];
      if (Number.isNaN(v)) {
        ok = false;
        break;
      }
    }
    if (ok) return i;
  }
  return length - 1;
}

/** The body shared by every _func.pxi wrapper. `lookback` is the TA_*_Lookback of the options. */
function run(
  raw: readonly ArrayLike<number>[],
  nOut: number,
  lookback: () => number,
  call: (endIdx: number, ins: Float64Array[], outs: Float64Array[]) => void,
): Float64Array[] {
  const inputs = raw.map(asDoubles);
  const length = commonLength(inputs);
  const outs = Array.from({ length: nOut }, () => new Float64Array(length).fill(Number.NaN));
  if (length === 0) return outs;
  const begidx = beginIndex(inputs, length);
  const endidx = length - begidx - 1;
  const lb = lookback();
  // bad options: TA-Lib refuses them in the call below, before anything is written
  const offset = lb < 0 ? length : begidx + lb;
  call(
    endidx,
    inputs.map((a) => a.subarray(begidx)),
    outs.map((o) => o.subarray(Math.min(offset, length))),
  );
  return outs;
}

const eps = (o: TalibOptions): number => o.epsilon ?? TA_EPSILON_040;

/** talib.AD(high, low, close, volume): Chaikin A/D line. */
export function AD(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
): Float64Array {
  return run([high, low, close, volume], 1, TA_AD_Lookback, (e, [h, l, c, v], [o]) => {
    TA_AD(0, e, h, l, c, v, o);
  })[0];
}

/** talib.ADOSC(high, low, close, volume, fastperiod=3, slowperiod=10). */
export function ADOSC(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
  { fastperiod = 3, slowperiod = 10 }: { fastperiod?: number; slowperiod?: number } = {},
): Float64Array {
  const f = pyInt("fastperiod", fastperiod);
  const s = pyInt("slowperiod", slowperiod);
  return run(
    [high, low, close, volume],
    1,
    () => TA_ADOSC_Lookback(f, s),
    (e, [h, l, c, v], [o]) => {
      TA_ADOSC(0, e, h, l, c, v, f, s, o);
    },
  )[0];
}

/** talib.ADX(high, low, close, timeperiod=14). */
export function ADX(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  { timeperiod = 14, ...o }: { timeperiod?: number } & TalibOptions = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [high, low, close],
    1,
    () => TA_ADX_Lookback(p),
    (e, [h, l, c], [out]) => {
      TA_ADX(0, e, h, l, c, p, out, eps(o));
    },
  )[0];
}

/** talib.ADXR(high, low, close, timeperiod=14). */
export function ADXR(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  { timeperiod = 14, ...o }: { timeperiod?: number } & TalibOptions = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [high, low, close],
    1,
    () => TA_ADXR_Lookback(p),
    (e, [h, l, c], [out]) => {
      TA_ADXR(0, e, h, l, c, p, out, eps(o));
    },
  )[0];
}

/** talib.APO(real, fastperiod=12, slowperiod=26, matype=0). */
export function APO(
  real: ArrayLike<number>,
  { fastperiod = 12, slowperiod = 26, matype = 0, ...o }: PoOptions = {},
): Float64Array {
  const f = pyInt("fastperiod", fastperiod);
  const s = pyInt("slowperiod", slowperiod);
  const m = pyInt("matype", matype);
  return run(
    [real],
    1,
    () => TA_APO_Lookback(f, s, m),
    (e, [x], [out]) => {
      TA_APO(0, e, x, f, s, m, out, eps(o));
    },
  )[0];
}

/** Options of APO and PPO. */
export interface PoOptions extends TalibOptions {
  readonly fastperiod?: number;
  readonly slowperiod?: number;
  readonly matype?: number;
}

/** talib.AROON(high, low, timeperiod=14) → [aroondown, aroonup]. */
export function AROON(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  { timeperiod = 14 }: { timeperiod?: number } = {},
): [Float64Array, Float64Array] {
  const p = pyInt("timeperiod", timeperiod);
  const [down, up] = run(
    [high, low],
    2,
    () => TA_AROON_Lookback(p),
    (e, [h, l], [d, u]) => {
      TA_AROON(0, e, h, l, p, d, u);
    },
  );
  return [down, up];
}

/** talib.ATR(high, low, close, timeperiod=14). */
export function ATR(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  { timeperiod = 14 }: { timeperiod?: number } = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [high, low, close],
    1,
    () => TA_ATR_Lookback(p),
    (e, [h, l, c], [out]) => {
      TA_ATR(0, e, h, l, c, p, out);
    },
  )[0];
}

/** Options of BBANDS. */
export interface BbandsOptions extends TalibOptions {
  readonly timeperiod?: number;
  readonly nbdevup?: number;
  readonly nbdevdn?: number;
  readonly matype?: number;
}

/** talib.BBANDS(real, timeperiod=5, nbdevup=2, nbdevdn=2, matype=0) → [upper, middle, lower]. */
export function BBANDS(
  real: ArrayLike<number>,
  { timeperiod = 5, nbdevup = 2, nbdevdn = 2, matype = 0, ...o }: BbandsOptions = {},
): [Float64Array, Float64Array, Float64Array] {
  const p = pyInt("timeperiod", timeperiod);
  const m = pyInt("matype", matype);
  const [u, mid, l] = run(
    [real],
    3,
    () => TA_BBANDS_Lookback(p, nbdevup, nbdevdn, m),
    (e, [x], [uo, mo, lo]) => {
      TA_BBANDS(0, e, x, p, nbdevup, nbdevdn, m, uo, mo, lo, eps(o));
    },
  );
  return [u, mid, l];
}

/** talib.CCI(high, low, close, timeperiod=14). */
export function CCI(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  { timeperiod = 14 }: { timeperiod?: number } = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [high, low, close],
    1,
    () => TA_CCI_Lookback(p),
    (e, [h, l, c], [out]) => {
      TA_CCI(0, e, h, l, c, p, out);
    },
  )[0];
}

/** talib.DEMA(real, timeperiod=30). */
export function DEMA(
  real: ArrayLike<number>,
  { timeperiod = 30 }: { timeperiod?: number } = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [real],
    1,
    () => TA_DEMA_Lookback(p),
    (e, [x], [out]) => {
      TA_DEMA(0, e, x, p, out);
    },
  )[0];
}

/** talib.EMA(real, timeperiod=30). */
export function EMA(
  real: ArrayLike<number>,
  { timeperiod = 30 }: { timeperiod?: number } = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [real],
    1,
    () => TA_EMA_Lookback(p),
    (e, [x], [out]) => {
      TA_EMA(0, e, x, p, out);
    },
  )[0];
}

/** talib.KAMA(real, timeperiod=30). */
export function KAMA(
  real: ArrayLike<number>,
  { timeperiod = 30, ...o }: { timeperiod?: number } & TalibOptions = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [real],
    1,
    () => TA_KAMA_Lookback(p),
    (e, [x], [out]) => {
      TA_KAMA(0, e, x, p, out, eps(o));
    },
  )[0];
}

/** talib.MA(real, timeperiod=30, matype=0). */
export function MA(
  real: ArrayLike<number>,
  { timeperiod = 30, matype = 0, ...o }: { timeperiod?: number; matype?: number } & TalibOptions = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  const m = pyInt("matype", matype);
  return run(
    [real],
    1,
    () => TA_MA_Lookback(p, m),
    (e, [x], [out]) => {
      TA_MA(0, e, x, p, m, out, eps(o));
    },
  )[0];
}

/** talib.MACD(real, fastperiod=12, slowperiod=26, signalperiod=9) → [macd, macdsignal, macdhist]. */
export function MACD(
  real: ArrayLike<number>,
  {
    fastperiod = 12,
    slowperiod = 26,
    signalperiod = 9,
  }: { fastperiod?: number; slowperiod?: number; signalperiod?: number } = {},
): [Float64Array, Float64Array, Float64Array] {
  const f = pyInt("fastperiod", fastperiod);
  const s = pyInt("slowperiod", slowperiod);
  const g = pyInt("signalperiod", signalperiod);
  const [m, sig, h] = run(
    [real],
    3,
    () => TA_MACD_Lookback(f, s, g),
    (e, [x], [mo, so, ho]) => {
      TA_MACD(0, e, x, f, s, g, mo, so, ho);
    },
  );
  return [m, sig, h];
}

/** talib.MAMA(real, fastlimit=0.5, slowlimit=0.05) → [mama, fama]. */
export function MAMA(
  real: ArrayLike<number>,
  { fastlimit = 0.5, slowlimit = 0.05 }: { fastlimit?: number; slowlimit?: number } = {},
): [Float64Array, Float64Array] {
  const [m, f] = run(
    [real],
    2,
    () => TA_MAMA_Lookback(fastlimit, slowlimit),
    (e, [x], [mo, fo]) => {
      TA_MAMA(0, e, x, fastlimit, slowlimit, mo, fo);
    },
  );
  return [m, f];
}

/** talib.MFI(high, low, close, volume, timeperiod=14). */
export function MFI(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
  { timeperiod = 14 }: { timeperiod?: number } = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [high, low, close, volume],
    1,
    () => TA_MFI_Lookback(p),
    (e, [h, l, c, v], [out]) => {
      TA_MFI(0, e, h, l, c, v, p, out);
    },
  )[0];
}

/** talib.MINUS_DI(high, low, close, timeperiod=14). */
export function MINUS_DI(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  { timeperiod = 14, ...o }: { timeperiod?: number } & TalibOptions = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [high, low, close],
    1,
    () => TA_DI_Lookback(p),
    (e, [h, l, c], [out]) => {
      TA_MINUS_DI(0, e, h, l, c, p, out, eps(o));
    },
  )[0];
}

/** talib.MINUS_DM(high, low, timeperiod=14). */
export function MINUS_DM(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  { timeperiod = 14 }: { timeperiod?: number } = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [high, low],
    1,
    () => TA_MINUS_DM_Lookback(p),
    (e, [h, l], [out]) => {
      TA_MINUS_DM(0, e, h, l, p, out);
    },
  )[0];
}

/** talib.MOM(real, timeperiod=10). */
export function MOM(
  real: ArrayLike<number>,
  { timeperiod = 10 }: { timeperiod?: number } = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [real],
    1,
    () => TA_MOM_Lookback(p),
    (e, [x], [out]) => {
      TA_MOM(0, e, x, p, out);
    },
  )[0];
}

/** talib.OBV(real, volume). */
export function OBV(real: ArrayLike<number>, volume: ArrayLike<number>): Float64Array {
  return run([real, volume], 1, TA_OBV_Lookback, (e, [x, v], [out]) => {
    TA_OBV(0, e, x, v, out);
  })[0];
}

/** talib.PLUS_DI(high, low, close, timeperiod=14). */
export function PLUS_DI(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  { timeperiod = 14, ...o }: { timeperiod?: number } & TalibOptions = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [high, low, close],
    1,
    () => TA_DI_Lookback(p),
    (e, [h, l, c], [out]) => {
      TA_PLUS_DI(0, e, h, l, c, p, out, eps(o));
    },
  )[0];
}

/** talib.PPO(real, fastperiod=12, slowperiod=26, matype=0). */
export function PPO(
  real: ArrayLike<number>,
  { fastperiod = 12, slowperiod = 26, matype = 0, ...o }: PoOptions = {},
): Float64Array {
  const f = pyInt("fastperiod", fastperiod);
  const s = pyInt("slowperiod", slowperiod);
  const m = pyInt("matype", matype);
  return run(
    [real],
    1,
    () => TA_PPO_Lookback(f, s, m),
    (e, [x], [out]) => {
      TA_PPO(0, e, x, f, s, m, out, eps(o));
    },
  )[0];
}

/** talib.ROC(real, timeperiod=10). */
export function ROC(
  real: ArrayLike<number>,
  { timeperiod = 10 }: { timeperiod?: number } = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [real],
    1,
    () => TA_ROC_Lookback(p),
    (e, [x], [out]) => {
      TA_ROC(0, e, x, p, out);
    },
  )[0];
}

/** talib.RSI(real, timeperiod=14). */
export function RSI(
  real: ArrayLike<number>,
  { timeperiod = 14, ...o }: { timeperiod?: number } & TalibOptions = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [real],
    1,
    () => TA_RSI_Lookback(p),
    (e, [x], [out]) => {
      TA_RSI(0, e, x, p, out, eps(o));
    },
  )[0];
}

/** talib.SAR(high, low, acceleration=0.02, maximum=0.2). */
export function SAR(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  { acceleration = 0.02, maximum = 0.2 }: { acceleration?: number; maximum?: number } = {},
): Float64Array {
  return run(
    [high, low],
    1,
    () => TA_SAR_Lookback(acceleration, maximum),
    (e, [h, l], [out]) => {
      TA_SAR(0, e, h, l, acceleration, maximum, out);
    },
  )[0];
}

/** talib.SMA(real, timeperiod=30). */
export function SMA(
  real: ArrayLike<number>,
  { timeperiod = 30 }: { timeperiod?: number } = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [real],
    1,
    () => TA_SMA_Lookback(p),
    (e, [x], [out]) => {
      TA_SMA(0, e, x, p, out);
    },
  )[0];
}

/** talib.STDDEV(real, timeperiod=5, nbdev=1). */
export function STDDEV(
  real: ArrayLike<number>,
  { timeperiod = 5, nbdev = 1, ...o }: { timeperiod?: number; nbdev?: number } & TalibOptions = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [real],
    1,
    () => TA_STDDEV_Lookback(p),
    (e, [x], [out]) => {
      TA_STDDEV(0, e, x, p, nbdev, out, eps(o));
    },
  )[0];
}

/** Options of STOCH. */
export interface StochOptions extends TalibOptions {
  readonly fastk_period?: number;
  readonly slowk_period?: number;
  readonly slowk_matype?: number;
  readonly slowd_period?: number;
  readonly slowd_matype?: number;
}

/** talib.STOCH(high, low, close, 5, 3, 0, 3, 0) → [slowk, slowd]. */
export function STOCH(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  {
    fastk_period = 5,
    slowk_period = 3,
    slowk_matype = 0,
    slowd_period = 3,
    slowd_matype = 0,
    ...o
  }: StochOptions = {},
): [Float64Array, Float64Array] {
  const fk = pyInt("fastk_period", fastk_period);
  const sk = pyInt("slowk_period", slowk_period);
  const skm = pyInt("slowk_matype", slowk_matype);
  const sd = pyInt("slowd_period", slowd_period);
  const sdm = pyInt("slowd_matype", slowd_matype);
  const [k, d] = run(
    [high, low, close],
    2,
    () => TA_STOCH_Lookback(fk, sk, skm, sd, sdm),
    (e, [h, l, c], [ko, dout]) => {
      TA_STOCH(0, e, h, l, c, fk, sk, skm, sd, sdm, ko, dout, eps(o));
    },
  );
  return [k, d];
}

/** Options of STOCHF. */
export interface StochfOptions extends TalibOptions {
  readonly fastk_period?: number;
  readonly fastd_period?: number;
  readonly fastd_matype?: number;
}

/** talib.STOCHF(high, low, close, fastk_period=5, fastd_period=3, fastd_matype=0) → [fastk, fastd]. */
export function STOCHF(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  { fastk_period = 5, fastd_period = 3, fastd_matype = 0, ...o }: StochfOptions = {},
): [Float64Array, Float64Array] {
  const fk = pyInt("fastk_period", fastk_period);
  const fd = pyInt("fastd_period", fastd_period);
  const fdm = pyInt("fastd_matype", fastd_matype);
  const [k, d] = run(
    [high, low, close],
    2,
    () => TA_STOCHF_Lookback(fk, fd, fdm),
    (e, [h, l, c], [ko, dout]) => {
      TA_STOCHF(0, e, h, l, c, fk, fd, fdm, ko, dout, eps(o));
    },
  );
  return [k, d];
}

/** talib.T3(real, timeperiod=5, vfactor=0.7). */
export function T3(
  real: ArrayLike<number>,
  { timeperiod = 5, vfactor = 0.7 }: { timeperiod?: number; vfactor?: number } = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [real],
    1,
    () => TA_T3_Lookback(p, vfactor),
    (e, [x], [out]) => {
      TA_T3(0, e, x, p, vfactor, out);
    },
  )[0];
}

/** talib.TEMA(real, timeperiod=30). */
export function TEMA(
  real: ArrayLike<number>,
  { timeperiod = 30 }: { timeperiod?: number } = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [real],
    1,
    () => TA_TEMA_Lookback(p),
    (e, [x], [out]) => {
      TA_TEMA(0, e, x, p, out);
    },
  )[0];
}

/** talib.TRANGE(high, low, close). */
export function TRANGE(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
): Float64Array {
  return run([high, low, close], 1, TA_TRANGE_Lookback, (e, [h, l, c], [out]) => {
    TA_TRANGE(0, e, h, l, c, out);
  })[0];
}

/** talib.TRIMA(real, timeperiod=30). */
export function TRIMA(
  real: ArrayLike<number>,
  { timeperiod = 30 }: { timeperiod?: number } = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [real],
    1,
    () => TA_TRIMA_Lookback(p),
    (e, [x], [out]) => {
      TA_TRIMA(0, e, x, p, out);
    },
  )[0];
}

/** talib.WILLR(high, low, close, timeperiod=14). */
export function WILLR(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  { timeperiod = 14 }: { timeperiod?: number } = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [high, low, close],
    1,
    () => TA_WILLR_Lookback(p),
    (e, [h, l, c], [out]) => {
      TA_WILLR(0, e, h, l, c, p, out);
    },
  )[0];
}

/** talib.WMA(real, timeperiod=30). */
export function WMA(
  real: ArrayLike<number>,
  { timeperiod = 30 }: { timeperiod?: number } = {},
): Float64Array {
  const p = pyInt("timeperiod", timeperiod);
  return run(
    [real],
    1,
    () => TA_WMA_Lookback(p),
    (e, [x], [out]) => {
      TA_WMA(0, e, x, p, out);
    },
  )[0];
}
