export { type TickExecutor, TickKernel } from "./kernel.ts";
export { mergeOrder, TimeMerge } from "./merge.ts";
export { type InterestList, parseTimeOfDay, type TickConfig, type TickRunOptions } from "./options.ts";
export type { TickEquity, TickFill, TickOrderCounts, TickResult } from "./result.ts";
export { BOOK_COLUMNS, runTicks, type TickInput } from "./run.ts";
export { type TickPosition, TickSession, type TickSessionOptions } from "./session.ts";
export {
  defineTickStrategy,
  type TickContext,
  type TickInitContext,
  type TickSellContext,
  type TickStrategyDef,
} from "./strategy.ts";
export { EXIT_REASONS, type ExitReason, type TickTrades, TradeLog, tickTradeRows } from "./trades.ts";
