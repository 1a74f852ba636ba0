// Every real STOM text in ../shared/data/stom/cases against what STOM V1.10's own backtester produced
// on the same DB (stom_v1_oracle.json): the text compiles (or is refused where STOM refuses it), and
// where the oracle is valid the trade list and STOM's result block are equal.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeStomFixture } from "../../../src/data/stom/fixture.ts";
import {
  backtestStom,
  compileStom,
  runStom,
  type StomKind,
  stomResult,
} from "../../../src/engine/stom/index.ts";
import { needShared, shared } from "../../support/paths.ts";
import { loadStomDb, loadStomDbFile, STOM_CASES } from "../../support/stom-cases.ts";

interface Oracle {
  trades: Record<string, number | string>[];
  result: Record<string, number> | null;
  db: string;
  days: number;
  settings: { betting: number };
  valid_as_expected_output?: boolean;
  caveat?: string;
  stom_error?: string;
}

const { missing } = needShared("stom/cases", "stom/dbs");
const cases = missing ? [] : readdirSync(STOM_CASES).sort();
const text = (dir: string, file: string) =>
  existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8") : undefined;
const tradeKey = (t: Record<string, unknown>) => `${t.sell}:${t.name}:${t.buy}`;
const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  tradeKey(a) < tradeKey(b) ? -1 : tradeKey(a) > tradeKey(b) ? 1 : 0;

describe.skipIf(missing)("STOM texts against STOM's own backtester", () => {
  it("has the 65 shared cases", () => {
    expect(cases.length).toBe(65);
  });

  for (const name of cases) {
    it(name, async () => {
      const dir = join(STOM_CASES, name);
      const oracle = JSON.parse(readFileSync(join(dir, "stom_v1_oracle.json"), "utf8")) as Oracle;
      const kind = (text(dir, "kind") as string).trim() as StomKind;
      const compile = () =>
        compileStom(text(dir, "buy.txt") as string, text(dir, "sell.txt") as string, {
          kind,
          vars: text(dir, "vars.txt"),
          gaVars: text(dir, "ga_vars.txt"),
          buyFile: "buy.txt",
          sellFile: "sell.txt",
        });
      const checkOnlyCompile = oracle.caveat !== undefined || oracle.valid_as_expected_output === false;
      if (oracle.stom_error && checkOnlyCompile) {
        // STOM refuses the text before it trades: so does stom, at a line of the text
        expect(compile).toThrow(/^(buy|sell)\.txt:\d+:\d+: /);
        return;
      }
      const program = compile();
      if (checkOnlyCompile) {
        // STOM's run lacked TA-Lib: the minute texts still run here, on the ported TA-Lib values
        if (!kind.endsWith("_min")) return;
        const vars: number[] = [];
        for (const [k, v] of program.vars) vars[k] = v.best;
        const run = backtestStom(program, loadStomDb(oracle.db), {
          betting: oracle.settings.betting,
          vars,
          varsZeroIsAvg: program.vars.has(0),
        });
        expect(run.snapshots).toBeGreaterThan(0);
        return;
      }
      const vars: number[] = [];
      for (const [k, v] of program.vars) vars[k] = v.best;
      const run = () =>
        backtestStom(program, loadStomDb(oracle.db), {
          betting: oracle.settings.betting,
          vars,
          varsZeroIsAvg: program.vars.has(0),
        });
      if (oracle.stom_error) {
        // STOM stops the backtest on the text's runtime error; so does stom, naming the line
        const type = oracle.stom_error.split(":")[0];
        expect(run).toThrow(new RegExp(`^(buy|sell)\\.txt:\\d+:\\d+: ${type}`));
        return;
      }
      const { trades, days } = run();
      expect(days).toBe(oracle.days);
      // equal sell times come out of STOM in an arbitrary order (five collector processes, then
      // pandas' unstable sort), so both lists are compared in one order
      const got = trades
        .map((t) => ({
          name: t.code,
          buy: t.buy,
          sell: t.sell,
          hold: t.hold,
          bp: t.bp,
          sp: t.sp,
          bg: t.bg,
          pg: t.pg,
          pp: t.pp,
          sg: t.sg,
          cond: t.cond,
        }))
        .sort(byKey);
      expect(got).toEqual([...oracle.trades].sort(byKey));
      const block = stomResult(trades, {
        betting: oracle.settings.betting,
        days,
        market: kind.startsWith("stock") ? "stock" : "coin",
      });
      if (oracle.result) expect(block).toEqual(oracle.result);
      else expect(trades).toHaveLength(0);
    });
  }
});

describe.skipIf(missing)("STOM's live trader's rules, as an option", () => {
  const dir = join(STOM_CASES, "a02_example_stock_min");
  const program = () =>
    compileStom(text(dir, "buy.txt") as string, text(dir, "sell.txt") as string, { kind: "stock_min" });
  /** most positions open at once over a trade list (a sell at t frees its slot before a buy at t) */
  const mostOpen = (trades: readonly { buy: number; sell: number }[]) => {
    const events = trades.flatMap((t) => [
      [t.buy, 1],
      [t.sell, -1],
    ]);
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let open = 0;
    let most = 0;
    for (const [, d] of events) {
      open += d;
      most = Math.max(most, open);
    }
    return most;
  };

  it("a cap no run reaches changes nothing; a cap of one holds one position at a time", () => {
    const inputs = loadStomDb("stock_min_movers_vi_rich.db");
    const free = backtestStom(program(), inputs).trades;
    expect(mostOpen(free)).toBeGreaterThan(1);
    expect(backtestStom(program(), inputs, { maxPositions: 50 }).trades).toEqual(free);
    const one = backtestStom(program(), inputs, { maxPositions: 1 }).trades;
    expect(mostOpen(one)).toBe(1);
    expect(one.length).toBeGreaterThan(0);
    expect(one.length).toBeLessThan(free.length);
    // 예수금 for one buy at a time does the same job
    const cash = backtestStom(program(), inputs, { cash: 1_500_000 }).trades;
    expect(mostOpen(cash)).toBe(1);
  });
});

describe.skipIf(missing)("stom data stom-fixture", () => {
  it("writes stock columns a real STOM text buys on (a01 on KRX minute bars expanded to ticks and minutes)", () => {
    const dir = mkdtempSync(join(tmpdir(), "stom-fixture-"));
    try {
      const c = join(STOM_CASES, "a01_example_stock_tick");
      const source = shared("krx/creon_1m_20190920");
      for (const kind of ["stock_tick", "stock_min"] as const) {
        const db = join(dir, `${kind}.db`);
        writeStomFixture(db, { kind, source, minutes: 400 });
        const program = compileStom(text(c, "buy.txt") as string, text(c, "sell.txt") as string, { kind });
        expect(runStom(program, loadStomDbFile(db)).result.tc, kind).toBeGreaterThan(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
