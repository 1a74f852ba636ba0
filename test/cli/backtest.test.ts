import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { stom as cli } from "../support/cli.ts";
import { needShared, shared, sharedOr } from "../support/paths.ts";

const GOOG = "../shared/data/backtesting-py/GOOG.csv";
const { missing } = needShared("backtesting-py/GOOG.csv", "backtesting-py/expected_smacross_goog.json");
const golden = sharedOr(missing, () =>
  JSON.parse(readFileSync(shared("backtesting-py/expected_smacross_goog.json"), "utf8")),
);

const stom = (...args: string[]) => cli(args);

// every spawn loads the whole CLI (about 5 s here), so two spawns cover everything
describe.skipIf(missing)("stom backtest", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "stom-bt-"));
  const a = path.join(dir, "a.json");
  const b = path.join(dir, "b.json");

  test("--json matches the backtesting.py golden and --out adds a fingerprint", async () => {
    const { stdout } = await stom(
      "backtest",
      "sma-cross",
      "--data",
      GOOG,
      "--param",
      "fast=10",
      "--param",
      "slow=30",
      "--cash",
      "10000",
      "--finalize-trades",
      "--json",
      "--out",
      a,
    );
    const report = JSON.parse(stdout);
    const e = golden.expected;
    expect(report.stats.trades).toBe(e["# Trades"]);
    expect(Math.abs(report.stats.equityFinal - e["Equity Final [$]"])).toBeLessThan(
      1e-8 * e["Equity Final [$]"],
    );
    expect(Math.abs(report.stats.sharpe - e["Sharpe Ratio"])).toBeLessThan(1e-8 * e["Sharpe Ratio"]);
    expect(Math.abs(report.stats.sqn - e.SQN)).toBeLessThan(1e-8 * e.SQN);
    expect(report.stats.maxDrawdownDays).toBe(584);
    expect(report.trades).toHaveLength(66);
    expect(report.trades[0]).toMatchObject({
      size: -55,
      entryBar: 70,
      exitBar: 86,
      entryPrice: 180.36,
      exitPrice: 186.31,
    });
    expect(report.params).toEqual({ fast: 10, slow: 30 });
    expect(report.data).toMatchObject({ file: GOOG, rows: 2148 });
    expect(report.data.start.slice(0, 10)).toBe("2004-08-19");
    expect(report.data.end.slice(0, 10)).toBe("2013-03-01");
    const saved = JSON.parse(readFileSync(a, "utf8"));
    expect(saved.stats).toEqual(report.stats);
    expect(saved.strategy.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  test("readable output: stats table, equity sparkline; other params change the fingerprint", async () => {
    const { stdout } = await stom("backtest", "sma-cross", "--data", GOOG, "--param", "fast=12", "--out", b);
    expect(stdout).toMatch(/sma-cross fast=12 slow=30/);
    expect(stdout).toMatch(/trades\s+\d+/);
    expect(stdout).toMatch(/equity\s+[▁▂▃▄▅▆▇█]{60}/);
    const fa = JSON.parse(readFileSync(a, "utf8")).strategy.fingerprint;
    expect(JSON.parse(readFileSync(b, "utf8")).strategy.fingerprint).not.toBe(fa);
  });
});
