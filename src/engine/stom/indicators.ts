// The 28 TA-Lib indicators a STOM minute-bar text reads (AD, RSI, MACD, …) and their `_N(k)` forms, computed
// exactly as STOM V1.10 (Py-CI-Park/STOM@63aa7ef) computes them, row by row, from the TA-Lib port in
// ../indicators/talib.
//
// What STOM does (file:line in that commit):
// - Arrays. At each row the minute engines slice the CURRENT DAY of the symbol, from the day's first row up
//   to and including the current one (backtester/backengine_kiwoom_min.py:437-441, upbit_min.py:415-419,
//   binance_min.py:411-415: `start = indexn + 1 - tick_count`): mc = 현재가, mh = 분봉고가, ml = 분봉저가,
//   mv = 분당거래대금 (a traded VALUE per minute, not a volume; it is what AD, ADOSC, MFI and OBV get).
//   tick_count counts the rows of the day (backengine_kiwoom_tick.py:410) and is reset on the day's last row
//   (:411, :421 → InitTradeInfo :246-248); a "day" is the first 8 digits of `index` (KST for stocks, UTC for
//   coins), within the backtest's date and time filter.
// - Values. back_static.py:871-933 GetIndicator calls `talib.stream.<FUNC>` on those arrays: TA-Lib with
//   startIdx = endIdx = last row. TA-Lib seeds its smoothed functions at startIdx − lookback, so these are
//   NOT the last values of the whole-day functions: RSI is the simple-average RSI of the last `period`
//   changes, EMA-based lines (MACD, APO/PPO with matype 1, ADOSC) restart from an SMA seed at every row, ATR
//   is the mean of the last `period` true ranges, AD is only the current bar's money-flow value, OBV is the
//   current 분당거래대금, SAR only looks at the last two bars.
// - Enabling. Every indicator but AD and OBV is computed only when its first setting is non-zero
//   (`if k[0] != 0:` …), else it is 0. Settings come from utility/setting.py:579 `indicator` (all 0, so
//   everything but AD and OBV is off by default) as changed by the text's `self.indicator[key] = value`
//   lines: back_static.py:200 GetBuyStg moves every buy-text line containing `self.indicator` into
//   `indistg`, which the engine executes before computing the indicators on every evaluated row
//   (backengine_kiwoom_min.py:455-456, :487-488, :523-524), then `k = list(self.indicator.values())`. The
//   dict is the module-level one and is never reset: in one STOM process a key set by an earlier text keeps
//   its value. `self.indicator` lines in a SELL text are not moved; they run inside the sell text, after
//   this row's indicators, so they change the next row.
// - Errors and NaN. Each call sits in `try: … except: … = 0`: a TA-Lib error (bad option, empty array) or any
//   Python error gives 0. A row still inside the lookback is NOT an error: TA-Lib returns nothing and python's
//   stream wrapper returns NaN, which the text sees as NaN (every comparison with it is false).
// - `X_N(pre)` (backengine_kiwoom_min.py:284-422) calls the same function on `mh[:-pre]` etc.: the day's rows
//   up to `pre` rows before the current one, i.e. the value column X_N'[i − pre] while 1 <= pre < rows of the
//   day so far; 0 when pre >= those rows, when pre == 0 (`a[:-0]` is empty) and for a non-integer pre
//   (`a[:-1.0]` is a TypeError). A negative pre slices `a[:|pre|]`, the day's first |pre| rows. X_N' differs
//   from X: the _N forms have no `k != 0` check (only matters for SAR, where acceleration 0 is valid), AROONU_N
//   uses AROON's timeperiod k[3] (APO_fastperiod) instead of k[6] (line 310), OBV_N passes the unsliced mv
//   (line 375) so the lengths differ and it is always 0, and DIM_N's except branch returns the tuple (0, 0)
//   (line 341), on which any comparison raises in Python and STOM stops the backtest.
// - When 경과틱수 conditions are set (주식경과틱수설정 / 코인경과틱수설정), the engine's `for k, v in
//   self.dict_condition.items()` (line 463, 495, 531) rebinds `k`, the list the _N closures read, to a
//   string: every _N form with options then fails and gives 0 (DIM_N the tuple). `elapsedConditions` below.
//
// TA-Lib version: STOM ran python TA-Lib 0.4.x, i.e. the C library 0.4.0, whose TA_IS_ZERO epsilon is 1e-8
// (0.6.x: 1e-14); the default here. Integer settings go through a C int: a fractional value is truncated.

import { TA_EPSILON_040 } from "../indicators/talib/core.ts";
import * as stream from "../indicators/talib/stream.ts";

/** The indicator names a STOM text reads (utility/setting.py:460 list_indicator; GetIndicator's return order). */
export const STOM_INDICATOR_NAMES = Object.freeze([
  "AD",
  "ADOSC",
  "ADXR",
  "APO",
  "AROOND",
  "AROONU",
  "ATR",
  "BBU",
  "BBM",
  "BBL",
  "CCI",
  "DIM",
  "DIP",
  "MACD",
  "MACDS",
  "MACDH",
  "MFI",
  "MOM",
  "OBV",
  "PPO",
  "ROC",
  "RSI",
  "SAR",
  "STOCHSK",
  "STOCHSD",
  "STOCHFK",
  "STOCHFD",
  "WILLR",
] as const);

export type StomIndicatorName = (typeof STOM_INDICATOR_NAMES)[number];

/**
 * STOM's indicator settings, utility/setting.py:579 `indicator`, in its key order (the order of the `k` list:
 * k[0] = ADOSC_fastperiod … k[34] = WILLR_timeperiod). All 0: only AD and OBV are computed until a text sets
 * a key with `self.indicator['RSI_timeperiod'] = 14`.
 */
export const STOM_INDICATOR_DEFAULTS = Object.freeze({
  ADOSC_fastperiod: 0,
  ADOSC_slowperiod: 0,
  ADXR_timeperiod: 0,
  APO_fastperiod: 0,
  APO_slowperiod: 0,
  APO_matype: 0,
  AROON_timeperiod: 0,
  ATR_timeperiod: 0,
  BBANDS_timeperiod: 0,
  BBANDS_nbdevup: 0,
  BBANDS_nbdevdn: 0,
  BBANDS_matype: 0,
  CCI_timeperiod: 0,
  DI_timeperiod: 0,
  MACD_fastperiod: 0,
  MACD_slowperiod: 0,
  MACD_signalperiod: 0,
  MFI_timeperiod: 0,
  MOM_timeperiod: 0,
  PPO_fastperiod: 0,
  PPO_slowperiod: 0,
  PPO_matype: 0,
  ROC_timeperiod: 0,
  RSI_timeperiod: 0,
  SAR_acceleration: 0,
  SAR_maximum: 0,
  STOCHS_fastk_period: 0,
  STOCHS_slowk_period: 0,
  STOCHS_slowk_matype: 0,
  STOCHS_slowd_period: 0,
  STOCHS_slowd_matype: 0,
  STOCHF_fastk_period: 0,
  STOCHF_fastd_period: 0,
  STOCHF_fastd_matype: 0,
  WILLR_timeperiod: 0,
});

export type StomIndicatorKey = keyof typeof STOM_INDICATOR_DEFAULTS;

/** The settings keys in k-list order. */
export const STOM_INDICATOR_KEYS = Object.freeze(Object.keys(STOM_INDICATOR_DEFAULTS) as StomIndicatorKey[]);

/** utility/setting.py:541 `indi_base`: the usual values (TA-Lib's defaults), what the UI fills in. */
export const STOM_INDICATOR_BASE: Readonly<Record<StomIndicatorKey, number>> = Object.freeze({
  ADOSC_fastperiod: 3,
  ADOSC_slowperiod: 10,
  ADXR_timeperiod: 14,
  APO_fastperiod: 12,
  APO_slowperiod: 26,
  APO_matype: 0,
  AROON_timeperiod: 14,
  ATR_timeperiod: 14,
  BBANDS_timeperiod: 5,
  BBANDS_nbdevup: 2,
  BBANDS_nbdevdn: 2,
  BBANDS_matype: 0,
  CCI_timeperiod: 14,
  DI_timeperiod: 14,
  MACD_fastperiod: 12,
  MACD_slowperiod: 26,
  MACD_signalperiod: 9,
  MFI_timeperiod: 14,
  MOM_timeperiod: 10,
  PPO_fastperiod: 12,
  PPO_slowperiod: 26,
  PPO_matype: 0,
  ROC_timeperiod: 10,
  RSI_timeperiod: 14,
  SAR_acceleration: 0.02,
  SAR_maximum: 0.2,
  STOCHS_fastk_period: 5,
  STOCHS_slowk_period: 3,
  STOCHS_slowk_matype: 0,
  STOCHS_slowd_period: 3,
  STOCHS_slowd_matype: 0,
  STOCHF_fastk_period: 5,
  STOCHF_fastd_period: 3,
  STOCHF_fastd_matype: 0,
  WILLR_timeperiod: 14,
});

/** A minute symbol's columns as STOM hands them to TA-Lib: close = 현재가, high = 분봉고가, low = 분봉저가,
 * volume = 분당거래대금. */
export interface StomIndicatorBars {
  readonly close: ArrayLike<number>;
  readonly high: ArrayLike<number>;
  readonly low: ArrayLike<number>;
  readonly volume: ArrayLike<number>;
}

export interface StomIndicatorOptions<N extends StomIndicatorName = StomIndicatorName> {
  /** per row, the index of its day's first row (stomDayStarts(index)); default: the whole input is one day */
  readonly dayStart?: ArrayLike<number>;
  /** compute only these names (default: all 28) */
  readonly names?: readonly N[];
  /** TA_IS_ZERO epsilon: TA_EPSILON_040 (default, python TA-Lib 0.4.x as STOM ran) or TA_EPSILON_060 */
  readonly epsilon?: number;
  /** compute rows from this one on (earlier rows stay 0): a live session asks for its newest row only */
  readonly from?: number;
}

/**
 * Per row, the first row of its day as STOM's engines count it (`indexn + 1 - tick_count`): a day is the first
 * 8 digits of `index` (yyyymmddhhmm or yyyymmddhhmmss), compared with the previous row's.
 *
 * @example stomDayStarts([201909200900, 201909200901, 201909230900]) // Int32Array [0, 0, 2]
 */
export function stomDayStarts(index: ArrayLike<number>): Int32Array {
  const out = new Int32Array(index.length);
  let start = 0;
  let prev = "";
  for (let i = 0; i < index.length; i++) {
    const day = String(index[i]).slice(0, 8);
    if (i > 0 && day !== prev) start = i;
    out[i] = start;
    prev = day;
  }
  return out;
}

/**
 * The k list (`list(self.indicator.values())`, 35 numbers) for settings applied over STOM's defaults.
 * Unknown keys are ignored, as in STOM (Python appends them to the dict, after k[34], where nothing reads them).
 */
export function stomIndicatorK(settings: Readonly<Record<string, number>> = {}): number[] {
  return STOM_INDICATOR_KEYS.map((key) => (key in settings ? settings[key] : STOM_INDICATOR_DEFAULTS[key]));
}

/** Setting keys STOM would silently ignore, each with the closest known key (for a warning). */
export function unknownStomIndicatorKeys(
  settings: Readonly<Record<string, number>>,
): { key: string; didYouMean: StomIndicatorKey }[] {
  return Object.keys(settings)
    .filter((k) => !(k in STOM_INDICATOR_DEFAULTS))
    .map((key) => ({ key, didYouMean: closestKey(key) }));
}

function closestKey(key: string): StomIndicatorKey {
  let best = STOM_INDICATOR_KEYS[0];
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of STOM_INDICATOR_KEYS) {
    const d = editDistance(key.toUpperCase(), k.toUpperCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

interface Window {
  readonly c: Float64Array;
  readonly h: Float64Array;
  readonly l: Float64Array;
  readonly v: Float64Array;
}

/** One talib.stream call of GetIndicator and the names it fills, in output order. */
interface Group {
  readonly names: readonly StomIndicatorName[];
  /** GetIndicator's `if k[j] != 0` (null: always computed) */
  readonly enabledBy: number | null;
  readonly call: (w: Window, k: readonly number[], eps: number) => readonly number[];
}

// back_static.py:871-933, in order
const GROUPS: readonly Group[] = [
  { names: ["AD"], enabledBy: null, call: (w) => [stream.AD(w.h, w.l, w.c, w.v)] },
  {
    names: ["ADOSC"],
    enabledBy: 0,
    call: (w, k) => [stream.ADOSC(w.h, w.l, w.c, w.v, { fastperiod: k[0], slowperiod: k[1] })],
  },
  {
    names: ["ADXR"],
    enabledBy: 2,
    call: (w, k, epsilon) => [stream.ADXR(w.h, w.l, w.c, { timeperiod: k[2], epsilon })],
  },
  {
    names: ["APO"],
    enabledBy: 3,
    call: (w, k, epsilon) => [stream.APO(w.c, { fastperiod: k[3], slowperiod: k[4], matype: k[5], epsilon })],
  },
  { names: ["AROOND", "AROONU"], enabledBy: 6, call: (w, k) => stream.AROON(w.h, w.l, { timeperiod: k[6] }) },
  { names: ["ATR"], enabledBy: 7, call: (w, k) => [stream.ATR(w.h, w.l, w.c, { timeperiod: k[7] })] },
  {
    names: ["BBU", "BBM", "BBL"],
    enabledBy: 8,
    call: (w, k, epsilon) =>
      stream.BBANDS(w.c, { timeperiod: k[8], nbdevup: k[9], nbdevdn: k[10], matype: k[11], epsilon }),
  },
  { names: ["CCI"], enabledBy: 12, call: (w, k) => [stream.CCI(w.h, w.l, w.c, { timeperiod: k[12] })] },
  {
    // `DIM, DIP = stream.MINUS_DI(...), stream.PLUS_DI(...)` in one try
    names: ["DIM", "DIP"],
    enabledBy: 13,
    call: (w, k, epsilon) => [
      stream.MINUS_DI(w.h, w.l, w.c, { timeperiod: k[13], epsilon }),
      stream.PLUS_DI(w.h, w.l, w.c, { timeperiod: k[13], epsilon }),
    ],
  },
  {
    names: ["MACD", "MACDS", "MACDH"],
    enabledBy: 14,
    call: (w, k) => stream.MACD(w.c, { fastperiod: k[14], slowperiod: k[15], signalperiod: k[16] }),
  },
  { names: ["MFI"], enabledBy: 17, call: (w, k) => [stream.MFI(w.h, w.l, w.c, w.v, { timeperiod: k[17] })] },
  { names: ["MOM"], enabledBy: 18, call: (w, k) => [stream.MOM(w.c, { timeperiod: k[18] })] },
  { names: ["OBV"], enabledBy: null, call: (w) => [stream.OBV(w.c, w.v)] },
  {
    names: ["PPO"],
    enabledBy: 19,
    call: (w, k, epsilon) => [
      stream.PPO(w.c, { fastperiod: k[19], slowperiod: k[20], matype: k[21], epsilon }),
    ],
  },
  { names: ["ROC"], enabledBy: 22, call: (w, k) => [stream.ROC(w.c, { timeperiod: k[22] })] },
  {
    names: ["RSI"],
    enabledBy: 23,
    call: (w, k, epsilon) => [stream.RSI(w.c, { timeperiod: k[23], epsilon })],
  },
  {
    names: ["SAR"],
    enabledBy: 24,
    call: (w, k) => [stream.SAR(w.h, w.l, { acceleration: k[24], maximum: k[25] })],
  },
  {
    names: ["STOCHSK", "STOCHSD"],
    enabledBy: 26,
    call: (w, k, epsilon) =>
      stream.STOCH(w.h, w.l, w.c, {
        fastk_period: k[26],
        slowk_period: k[27],
        slowk_matype: k[28],
        slowd_period: k[29],
        slowd_matype: k[30],
        epsilon,
      }),
  },
  {
    names: ["STOCHFK", "STOCHFD"],
    enabledBy: 31,
    call: (w, k, epsilon) =>
      stream.STOCHF(w.h, w.l, w.c, {
        fastk_period: k[31],
        fastd_period: k[32],
        fastd_matype: k[33],
        epsilon,
      }),
  },
  { names: ["WILLR"], enabledBy: 34, call: (w, k) => [stream.WILLR(w.h, w.l, w.c, { timeperiod: k[34] })] },
];

interface Prepared {
  readonly c: Float64Array;
  readonly h: Float64Array;
  readonly l: Float64Array;
  readonly v: Float64Array;
  readonly dayStart: ArrayLike<number>;
  readonly n: number;
}

function prepare(bars: StomIndicatorBars, dayStart: ArrayLike<number> | undefined): Prepared {
  const f = (x: ArrayLike<number>) => (x instanceof Float64Array ? x : Float64Array.from(x));
  const c = f(bars.close);
  const h = f(bars.high);
  const l = f(bars.low);
  const v = f(bars.volume);
  const n = c.length;
  if (h.length !== n || l.length !== n || v.length !== n)
    throw new Error(
      `stom indicators: columns of different lengths (${n}, ${h.length}, ${l.length}, ${v.length})`,
    );
  const ds = dayStart ?? new Int32Array(n);
  if (ds.length !== n) throw new Error(`stom indicators: dayStart has ${ds.length} rows, the columns ${n}`);
  for (let i = 0; i < n; i++)
    if (!(ds[i] >= 0 && ds[i] <= i)) throw new Error(`stom indicators: invalid dayStart[${i}]: ${ds[i]}`);
  return { c, h, l, v, dayStart: ds, n };
}

/** The window STOM passes at row i: its day's rows up to `end` (exclusive), as subarray views. */
function windowAt(p: Prepared, start: number, end: number): Window {
  return {
    c: p.c.subarray(start, end),
    h: p.h.subarray(start, end),
    l: p.l.subarray(start, end),
    v: p.v.subarray(start, end),
  };
}

/** Runs one group on every row's day window; any error gives 0 for every output, as STOM's `except`. */
function runGroup(p: Prepared, g: Group, k: readonly number[], eps: number, from = 0): Float64Array[] {
  const outs = g.names.map(() => new Float64Array(p.n));
  for (let i = from; i < p.n; i++) {
    let vals: readonly number[];
    try {
      vals = g.call(windowAt(p, p.dayStart[i], i + 1), k, eps);
    } catch {
      continue; // zeros
    }
    for (let j = 0; j < outs.length; j++) outs[j][i] = vals[j];
  }
  return outs;
}

/**
 * The indicator columns a STOM minute text sees: at row i, exactly the value GetIndicator gives the text
 * (back_static.py:871) on that row's day window — NaN while the row is inside TA-Lib's lookback, 0 when the
 * indicator is off (its first setting is 0) or TA-Lib/Python raised.
 *
 * @param bars close = 현재가, high = 분봉고가, low = 분봉저가, volume = 분당거래대금 of ONE symbol
 * @param settings `self.indicator` after the text's indistg lines (keys of STOM_INDICATOR_DEFAULTS; missing
 *   keys keep STOM's default 0)
 * @example stomIndicatorColumns(bars, { RSI_timeperiod: 14 }, { dayStart: stomDayStarts(index), names: ["RSI"] }).RSI
 */
export function stomIndicatorColumns<N extends StomIndicatorName = StomIndicatorName>(
  bars: StomIndicatorBars,
  settings: Readonly<Record<string, number>> = {},
  options: StomIndicatorOptions<N> = {},
): Record<N, Float64Array> {
  const p = prepare(bars, options.dayStart);
  const k = stomIndicatorK(settings);
  const eps = options.epsilon ?? TA_EPSILON_040;
  const wanted = new Set<StomIndicatorName>(options.names ?? STOM_INDICATOR_NAMES);
  const result = {} as Record<StomIndicatorName, Float64Array>;
  for (const g of GROUPS) {
    if (!g.names.some((name) => wanted.has(name))) continue;
    // python: `if k[j] != 0:` (NaN != 0 is true, and then the call fails: 0 all the same)
    const outs =
      g.enabledBy === null || k[g.enabledBy] !== 0
        ? runGroup(p, g, k, eps, options.from)
        : g.names.map(() => new Float64Array(p.n));
    g.names.forEach((name, j) => {
      if (wanted.has(name)) result[name] = outs[j];
    });
  }
  return result as Record<N, Float64Array>;
}

/** What `X_N(pre)` returns at each row. */
export interface StomIndicatorNColumn {
  /** the value, or 0 where STOM's except branch fires */
  readonly values: Float64Array;
  /**
   * DIM_N only: 1 where STOM returns the tuple `(0, 0)` instead of a number (its except branch,
   * backengine_kiwoom_min.py:341); a comparison with it raises TypeError and STOM stops the backtest.
   * null for every other name.
   */
  readonly tuple: Uint8Array | null;
}

export interface StomIndicatorNOptions extends StomIndicatorOptions {
  /** 경과틱수 conditions are set: the engine has rebound `k` to a string, every _N form with options fails */
  readonly elapsedConditions?: boolean;
}

/** the N-forms' own calls where they differ from GetIndicator's (backengine_kiwoom_min.py:284-422) */
function nGroup(name: StomIndicatorName): { group: Group; out: number } {
  if (name === "AROONU")
    // line 310: AROONU_N passes timeperiod=k[3] (APO_fastperiod), not k[6]
    return {
      group: {
        names: ["AROONU"],
        enabledBy: null,
        call: (w, k) => [stream.AROON(w.h, w.l, { timeperiod: k[3] })[1]],
      },
      out: 0,
    };
  if (name === "DIM" || name === "DIP") {
    const minus = name === "DIM";
    return {
      group: {
        names: [name],
        enabledBy: 13,
        call: (w, k, epsilon) => [
          (minus ? stream.MINUS_DI : stream.PLUS_DI)(w.h, w.l, w.c, { timeperiod: k[13], epsilon }),
        ],
      },
      out: 0,
    };
  }
  const group = GROUPS.find((g) => g.names.includes(name));
  if (!group) throw new Error(`unknown STOM indicator: ${name}`);
  return { group, out: group.names.indexOf(name) };
}

/** Length of python's `a[:-pre]` for an array of length len (pre an integer). */
function sliceLength(len: number, pre: number): number {
  if (pre > 0) return Math.max(len - pre, 0);
  if (pre === 0) return 0;
  return Math.min(-pre, len);
}

/**
 * `X_N(pre)` at every row (backengine_kiwoom_min.py:284-422): the indicator on the day's rows up to `pre` rows
 * back. For 1 <= pre < rows of the day so far this is the N-form's value pre rows earlier, i.e. column[i − pre]
 * of stomIndicatorColumns for every name except AROONU (timeperiod k[3]), SAR with acceleration 0 (computed,
 * not 0) and OBV (always 0: OBV_N slices only the first array). Otherwise
 * 0 (pre >= rows so far, pre == 0, a non-integer pre) — for DIM_N the tuple (0, 0), flagged in `tuple`.
 * A negative pre is the day's first |pre| rows (python's `a[:|pre|]`).
 *
 * @example stomIndicatorN("RSI", 1, bars, { RSI_timeperiod: 14 }, { dayStart }).values // RSI_N(1)
 */
export function stomIndicatorN(
  name: StomIndicatorName,
  pre: number,
  bars: StomIndicatorBars,
  settings: Readonly<Record<string, number>> = {},
  options: StomIndicatorNOptions = {},
): StomIndicatorNColumn {
  if (!STOM_INDICATOR_NAMES.includes(name)) throw new Error(`unknown STOM indicator: ${name}`);
  const p = prepare(bars, options.dayStart);
  const values = new Float64Array(p.n);
  const tuple = name === "DIM" ? new Uint8Array(p.n) : null;
  const fail = (i: number) => {
    if (tuple) tuple[i] = 1;
  };
  const usesK = name !== "AD" && name !== "OBV";
  if (!Number.isInteger(pre) || (usesK && options.elapsedConditions)) {
    for (let i = 0; i < p.n; i++) fail(i);
    return { values, tuple };
  }
  const k = stomIndicatorK(settings);
  const eps = options.epsilon ?? TA_EPSILON_040;
  const { group, out } = nGroup(name);
  for (let i = options.from ?? 0; i < p.n; i++) {
    const d = p.dayStart[i];
    const len = i - d + 1;
    const e = sliceLength(len, pre);
    // OBV_N: stream.OBV(mc[:-pre], mv) — the lengths differ unless the slice is the whole window
    if (e === 0 || (name === "OBV" && e !== len)) {
      fail(i);
      continue;
    }
    try {
      // the _N forms have no `k != 0` check
      values[i] = group.call(windowAt(p, d, d + e), k, eps)[out];
    } catch {
      fail(i);
    }
  }
  return { values, tuple };
}
