import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import smaCross from "../../../notebooks/strategies/sma-cross.ts";
import { readInputs } from "../../../src/data/formats/index.ts";
import { type Bars, backtest, toBars } from "../../../src/engine/index.ts";
import {
  combineScores,
  heatmapRows,
  inProcessRunner,
  parseGrid,
  parseLength,
  searchSpace,
  validate,
  validationFolds,
} from "../../../src/engine/optimize/index.ts";
import { needShared, shared } from "../../support/paths.ts";

const GOOG = shared("backtesting-py/GOOG.csv");
const { missing } = needShared("backtesting-py/GOOG.csv");
const OPTIONS = { cash: 10_000, commission: 0.002 };
let bars: Bars;
let dates: string[];

beforeAll(async () => {
  if (missing) return;
  for await (const frame of readInputs([GOOG])) bars = toBars(frame);
  dates = readFileSync(GOOG, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.slice(0, 10));
});

/** Bars [start, end) rebuilt from copies, independent of the engine's window views. */
function slice(b: Bars, start: number, end: number): Bars {
  const columns: Record<string, Float64Array> = {};
  for (const [name, col] of Object.entries(b.columns))
    columns[name] = Float64Array.from(col.slice(start, end));
  return toBars({ length: end - start, columns });
}

const addDays = (iso: string, days: number) =>
  new Date(Date.parse(iso) + days * 86_400_000).toISOString().slice(0, 10);

const split = () =>
  validationFolds(bars.time, { validation: parseLength("52w"), test: parseLength("52w"), folds: 3 });

describe("validationFolds", () => {
  test.skipIf(missing)(
    "GOOG daily: a 52-week test, then three 52-week validation windows tiling backwards",
    () => {
      const s = split();
      expect(dates).toHaveLength(2148);
      expect(s.test.end).toBe(2148);
      // the test holds the bars dated within 364 days up to 2013-03-01
      const last = dates[dates.length - 1];
      expect(dates[s.test.start]).toBe(dates.find((d) => d > addDays(last, -364)));
      expect(dates[s.test.start - 1] <= addDays(last, -364)).toBe(true);
      let end = s.test.start;
      for (const f of s.folds) {
        expect(f.validation.end).toBe(end);
        const lastValid = dates[end - 1];
        expect(dates[f.validation.start]).toBe(dates.find((d) => d > addDays(lastValid, -364)));
        expect(f.train).toEqual({ start: 0, end: f.validation.start });
        end = f.validation.start;
      }
      // the oldest validation window still leaves years of training data
      expect(dates[s.folds[2].validation.start] > "2009-01-01").toBe(true);
    },
  );

  test.skipIf(missing)("rejects folds that do not fit, naming them", () => {
    expect(() =>
      validationFolds(bars.time, { validation: parseLength("2y"), test: parseLength("1y"), folds: 5 }),
    ).toThrow(/validation fold 4 of 5 does not fit/);
    expect(() =>
      validationFolds(bars.time, { validation: parseLength("1y"), test: parseLength("1y"), folds: 0 }),
    ).toThrow(/invalid folds: 0/);
  });
});

describe("combineScores", () => {
  test("STOM's MERGE: mean of train × validation, both-negative products count as losses", () => {
    expect(combineScores([2, 3], [1, -1])).toBe((2 - 3) / 2);
    expect(combineScores([-2], [-4])).toBe(-8);
    // 교차검증가중치: 2·(K−i)/K, 3 folds → 2, 4/3, 2/3
    expect(combineScores([1, 1, 1], [3, 3, 3], { weighted: true })).toBeCloseTo((6 + 4 + 2) / 3, 12);
    expect(combineScores([0], [5])).toBe(Number.NEGATIVE_INFINITY);
    expect(combineScores([1, Number.NaN], [1, 1])).toBeNaN();
  });
});

describe("validate", () => {
  const space = () => searchSpace(smaCross.params, parseGrid(["fast=5:20:5", "slow=20:60:20"]));

  test.skipIf(missing)(
    "each trial's score is the combination of per-fold backtests on sliced bars; test run once after",
    async () => {
      const s = split();
      const runner = inProcessRunner(smaCross, bars, OPTIONS);
      const res = await validate(runner, { space: space(), objective: "sqn", split: s, weighted: true });
      expect(res.search.trials).toBe(12);
      const rows = heatmapRows(res.search.heatmap);
      let bestValue = Number.NEGATIVE_INFINITY;
      let bestParams: Record<string, number> | undefined;
      for (const row of rows) {
        const sqn = (span: { start: number; end: number }) =>
          backtest(smaCross, slice(bars, span.start, span.end), { ...OPTIONS, params: row.params }).stats.sqn;
        const train = s.folds.map((f) => sqn(f.train));
        const valid = s.folds.map((f) => sqn(f.validation));
        let merge = 0;
        for (let i = 0; i < 3; i++) {
          const sign = train[i] < 0 && valid[i] < 0 ? -1 : 1;
          merge += sign * train[i] * valid[i] * ((2 * (3 - i)) / 3);
        }
        merge /= 3;
        // SQN is undefined (NaN) on a window without trades: the trial is disqualified
        if (Number.isNaN(merge)) expect(row.value).toBeNull();
        else expect(row.value).toBeCloseTo(merge, 10);
        if (merge > bestValue) {
          bestValue = merge;
          bestParams = row.params;
        }
      }
      expect(bestParams).toBeDefined();
      expect(res.search.best?.params).toEqual(bestParams);
      expect(res.score).toBeCloseTo(bestValue, 10);
      expect(res.folds).toHaveLength(3);
      const testRun = backtest(smaCross, slice(bars, s.test.start, s.test.end), {
        ...OPTIONS,
        params: bestParams,
      });
      expect(res.test.params).toEqual(bestParams);
      expect(res.test.stats?.returnPct).toBeCloseTo(testRun.stats.returnPct, 10);
      expect(res.test.value).toBeCloseTo(testRun.stats.sqn, 10);
    },
  );

  test.skipIf(missing)(
    "the test span is never seen: scrambling its prices changes the test result only",
    async () => {
      const s = split();
      const scrambled: Record<string, Float64Array> = {};
      let seed = 7;
      const rand = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      for (const [name, col] of Object.entries(bars.columns)) scrambled[name] = Float64Array.from(col);
      for (let i = s.test.start; i < s.test.end; i++) {
        const f = 0.5 + rand();
        for (const name of ["Open", "High", "Low", "Close", "open", "high", "low", "close"])
          if (scrambled[name]) scrambled[name][i] *= f;
      }
      const altered = toBars({ length: bars.length, columns: scrambled });
      const run = (b: Bars) =>
        validate(inProcessRunner(smaCross, b, OPTIONS), { space: space(), objective: "returnPct", split: s });
      const [a, b] = [await run(bars), await run(altered)];
      expect(heatmapRows(b.search.heatmap)).toEqual(heatmapRows(a.search.heatmap));
      expect(a.search.best).toBeDefined();
      expect(b.search.best?.params).toEqual(a.search.best?.params);
      expect(b.score).toBe(a.score);
      expect(b.folds).toEqual(a.folds);
      expect(b.test.stats?.returnPct).not.toBe(a.test.stats?.returnPct);
    },
  );

  test.skipIf(missing)("bounds on the training results disqualify a trial", async () => {
    const s = split();
    const runner = inProcessRunner(smaCross, bars, OPTIONS);
    const res = await validate(runner, {
      space: space(),
      objective: "sqn",
      split: s,
      bounds: "trades >= 1000",
    });
    expect(res.search.best).toBeUndefined();
    expect(heatmapRows(res.search.heatmap).every((r) => r.value === null)).toBe(true);
    expect(res.score).toBeNaN();
  });
});

test.skipIf(missing)(
  "stom optimize --validate --cross-validate --json (2 workers) agrees with validate() in this thread",
  async () => {
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    const root = path.resolve(import.meta.dirname, "../../..");
    const { stdout } = await promisify(execFile)(
      "node",
      [
        "bin/stom.js",
        "optimize",
        "sma-cross",
        "--data",
        "../shared/data/backtesting-py/GOOG.csv",
        "--grid",
        "fast=5:20:5",
        "--grid",
        "slow=20:60:20",
        "--commission",
        "0.002",
        "--validate",
        "validation=52w,test=52w,weighted",
        "--cross-validate",
        "3",
        "--workers",
        "2",
        "--json",
      ],
      { cwd: root, maxBuffer: 1 << 24 },
    );
    const out = JSON.parse(stdout);
    const res = await validate(inProcessRunner(smaCross, bars, OPTIONS), {
      space: searchSpace(smaCross.params, parseGrid(["fast=5:20:5", "slow=20:60:20"])),
      split: split(),
      weighted: true,
    });
    expect(out.best.params).toEqual(res.search.best?.params);
    expect(out.validation.score).toBe(res.score);
    expect(out.validation.folds).toHaveLength(3);
    expect(out.validation.folds.map((f: { validationValue: number }) => f.validationValue)).toEqual(
      res.folds.map((f) => f.validationValue),
    );
    expect(out.validation.test.span.start.slice(0, 10)).toBe(dates[res.test.span.start]);
    expect(out.validation.test.stats.returnPct).toBe(res.test.stats?.returnPct);
    expect(out.heatmap).toEqual(heatmapRows(res.search.heatmap));
  },
);
