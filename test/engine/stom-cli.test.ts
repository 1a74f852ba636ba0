import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMoneytop, stomSqlite } from "../../src/data/formats/stom-sqlite.ts";
import type { Frame } from "../../src/data/frame.ts";
import { writeStomFixture } from "../../src/data/stom/fixture.ts";
import { costPreset } from "../../src/engine/markets/index.ts";
import { runTicks } from "../../src/engine/portfolio/index.ts";
import { compileStom } from "../../src/engine/stom/index.ts";

// `stom backtest --stom-buy --stom-sell --data <STOM db>` on a DB built from real Upbit trades
const TRADES = resolve("../shared/data/upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-26.csv");
const BUY = `매수 = True
if not (체결강도 >= self.vars[0] and 현재가 > 이동평균(30)):
    매수 = False
if 매수:
    self.Buy()
self.vars[0] = [[90, 110, 10], 100]
`;
const SELL = `매도 = False
if 수익률 <= -0.4 or 수익률 >= 0.4 or 보유시간 >= 300:
    매도 = True
if 매도:
    self.Sell()
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stom-cli-"));
  writeStomFixture(join(dir, "coin.db"), { kind: "coin_tick", source: TRADES, minutes: 120 });
  writeFileSync(join(dir, "buy.txt"), BUY);
  writeFileSync(join(dir, "sell.txt"), SELL);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stom = (...args: string[]) =>
  execFileSync(process.execPath, ["bin/stom.js", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });

describe("stom backtest and optimize with STOM texts", () => {
  it("backtest --json equals runTicks with STOM's defaults for an Upbit DB", async () => {
    const db = join(dir, "coin.db");
    const out = JSON.parse(
      stom(
        "backtest",
        "--stom-buy",
        join(dir, "buy.txt"),
        "--stom-sell",
        join(dir, "sell.txt"),
        "--data",
        db,
        "--json",
        "--param",
        "vars0=90",
      ),
    );
    const frames: Frame[] = [];
    for await (const f of stomSqlite.read(db, {})) frames.push(f);
    const direct = runTicks(compileStom(BUY, SELL), frames, {
      cash: 5_000_000,
      budget: 1_000_000,
      maxPositions: 5,
      unit: 1e-8,
      costs: costPreset("upbit"),
      interest: readMoneytop(db),
      params: { vars0: 90 },
    });
    expect(direct.trades.length).toBeGreaterThan(3);
    expect(out.stats.trades).toBe(direct.trades.length);
    expect(out.stats.totalPnl).toBeCloseTo(direct.stats.totalPnl, 6);
    expect(out.trades.map((t: { pnl: number }) => t.pnl)).toEqual(Array.from(direct.trades.pnl));
    expect(out.data.interestList).toBe("moneytop");
  });

  it("optimize searches the self.vars ranges written in the text", () => {
    const out = JSON.parse(
      stom(
        "optimize",
        "--stom-buy",
        join(dir, "buy.txt"),
        "--stom-sell",
        join(dir, "sell.txt"),
        "--data",
        join(dir, "coin.db"),
        "--maximize",
        "TP",
        "--json",
      ),
    );
    expect(out.trials).toBe(3);
    expect([90, 100, 110]).toContain(out.best.params.vars0);
    expect(out.best.value).toBe(Math.max(...out.top.map((t: { value: number }) => t.value)));
  });

  it("a text error is reported with file:line:column", () => {
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
