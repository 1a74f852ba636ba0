export type { Expr, Pos, Program, Stmt } from "./ast.ts";
export {
  backtestStom,
  type StomBacktestOptions,
  type StomInput,
  type StomRun,
  withIndex,
} from "./backtest.ts";
export {
  compileStom,
  type StomCompileOptions,
  type StomFactory,
  type StomHelper,
  type StomProgram,
  type StomVar,
  varParam,
} from "./compile.ts";
export { StomSyntaxError } from "./errors.ts";
export { kiwoomHogaunit, uvilower5 } from "./fees.ts";
export {
  STOM_INDICATOR_DEFAULTS,
  STOM_INDICATOR_KEYS,
  STOM_INDICATOR_NAMES,
  type StomIndicatorName,
  stomDayStarts,
  stomIndicatorColumns,
  stomIndicatorN,
} from "./indicators.ts";
export { StomColumns, type StomExecutor, type StomKernelOptions } from "./kernel.ts";
export * from "./layouts.ts";
export {
  type StomLiveOptions,
  type StomLiveRules,
  stomLiveDefaults,
  stomLiveRules,
} from "./live.ts";
export {
  BUILTINS,
  columnNames,
  derivedNames,
  helperSpecs,
  INDICATOR_NAMES,
  previousColumn,
  SELL_NAMES,
  STOM_COLUMN_NAMES,
} from "./names.ts";
export { parseStom, parseStomExpr } from "./parse.ts";
export {
  STOM_RESULT_KEYS,
  type StomResultBlock,
  type StomResultOptions,
  type StomTradeLike,
  stomResult,
} from "./result.ts";
export { runStom, type StomReport, type StomRunOptions, stomRunner, stomTask, stomVars } from "./runner.ts";
export { RUNTIME, StomRuntimeError, truthy } from "./runtime.ts";
export { type StomPosition, StomSession, type StomSessionOptions } from "./session.ts";
export { stomBuyText, stomSellText } from "./texts.ts";
export { KST_OFFSET_MS, msToStomIndex, stomIndexMs, stomIndexToMs } from "./time.ts";
export { type Token, type TokenKind, tokenize } from "./tokens.ts";
export type { StomFill, StomTrade } from "./trade.ts";
export {
  type DaySpan,
  daysBetween,
  type StomParts,
  type StomSplit,
  type StomSplitSpec,
  type StomWalkSpec,
  type StomWalkWindow,
  stomParts,
  stomPartsScore,
  stomSplit,
  stomWalkWindows,
} from "./validate.ts";
