// STOM's 학습/검증/확인 split in weeks (optimiz.py GetListDays) and the part blocks its collector
// scores (back_subtotal.py Result), on four made-up weeks of stock snapshots.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  compileStom,
  runStom,
  STOM_COLUMNS,
  type StomInput,
  stomPartsScore,
  stomResult,
  stomSplit,
  stomWalkWindows,
} from "../../../src/engine/stom/index.ts";

/** Mondays to Fridays from 2024-01-08 to 2024-02-02: four weeks, 20 trading days. */
const DAYS = Array.from({ length: 26 }, (_, k) => new Date(Date.UTC(2024, 0, 8 + k)))
  .filter((d) => d.getUTCDay() >= 1 && d.getUTCDay() <= 5)
  .map((d) => d.getUTCFullYear() * 1e4 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate());

/** 120 snapshots a day from 09:00:00; the price rises on even days and falls on odd ones. */
function weeksInput(): StomInput {
  const rows = 120;
  const n = DAYS.length * rows;
  const columns: Record<string, Float64Array> = {};
  for (const name of STOM_COLUMNS.stock_tick) columns[name] = new Float64Array(n);
  DAYS.forEach((day, d) => {
    for (let r = 0; r < rows; r++) {
      const k = d * rows + r;
      const p = 10_000 + (d % 2 === 0 ? r * 20 : -r * 20) + (d % 3) * 500;
      columns.index[k] = day * 1e6 + 90000 + Math.floor(r / 60) * 100 + (r % 60);
      columns.현재가[k] = p;
      columns.등락율[k] = 5;
      columns.체결강도[k] = 100 + (r % 7) * 10;
      columns.관심종목[k] = 1;
      columns.시가총액[k] = 3000;
      columns.VI해제시간[k] = day * 1e6 + 80000;
      for (let l = 1; l <= 5; l++) {
        columns[`매도호가${l}`][k] = p + 10 * l;
        columns[`매수호가${l}`][k] = p - 10 * (l - 1);
        columns[`매도잔량${l}`][k] = 1_000_000;
        columns[`매수잔량${l}`][k] = 1_000_000;
      }
    }
  });
  return { symbol: "005930", name: "삼성전자", columns };
}

const BUY = "if not (체결강도 >= self.vars[1]):\n    매수 = False\n";
const SELL = "if 수익률 >= 1 or 수익률 <= -1:\n    매도 = True\n";
const VARS = "self.vars[0] = [[30, 30, 0], 30]\nself.vars[1] = [[100, 150, 10], 120]\n";

describe("STOM's training / validation / test split", () => {
  it("follows GetListDays: the last weeks of the data, 3 days into the first", () => {
    // ALL: int((25 + 1) / 7) = 3 weeks, less 1 validation and 1 test week = 1 training week
    const s = stomSplit(DAYS, { train: "ALL", valid: 1, test: 1 });
    expect(s.start).toBe(20240115);
    expect(s.train).toEqual([20240115, 20240126, 10]);
    expect(s.valid).toEqual([[20240122, 20240126, 5]]);
    expect(s.test).toEqual([20240129, 20240202, 5]);
    expect(s.testStart).toBe(20240129);
    const cross = stomSplit(DAYS, { train: 2, valid: 1, test: 1, cross: true });
    expect(cross.valid).toEqual([
      [20240122, 20240126, 5],
      [20240115, 20240119, 5],
      [20240108, 20240112, 5],
    ]);
    expect(() => stomSplit(DAYS, { train: 4, valid: 1, test: 1 })).toThrow(/the data is too short/);
  });

  it("walks forward as STOM's 전진분석: week-long windows back from the end while they fit, oldest first", () => {
    const w = stomWalkWindows(DAYS, { train: 1, valid: 0, test: 1 });
    expect(w.map((x) => [x.train.train, x.test])).toEqual([
      [
        [20240108, 20240112, 5],
        [20240115, 20240119, 5],
      ],
      [
        [20240115, 20240119, 5],
        [20240122, 20240126, 5],
      ],
      [
        [20240122, 20240126, 5],
        [20240129, 20240202, 5],
      ],
    ]);
    expect(() => stomWalkWindows(DAYS, { train: 3, valid: 0, test: 1 })).toThrow(/the data is too short/);
  });

  it("scores each part from the run's trades, 수익금합계 running over the whole run", () => {
    const program = compileStom(BUY, SELL, { kind: "stock_tick", vars: VARS });
    const split = stomSplit(DAYS, { train: 2, valid: 1, test: 1, cross: true });
    const r = runStom(program, [weeksInput()], { split });
    const parts = r.parts;
    if (!parts) throw new Error("no parts");
    const day = (t: { sell: number }) => Math.floor(t.sell / 1e6);
    expect(r.trades.every((t) => day(t) >= split.start)).toBe(true);
    split.valid?.forEach(([vs, ve, n], i) => {
      const inFold = r.trades.filter((t) => day(t) >= vs && day(t) <= ve);
      expect(parts.valid[i].tc).toBe(inFold.length);
      expect(parts.train[i].tc).toBe(
        r.trades.filter((t) => day(t) < vs || (day(t) > ve && day(t) < 20240129)).length,
      );
      // a fold's 수익금합계 and mhct/seed are STOM's: the block from the fold's trades alone differs only in MDD
      const alone = stomResult(inFold, { betting: 1_000_000, days: n, market: "stock" });
      expect({ ...parts.valid[i], mdd: 0 }).toEqual({ ...alone, mdd: 0 });
    });
    expect(parts.test?.tc).toBe(r.trades.filter((t) => day(t) >= 20240129).length);
    expect(parts.test?.tc).toBeGreaterThan(0);
    expect(Number.isFinite(stomPartsScore(parts, "TP", { betting: 1_000_000 }))).toBe(true);
  });
});

describe("stom optimize --validate with STOM texts", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "stom-validate-"));
    const db = new Database(join(dir, "stock_tick.db"));
    const input = weeksInput();
    const names = STOM_COLUMNS.stock_tick;
    db.exec(
      `CREATE TABLE "005930" (${names.map((c) => `"${c}" ${c === "index" ? "INTEGER" : "REAL"}`).join(", ")})`,
    );
    const insert = db.prepare(`INSERT INTO "005930" VALUES (${names.map(() => "?").join(", ")})`);
    db.transaction(() => {
      const n = input.columns.index.length;
      for (let k = 0; k < n; k++) insert.run(...names.map((c) => (input.columns[c] as Float64Array)[k]));
    })();
    db.close();
    writeFileSync(join(dir, "buy.txt"), BUY);
    writeFileSync(join(dir, "sell.txt"), SELL);
    writeFileSync(join(dir, "vars.txt"), VARS);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("searches by the folds' combined score, reports each part and the test weeks, equal on 1 or 2 workers", () => {
    const run = (workers: string) =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            "bin/stom.js",
            "optimize",
            ...["--stom-buy", join(dir, "buy.txt"), "--stom-sell", join(dir, "sell.txt")],
            ...["--stom-vars", join(dir, "vars.txt"), "--data", join(dir, "stock_tick.db")],
            ...[
              "--validate",
              "validation=1w,test=1w,train=2w",
              "--cross-validate",
              "3",
              "--workers",
              workers,
              "--json",
            ],
          ],
          { encoding: "utf8" },
        ),
      );
    const one = run("0");
    const two = run("2");
    expect(two.vars).toEqual(one.vars);
    expect(two.value).toBe(one.value);
    expect(one.validation.valid).toHaveLength(3);
    expect(one.validation.test.tc).toBeGreaterThan(0);
    // the reported value is the best run's combined score, recomputed here from its parts
    const program = compileStom(BUY, SELL, { kind: "stock_tick", vars: VARS });
    const split = stomSplit(DAYS, { train: 2, valid: 1, test: 1, cross: true });
    const best = runStom(program, [weeksInput()], { split, params: one.vars });
    expect(one.validation.test).toEqual(best.parts?.test);
    expect(one.value).toBe(
      stomPartsScore(best.parts as NonNullable<typeof best.parts>, "TP", { betting: 1_000_000 }),
    );
  });
});
