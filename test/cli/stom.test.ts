import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stomSqlite } from "../../src/data/formats/stom-sqlite.ts";
import type { Frame } from "../../src/data/frame.ts";
import { writeStomFixture } from "../../src/data/stom/fixture.ts";
import { compileStom, runStom } from "../../src/engine/stom/index.ts";
import { stomObjective } from "../../src/engine/stom/objectives.ts";
import { stomText } from "../support/cli.ts";
import { needShared, shared } from "../support/paths.ts";
import { STOM_CASES, stomDbPath } from "../support/stom-cases.ts";

// `stom backtest --stom-buy --stom-sell --data <STOM db>` on a DB built from real Upbit trades
const TRADES = shared("upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-26.csv");
const { missing } = needShared("upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-26.csv", "stom/cases");
const BUY = `매수 = True
if not (체결강도 >= self.vars[1] and 현재가 > 이동평균(30)):
    매수 = False
if 매수:
    self.Buy()
`;
// STOM's 최적화 범위 box: a range written after `if 매수:` is dropped with the rest (back_static.GetBuyStg)
const VARS = "self.vars[1] = [[90, 110, 10], 100]\n";
const SELL = `매도 = False
if 수익률 <= -0.4 or 수익률 >= 0.4 or 보유시간 >= 300:
    매도 = True
if 매도:
    self.Sell()
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stom-cli-"));
  if (!missing) writeStomFixture(join(dir, "coin.db"), { kind: "coin_tick", source: TRADES, minutes: 120 });
  writeFileSync(join(dir, "buy.txt"), BUY);
  writeFileSync(join(dir, "sell.txt"), SELL);
  writeFileSync(join(dir, "vars.txt"), VARS);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stom = (...args: string[]) => stomText(args);

describe("stom backtest and optimize with STOM texts", () => {
  it.skipIf(missing)("backtest --json gives STOM's own result block for the author's example", () => {
    const c = join(STOM_CASES, "a01_example_stock_tick");
    const oracle = JSON.parse(readFileSync(join(c, "stom_v1_oracle.json"), "utf8"));
    const db = stomDbPath(oracle.db);
    const out = JSON.parse(
      stom(
        "backtest",
        "--stom-buy",
        join(c, "buy.txt"),
        "--stom-sell",
        join(c, "sell.txt"),
        "--data",
        db,
        "--json",
      ),
    );
    expect(out.data.kind).toBe("stock_tick");
    expect(out.stom).toEqual(oracle.result);
    expect(out.trades.map((t: { sell: number; sg: number }) => [t.sell, t.sg])).toEqual(
      oracle.trades.map((t: { sell: number; sg: number }) => [t.sell, t.sg]),
    );
    expect(out.stats.trades).toBe(oracle.trades.length);
  });

  it.skipIf(missing)(
    "optimize runs STOM's grid search over the self.vars ranges and reports the best run",
    async () => {
      const db = join(dir, "coin.db");
      const out = JSON.parse(
        stom(
          "optimize",
          "--stom-buy",
          join(dir, "buy.txt"),
          "--stom-sell",
          join(dir, "sell.txt"),
          "--stom-vars",
          join(dir, "vars.txt"),
          "--data",
          db,
          "--maximize",
          "TG",
          "--json",
        ),
      );
      expect(out.method).toBe("stom-grid");
      expect([90, 100, 110]).toContain(out.vars.vars1);
      // the start, one round of 3 values (a round that changes nothing ends the search), the final run
      expect(out.trials).toBeGreaterThanOrEqual(5);
      const frames: Frame[] = [];
      for await (const f of stomSqlite.read(db, {})) frames.push(f);
      const program = compileStom(BUY, SELL, { kind: "coin_tick", vars: VARS });
      const inputs = frames.map((f) => ({ symbol: f.symbol, columns: f.columns }));
      const scores = [90, 100, 110].map((v) => {
        const r = runStom(program, inputs, { params: { vars1: v } });
        return stomObjective(r.result.tc > 0 ? r.result : null, "TG", { betting: 1_000_000 });
      });
      expect(out.value).toBe(Math.max(...scores));
      expect(out.stom.tsg).toBe(out.value);
    },
  );

  it.skipIf(missing)(
    "optimize on 2 worker threads equals the search in this thread, for STOM's grid, its GA and TPE",
    () => {
      const args = ["optimize", "--stom-buy", join(dir, "buy.txt"), "--stom-sell", join(dir, "sell.txt")];
      const common = [
        ...args,
        "--stom-vars",
        join(dir, "vars.txt"),
        "--data",
        join(dir, "coin.db"),
        "--json",
      ];
      for (const method of [
        ["--method", "grid"],
        ["--method", "tpe", "--trials", "6", "--seed", "3"],
      ]) {
        const one = JSON.parse(stom(...common, ...method, "--workers", "0"));
        const two = JSON.parse(stom(...common, ...method, "--workers", "2"));
        expect(two.vars).toEqual(one.vars);
        expect(two.value).toBe(one.value);
        expect(two.trials).toBe(one.trials);
        expect(two.stom).toEqual(one.stom);
        expect([90, 100, 110]).toContain(one.vars.vars1);
      }
    },
  );

  it.skipIf(missing)("a text error is reported with file:line:column", () => {
    writeFileSync(join(dir, "bad.txt"), "매수 = True\nif 현재가 > 1\n    매수 = False\n");
    let stderr = "";
    try {
      stom(
        "backtest",
        "--stom-buy",
        join(dir, "bad.txt"),
        "--stom-sell",
        join(dir, "sell.txt"),
        "--data",
        join(dir, "coin.db"),
      );
    } catch (e) {
      stderr = String((e as { stderr: string }).stderr);
    }
    expect(stderr).toContain(`${join(dir, "bad.txt")}:2:11: expected ':'`);
  });
});
