import { describe, expect, test } from "vitest";
import {
  type Bars,
  Broker,
  backtest,
  ClosedTradeLog,
  defineStrategy,
  type NextContext,
  type ParamSpecs,
  Trade,
  toBars,
} from "../../src/engine/index.ts";
import { DATA_DIR, readOhlcvCsv } from "../support/csv.ts";
import { needShared, sharedOr } from "../support/paths.ts";

const { missing } = needShared("backtesting-py/GOOG.csv");
const GOOG = sharedOr(missing, () => toBars(readOhlcvCsv(`${DATA_DIR}/backtesting-py/GOOG.csv`)));
const SHORT = sharedOr(missing, () =>
  toBars({
    columns: Object.fromEntries(Object.entries(GOOG.columns).map(([k, v]) => [k, v.slice(0, 20)])),
  }),
);

/** Bars from rows [open, high, low, close], one day apart. */
function bars(rows: number[][]): Bars {
  const col = (j: number) => Float64Array.from(rows, (r) => r[j]);
  return toBars({
    columns: {
      time: Float64Array.from(rows, (_, k) => k * 86_400_000),
      open: col(0),
      high: col(1),
      low: col(2),
      close: col(3),
    },
  });
}

/** A strategy that runs `steps[i]` at bar i. */
const script = (steps: Record<number, (ctx: NextContext<ParamSpecs>) => void>) =>
  defineStrategy({ params: {}, init: () => null, next: (ctx) => steps[ctx.i]?.(ctx) });

describe("broker fills", () => {
  test.skipIf(missing)(
    "stop-limit orders fill at the stop price (backtesting.py test_stop_limit_order_price_is_stop_price)",
    () => {
      // placed on bar 1 (2004-08-20): the buy triggers on bar 2 (high 113.48), the sell on bar 3 (low 103.57)
      const s = script({
        1: (ctx) => {
          ctx.buy({ stop: 112, limit: 113, size: 1 });
          ctx.sell({ stop: 107, limit: 105, size: 1 });
        },
      });
      const t = backtest(s, SHORT, { finalizeTrades: true }).trades;
      expect([t.entryPrice[0], t.exitPrice[0]]).toEqual([112, 107]);
    },
  );

  test("a limit buy fills at the limit once the low reaches it, or at a better open", () => {
    const data = bars([
      [10, 10, 10, 10],
      [10, 10, 10, 10],
      [10, 11, 9, 10], // touches 9.5
      [9, 9, 8, 8.5], // opens below an 8.8 limit: fills at the open
      [9, 9, 9, 9],
    ]);
    const r = backtest(
      script({ 1: (ctx) => ctx.buy({ size: 1, limit: 9.5 }), 2: (ctx) => ctx.buy({ size: 1, limit: 9.2 }) }),
      data,
      { finalizeTrades: true },
    );
    expect([...r.trades.entryPrice]).toEqual([9.5, 9]);
    expect([...r.trades.entryBar]).toEqual([2, 3]);
  });

  test("SL and TP inside the same bar: the stop-loss wins (pessimistic intrabar rule)", () => {
    const data = bars([
      [100, 100, 100, 100],
      [100, 100, 100, 100],
      [100, 101, 99, 100], // entry at the open, range inside SL/TP
      [100, 120, 80, 100], // both 90 and 110 inside the range
      [100, 100, 100, 100],
    ]);
    const r = backtest(script({ 1: (ctx) => ctx.buy({ size: 1, sl: 90, tp: 110 }) }), data);
    expect(r.trades.exitPrice[0]).toBe(90);
    expect(r.trades.exitBar[0]).toBe(3);
    expect(r.trades.sl[0]).toBe(90);
    expect(r.trades.tp[0]).toBe(110);
  });

  test("trailing stop follows the best close and exits on the way down", () => {
    const closes = [100, 100, 110, 130, 125, 115, 100, 90];
    const data = bars(
      closes.map((c, k) => [
        k ? closes[k - 1] : c,
        Math.max(c, k ? closes[k - 1] : c),
        Math.min(c, k ? closes[k - 1] : c),
        c,
      ]),
    );
    const r = backtest(script({ 1: (ctx) => ctx.buy({ size: 1, trailPct: 10 }) }), data);
    // highest close 130 -> stop at 117, hit on the bar that trades from 125 down to 115
    expect(r.trades.length).toBe(1);
    expect(r.trades.exitPrice[0]).toBeCloseTo(117, 12);
    expect(r.trades.exitBar[0]).toBe(5);
  });

  test("slippage worsens market fills both ways; spread only the entry", () => {
    const data = bars([
      [100, 100, 100, 100],
      [100, 100, 100, 100],
      [100, 100, 100, 100],
      [200, 200, 200, 200],
      [200, 200, 200, 200],
    ]);
    const s = script({ 1: (ctx) => ctx.buy({ size: 10 }), 2: (ctx) => ctx.position.close() });
    const slip = backtest(s, data, { slippage: 0.01 }).trades;
    expect([slip.entryPrice[0], slip.exitPrice[0]]).toEqual([101, 198]);
    const spread = backtest(s, data, { spread: 0.01 }).trades;
    expect([spread.entryPrice[0], spread.exitPrice[0]]).toEqual([101, 200]);
  });

  test.skipIf(missing)("trade-on-close fills at the deciding bar's close", () => {
    const t = backtest(script({ 3: (ctx) => ctx.buy({ size: 1 }) }), SHORT, {
      tradeOnClose: true,
      finalizeTrades: true,
    }).trades;
    expect([t.entryBar[0], t.entryPrice[0]]).toEqual([3, SHORT.close[3]]);
  });

  test.skipIf(missing)("netting (default), hedging and exclusive orders", () => {
    const open = (opts: object) => {
      let trades: number[] = [];
      const probe = script({
        1: (ctx) => ctx.buy({ size: 2 }),
        3: (ctx) => ctx.sell({ size: 3 }),
        5: (ctx) => {
          trades = ctx.trades.map((t) => t.size);
        },
      });
      backtest(probe, SHORT, opts);
      return trades;
    };
    expect(open({})).toEqual([-1]);
    expect(open({ hedging: true })).toEqual([2, -3]);
    expect(open({ exclusiveOrders: true })).toEqual([-3]);
  });

  test.skipIf(missing)("fractional units: sizes are whole multiples of the unit", () => {
    const r = backtest(script({ 1: (ctx) => ctx.buy() }), SHORT, {
      cash: 1000,
      unit: 0.001,
      finalizeTrades: true,
    });
    const lots = r.trades.size[0] / 0.001;
    expect(Math.abs(lots - Math.round(lots))).toBeLessThan(1e-6);
    expect(r.trades.size[0]).toBeGreaterThan(Math.floor(1000 / SHORT.open[2])); // more than whole units allow
    expect(r.trades.size[0] * SHORT.open[2]).toBeLessThanOrEqual(1000);
  });

  test.skipIf(missing)("invalid orders fail with the values in the message", () => {
    const bad = script({ 1: (ctx) => ctx.buy({ sl: 500, tp: 90, size: 1 }) });
    expect(() => backtest(bad, SHORT)).toThrow(/long orders require sl \(500\) < limit \(.*\) < tp \(90\)/);
    expect(() => backtest(script({ 1: (ctx) => ctx.buy({ size: -1 }) }), SHORT)).toThrow("invalid size: -1");
  });
});

describe("strategy context", () => {
  test.skipIf(missing)("next() sees only the past: at(k) for k > i and k < 0 are NaN", () => {
    const seen: number[][] = [];
    const s = defineStrategy({
      params: {},
      init: () => null,
      next(ctx) {
        seen.push([ctx.i, ctx.close.at(0), ctx.close.at(-1), ctx.close.at(ctx.i + 1), ctx.close.length]);
      },
    });
    backtest(s, SHORT);
    expect(seen[0][0]).toBe(1);
    for (const [i, now, future, beforeStart, length] of seen) {
      expect(now).toBe(SHORT.close[i]);
      expect(future).toBeNaN();
      expect(beforeStart).toBeNaN();
      expect(length).toBe(i + 1);
    }
  });

  test.skipIf(missing)("indicator warm-up delays the first next() until every indicator is valid", () => {
    let first = -1;
    const s = defineStrategy({
      params: {},
      init: (ctx) => {
        const v = Float64Array.from(ctx.bars.close, (c, k) => (k < 7 ? Number.NaN : c));
        return ctx.I(v, "late");
      },
      next: (ctx) => {
        if (first < 0) first = ctx.i;
      },
    });
    expect(backtest(s, SHORT).startBar).toBe(8);
    expect(first).toBe(8);
  });
});

describe("closedTrades", () => {
  // Brackets, trailing stops, partial closes and tags, so every field of a closed trade matters.
  // `lookFrom` is the first bar at which the strategy reads ctx.closedTrades: before it, the broker
  // keeps no Trade objects and rebuilds them from its columns on the first look.
  const trader = (lookFrom: number, seen: { trades: unknown[] }) =>
    defineStrategy({
      params: {},
      init: () => null,
      next(ctx) {
        if (ctx.i >= lookFrom) seen.trades = ctx.closedTrades.slice();
        const c = ctx.close.at(0);
        const k = ctx.i % 40;
        if (k === 1) ctx.buy({ size: 0.5, sl: c * 0.95, tp: c * 1.04, tag: `b${ctx.i}` });
        else if (k === 7) ctx.sell({ size: 0.3, trailPct: 3, tag: { bar: ctx.i } });
        else if (k === 15) ctx.position.close(0.5);
        else if (k === 22) ctx.buy({ size: 3, sl: c * 0.9 });
        else if (k === 30) ctx.position.close();
      },
    });
  const view = (t: import("../../src/engine/index.ts").Trade) => ({
    size: t.size,
    entryPrice: t.entryPrice,
    entryBar: t.entryBar,
    exitPrice: t.exitPrice,
    exitBar: t.exitBar,
    pl: t.pl,
    plPct: t.plPct,
    value: t.value,
    commissions: t.commissions,
    sl: t.sl,
    tp: t.tp,
    slPrice: t.slPrice,
    tpPrice: t.tpPrice,
    trailPct: t.trailPct,
    trailBy: t.trailBy,
    tag: t.tag,
    isOpen: t.isOpen,
    isLong: t.isLong,
  });

  test.skipIf(missing)(
    "trades rebuilt for a strategy that looks late equal the ones kept for a strategy that looks from the start",
    () => {
      const early = { trades: [] as unknown[] };
      const late = { trades: [] as unknown[] };
      const opts = { cash: 100_000, commission: 0.002, finalizeTrades: false };
      const a = backtest(trader(0, early), GOOG, opts);
      const b = backtest(trader(GOOG.length - 2, late), GOOG, opts);
      expect(b.stats.trades).toBe(a.stats.trades);
      expect(a.stats.trades).toBeGreaterThan(50);
      const kept = early.trades as import("../../src/engine/index.ts").Trade[];
      const rebuilt = late.trades as import("../../src/engine/index.ts").Trade[];
      expect(rebuilt.length).toBe(kept.length);
      // the cases the rebuild must get right do occur: brackets still set, and tags
      expect(kept.some((t) => t.sl !== null)).toBe(true);
      expect(kept.some((t) => t.trailPct !== null)).toBe(true);
      for (let k = 0; k < kept.length; k++) expect(view(rebuilt[k])).toEqual(view(kept[k]));
      // and both agree with the run's trade list
      for (let k = 0; k < kept.length; k++) expect(kept[k].exitBar).toBe(a.trades.exitBar[k]);
    },
  );
});

describe("ClosedTradeLog", () => {
  // signal runs append plain trades and leave their NaN columns unwritten until someone reads them
  const PLAIN = ["sl", "tp", "slNow", "tpNow", "trailPct", "trailBy"] as const;
  const broker = new Broker(bars([[1, 1, 1, 1]]), { cash: 100 });
  const bracketed = (sl: number) => {
    const t = new Trade(broker, 1, 100, 0, undefined);
    t.exitPrice = 101;
    t.exitBar = 0;
    t.commissions = 0;
    t.slPrice = sl;
    return t;
  };
  test("plain trades read as having no brackets, in a log reused after bracketed ones, across growths", () => {
    const log = new ClosedTradeLog();
    for (let k = 0; k < 300; k++) log.push(bracketed(90));
    expect(log.sl[299]).toBe(90);
    // a signal run in the same log, past the 256 trades it started with and past the 300 written
    log.clear();
    for (let k = 0; k < 1_100; k++) log.append(1, 0, 0, 100, 101, 0);
    log.settlePlain(0);
    for (const name of PLAIN) expect(Array.from(log[name].subarray(0, 1_100)).every(Number.isNaN)).toBe(true);
    expect(log.rebuild(broker, 1_099).sl).toBeNull();
    expect(log.rebuild(broker, 5).slPrice).toBeNull();
    // a bracketed trade, then plain ones after it: only those are NaN
    log.clear();
    log.push(bracketed(80));
    for (let k = 0; k < 5; k++) log.append(1, 0, 0, 100, 101, 0);
    log.settlePlain(1);
    expect(log.sl[0]).toBe(80);
    expect(Array.from(log.sl.subarray(1, 6)).every(Number.isNaN)).toBe(true);
    expect(log.rebuild(broker, 0).slPrice).toBe(80);
    // plain trades never read, then a bracketed one pushed after them: the plain ones still read NaN
    log.clear();
    for (let k = 0; k < 3; k++) log.append(1, 0, 0, 100, 101, 0);
    log.settlePlain(0);
    log.push(bracketed(70));
    expect(Array.from(log.sl.subarray(0, 4))).toEqual([Number.NaN, Number.NaN, Number.NaN, 70]);
  });
});
