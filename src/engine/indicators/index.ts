export { atr, trueRange } from "./atr.ts";
export { type Bollinger, bollinger } from "./bollinger.ts";
export {
  type Crossable,
  crossover,
  crossovers,
  crossunder,
  crossunders,
  type Line,
} from "./crossover.ts";
export { type EmaOptions, ema, ewmPandas } from "./ema.ts";
export { type Macd, macd } from "./macd.ts";
export { rollingMax, rollingMin } from "./rolling-extrema.ts";
export { rollingMean } from "./rolling-mean.ts";
export { rollingStd, rollingVar } from "./rolling-std.ts";
export { rollingSum } from "./rolling-sum.ts";
export { rsi } from "./rsi.ts";
export { lag, shift } from "./shift.ts";
export { sma } from "./sma.ts";
export { type Stochastic, stochastic } from "./stochastic.ts";
export {
  이동평균,
  체결강도평균,
  최고체결강도,
  최고현재가,
  최저체결강도,
  최저현재가,
  현재가N,
} from "./stom.ts";
export * as talib from "./talib/index.ts";
export { wma } from "./wma.ts";
