// `import { backtest, crossover, defineStrategy, sma } from "stom"`: the engine (strategy API,
// backtest, stats, orders, bars) and its indicators, all pure and browser-safe. The rest of the
// library is one import away: "stom/optimize", "stom/stom" (STOM texts), "stom/data", "stom/bridge".
export * from "../engine/index.ts";
export * from "../engine/indicators/index.ts";
export * as markets from "../engine/markets/index.ts";
export * as portfolio from "../engine/portfolio/index.ts";
// tick strategies are written against these two; the rest of the tick engine is `portfolio.*`
export { defineTickStrategy, runTicks } from "../engine/portfolio/index.ts";
