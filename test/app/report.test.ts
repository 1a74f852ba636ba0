import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { type BacktestReport, parseReport, readReport, writeReport } from "../../src/app/report.ts";
import { stom } from "../support/cli.ts";
import { sampleBarsCsv, tempDir } from "../support/fixtures.ts";

const dir = tempDir("stom-report-");

describe("the backtest report schema", () => {
  test("stom backtest --out writes a report the schema reads back, with curves one line each", async () => {
    const csv = sampleBarsCsv(dir, { bars: 300, seed: 3 });
    const out = join(dir, "run.json");
    await stom(["backtest", "sma-cross", "--data", csv, "--costs", "upbit", "--out", out]);
    const report = await readReport(out);
    expect(report.version).toBe(1);
    expect(report.settings.costs).toBe("upbit");
    expect(report.settings.commission).toBeUndefined();
    expect(report.params).toEqual({ fast: 10, slow: 30 });
    expect(report.trades.length).toBe(report.stats.trades);
    expect(report.curves?.equity.length).toBe(300);
    expect(report.trades.length).toBeGreaterThan(0);
    const text = readFileSync(out, "utf8");
    expect(text.split("\n").find((l) => l.includes('"equity"'))?.length).toBeGreaterThan(300 * 3);
  });

  test("a bad report names the file and the first bad field; an old one is told to re-run", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({ version: 1, strategy: { ref: "x", file: "x", fingerprint: "nope" } }),
    );
    await expect(readReport(bad)).rejects.toThrow(
      `${bad}: not a stom backtest report (strategy.fingerprint:`,
    );
    expect(() => parseReport({ stats: {}, trades: [] }, "old.json")).toThrow(
      /older stom\? run the backtest again/,
    );
    writeFileSync(bad, "{");
    await expect(readReport(bad)).rejects.toThrow(`${bad}: not JSON`);
  });

  test("writeReport refuses an invalid report and leaves no file behind", async () => {
    const target = join(dir, "never.json");
    const invalid = { version: 1 } as unknown as BacktestReport;
    await expect(writeReport(target, invalid)).rejects.toThrow(
      "the report to write: not a stom backtest report",
    );
    expect(readdirSync(dir).filter((f) => f.startsWith("never"))).toEqual([]);
  });
});
