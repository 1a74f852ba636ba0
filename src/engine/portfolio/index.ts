export { mergeOrder, TimeMerge } from "./merge.ts";
export { type InterestList, parseTimeOfDay, type TickRunOptions } from "./options.ts";
export {
  runTicks,
  type TickEquity,
  type TickInput,
  type TickOrderCounts,
  type TickResult,
} from "./run.ts";
export {
  defineTickStrategy,
  type TickContext,
  type TickInitContext,
  type TickSellContext,
  type TickStrategyDef,
} from "./strategy.ts";
export { EXIT_REASONS, type ExitReason, type TickTrades, TradeLog, tickTradeRows } from "./trades.ts";
