// The engine's fast paths (one-pass stats, series log ratio, array-level crossover, cached bar
// checks) against the straightforward definitions they replace, on real data.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import smaCross from "../../notebooks/strategies/sma-cross.ts";
import {
  backtest,
  type Clock,
  computeStats,
  crossedAbove,
  DAY_MS,
  drawdown,
  drawdownEpisodes,
  logRatio,
  resampleLast,
  Series,
  toBars,
  weekday,
} from "../../src/engine/index.ts";
import { sma } from "../../src/engine/indicators/index.ts";
import { DATA_DIR, readOhlcvCsv } from "../support/csv.ts";
import { needShared, sharedOr } from "../support/paths.ts";

function binanceCsv(file: string) {
  const lines = readFileSync(`${DATA_DIR}/binance/${file}`, "utf8").trim().split("\n").slice(1);
  const n = lines.length;
  const c = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let k = 0; k < n; k++) {
    const f = lines[k].split(",");
    c.time[k] = Number(f[0]);
    c.open[k] = Number(f[1]);
    c.high[k] = Number(f[2]);
    c.low[k] = Number(f[3]);
    c.close[k] = Number(f[4]);
    c.volume[k] = Number(f[5]);
  }
  return { length: n, columns: c };
}

// 40,320 one-minute bars (data README), 5,000 hourly bars, 2,148 daily bars
const { missing } = needShared(
  "binance/isda_LINKUSDT-1m-2023-02.csv",
  "backtesting-py/EURUSD.csv",
  "backtesting-py/GOOG.csv",
);
const LINK = sharedOr(missing, () => toBars(binanceCsv("isda_LINKUSDT-1m-2023-02.csv")));
const EURUSD = sharedOr(missing, () => toBars(readOhlcvCsv(`${DATA_DIR}/backtesting-py/EURUSD.csv`)));
const GOOG = sharedOr(missing, () => toBars(readOhlcvCsv(`${DATA_DIR}/backtesting-py/GOOG.csv`)));

describe("logRatio", () => {
  test.skipIf(missing)(
    "equals Math.log(a / b) within 4 ulp on every bar-to-bar close ratio of three data sets",
    () => {
      let compared = 0;
      let series = 0;
      let worst = 0;
      for (const bars of [LINK, EURUSD, GOOG]) {
        const c = bars.close;
        for (let k = 1; k < c.length; k++) {
          const want = Math.log(c[k] / c[k - 1]);
          const err = Math.abs(logRatio(c[k], c[k - 1]) - want) / (Number.EPSILON * Math.abs(want) || 1);
          if (err > worst) worst = err;
          if (Math.abs(c[k] / c[k - 1] - 1) < 0.02) series++;
          compared++;
        }
      }
      expect(worst).toBeLessThanOrEqual(4);
      expect(compared).toBe(40_319 + 4_999 + 2_147);
      // most ratios take the series path, so the comparison exercises it
      expect(series).toBeGreaterThan(0.9 * compared);
    },
  );
});

/** The stats' per-bar inputs computed the plain way: several passes, Math.log, arrays. */
function reference(time: Float64Array, close: Float64Array, equity: Float64Array) {
  const dd = drawdown(equity);
  const { durations, peaks } = drawdownEpisodes(dd, time);
  const le: number[] = [];
  const lm: number[] = [];
  for (let k = 1; k < equity.length; k++) {
    le.push(Math.log(equity[k] / equity[k - 1]));
    lm.push(Math.log(close[k] / close[k - 1]));
  }
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  const me = mean(le);
  const mm = mean(lm);
  let cov = 0;
  let varM = 0;
  for (let k = 0; k < le.length; k++) {
    cov += (le[k] - me) * (lm[k] - mm);
    varM += (lm[k] - mm) ** 2;
  }
  let weekend = 0;
  for (let k = 0; k < time.length; k++) if (weekday(time[k]) >= 5) weekend++;
  return {
    dd,
    equityPeak: Math.max(...equity),
    maxDrawdownPct: -Math.max(...dd) * 100,
    avgDrawdownPct: -mean(peaks) * 100,
    maxDrawdownMs: Math.max(...durations),
    beta: cov / varM,
    daily: resampleLast(time, equity, "D"),
    weekend,
  };
}

describe.skipIf(missing)("computeStats in one pass", () => {
  const runs = [
    ["LINK 1m", LINK, { fast: 10, slow: 30 }],
    ["EURUSD 1h", EURUSD, { fast: 5, slow: 20 }],
  ] as const;
  for (const [name, bars, params] of runs) {
    test(`${name}: drawdown, peaks, episodes and beta equal the plain multi-pass definitions`, () => {
      const r = backtest(smaCross, bars, { cash: 10_000, finalizeTrades: true, params });
      expect(r.stats.trades).toBeGreaterThan(20);
      const ref = reference(bars.time, bars.close, r.equity);
      // the drawdown is a by-product of the same pass: bit for bit the plain loop's
      expect(r.drawdown).toEqual(ref.dd);
      expect(r.stats.equityPeak).toBe(ref.equityPeak);
      expect(r.stats.maxDrawdownPct).toBe(ref.maxDrawdownPct);
      expect(r.stats.avgDrawdownPct).toBeCloseTo(ref.avgDrawdownPct, 12);
      expect(r.stats.maxDrawdownDays * DAY_MS).toBeGreaterThanOrEqual(ref.maxDrawdownMs);
      expect(r.stats.maxDrawdownDays * DAY_MS - ref.maxDrawdownMs).toBeLessThan(DAY_MS);
      expect(Math.abs(r.stats.beta - ref.beta)).toBeLessThanOrEqual(1e-10 * Math.abs(ref.beta));
    });
  }

  test("the daily resample and the weekend rule: annualised return from resampleLast", () => {
    const r = backtest(smaCross, LINK, { cash: 10_000, finalizeTrades: true });
    const ref = reference(LINK.time, LINK.close, r.equity);
    // February 2023: 28 days, 8 of them weekend days, so crypto annualises over 365 days
    expect(ref.daily.length).toBe(28);
    expect(ref.weekend).toBe(8 * 1440);
    let logSum = 0;
    for (let k = 1; k < ref.daily.length; k++) logSum += Math.log(ref.daily[k] / ref.daily[k - 1]);
    const g = Math.exp(logSum / (ref.daily.length - 1)) - 1;
    expect(r.stats.returnAnnPct).toBeCloseTo(((1 + g) ** 365 - 1) * 100, 9);
  });

  test("exposure counts the union of trade spans, also when hedged trades overlap", () => {
    const r = backtest(smaCross, EURUSD, {
      hedging: true,
      finalizeTrades: true,
      params: { fast: 5, slow: 20 },
    });
    const mask = new Uint8Array(EURUSD.length);
    for (let t = 0; t < r.trades.length; t++) mask.fill(1, r.trades.entryBar[t], r.trades.exitBar[t] + 1);
    const covered = mask.reduce((s, x) => s + x, 0);
    expect(covered).toBeGreaterThan(0);
    expect(r.stats.exposurePct).toBe((covered / EURUSD.length) * 100);
  });

  test("drawdownOut must fit the equity", () => {
    const e = Float64Array.of(1, 2, 3);
    const trades = {
      pnl: new Float64Array(0),
      returns: new Float64Array(0),
      entryBar: new Float64Array(0),
      exitBar: new Float64Array(0),
      entryTime: new Float64Array(0),
      exitTime: new Float64Array(0),
    };
    expect(() =>
      computeStats(Float64Array.of(0, DAY_MS, 2 * DAY_MS), e, e, trades, {
        drawdownOut: new Float64Array(2),
      }),
    ).toThrow("drawdownOut has 2 values, expected 3");
  });
});

describe("crossedAbove on two Series", () => {
  test.skipIf(missing)(
    "equals a.at(1) < b.at(1) && a.at(0) > b.at(0) on every LINK bar, NaN warm-up included",
    () => {
      const clock: Clock = { i: 0 };
      const fast = new Series(sma(LINK.close, 10), clock);
      const slow = new Series(sma(LINK.close, 30), clock);
      let crosses = 0;
      const wrong: number[] = [];
      for (let i = 0; i < LINK.length; i++) {
        clock.i = i;
        const want = fast.at(1) < slow.at(1) && fast.at(0) > slow.at(0);
        if (crossedAbove(fast, slow) !== want) wrong.push(i);
        if (want) crosses++;
      }
      expect(wrong).toEqual([]);
      expect(crosses).toBeGreaterThan(100);
    },
  );
});

describe("toBars", () => {
  test.skipIf(missing)(
    "returns bars it built itself unchanged, and still rejects NaN prices in new input",
    () => {
      expect(toBars(GOOG)).toBe(GOOG);
      const close = GOOG.close.slice();
      close[5] = Number.NaN;
      expect(() => toBars({ columns: { ...GOOG.columns, close } })).toThrow("column close has NaN at row 5");
    },
  );
});
