import type { ParamSpecs, ParamValues } from "../params.ts";
import { Series } from "../series.ts";
import type { TickSellContext } from "./strategy.ts";

/** What a context reads from the portfolio it trades in (the kernel). */
export interface TickPortfolio {
  readonly cash: number;
  readonly openPositions: number;
}

/**
 * The per-symbol context handed to buy() and sell(); it is also the clock of the symbol's Series.
 * The kernel writes the position fields; bind() swaps the columns when a session's history grows.
 */
export class SymbolContext<P extends ParamSpecs> implements TickSellContext<P> {
  i = -1;
  수익률 = Number.NaN;
  최고수익률 = Number.NaN;
  최저수익률 = Number.NaN;
  보유수량 = 0;
  보유시간 = 0;
  entryPrice = Number.NaN;
  entryTime = Number.NaN;
  readonly symbol: string;
  readonly params: ParamValues<P>;
  price: Series;
  #columns: Readonly<Record<string, Float64Array>> = {};
  #times: Float64Array = new Float64Array(0);
  // col() runs on every snapshot in most strategies: a short list compared by identity (names are
  // interned literals) beats a Map lookup; the list is rebuilt when bind() swaps the columns
  #names: string[] = [];
  #series: Series[] = [];
  readonly #portfolio: TickPortfolio;

  constructor(symbol: string, params: ParamValues<P>, portfolio: TickPortfolio) {
    this.symbol = symbol;
    this.params = params;
    this.#portfolio = portfolio;
    this.price = new Series(new Float64Array(0), this, "현재가");
  }

  /** Points the context at the symbol's columns (whole, or a session's history so far). */
  bind(columns: Readonly<Record<string, Float64Array>>, price: Float64Array): void {
    this.#columns = columns;
    this.#times = columns.time;
    this.price = new Series(price, this, "현재가");
    this.#names = [];
    this.#series = [];
  }

  /** UTC ms of the current snapshot: read from the column, so the kernel stores only the row per event */
  get time(): number {
    const i = this.i;
    return i >= 0 ? this.#times[i] : Number.NaN;
  }

  get cash(): number {
    return this.#portfolio.cash;
  }

  get openPositions(): number {
    return this.#portfolio.openPositions;
  }

  col(name: string): Series {
    const names = this.#names;
    for (let j = 0; j < names.length; j++) if (names[j] === name) return this.#series[j];
    return this.#add(name);
  }

  // apart from col() so that col() stays small enough to inline into the strategy's call site
  #add(name: string): Series {
    const names = this.#names;
    const values = this.#columns[name];
    if (!values) throw new Error(`unknown column: ${name} (symbol ${this.symbol})`);
    const s = new Series(values, this, name);
    names.push(name);
    this.#series.push(s);
    return s;
  }
}
