// stom promote refuses, before it calls the bridge, a live promotion whose backtest a spot venue
// could not carry. The bridge URL points at a closed port: a refusal must come before any request.
import { describe, expect, test } from "vitest";
import { stom, stomSync } from "../support/cli.ts";
import { sampleBarsCsv, tempDir } from "../support/fixtures.ts";

const dir = tempDir("stom-promote-");
const csv = sampleBarsCsv(dir, { bars: 3_000, seed: 5 });
const env = { STOM_BRIDGE_TOKEN: "0f9e8d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5b4a3928170f6e5d4c3b2a1" };
const live = ["--mode", "live", "--confirm-live", "--exchange", "upbit", "--symbol", "KRW-BTC"];
const promote = (report: string, strategy = "sma-cross") =>
  stomSync(["promote", strategy, "--report", report, ...live, "--bridge", "http://127.0.0.1:9"], { env });

describe("stom promote --mode live", () => {
  test("refuses a margin-account backtest", async () => {
    const margin = `${dir}/margin.json`;
    await stom(["backtest", "sma-cross", "--data", csv, "--out", margin]);
    const run = promote(margin);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("a live upbit account is spot: the backtest ran on a margin account");
  });

  test("takes a cash-account backtest as far as the bridge", async () => {
    const cash = `${dir}/cash.json`;
    await stom(["backtest", "sma-cross", "--data", csv, "--account", "cash", "--out", cash]);
    const run = promote(cash);
    expect(run.code).toBe(1);
    // nothing listens there: the refusal above came first, this one is the connection's
    expect(run.stderr).not.toContain("spot");
    expect(run.stderr).toMatch(/fetch failed|ECONNREFUSED/);
  });

  // brackets and trailing stops are held by the bridge live (held-orders.ts): no longer refused
  for (const strategy of ["rsi-bracket", "breakout-trail"])
    test(`takes a cash-account ${strategy} backtest (SL/TP, trailing stop) as far as the bridge`, async () => {
      const report = `${dir}/${strategy}.json`;
      await stom(["backtest", strategy, "--data", csv, "--account", "cash", "--out", report]);
      const run = promote(report, strategy);
      expect(run.code).toBe(1);
      expect(run.stderr).not.toMatch(/bracket|spot|market orders/);
      expect(run.stderr).toMatch(/fetch failed|ECONNREFUSED/);
    });
});
