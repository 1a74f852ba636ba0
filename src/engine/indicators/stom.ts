import { rollingMax, rollingMin } from "./rolling-extrema.ts";
import { rollingMean } from "./rolling-mean.ts";
import { shift } from "./shift.ts";

// STOM's strategy helpers as whole columns. STOM (utility/strategy engines, Parameter_Area) evaluates them
// per tick on the slice array[indexn + 1 - pre - tick : indexn + 1 - pre]: the window is the last `tick`
// ticks INCLUDING the current one; its optional `pre` argument is the same value `pre` ticks earlier, which
// is `shift(column, pre)` here. Before `tick` ticks exist STOM's backtester does not run the strategy
// (tick_count < avgtime); these columns hold NaN there.
// STOM rounds 이동평균 to 8 decimals and, in some versions, 체결강도평균 to 3 at each call; these columns are
// not rounded (round at the comparison if bit parity with STOM's logs is needed).

/** 이동평균(n): mean of 현재가 over the last n ticks, the current tick included. */
export function 이동평균(price: ArrayLike<number>, n: number): Float64Array {
  return rollingMean(price, n);
}

/** 최고현재가(n): highest 현재가 over the last n ticks, the current tick included. */
export function 최고현재가(price: ArrayLike<number>, n: number): Float64Array {
  return rollingMax(price, n);
}

/** 최저현재가(n): lowest 현재가 over the last n ticks, the current tick included. */
export function 최저현재가(price: ArrayLike<number>, n: number): Float64Array {
  return rollingMin(price, n);
}

/** 체결강도평균(n): mean of 체결강도 over the last n ticks, the current tick included. */
export function 체결강도평균(strength: ArrayLike<number>, n: number): Float64Array {
  return rollingMean(strength, n);
}

/** 최고체결강도(n): highest 체결강도 over the last n ticks, the current tick included. */
export function 최고체결강도(strength: ArrayLike<number>, n: number): Float64Array {
  return rollingMax(strength, n);
}

/** 최저체결강도(n): lowest 체결강도 over the last n ticks, the current tick included. */
export function 최저체결강도(strength: ArrayLike<number>, n: number): Float64Array {
  return rollingMin(strength, n);
}

/** 현재가N(k): 현재가 k ticks ago (STOM's Parameter_Previous: array[indexn - k]). */
export function 현재가N(price: ArrayLike<number>, k: number): Float64Array {
  return shift(price, k);
}
