import { type Bars, type FrameLike, toBars } from "./bars.ts";
import { Broker, type BrokerOptions, OutOfMoney } from "./broker.ts";
import type { Order, OrderRequest, Trade } from "./orders.ts";
import { type ParamSpecs, type ParamValues, resolveParams } from "./params.ts";
import { type Clock, Series } from "./series.ts";
import { computeStats, drawdown, type Stats } from "./stats.ts";
import type { InitContext, NextContext, Position, StrategyDef } from "./strategy.ts";

export interface BacktestOptions extends BrokerOptions {
  /** close trades still open after the last bar (at its open) so they count in the stats */
  finalizeTrades?: boolean;
  /** strategy parameter overrides, checked against the strategy's specs */
  params?: Readonly<Record<string, unknown>>;
  /** annual, as a fraction, for Sharpe, Sortino and alpha */
  riskFreeRate?: number;
}

/** Closed trades as columns (Arrow-friendly). returnPct in percent (like the stats); times UTC ms. */
export interface TradeColumns {
  readonly length: number;
  readonly size: Float64Array;
  readonly entryBar: Float64Array;
  readonly exitBar: Float64Array;
  readonly entryPrice: Float64Array;
  readonly exitPrice: Float64Array;
  /** NaN when none */
  readonly sl: Float64Array;
  readonly tp: Float64Array;
  readonly pnl: Float64Array;
  readonly commission: Float64Array;
  readonly returnPct: Float64Array;
  readonly entryTime: Float64Array;
  readonly exitTime: Float64Array;
  readonly tag: readonly unknown[];
  /** indicator values at entry and exit, by indicator name */
  readonly indicators: Readonly<Record<string, { entry: Float64Array; exit: Float64Array }>>;
}

/** One order placed by the strategy (not SL/TP brackets), for the look-ahead check. */
export interface Decision {
  readonly bar: number;
  readonly kind: "buy" | "sell" | "close";
  readonly size: number;
  readonly limit: number | null;
  readonly stop: number | null;
  readonly sl: number | null;
  readonly tp: number | null;
}

export interface BacktestResult {
  readonly stats: Stats;
  readonly trades: TradeColumns;
  readonly equity: Float64Array;
  /** fraction below the running peak, per bar */
  readonly drawdown: Float64Array;
  readonly params: Readonly<Record<string, number>>;
  /** total commissions paid over closed trades */
  readonly commissions: number;
  /** first bar next() was called on */
  readonly startBar: number;
  readonly decisions: readonly Decision[];
  readonly warnings: readonly string[];
}

const firstValid = (values: Float64Array): number => {
  for (let k = 0; k < values.length; k++) if (!Number.isNaN(values[k])) return k;
  return 0; // numpy's argmin of an all-NaN mask is 0
};

function tradeColumns(closed: readonly Trade[], time: Float64Array, indicators: Map<string, Float64Array>) {
  const n = closed.length;
  const col = () => new Float64Array(n);
  const out = {
    length: n,
    size: col(),
    entryBar: col(),
    exitBar: col(),
    entryPrice: col(),
    exitPrice: col(),
    sl: col(),
    tp: col(),
    pnl: col(),
    commission: col(),
    returnPct: col(),
    entryTime: col(),
    exitTime: col(),
    tag: new Array<unknown>(n),
    indicators: {} as Record<string, { entry: Float64Array; exit: Float64Array }>,
  };
  for (let k = 0; k < n; k++) {
    const t = closed[k];
    out.size[k] = t.size;
    out.entryBar[k] = t.entryBar;
    out.exitBar[k] = t.exitBar as number;
    out.entryPrice[k] = t.entryPrice;
    out.exitPrice[k] = t.exitPrice as number;
    out.sl[k] = t.slPrice ?? Number.NaN;
    out.tp[k] = t.tpPrice ?? Number.NaN;
    out.pnl[k] = t.pl;
    out.commission[k] = t.commissions;
    out.returnPct[k] = t.plPct * 100;
    out.entryTime[k] = time[t.entryBar];
    out.exitTime[k] = time[t.exitBar as number];
    out.tag[k] = t.tag ?? null;
  }
  for (const [name, values] of indicators) {
    const entry = col();
    const exit = col();
    for (let k = 0; k < n; k++) {
      entry[k] = values[out.entryBar[k]];
      exit[k] = values[out.exitBar[k]];
    }
    out.indicators[name] = { entry, exit };
  }
  return out;
}

/**
 * Runs a strategy over bars, bar by bar: at bar i the broker first fills pending orders with bar
 * i's prices, then next() decides with data up to bar i's close. next() starts on the bar after
 * the longest indicator warm-up, like backtesting.py.
 *
 *     const { stats, trades } = backtest(smaCross, bars, { cash: 10_000, params: { fast: 10 } });
 */
export function backtest<P extends ParamSpecs, S>(
  strategy: StrategyDef<P, S>,
  data: Bars | FrameLike,
  {
    finalizeTrades = false,
    params: overrides = {},
    riskFreeRate = 0,
    ...brokerOptions
  }: BacktestOptions = {},
): BacktestResult {
  const bars = toBars(data);
  const n = bars.length;
  const params = resolveParams(strategy.params, overrides) as ParamValues<P>;
  const broker = new Broker(bars, brokerOptions);
  const clock: Clock = { i: 0 };
  const decisions: Decision[] = [];
  const indicators = new Map<string, Float64Array>();
  let warmup = 0;

  const place = (sign: 1 | -1, req?: OrderRequest): Order => {
    const order = broker.place(sign, req);
    decisions.push({
      bar: clock.i,
      kind: sign > 0 ? "buy" : "sell",
      size: order.size,
      limit: order.limit,
      stop: order.stop,
      sl: order.sl,
      tp: order.tp,
    });
    return order;
  };
  const position: Position = {
    get size() {
      return broker.positionSize;
    },
    get pl() {
      let s = 0;
      for (const t of broker.trades) s += t.pl;
      return s;
    },
    get plPct() {
      let w = 0;
      let s = 0;
      for (const t of broker.trades) {
        w += Math.abs(t.size);
        s += Math.abs(t.size) * t.plPct;
      }
      return w ? s / w : 0;
    },
    get isLong() {
      return broker.positionSize > 0;
    },
    get isShort() {
      return broker.positionSize < 0;
    },
    close(portion = 1) {
      if (broker.trades.length) {
        decisions.push({
          bar: clock.i,
          kind: "close",
          size: portion,
          limit: null,
          stop: null,
          sl: null,
          tp: null,
        });
      }
      for (const t of broker.trades) t.close(portion);
    },
  };
  const trading = {
    buy: (req?: OrderRequest) => place(1, req),
    sell: (req?: OrderRequest) => place(-1, req),
    position,
    get trades() {
      return broker.trades;
    },
    get closedTrades() {
      return broker.closedTrades;
    },
    get orders() {
      return broker.orders;
    },
    get equity() {
      return broker.currentEquity;
    },
  };

  const initCtx: InitContext<P> = Object.assign(Object.create(null), trading, {
    bars,
    params,
    I(values: Float64Array, name = `I${indicators.size}`, { scatter = false } = {}) {
      if (!(values instanceof Float64Array)) values = Float64Array.from(values as ArrayLike<number>);
      if (values.length !== n)
        throw new Error(`indicator ${name} has ${values.length} values, expected ${n}`);
      if (!scatter) warmup = Math.max(warmup, firstValid(values));
      indicators.set(name, values);
      return new Series(values, clock, name);
    },
  });
  // getters do not survive Object.assign; define them on the contexts explicitly
  for (const key of ["trades", "closedTrades", "orders", "equity"] as const) {
    Object.defineProperty(initCtx, key, Object.getOwnPropertyDescriptor(trading, key) as PropertyDescriptor);
  }
  const state = strategy.init(initCtx);

  const columns = new Map<string, Series>();
  const col = (name: string): Series => {
    let s = columns.get(name);
    if (!s) {
      const values = bars.columns[name];
      if (!values) throw new Error(`unknown column: ${name}`);
      s = new Series(values, clock, name);
      columns.set(name, s);
    }
    return s;
  };
  const nextCtx = {
    get i() {
      return clock.i;
    },
    get time() {
      return bars.time[clock.i];
    },
    open: col("open"),
    high: col("high"),
    low: col("low"),
    close: col("close"),
    volume: col("volume"),
    col,
    params,
  } as unknown as NextContext<P>;
  Object.assign(nextCtx, { buy: trading.buy, sell: trading.sell, position });
  for (const key of ["trades", "closedTrades", "orders", "equity"] as const) {
    Object.defineProperty(nextCtx, key, Object.getOwnPropertyDescriptor(trading, key) as PropertyDescriptor);
  }

  const start = 1 + warmup;
  let outOfMoney = false;
  for (let i = start; i < n; i++) {
    clock.i = i;
    try {
      broker.next(i);
    } catch (e) {
      if (!(e instanceof OutOfMoney)) throw e;
      outOfMoney = true;
      break;
    }
    strategy.next(nextCtx, state);
    broker.trail();
  }
  if (!outOfMoney) {
    if (finalizeTrades) {
      for (const t of broker.trades.slice().reverse()) t.close();
      // re-run the last bar so these closes (and the last next()'s orders) fill at its open
      if (start < n) {
        try {
          broker.next(n - 1);
        } catch (e) {
          if (!(e instanceof OutOfMoney)) throw e;
        }
      }
    } else if (broker.trades.length) {
      broker.warnings.push("some trades remain open at the end; use finalizeTrades to include them in stats");
    }
  }

  // bars before the first next() carry the first recorded equity (pandas bfill, then the cash)
  const equity = broker.equity;
  let fill = broker.cash;
  for (let k = n - 1; k >= 0; k--) {
    if (Number.isNaN(equity[k])) equity[k] = fill;
    else fill = equity[k];
  }

  const trades = tradeColumns(broker.closedTrades, bars.time, indicators);
  let commissions = 0;
  for (let k = 0; k < trades.length; k++) commissions += trades.commission[k];
  // the stats take fractions (backtesting.py's ReturnPct), straight from the trades, not pct / 100
  const returns = Float64Array.from(broker.closedTrades, (t) => t.plPct);
  const stats = computeStats(
    bars.time,
    bars.close,
    equity,
    { ...trades, returns },
    {
      firstTradingBar: warmup,
      riskFreeRate,
      requiredCapital: broker.requiredCapital,
    },
  );
  return Object.freeze({
    stats,
    trades,
    equity,
    drawdown: drawdown(equity),
    params,
    commissions,
    startBar: start,
    decisions,
    warnings: broker.warnings,
  });
}
