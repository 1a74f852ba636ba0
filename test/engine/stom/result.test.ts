import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { npRound, pyRound, pyTrueDiv } from "../../../src/engine/pymath.ts";
import { STOM_RESULT_KEYS, stomResult } from "../../../src/engine/stom/result.ts";
import { needShared, shared } from "../../support/paths.ts";

// STOM V1.10's own output (Py-CI-Park/STOM@63aa7ef, 백테스트 mode) on the shared STOM-layout DBs.
const CASES = shared("stom/cases");
const DBS = shared("stom/dbs");
const { missing } = needShared("stom/cases", "stom/dbs");

interface Oracle {
  trades: { buy: number; sell: number; hold: number; bg: number; pp: number; sg: number }[];
  result: Record<string, number> | null;
  days: number;
  db: string;
  settings: { betting: number };
  valid_as_expected_output?: boolean;
  caveat?: string;
}

function oracleCases(): { name: string; oracle: Oracle; market: "stock" | "coin" }[] {
  return readdirSync(CASES)
    .sort()
    .flatMap((name) => {
      const file = join(CASES, name, "stom_v1_oracle.json");
      if (!existsSync(file)) return [];
      const oracle = JSON.parse(readFileSync(file, "utf8")) as Oracle;
      if (oracle.valid_as_expected_output !== true || oracle.caveat !== undefined || !oracle.result)
        return [];
      const kind = readFileSync(join(CASES, name, "kind"), "utf8").trim();
      return [{ name, oracle, market: kind.startsWith("stock") ? ("stock" as const) : ("coin" as const) }];
    });
}

describe.skipIf(missing)("stomResult on STOM's oracle trade lists", () => {
  const cases = missing ? [] : oracleCases();

  it("finds the oracle cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(14);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s: all 15 keys equal STOM's", (_name, c) => {
    const { oracle, market } = c;
    const block = stomResult(oracle.trades, { betting: oracle.settings.betting, days: oracle.days, market });
    expect(Object.keys(block)).toEqual([...STOM_RESULT_KEYS]);
    expect({ ...block }).toEqual(oracle.result);
  });

  // STOM's own grid: the moneytop index of the DB the oracle ran on
  const dir = mkdtempSync(join(tmpdir(), "stom-result-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const grids = new Map<string, number[]>();
  const moneytop = (db: string): number[] => {
    let grid = grids.get(db);
    if (!grid) {
      const file = join(dir, db);
      writeFileSync(file, gunzipSync(readFileSync(join(DBS, `${db}.gz`))));
      const con = new Database(file, { readonly: true });
      grid = (con.prepare("SELECT `index` AS i FROM moneytop ORDER BY `index`").all() as { i: number }[]).map(
        (r) => r.i,
      );
      con.close();
      grids.set(db, grid);
    }
    return grid;
  };

  it.each(cases.map((c) => [c.name, c] as const))("%s: the same on the DB's moneytop grid", (_name, c) => {
    const { oracle, market } = c;
    const grid = moneytop(oracle.db);
    const block = stomResult(oracle.trades, {
      betting: oracle.settings.betting,
      days: oracle.days,
      market,
      grid,
    });
    expect({ ...block }).toEqual(oracle.result);
  });
});

describe("stomResult", () => {
  const t = (buy: number, sell: number, bg: number, pp: number, sg: number) => ({
    buy,
    sell,
    hold: sell - buy,
    bg,
    pp,
    sg,
  });
  const opts = { betting: 1_000_000, days: 1, market: "stock" as const };

  it("returns zeros for no trades", () => {
    const block = stomResult([], opts);
    expect(Object.values(block).every((v) => v === 0)).toBe(true);
  });

  it("takes AddMdd's except branch when the cumulative 수익금 never falls", () => {
    // the first trade loses, the rest win: the drawdown is measured from the first trade, so none
    const block = stomResult(
      [
        t(20190920090100, 20190920090110, 1_000_000, -1.0, -10_000),
        t(20190920090200, 20190920090210, 1_000_000, 2, 20_000),
      ],
      opts,
    );
    expect(block.mdd).toBe(Math.abs(block.tpp));
    expect(block.mdd_).toBe(Math.abs(block.tsg));
  });

  it("gives TPI 1.0 with no losers", () => {
    const block = stomResult([t(20190920090100, 20190920090110, 1_000_000, 1.5, 15_000)], opts);
    expect(block.tpi).toBe(1.0);
    expect(block.mc).toBe(0);
  });

  it("trims the top 1% of held rows before taking mhct and seed", () => {
    // 100 held seconds (inclusive stamps): 1% = 1 row; two positions overlap on exactly one second
    const a = t(20190920090000, 20190920090059, 1_000_000, 1, 10_000); // 60 s
    const b = t(20190920090059, 20190920090139, 2_000_000, 1, 20_000); // 41 s, 09:00:59 shared
    const block = stomResult([a, b], opts);
    expect(block.mhct).toBe(1); // the single 2-position second is trimmed
    expect(block.seed).toBe(2_000_000);
    const c = t(20190920090058, 20190920090059, 500_000, 1, 5_000); // counts 2 and 3: rank 1 is 2
    expect(stomResult([a, b, c], opts).mhct).toBe(2);
  });

  it("counts only grid rows when a grid is given", () => {
    const a = t(20190920090000, 20190920090010, 1_000_000, 1, 10_000);
    const block = stomResult([a], { ...opts, grid: [20190920085959, 20190920090005, 20190920090011] });
    expect(block.seed).toBe(1_000_000);
    // no grid row inside the trade: STOM's except gives mhct 0 and seed = betting
    const none = stomResult([a], { ...opts, grid: [20190920090011] });
    expect(none.mhct).toBe(0);
    expect(none.seed).toBe(1_000_000);
  });

  it("counts every grid row with rows 'grid' (backtest.py:151's literal reading)", () => {
    const a = t(20190920090000, 20190920090002, 1_000_000, 1, 10_000); // 3 held rows
    const grid = (n: number) =>
      Array.from({ length: n }, (_, i) => 20190920090000 + (i % 60) + 100 * Math.floor(i / 60));
    expect(stomResult([a], { ...opts, grid: grid(200), rows: "grid" }).seed).toBe(1_000_000); // skips 2
    const idle = stomResult([a], { ...opts, grid: grid(300), rows: "grid" }); // skips 3: an idle row
    expect(idle.mhct).toBe(0);
    expect(idle.seed).toBe(0);
    expect(idle.tpp).toBe(1); // seed 0: tpp falls back to the betting
  });

  it("rejects bad input with the value", () => {
    expect(() => stomResult([t(20190920090010, 20190920090000, 1, 0, 0)], opts)).toThrow(
      /sell 20190920090000 before buy/,
    );
    expect(() => stomResult([], { ...opts, betting: 0 })).toThrow("invalid betting: 0");
    expect(() => stomResult([t(20190920090000, 20190920090010, 1, 0, 0)], { ...opts, days: 0 })).toThrow(
      "invalid days: 0",
    );
  });
});

describe("rounding helpers", () => {
  it("npRound is rint(x * 100) / 100", () => {
    expect(npRound(1.115, 2)).toBe(1.12); // 1.115 * 100 = 111.50000000000001
    expect(npRound(0.125, 2)).toBe(0.12);
    expect(Object.is(npRound(-0.004, 2), -0)).toBe(true);
  });
  it("pyRound is CPython's correctly rounded round()", () => {
    expect(pyRound(1.115, 2)).toBe(1.11); // 1.115 is 1.11499999999999999112...
    expect(pyRound(2.675, 2)).toBe(2.67);
    expect(pyRound(0.125, 2)).toBe(0.12);
    expect(pyRound(0.375, 2)).toBe(0.38);
    expect(pyRound(-1.005, 2)).toBe(-1);
  });
  it("pyTrueDiv rounds the exact quotient once", () => {
    expect(pyTrueDiv(10n ** 20n + 1n, 3n)).toBe(Number((10n ** 20n + 1n) / 3n));
    expect(pyTrueDiv(1n, 3n)).toBe(1 / 3);
    expect(pyTrueDiv(-7n, 2n)).toBe(-3.5);
  });
});
