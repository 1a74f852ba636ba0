import type { ParamSpecs, ParamValues } from "../params.ts";
import type { Series } from "../series.ts";

/** What a tick strategy's init() sees for one symbol: its whole columns, to compute indicators vectorized. */
export interface TickInitContext<P extends ParamSpecs> {
  readonly symbol: string;
  /** rows of this symbol */
  readonly length: number;
  /** every numeric column of the symbol as Float64Array (time, 현재가, the book, 체결강도 …) */
  readonly columns: Readonly<Record<string, Float64Array>>;
  readonly params: ParamValues<P>;
  /**
   * Declares an indicator over this symbol's rows and returns it as a Series revealed row by row.
   * Its NaN warm-up delays the first buy()/sell() call of the symbol, as STOM waits for its windows.
   */
  I(values: Float64Array, name?: string): Series;
}

/** What buy() sees: the symbol's current snapshot and Series bounded by it; no whole columns. */
export interface TickContext<P extends ParamSpecs> {
  readonly symbol: string;
  /** index of the symbol's snapshot being decided */
  readonly i: number;
  /** UTC ms of that snapshot */
  readonly time: number;
  /** 현재가 (the `price` column when there is no 현재가) */
  readonly price: Series;
  /** any numeric column of the symbol, bounded like the rest */
  col(name: string): Series;
  readonly params: ParamValues<P>;
  /** the portfolio's free cash */
  readonly cash: number;
  /** open positions plus pending buys over all symbols */
  readonly openPositions: number;
}

/**
 * What sell() sees while the symbol is held: the buy context plus the position, in STOM's terms.
 * 수익률 values are percent after costs of both sides, marked at 현재가 (STOM's GetPgSgSp).
 */
export interface TickSellContext<P extends ParamSpecs> extends TickContext<P> {
  /** profit % if sold at 현재가 now, after buy and sell costs */
  readonly 수익률: number;
  /** highest 수익률 seen since the entry fill, the current snapshot included */
  readonly 최고수익률: number;
  /** lowest 수익률 seen since the entry fill, the current snapshot included */
  readonly 최저수익률: number;
  /** units held */
  readonly 보유수량: number;
  /** seconds since the entry fill */
  readonly 보유시간: number;
  /** volume-weighted entry price */
  readonly entryPrice: number;
  /** UTC ms of the entry fill */
  readonly entryTime: number;
}

/**
 * A STOM-style tick strategy: init() once per symbol over whole columns, then per snapshot buy() while
 * the symbol is flat and sell() while it is held. Return true to send a market order.
 */
export interface TickStrategyDef<P extends ParamSpecs = ParamSpecs, S = unknown> {
  readonly name?: string;
  readonly description?: string;
  readonly params: P;
  init(ctx: TickInitContext<P>): S;
  buy(ctx: TickContext<P>, state: S): boolean;
  sell(ctx: TickSellContext<P>, state: S): boolean;
}

/**
 * Declares a tick strategy (identity at run time; it exists for type inference).
 *
 *     export default defineTickStrategy({
 *       params: { n: { default: 60, min: 10, max: 600 } },
 *       init: (ctx) => ({ ma: ctx.I(이동평균(ctx.columns.현재가, ctx.params.n), "ma") }),
 *       buy: (ctx, { ma }) => ctx.price.value > ma.value,
 *       sell: (ctx) => ctx.수익률 <= -2 || ctx.수익률 >= 3,
 *     });
 */
export function defineTickStrategy<P extends ParamSpecs, S>(
  def: TickStrategyDef<P, S>,
): TickStrategyDef<P, S> {
  return Object.freeze(def);
}
