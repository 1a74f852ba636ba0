import type { ParamSpecs, ParamValues } from "../params.ts";
import type { Stats } from "../stats.ts";
import type { ExitReason, TickTrades } from "./trades.ts";

export interface TickEquity {
  /** UTC ms of the last event of each sample bucket */
  readonly time: Float64Array;
  /** cash plus held units marked at their symbol's latest 현재가 */
  readonly equity: Float64Array;
  /** equal-weight index of the symbols' 현재가, each relative to its first snapshot (buy & hold) */
  readonly index: Float64Array;
}

export interface TickOrderCounts {
  readonly buys: number;
  readonly sells: number;
  /** market orders refused because the book within `depth` levels was too thin */
  readonly refusedThin: number;
  /** buys refused because cash could not pay the walk plus costs */
  readonly refusedCash: number;
  /** forced exits (day end, session end, stops, end of data) that found the bids too thin and took 현재가 */
  readonly forcedAtPrice: number;
}

export interface TickResult<P extends ParamSpecs = ParamSpecs> {
  readonly trades: TickTrades;
  readonly equity: TickEquity;
  /** computeStats over the equity samples, with requiredCapital = most cash committed to open positions at once */
  readonly stats: Stats;
  readonly params: ParamValues<P>;
  readonly orders: TickOrderCounts;
  /** snapshots processed over all symbols */
  readonly events: number;
}

/** One fill as it happened: a TickSession hands these out per snapshot (or per venue report). */
export interface TickFill {
  readonly kind: "buy" | "sell";
  readonly symbol: string;
  /** UTC ms of the fill (the snapshot whose book was walked, or the venue's report) */
  readonly time: number;
  /** volume-weighted fill price */
  readonly price: number;
  readonly qty: number;
  /** costs of this fill (fees, and the KRX tax on a sell) */
  readonly fee: number;
  /** sells: why the position was closed */
  readonly reason?: ExitReason;
  /** sells: cash P&L of the round trip after both fills' costs */
  readonly pnl?: number;
}
