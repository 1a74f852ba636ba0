import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import smaCross from "../../notebooks/strategies/sma-cross.ts";
import { checkLookahead, toBars } from "../../src/engine/index.ts";
import { DATA_DIR, readOhlcvCsv } from "../support/csv.ts";
import { needShared, sharedOr } from "../support/paths.ts";
import peeking from "./fixtures/peeking.ts";

const { missing } = needShared("backtesting-py/GOOG.csv");
const GOOG = sharedOr(missing, () => toBars(readOhlcvCsv(`${DATA_DIR}/backtesting-py/GOOG.csv`)));

describe("checkLookahead", () => {
  test.skipIf(missing)("sma-cross decides the same on every truncated prefix", () => {
    const report = checkLookahead(smaCross, GOOG, { cuts: 10 });
    expect(report.cuts).toHaveLength(10);
    expect(report.compared).toBeGreaterThan(100);
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
  });

  test.skipIf(missing)("a strategy reading tomorrow's close through init() is caught at the cut", () => {
    const report = checkLookahead(peeking, GOOG, { cuts: 10 });
    expect(report.ok).toBe(false);
    expect(report.mismatches.length).toBeGreaterThan(0);
    // the truncated run cannot see past its last bar, so the first difference is at or near it
    for (const m of report.mismatches) expect(m.bar).toBeLessThanOrEqual(m.cut);
  });

  test.skipIf(missing)(
    "stom check lookahead exits 1 and names the cut for the peeking strategy",
    async () => {
      const root = path.resolve(import.meta.dirname, "../..");
      const run = promisify(execFile);
      const err = await run(
        "node",
        [
          "bin/stom.js",
          "check",
          "lookahead",
          "test/engine/fixtures/peeking.ts",
          "--data",
          "../shared/data/backtesting-py/GOOG.csv",
          "--cuts",
          "3",
        ],
        { cwd: root },
      ).catch((e) => e);
      expect(err.code).toBe(1);
      expect(err.stdout).toMatch(/look-ahead: decisions changed on [1-3] of 3 truncated runs/);
    },
  );
});
