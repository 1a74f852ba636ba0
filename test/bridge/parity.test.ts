import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import smaCross from "../../notebooks/strategies/sma-cross.ts";
import { loadBars } from "../../src/app/load-bars.ts";
import { openGate } from "../../src/bridge/account.ts";
import { BarBuilder } from "../../src/bridge/bar-builder.ts";
import { PaperSession, type PaperSettings } from "../../src/bridge/paper-session.ts";
import type { Bar } from "../../src/bridge/types.ts";
import { type BacktestResult, type Bars, backtest } from "../../src/engine/index.ts";
import { needShared, SHARED_URL } from "../support/paths.ts";

const DATA = SHARED_URL;
const { missing } = needShared(
  "backtesting-py/GOOG.csv",
  "freqtrade/XRP_ETH-1m.json",
  "freqtrade/XRP_ETH-trades.json.gz",
);

function barAt(bars: Bars, i: number): Bar {
  return {
    time: bars.time[i],
    open: bars.open[i],
    high: bars.high[i],
    low: bars.low[i],
    close: bars.close[i],
    volume: bars.volume[i],
  };
}

/** The paper run's closed trades equal the backtest's, field for field. */
function expectSameTrades(paper: PaperSession, result: BacktestResult): void {
  const t = paper.result().trades;
  expect(t.length).toBe(result.trades.length);
  for (const key of ["size", "entryBar", "exitBar", "entryPrice", "exitPrice", "pnl"] as const)
    expect(Array.from(t[key])).toEqual(Array.from(result.trades[key]));
}

function replay(bars: Bars, params: Record<string, number>, options: PaperSettings) {
  const paper = new PaperSession(smaCross, params, openGate(), options);
  for (let i = 0; i < bars.length; i++) paper.onBar(barAt(bars, i));
  return paper;
}

describe.skipIf(missing)("paper parity with the backtest", () => {
  it("sma-cross on GOOG daily: the same 65 closed trades, bar by bar", async () => {
    const { bars } = await loadBars(new URL("backtesting-py/GOOG.csv", DATA).pathname);
    expect(bars.length).toBe(2148);
    const options = { cash: 10_000, commission: 0.002 };
    const result = backtest(smaCross, bars, { ...options, params: { fast: 10, slow: 30 } });
    const account = replay(bars, { fast: 10, slow: 30 }, options);
    // the golden run has 66 trades with finalize_trades; without it the last one is still open
    expect(result.trades.length).toBe(65);
    expectSameTrades(account, result);
    expect(account.openLegs.length).toBe(1);
    expect(Array.from(account.result().equity)).toEqual(Array.from(result.equity));
    expect(account.equity).toBeCloseTo(result.equity[bars.length - 1], 6);
  });

  it("bars built from the XRP/ETH trade tape reproduce the 1m file and its backtest", async () => {
    const { bars } = await loadBars(new URL("freqtrade/XRP_ETH-1m.json", DATA).pathname);
    const tape = JSON.parse(
      gunzipSync(readFileSync(new URL("freqtrade/XRP_ETH-trades.json.gz", DATA))).toString("utf8"),
    ) as [number, string, null, string, number, number, number][];
    expect(tape.length).toBe(12477);
    const options = { cash: 10, commission: 0.001, unit: 1 };
    const params = { fast: 5, slow: 20 };
    const account = new PaperSession(smaCross, params, openGate(), options);
    const built: Bar[] = [];
    const builder = new BarBuilder("1m", (bar) => {
      built.push(bar);
      account.onBar(bar);
    });
    for (const [time, id, , , price, amount] of tape) builder.push({ time, id, price, amount });
    // the last minute closes when the clock passes it
    builder.flush(tape[tape.length - 1][0] + 60_000);
    expect(built.length).toBe(bars.length);
    for (let i = 0; i < bars.length; i++) {
      expect(built[i].time).toBe(bars.time[i]);
      expect([built[i].open, built[i].high, built[i].low, built[i].close]).toEqual([
        bars.open[i],
        bars.high[i],
        bars.low[i],
        bars.close[i],
      ]);
    }
    const result = backtest(smaCross, bars, { ...options, params });
    expect(result.trades.length).toBeGreaterThan(50);
    expectSameTrades(account, result);
  });
});
