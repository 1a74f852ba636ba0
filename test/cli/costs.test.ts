import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import smaCross from "../../notebooks/strategies/sma-cross.ts";
import { loadBars } from "../../src/app/load-bars.ts";
import { type RunFlags, runOptions } from "../../src/cli/flags.ts";
import { backtest } from "../../src/engine/index.ts";
import { presetCommission } from "../../src/engine/markets/index.ts";
import { needShared } from "../support/paths.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const GOOG = "../shared/data/backtesting-py/GOOG.csv";
const { missing } = needShared("backtesting-py/GOOG.csv");
const run = promisify(execFile);

const flags = (extra: Partial<RunFlags>): RunFlags => ({
  cash: 10_000,
  commission: 0,
  spread: 0,
  slippage: 0,
  margin: 1,
  unit: 1,
  param: ["fast=10", "slow=30"],
  finalizeTrades: true,
  ...extra,
});

describe("presetCommission", () => {
  it("charges the flat presets' rate per fill", () => {
    expect(presetCommission("upbit")(10, 1_000, false)).toBeCloseTo(5, 12);
    expect(presetCommission("binance")(-2, 500, true)).toBeCloseTo(1, 12);
    expect(presetCommission("binance-futures")(1, 10_000, false)).toBeCloseTo(4, 12);
  });

  it("charges the KRX sell tax on the selling fill only: a long's exit, a short's entry", () => {
    const krx = presetCommission("krx");
    expect(krx(10, 70_000, false)).toBeCloseTo(700_000 * 0.00015, 9);
    expect(krx(10, 70_000, true)).toBeCloseTo(700_000 * (0.00015 + 0.0018), 9);
    expect(krx(-10, 70_000, false)).toBeCloseTo(700_000 * (0.00015 + 0.0018), 9);
    expect(krx(-10, 70_000, true)).toBeCloseTo(700_000 * 0.00015, 9);
  });

  it("rejects an unknown preset with a suggestion", () => {
    expect(() => presetCommission("upbt")).toThrow(/unknown cost preset: upbt, did you mean 'upbit'/);
  });
});

describe("runOptions with --costs", () => {
  it("refuses --costs together with --commission", () => {
    expect(() => runOptions(flags({ costs: "krx", commission: 0.001 }))).toThrow(/not both/);
  });

  it.skipIf(missing)("gives the same GOOG run as the equivalent relative --commission", async () => {
    const { bars } = await loadBars(GOOG);
    const viaPreset = backtest(smaCross, bars, runOptions(flags({ costs: "upbit" })));
    const viaRate = backtest(smaCross, bars, runOptions(flags({ commission: 0.0005 })));
    expect(viaPreset.stats).toEqual(viaRate.stats);
    const krx = backtest(smaCross, bars, runOptions(flags({ costs: "krx" })));
    // each trade pays 0.015% on both fills and 0.18% on the fill that sells
    const t = krx.trades;
    let expected = 0;
    for (let k = 0; k < t.length; k++) {
      const entry = Math.abs(t.size[k]) * t.entryPrice[k];
      const exit = Math.abs(t.size[k]) * t.exitPrice[k];
      expected += 0.00015 * (entry + exit) + 0.0018 * (t.size[k] > 0 ? exit : entry);
    }
    expect(krx.commissions).toBeCloseTo(expected, 6);
    const free = backtest(smaCross, bars, runOptions(flags({})));
    expect(krx.stats.equityFinal).toBeLessThan(viaPreset.stats.equityFinal);
    expect(viaPreset.stats.equityFinal).toBeLessThan(free.stats.equityFinal);
  });

  it.skipIf(missing)("is wired into `stom backtest`", async () => {
    const { stdout } = await run(
      "node",
      [
        "bin/stom.js",
        "backtest",
        "sma-cross",
        "--data",
        GOOG,
        "--finalize-trades",
        "--costs",
        "krx",
        "--json",
      ],
      { cwd: ROOT, maxBuffer: 1 << 24 },
    );
    const { bars } = await loadBars(GOOG);
    const expected = backtest(smaCross, bars, runOptions(flags({ costs: "krx", param: [] })));
    const report = JSON.parse(stdout);
    expect(report.stats.trades).toBe(expected.stats.trades);
    expect(report.stats.equityFinal).toBeCloseTo(expected.stats.equityFinal, 8);
  });
});
