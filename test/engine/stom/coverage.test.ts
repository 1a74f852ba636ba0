// The coverage table of docs/stom.md is measured here: stomCoverage() compiles and runs a tiny text per
// STOM name; the rendered table must match the docs (UPDATE_COVERAGE=1 rewrites the docs section).
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { coverageFailure, renderCoverage, stomCoverage } from "../../../src/engine/stom/coverage.ts";

const DOCS = resolve(import.meta.dirname, "../../../docs/stom.md");
const START = "<!-- coverage:start -->";
const END = "<!-- coverage:end -->";

// The lengths of STOM's own lists (see the citations in coverage.ts), so the table cannot drift.
const TOTALS: Record<string, number> = {
  "columns stock_tick": 44,
  "columns stock_min": 47,
  "columns coin_tick": 35,
  "columns coin_min": 38,
  "derived stock_tick": 6,
  "derived stock_min": 6,
  "derived coin_tick": 4,
  "derived coin_min": 5,
  "helpers stock_tick": 15,
  "helpers stock_min": 17,
  "helpers coin_tick": 14,
  "helpers coin_min": 16,
  "previous (<col>N) stock_tick": 41,
  "previous (<col>N) stock_min": 44,
  "previous (<col>N) coin_tick": 35,
  "previous (<col>N) coin_min": 38,
  // GetIndicator's 28 values and the 28 `<ind>_N` defs
  "indicators stock_min": 56,
  "indicators coin_min": 56,
  "sell values all": 5,
  "objectives all": 14,
  "result block all": 15,
};

const SELL = "if 보유시간 > 5:\n    매도 = True\nif 매도:\n    self.Sell()\n";
const reads = (expr: string) => `if not (${expr} == ${expr}):\n    매수 = False\nif 매수:\n    self.Buy()\n`;

describe("coverageFailure", () => {
  it("rejects an unknown name at compile time; TA-Lib values run on minute DBs only", () => {
    expect(coverageFailure("stock_tick", reads("없는이름"), SELL)).toMatch(/^compile: .*unknown name/);
    expect(coverageFailure("stock_tick", reads("RSI"), SELL)).toMatch(/^compile: .*unknown name 'RSI'/);
    expect(coverageFailure("stock_min", reads("RSI"), SELL)).toBeUndefined();
    expect(coverageFailure("stock_tick", reads("체결강도평균(30)"), SELL)).toBeUndefined();
  });
});

describe("stomCoverage", () => {
  const rows = stomCoverage();

  it("has one row per STOM list, with STOM's lengths as totals", () => {
    expect(rows.map((r) => `${r.group} ${r.kind}`)).toEqual(Object.keys(TOTALS));
    for (const r of rows) {
      expect(r.total, `${r.group} ${r.kind}`).toBe(TOTALS[`${r.group} ${r.kind}`]);
      expect(r.supported).toBeLessThanOrEqual(r.total);
      expect(r.supported + r.missing.length).toBe(r.total);
    }
  });

  it("matches the table in docs/stom.md (UPDATE_COVERAGE=1 rewrites it)", () => {
    const table = renderCoverage(rows);
    const docs = readFileSync(DOCS, "utf8");
    const start = docs.indexOf(START);
    const end = docs.indexOf(END);
    expect(start, `${START} in docs/stom.md`).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    if (process.env.UPDATE_COVERAGE === "1") {
      writeFileSync(DOCS, `${docs.slice(0, start + START.length)}\n${table}${docs.slice(end)}`);
      return;
    }
    expect(docs.slice(start + START.length, end)).toBe(`\n${table}`);
  });
});
