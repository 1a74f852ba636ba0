// Shared pieces of the TA-Lib port: return codes, parameter checks, the TA_IS_ZERO epsilon.
//
// The port follows TA-Lib's C sources (src/ta_func/ta_*.c) statement for statement, with TA-Lib's default
// globals: every unstable period 0 and TA_COMPATIBILITY_DEFAULT. Arrays play the role of C pointers: a
// `Float64Array.subarray` view is `ptr + offset`, and passing the same array as input and output reproduces
// TA-Lib's in-place calls (STOCH smooths its buffer in place).

/** TA_RetCode values that the ported functions can produce. */
export const RetCode = Object.freeze({
  SUCCESS: 0,
  BAD_PARAM: 2,
  ALLOC_ERR: 3,
  OUT_OF_RANGE_START_INDEX: 12,
  OUT_OF_RANGE_END_INDEX: 13,
  INTERNAL_ERROR: 5000,
});

const RET_TEXT: Readonly<Record<number, string>> = {
  2: "Bad Parameter (TA_BAD_PARAM)",
  3: "Allocation Error (TA_ALLOC_ERR)",
  12: "Out-of-Range Start Index (TA_OUT_OF_RANGE_START_INDEX)",
  13: "Out-of-Range End Index (TA_OUT_OF_RANGE_END_INDEX)",
  5000: "Internal Error (TA_INTERNAL_ERROR)",
};

/** A TA-Lib function did not return TA_SUCCESS (python's talib raises an Exception with this text). */
export class TalibError extends Error {
  readonly code: number;
  constructor(func: string, code: number) {
    super(`${func} function failed with error code ${code}: ${RET_TEXT[code] ?? "Unknown Error"}`);
    this.name = "TalibError";
    this.code = code;
  }
}

/** What a TA-Lib function writes through outBegIdx / outNBElement. */
export interface TaRange {
  /** index (in the input) of the first output value */
  readonly begIdx: number;
  /** number of output values written at out[0..nbElement) */
  readonly nbElement: number;
}

/** No output: the requested range lies inside the lookback (TA-Lib still returns TA_SUCCESS). */
export const EMPTY: TaRange = Object.freeze({ begIdx: 0, nbElement: 0 });

/** TA_INTEGER_DEFAULT (INT_MIN): an integer option with this value takes the function's default. */
export const TA_INTEGER_DEFAULT = -2147483648;
/** TA_REAL_DEFAULT: a real option with this value takes the function's default. */
export const TA_REAL_DEFAULT = -4e37;

/**
 * TA_EPSILON of TA-Lib 0.4.0 (TA_IS_ZERO(v) is -1e-8 < v < 1e-8): the C library bundled by python
 * TA-Lib 0.4.x, what STOM ran. The default everywhere here.
 */
export const TA_EPSILON_040 = 1e-8;
/** TA_EPSILON of TA-Lib 0.6.x (python TA-Lib ≥ 0.5): 1e-14. The only change in the ported functions. */
export const TA_EPSILON_060 = 1e-14;

/** MA types, numbered as TA_MAType and python's talib.MA_Type. */
export const MAType = Object.freeze({
  SMA: 0,
  EMA: 1,
  WMA: 2,
  DEMA: 3,
  TEMA: 4,
  TRIMA: 5,
  KAMA: 6,
  MAMA: 7,
  T3: 8,
});

/** TA_IS_ZERO(v) with the given epsilon. */
export function isZero(v: number, eps: number): boolean {
  return -eps < v && v < eps;
}

/** TA_IS_ZERO_OR_NEG(v) with the given epsilon. */
export function isZeroOrNeg(v: number, eps: number): boolean {
  return v < eps;
}

/** PER_TO_K(per) = 2 / (per + 1), as ta_utility.h computes it. */
export function perToK(per: number): number {
  return 2.0 / (per + 1);
}

/** The range check every public TA-Lib function starts with. */
export function checkRange(func: string, startIdx: number, endIdx: number): void {
  if (startIdx < 0) throw new TalibError(func, RetCode.OUT_OF_RANGE_START_INDEX);
  if (endIdx < 0 || endIdx < startIdx) throw new TalibError(func, RetCode.OUT_OF_RANGE_END_INDEX);
}

/**
 * An integer option as the generated C code checks it: TA_INTEGER_DEFAULT takes `def`, a value outside
 * [min, max] is TA_BAD_PARAM. Returns the value to use, or -1 (lookback functions' "bad parameter").
 */
export function intOpt(v: number, def: number, min: number, max: number): number {
  if (v === TA_INTEGER_DEFAULT) return def;
  if (v < min || v > max) return -1;
  return v;
}

/** intOpt that throws TalibError(TA_BAD_PARAM) for the function `func` instead of returning -1. */
export function intParam(func: string, v: number, def: number, min: number, max: number): number {
  const r = intOpt(v, def, min, max);
  if (r < 0) throw new TalibError(func, RetCode.BAD_PARAM);
  return r;
}

/** A real option: TA_REAL_DEFAULT takes `def`; outside [min, max] is TA_BAD_PARAM (NaN passes, as in C). */
export function realParam(func: string, v: number, def: number, min: number, max: number): number {
  if (v === TA_REAL_DEFAULT) return def;
  if (v < min || v > max) throw new TalibError(func, RetCode.BAD_PARAM);
  return v;
}

/** TA_REAL_MAX as the generated range checks spell it. */
export const REAL_MAX = 3e37;

/** True when two arrays start at the same address (C's `inReal == outReal`). */
export function sameStart(a: Float64Array, b: Float64Array): boolean {
  return a === b || (a.buffer === b.buffer && a.byteOffset === b.byteOffset);
}
