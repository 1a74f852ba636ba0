import type { Bars } from "./bars.ts";
import type { Order, OrderRequest, Trade } from "./orders.ts";
import type { ParamSpecs, ParamValues } from "./params.ts";
import type { Series } from "./series.ts";

/** The open position, netted over open trades. */
export interface Position {
  /** signed size in units (negative when short) */
  readonly size: number;
  /** open profit in cash */
  readonly pl: number;
  /** open profit in percent of entry value, size-weighted over the open trades */
  readonly plPct: number;
  readonly isLong: boolean;
  readonly isShort: boolean;
  /** closes `portion` of every open trade at the next fill */
  close(portion?: number): void;
}

/** Orders a strategy can place, in init() and next(). */
export interface Trading {
  buy(req?: OrderRequest): Order;
  sell(req?: OrderRequest): Order;
  readonly position: Position;
  /** open trades, oldest first */
  readonly trades: readonly Trade[];
  readonly closedTrades: readonly Trade[];
  /** pending orders */
  readonly orders: readonly Order[];
  /** cash plus open profit */
  readonly equity: number;
}

/** What init() sees: whole columns, to compute indicators vectorized. */
export interface InitContext<P extends ParamSpecs> extends Trading {
  readonly bars: Bars;
  readonly params: ParamValues<P>;
  /**
   * Declares an indicator: returns it as a Series revealed bar by bar in next(). Its NaN warm-up
   * delays the first next() call (unless `scatter`), and its values at entry and exit are added to
   * the trade list under `name`.
   */
  I(values: Float64Array, name?: string, opts?: { scatter?: boolean }): Series;
}

/** What next() sees: the current bar index and Series bounded by it; no whole columns. */
export interface NextContext<P extends ParamSpecs> extends Trading {
  /** index of the bar being decided (its close is known) */
  readonly i: number;
  /** UTC ms of the current bar */
  readonly time: number;
  readonly open: Series;
  readonly high: Series;
  readonly low: Series;
  readonly close: Series;
  readonly volume: Series;
  /** any other column of the bars, bounded like the rest */
  col(name: string): Series;
  readonly params: ParamValues<P>;
}

export interface StrategyDef<P extends ParamSpecs = ParamSpecs, S = unknown> {
  readonly name?: string;
  readonly description?: string;
  readonly params: P;
  init(ctx: InitContext<P>): S;
  next(ctx: NextContext<P>, state: S): void;
  /**
   * Optional: the orders next() places, as one action per bar (codes in signals.ts: `long`
   * stands for `position.close(); buy()`, `short` for `position.close(); sell()`, `exit` for
   * `position.close()`), computed over whole columns after init(). An optimizer then runs the
   * strategy without calling next() on every bar, with the same fills and stats; it checks its
   * best result against next() and stops with an error where the two disagree. `out` is a column
   * of one action per bar to write into (reused between runs: fresh memory is slow to fault in);
   * returning another array works too.
   *
   *     signals: (ctx, state, out) => crossSignals(sma(ctx.bars.close, 10), sma(ctx.bars.close, 30), out)
   */
  signals?(ctx: InitContext<P>, state: S, out: Int8Array): ArrayLike<number>;
}

/**
 * Declares a strategy module (identity at run time; it exists for type inference).
 *
 *     export default defineStrategy({
 *       params: { n: { default: 20, min: 2, max: 200 } },
 *       init: (ctx) => ({ sma: ctx.I(sma(ctx.bars.close, ctx.params.n), "sma") }),
 *       next: (ctx, { sma }) => { if (crossedAbove(ctx.close, sma)) ctx.buy(); },
 *     });
 */
export function defineStrategy<P extends ParamSpecs, S>(def: StrategyDef<P, S>): StrategyDef<P, S> {
  return Object.freeze(def);
}
