import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import smaCross from "../../notebooks/strategies/sma-cross.ts";
import {
  BACKTESTING_PY_LABELS,
  type Bars,
  backtest,
  defineStrategy,
  toBars,
} from "../../src/engine/index.ts";
import { sma } from "../../src/engine/indicators/index.ts";
import { DATA_DIR, parseUtc, readCsvRows, readOhlcvCsv } from "../support/csv.ts";
import { needShared, sharedOr } from "../support/paths.ts";

const DIR = `${DATA_DIR}/backtesting-py`;
const { missing } = needShared("backtesting-py");
const golden = sharedOr(missing, () =>
  JSON.parse(readFileSync(`${DIR}/expected_smacross_goog.json`, "utf8")),
);
const GOOG = sharedOr(missing, () => toBars(readOhlcvCsv(`${DIR}/GOOG.csv`)));

const closeTo = (actual: number, expected: number, rtol = 1e-8) =>
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(
    rtol * Math.abs(expected),
  );

/** backtesting.py stat name -> our key */
const KEYS = BACKTESTING_PY_LABELS;

const dayOf = (bars: Bars, date: string) => bars.time.indexOf(parseUtc(date));
const subBars = (bars: Bars, from: number, to: number): Bars => {
  const columns: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(bars.columns)) columns[k] = v.slice(from, to);
  return toBars({ columns });
};

describe.skipIf(missing)("backtest(smaCross, GOOG) against backtesting.py's test_compute_stats", () => {
  const result = sharedOr(missing, () =>
    backtest(smaCross, GOOG, {
      cash: 10_000,
      finalizeTrades: true,
      params: { fast: 10, slow: 30 },
    }),
  );

  test("all 31 stats to 1e-8 relative, durations in whole days", () => {
    const expected = golden.expected as Record<string, number | string>;
    expect(Object.keys(expected).length).toBe(31);
    for (const [name, value] of Object.entries(expected)) {
      const ours = result.stats[KEYS[name]];
      if (typeof value === "string" && value.endsWith(" days"))
        expect(ours, name).toBe(Number.parseInt(value, 10));
      else if (typeof value === "string") expect(String(ours).slice(0, 10), name).toBe(value);
      else closeTo(ours as number, value);
    }
  });

  test("the 66 trades: bars, sizes and prices exactly, PnL and returns to 1e-8", () => {
    const { header, rows } = readCsvRows(`${DIR}/expected_smacross_goog_trades.csv`);
    const col = (name: string) => header.indexOf(name);
    const t = result.trades;
    expect(t.length).toBe(rows.length);
    rows.forEach((r, k) => {
      expect(t.size[k]).toBe(Number(r[col("Size")]));
      expect(t.entryBar[k]).toBe(Number(r[col("EntryBar")]));
      expect(t.exitBar[k]).toBe(Number(r[col("ExitBar")]));
      expect(t.entryPrice[k]).toBe(Number(r[col("EntryPrice")]));
      expect(t.exitPrice[k]).toBe(Number(r[col("ExitPrice")]));
      expect(t.entryTime[k]).toBe(parseUtc(r[col("EntryTime")]));
      expect(t.exitTime[k]).toBe(parseUtc(r[col("ExitTime")]));
      closeTo(t.pnl[k], Number(r[col("PnL")]), 1e-8);
      closeTo(t.returnPct[k], Number(r[col("ReturnPct")]) * 100, 1e-8);
      closeTo(t.indicators["SMA(C,10)"].entry[k], Number(r[col("Entry_SMA(C,10)")]), 1e-12);
      closeTo(t.indicators["SMA(C,30)"].exit[k], Number(r[col("Exit_SMA(C,30)")]), 1e-12);
    });
  });

  test("per-bar equity, drawdown and drawdown durations equal the peer's equity curve", () => {
    const { rows } = readCsvRows(`${DIR}/expected_smacross_goog_equity.csv`);
    expect(result.equity.length).toBe(rows.length);
    let episodes = 0;
    rows.forEach((r, k) => {
      expect(result.equity[k], `bar ${k}`).toBeCloseTo(Number(r[1]), 8);
      expect(result.drawdown[k]).toBeCloseTo(Number(r[2]), 12);
      if (r[3]) episodes++;
    });
    // the average drawdown duration stat is built from exactly these episodes
    expect(episodes).toBeGreaterThan(0);
  });
});

describe.skipIf(missing)("other assertions of backtesting.py's test suite", () => {
  // buy on bar 1 (fills at the open of bar 2), close on bar 2 (fills at the open of bar 3)
  const buyThenClose = defineStrategy({
    params: {},
    init: () => ({ done: false }),
    next(ctx, state) {
      if (state.done) return;
      if (!ctx.position.size) ctx.buy();
      else {
        ctx.position.close();
        state.done = true;
      }
    },
  });
  const SHORT = sharedOr(missing, () => subBars(GOOG, 0, 20));
  const eq2to4 = (r: { equity: Float64Array }) =>
    [...r.equity.slice(2, 4)].map((x) => Math.round(x * 100) / 100);

  test("spread .01 and commission .01: entry at Open[2] × 1.01 and equity[2:4]", () => {
    const r = backtest(buyThenClose, SHORT, { spread: 0.01, commission: 0.01, finalizeTrades: true });
    expect(r.trades.entryPrice[0]).toBe(SHORT.open[2] * 1.01);
    expect(eq2to4(r)).toEqual(
      golden.other_asserted_anchors[
        "test_spread_commission (GOOG[:20], buy then close next bar, cash 10000)"
      ]["equity[2:4]"],
    );
  });

  test("commission (100, .01) tuple and a commission function", () => {
    const anchors =
      golden.other_asserted_anchors[
        "test_spread_commission (GOOG[:20], buy then close next bar, cash 10000)"
      ];
    expect(eq2to4(backtest(buyThenClose, SHORT, { commission: [100, 0.01], finalizeTrades: true }))).toEqual(
      anchors["commission=(100,.01) equity[2:4]"],
    );
    const fn = (size: number, price: number) => size * price * 0.01;
    expect(eq2to4(backtest(buyThenClose, SHORT, { commission: fn, finalizeTrades: true }))).toEqual(
      anchors["commission=size*price*.01 equity[2:4]"],
    );
  });

  test("test_commissions: 100 units with tp=3, commission (10, .01)", () => {
    const arr = Float64Array.from([1, 1, 1, 2, 4, 1, 2]);
    const time = Float64Array.from(arr, (_, k) => k * 86_400_000);
    const bars = toBars({ columns: { time, open: arr, high: arr, low: arr, close: arr } });
    const s = defineStrategy({
      params: {},
      init: () => null,
      next: (ctx) => {
        if (ctx.i === 1) ctx.buy({ size: 100, tp: 3 });
      },
    });
    const r = backtest(s, bars, { cash: 5000, commission: [10, 0.01], finalizeTrades: true });
    expect(r.commissions).toBe(10 + 0.01 * 100 * 1 + 10 + 0.01 * 100 * 4);
    expect(r.commissions).toBe(
      golden.other_asserted_anchors[
        "test_commissions (synthetic arr [1,1,1,2,4,1,2], buy 100 @bar2 tp=3, commission=(10,.01), cash 5000)"
      ]["Commissions [$]"],
    );
    expect(r.stats.equityFinal).toBe(5275);
  });

  test("test_wellknown: margin .1 with stop-limit entries runs out of money", () => {
    const buyAt = dayOf(GOOG, "2006-10-19");
    const closeAt = dayOf(GOOG, "2007-10-30");
    const sellAt = dayOf(GOOG, "2008-11-11");
    const s = defineStrategy({
      params: {},
      init: () => null,
      next(ctx) {
        if (ctx.i === buyAt) ctx.buy({ stop: 484, limit: 466, size: 100 });
        else if (ctx.i === closeAt) ctx.position.close();
        else if (ctx.i === sellAt) ctx.sell({ stop: ctx.low.at(0), limit: 324.9, size: 200 });
      },
    });
    const r = backtest(s, GOOG, { margin: 0.1, finalizeTrades: true });
    closeTo(r.stats.equityPeak, 46961, 1e-12);
    expect(r.stats.equityFinal).toBe(0);
    expect(r.trades.length).toBe(2);
    expect([...r.trades.entryTime].map((t) => new Date(t).toISOString().slice(0, 10))).toEqual([
      "2006-11-01",
      "2008-11-14",
    ]);
    expect([...r.trades.exitTime].map((t) => new Date(t).toISOString().slice(0, 10))).toEqual([
      "2007-10-31",
      "2009-09-21",
    ]);
    expect([...r.trades.pnl].map(Math.round)).toEqual([23469, -34420]);
  });

  test("test_trade_enter_hit_sl_on_same_day", () => {
    const day = dayOf(GOOG, "2012-10-17");
    const run = (req: { sl: number; stop?: number }) =>
      backtest(
        defineStrategy({ params: {}, init: () => null, next: (ctx) => void (ctx.i === day && ctx.buy(req)) }),
        GOOG,
        { finalizeTrades: true },
      );
    expect(run({ sl: 720 }).trades.exitPrice[0]).toBe(720);
    const r = run({ stop: 758, sl: 720 });
    expect(r.trades.exitPrice[0]).toBe(705.58);
    expect(r.warnings.some((w) => w.includes("same bar"))).toBe(true);
  });

  test("test_stop_price_between_sl_tp", () => {
    const day = dayOf(GOOG, "2004-09-09");
    const s = defineStrategy({
      params: {},
      init: () => null,
      next: (ctx) => void (ctx.i === day && ctx.buy({ stop: 104, sl: 103, tp: 110 })),
    });
    expect(backtest(s, GOOG, { finalizeTrades: true }).trades.entryPrice[0]).toBe(104);
  });

  test("test_stats_annualized: weekly GOOG annualizes with 52 periods", () => {
    // pandas resample('W'): weeks Monday..Sunday labelled by the Sunday
    const week = (t: number) => Math.floor((Math.floor(t / 86_400_000) + 3) / 7);
    const out = {
      time: [] as number[],
      open: [] as number[],
      high: [] as number[],
      low: [] as number[],
      close: [] as number[],
      volume: [] as number[],
    };
    for (let k = 0; k < GOOG.length; k++) {
      const w = week(GOOG.time[k]);
      const last = out.time.length - 1;
      if (last >= 0 && week(out.time[last] - 86_400_000) === w) {
        out.high[last] = Math.max(out.high[last], GOOG.high[k]);
        out.low[last] = Math.min(out.low[last], GOOG.low[k]);
        out.close[last] = GOOG.close[k];
        out.volume[last] += GOOG.volume[k];
      } else {
        out.time.push((w * 7 + 3) * 86_400_000); // the week's Sunday
        out.open.push(GOOG.open[k]);
        out.high.push(GOOG.high[k]);
        out.low.push(GOOG.low[k]);
        out.close.push(GOOG.close[k]);
        out.volume.push(GOOG.volume[k]);
      }
    }
    const weekly = toBars({
      columns: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Float64Array.from(v)])),
    });
    const r = backtest(smaCross, weekly, { finalizeTrades: true });
    expect(Number.isNaN(r.stats.returnAnnPct)).toBe(false);
    expect(Math.round(r.stats.returnAnnPct)).toBe(-3);
  });

  test("test_FractionalBacktest: BTCUSD from 2015 in μBTC units", () => {
    const btc = toBars(readOhlcvCsv(`${DIR}/BTCUSD.csv`));
    const from = btc.time.findIndex((t) => t >= parseUtc("2015-01-01"));
    const bars = subBars(btc, from, btc.length);
    const r = backtest(smaCross, bars, {
      unit: 1e-6,
      cash: 100,
      finalizeTrades: true,
      params: { fast: 2, slow: 3 },
    });
    expect(r.stats.trades).toBe(42);
    closeTo(r.trades.entryPrice[0], 236.69, 1e-12);
    closeTo(r.trades.indicators["SMA(C,2)"].entry[0], 234.14, 1e-12);
    expect(sma(bars.close, 2)[r.trades.entryBar[0]]).toBeCloseTo(234.14, 7);
  });
});
