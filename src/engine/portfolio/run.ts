import { type BookColumns, type BookFill, walkAsks, walkBids } from "../markets/book.ts";
import type { CostModel } from "../markets/costs.ts";
import { type ParamSpecs, type ParamValues, resolveParams } from "../params.ts";
import { DAY_MS } from "../periods.ts";
import { Series } from "../series.ts";
import { computeStats, type Stats } from "../stats.ts";
import { TimeMerge } from "./merge.ts";
import { type InterestList, parseTimeOfDay, type TickRunOptions } from "./options.ts";
import type { TickSellContext, TickStrategyDef } from "./strategy.ts";
import { EXIT_REASONS, type TickTrades, TradeLog } from "./trades.ts";

/** One symbol's snapshots: a data-layer Frame of kind "ticks" fits (time, 현재가 or price, the 5-level book). */
export interface TickInput {
  readonly symbol: string;
  readonly length?: number;
  readonly columns: Readonly<Record<string, ArrayLike<unknown>>>;
}

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

const NO_COSTS: CostModel = Object.freeze({ name: "none", commission: () => 0 });
const BOOK_NAMES = ["매도호가", "매도잔량", "매수호가", "매수잔량"].flatMap((p) =>
  [1, 2, 3, 4, 5].map((k) => `${p}${k}`),
);
const NONE = 0;
const BUY = 1;
const SELL = 2;
const REASON = Object.fromEntries(EXIT_REASONS.map((r, k) => [r, k])) as Record<
  (typeof EXIT_REASONS)[number],
  number
>;

interface Portfolio {
  cash: number;
  openPositions: number;
}

/** The per-symbol context handed to buy() and sell(); it is also the clock of the symbol's Series. */
class SymbolContext<P extends ParamSpecs> implements TickSellContext<P> {
  i = -1;
  time = Number.NaN;
  수익률 = Number.NaN;
  최고수익률 = Number.NaN;
  최저수익률 = Number.NaN;
  보유수량 = 0;
  보유시간 = 0;
  entryPrice = Number.NaN;
  entryTime = Number.NaN;
  readonly symbol: string;
  readonly params: ParamValues<P>;
  readonly price: Series;
  readonly #columns: Readonly<Record<string, Float64Array>>;
  readonly #series = new Map<string, Series>();
  readonly #portfolio: Portfolio;

  constructor(
    symbol: string,
    columns: Readonly<Record<string, Float64Array>>,
    price: Float64Array,
    params: ParamValues<P>,
    portfolio: Portfolio,
  ) {
    this.symbol = symbol;
    this.params = params;
    this.#columns = columns;
    this.#portfolio = portfolio;
    this.price = new Series(price, this, "현재가");
  }

  get cash(): number {
    return this.#portfolio.cash;
  }

  get openPositions(): number {
    return this.#portfolio.openPositions;
  }

  col(name: string): Series {
    let s = this.#series.get(name);
    if (!s) {
      const values = this.#columns[name];
      if (!values) throw new Error(`unknown column: ${name} (symbol ${this.symbol})`);
      s = new Series(values, this, name);
      this.#series.set(name, s);
    }
    return s;
  }
}

function numericColumns(input: TickInput): { length: number; columns: Record<string, Float64Array> } {
  const src = input.columns;
  if (!src.time) throw new Error(`missing column: time (symbol ${input.symbol})`);
  const length = input.length ?? src.time.length;
  const columns: Record<string, Float64Array> = {};
  for (const [name, col] of Object.entries(src)) {
    if (col.length !== length)
      throw new Error(`column ${name} has ${col.length} rows, expected ${length} (symbol ${input.symbol})`);
    if (col instanceof Float64Array) columns[name] = col;
    else if (ArrayBuffer.isView(col)) columns[name] = Float64Array.from(col as unknown as ArrayLike<number>);
    else if (Array.isArray(col) && (col.length === 0 || typeof col[0] === "number"))
      columns[name] = Float64Array.from(col as number[]);
  }
  for (const name of BOOK_NAMES) {
    if (!columns[name]) throw new Error(`missing column: ${name} (symbol ${input.symbol})`);
  }
  if (!columns.현재가 && !columns.price) throw new Error(`missing column: 현재가 (symbol ${input.symbol})`);
  return { length, columns };
}

/** 1 where the symbol is on the list at its row's time (the last list at or before it). */
function listedRows(symbol: string, time: Float64Array, list: InterestList): Uint8Array {
  const out = new Uint8Array(time.length);
  let m = -1;
  let listed = 0;
  for (let r = 0; r < time.length; r++) {
    let moved = false;
    while (m + 1 < list.time.length && list.time[m + 1] <= time[r]) {
      m++;
      moved = true;
    }
    if (moved) listed = list.codes[m].includes(symbol) ? 1 : 0;
    out[r] = listed;
  }
  return out;
}

function checkPositive(value: number, name: string): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`invalid ${name}: ${value}`);
}

/**
 * Runs a STOM-style tick strategy over many symbols' snapshots merged in time order, with cash shared
 * across symbols. Buys walk the asks and sells the bids of the 5-level book (refused when too thin);
 * one position per symbol; see docs/engine.md for the full rules.
 *
 *     runTicks(strategy, [frameA, frameB], { budget: 1_000_000, maxPositions: 5, costs: costPreset("upbit"), unit: 1e-8 })
 */
export function runTicks<P extends ParamSpecs, S>(
  strategy: TickStrategyDef<P, S>,
  inputs: readonly TickInput[],
  {
    params: overrides = {},
    cash: startCash = 10_000_000,
    budget = 1_000_000,
    maxPositions = 10,
    unit = 1,
    costs = NO_COSTS,
    fillOn = "next",
    depth = 5,
    lossStop = Number.POSITIVE_INFINITY,
    profitStop = Number.POSITIVE_INFINITY,
    sessionEnd,
    closeAtDayEnd = true,
    utcOffsetMs = 0,
    interest = null,
    equityEveryMs = 1000,
    riskFreeRate = 0,
  }: TickRunOptions = {},
): TickResult<P> {
  checkPositive(startCash, "cash");
  checkPositive(budget, "budget");
  checkPositive(unit, "unit");
  checkPositive(equityEveryMs, "equityEveryMs");
  if (!Number.isInteger(maxPositions) || maxPositions < 1)
    throw new Error(`invalid maxPositions: ${maxPositions}`);
  if (fillOn !== "next" && fillOn !== "same")
    throw new Error(`invalid fillOn: ${fillOn} (expected next or same)`);
  if (!Number.isInteger(depth) || depth < 1 || depth > 5) throw new Error(`invalid depth: ${depth}`);
  if (!(lossStop > 0)) throw new Error(`invalid lossStop: ${lossStop}`);
  if (!(profitStop > 0)) throw new Error(`invalid profitStop: ${profitStop}`);
  if (!Number.isFinite(utcOffsetMs)) throw new Error(`invalid utcOffsetMs: ${utcOffsetMs}`);
  if (inputs.length === 0) throw new Error("no symbols");
  const endSecond = sessionEnd === undefined ? Number.POSITIVE_INFINITY : parseTimeOfDay(sessionEnd);
  const params = resolveParams(strategy.params, overrides);
  const unitDecimals = unit < 1 ? Math.min(15, Math.ceil(-Math.log10(unit) - 1e-9)) : 0;

  const nSym = inputs.length;
  const names = inputs.map((x) => x.symbol);
  if (new Set(names).size !== nSym) throw new Error(`duplicate symbols: ${names.join(", ")}`);
  const portfolio: Portfolio = { cash: startCash, openPositions: 0 };
  const times: Float64Array[] = [];
  const prices: Float64Array[] = [];
  const books: BookColumns[] = [];
  const contexts: SymbolContext<P>[] = [];
  const states: S[] = [];
  const warm = new Int32Array(nSym);
  const listed: (Uint8Array | Float64Array | null)[] = [];
  for (let s = 0; s < nSym; s++) {
    const { length, columns } = numericColumns(inputs[s]);
    const price = columns.현재가 ?? columns.price;
    times.push(columns.time);
    prices.push(price);
    books.push(columns as unknown as BookColumns);
    const ctx = new SymbolContext(names[s], columns, price, params, portfolio);
    contexts.push(ctx);
    let lead = 0;
    states.push(
      strategy.init({
        symbol: names[s],
        length,
        columns: Object.freeze({ ...columns }),
        params,
        I(values: Float64Array, name = "") {
          if (values.length !== length)
            throw new Error(`indicator ${name} has ${values.length} rows, expected ${length}`);
          let k = 0;
          while (k < length && Number.isNaN(values[k])) k++;
          if (k > lead) lead = k;
          return new Series(values, ctx, name);
        },
      }),
    );
    warm[s] = lead;
    if (interest === null) listed.push(null);
    else if (typeof interest === "string") {
      const col = columns[interest];
      if (!col) throw new Error(`unknown interest column: ${interest} (symbol ${names[s]})`);
      listed.push(col);
    } else listed.push(listedRows(names[s], columns.time, interest));
  }

  // per-symbol position state, flat typed arrays
  const qty = new Float64Array(nSym);
  const entryNotional = new Float64Array(nSym);
  const entryCost = new Float64Array(nSym);
  const entryRow = new Int32Array(nSym);
  const entrySample = new Int32Array(nSym);
  const lastPrice = new Float64Array(nSym);
  const firstPrice = new Float64Array(nSym).fill(Number.NaN);
  const pending = new Uint8Array(nSym);
  const pendingQty = new Float64Array(nSym);
  let pendingBuys = 0;
  let heldValue = 0;
  let committed = 0;
  let maxCommitted = 0;
  let relSum = nSym;
  let dayPnl = 0;
  let curDay = Number.NaN;
  let stopped = false;
  let sessionOver = false;
  let buys = 0;
  let sells = 0;
  let refusedThin = 0;
  let refusedCash = 0;
  let forcedAtPrice = 0;
  const log = new TradeLog();
  const fill: BookFill = { ok: false, filled: 0, avgPrice: Number.NaN, levels: 0, notional: 0 };
  const walk = { depth };

  // equity samples grow by doubling
  let cap = 1024;
  let eqTime = new Float64Array(cap);
  let eqValue = new Float64Array(cap);
  let eqIndex = new Float64Array(cap);
  let k = -1;
  let bucket = Number.NaN;

  const markReturn = (s: number, row: number): number => {
    const q = qty[s];
    const p = prices[s][row];
    const net = q * p - costs.commission(q, p, "sell", times[s][row]) - entryCost[s];
    return (net / entryNotional[s]) * 100;
  };

  const open = (s: number, row: number, q: number): void => {
    walkAsks(books[s], row, q, walk, fill);
    if (!fill.ok) {
      refusedThin++;
      return;
    }
    const t = times[s][row];
    const notional = fill.notional;
    const cost = notional + costs.commission(q, fill.avgPrice, "buy", t);
    if (cost > portfolio.cash) {
      refusedCash++;
      return;
    }
    portfolio.cash -= cost;
    portfolio.openPositions++;
    buys++;
    qty[s] = q;
    entryNotional[s] = notional;
    entryCost[s] = cost;
    entryRow[s] = row;
    entrySample[s] = k;
    heldValue += q * lastPrice[s];
    committed += cost;
    if (committed > maxCommitted) maxCommitted = committed;
    const ctx = contexts[s];
    ctx.entryPrice = fill.avgPrice;
    ctx.entryTime = t;
    ctx.보유수량 = q;
    ctx.보유시간 = 0;
    ctx.수익률 = ctx.최고수익률 = ctx.최저수익률 = markReturn(s, row);
  };

  /** Sells the whole position at `row`; a forced exit takes 현재가 when the bids are too thin. */
  const close = (s: number, row: number, reason: number, forced: boolean): boolean => {
    const q = qty[s];
    walkBids(books[s], row, q, walk, fill);
    let px: number;
    if (fill.ok) px = fill.avgPrice;
    else if (forced) {
      px = prices[s][row];
      forcedAtPrice++;
    } else {
      refusedThin++;
      return false;
    }
    const t = times[s][row];
    const notional = fill.ok ? fill.notional : q * px;
    const fee = costs.commission(q, px, "sell", t);
    const pnl = notional - fee - entryCost[s];
    portfolio.cash += notional - fee;
    portfolio.openPositions--;
    sells++;
    heldValue -= q * lastPrice[s];
    committed -= entryCost[s];
    dayPnl += pnl;
    const ctx = contexts[s];
    log.push(
      s,
      ctx.entryTime,
      t,
      entryRow[s],
      row,
      ctx.entryPrice,
      px,
      q,
      pnl,
      (pnl / entryNotional[s]) * 100,
      entryCost[s] - entryNotional[s] + fee,
      entrySample[s],
      Math.max(k, 0),
      reason,
    );
    qty[s] = 0;
    ctx.보유수량 = 0;
    ctx.수익률 = ctx.최고수익률 = ctx.최저수익률 = Number.NaN;
    ctx.entryPrice = ctx.entryTime = Number.NaN;
    return true;
  };

  const cancelBuys = (): void => {
    for (let s = 0; s < nSym; s++) if (pending[s] === BUY) pending[s] = NONE;
    pendingBuys = 0;
  };

  const liquidate = (reason: number): void => {
    for (let s = 0; s < nSym; s++) {
      if (pending[s] === SELL) pending[s] = NONE;
      if (qty[s] > 0) close(s, contexts[s].i, reason, true);
    }
  };

  const checkStops = (): void => {
    if (stopped) return;
    const reason =
      dayPnl <= -lossStop ? REASON["loss-stop"] : dayPnl >= profitStop ? REASON["profit-stop"] : -1;
    if (reason < 0) return;
    stopped = true;
    cancelBuys();
    liquidate(reason);
  };

  const merge = new TimeMerge(times);
  let events = 0;
  while (merge.next()) {
    const s = merge.symbol;
    const r = merge.row;
    const t = times[s][r];
    events++;

    const local = t + utcOffsetMs;
    const day = Math.floor(local / DAY_MS);
    if (day !== curDay) {
      if (!Number.isNaN(curDay)) {
        cancelBuys();
        if (closeAtDayEnd) liquidate(REASON["day-end"]);
      }
      curDay = day;
      dayPnl = 0;
      stopped = false;
      sessionOver = false;
    }
    const b = Math.floor(t / equityEveryMs);
    if (b !== bucket) {
      bucket = b;
      if (++k >= cap) {
        cap *= 2;
        eqTime = grow(eqTime, cap);
        eqValue = grow(eqValue, cap);
        eqIndex = grow(eqIndex, cap);
      }
    }

    const ctx = contexts[s];
    ctx.i = r;
    ctx.time = t;
    const p = prices[s][r];
    if (qty[s] > 0) heldValue += qty[s] * (p - lastPrice[s]);
    if (Number.isNaN(firstPrice[s])) firstPrice[s] = p;
    else relSum += (p - lastPrice[s]) / firstPrice[s];
    lastPrice[s] = p;

    if (!sessionOver && (local - day * DAY_MS) / 1000 >= endSecond) {
      sessionOver = true;
      cancelBuys();
      liquidate(REASON["session-end"]);
    }

    const order = pending[s];
    if (order !== NONE) {
      pending[s] = NONE;
      if (order === BUY) {
        pendingBuys--;
        open(s, r, pendingQty[s]);
      } else if (qty[s] > 0 && close(s, r, REASON.signal, false)) checkStops();
    }

    if (r >= warm[s] && pending[s] === NONE) {
      if (qty[s] > 0) {
        const ret = markReturn(s, r);
        ctx.수익률 = ret;
        if (ret > ctx.최고수익률) ctx.최고수익률 = ret;
        if (ret < ctx.최저수익률) ctx.최저수익률 = ret;
        ctx.보유시간 = (t - ctx.entryTime) / 1000;
        if (strategy.sell(ctx, states[s])) {
          if (fillOn === "same") {
            if (close(s, r, REASON.signal, false)) checkStops();
          } else pending[s] = SELL;
        }
      } else if (
        !stopped &&
        !sessionOver &&
        portfolio.openPositions + pendingBuys < maxPositions &&
        (listed[s] === null || (listed[s] as ArrayLike<number>)[r] > 0) &&
        strategy.buy(ctx, states[s])
      ) {
        let q = Math.floor(budget / p / unit + 1e-9) * unit;
        if (unitDecimals) q = Number(q.toFixed(unitDecimals));
        if (q > 0) {
          if (fillOn === "same") open(s, r, q);
          else {
            pending[s] = BUY;
            pendingQty[s] = q;
            pendingBuys++;
          }
        }
      }
    } else if (qty[s] > 0) {
      // a refused pending sell leaves the position held: keep its marks current for the retry
      const ret = markReturn(s, r);
      ctx.수익률 = ret;
      if (ret > ctx.최고수익률) ctx.최고수익률 = ret;
      if (ret < ctx.최저수익률) ctx.최저수익률 = ret;
      ctx.보유시간 = (t - ctx.entryTime) / 1000;
    }

    eqTime[k] = t;
    eqValue[k] = portfolio.cash + heldValue;
    eqIndex[k] = relSum / nSym;
  }
  cancelBuys();
  liquidate(closeAtDayEnd ? REASON["day-end"] : REASON.end);
  if (k >= 0) eqValue[k] = portfolio.cash + heldValue;

  const n = k + 1;
  const equity: TickEquity = Object.freeze({
    time: eqTime.slice(0, n),
    equity: eqValue.slice(0, n),
    index: eqIndex.slice(0, n),
  });
  const trades = log.finish(names);
  const returns = new Float64Array(trades.length);
  for (let j = 0; j < trades.length; j++) returns[j] = trades.returnPct[j] / 100;
  const stats = computeStats(
    equity.time,
    equity.index,
    equity.equity,
    {
      pnl: trades.pnl,
      returns,
      entryBar: Float64Array.from(trades.entrySample),
      exitBar: Float64Array.from(trades.exitSample),
      entryTime: trades.entryTime,
      exitTime: trades.exitTime,
    },
    { requiredCapital: maxCommitted, riskFreeRate },
  );
  return Object.freeze({
    trades,
    equity,
    stats,
    params,
    orders: Object.freeze({ buys, sells, refusedThin, refusedCash, forcedAtPrice }),
    events,
  });
}

function grow(a: Float64Array, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}
