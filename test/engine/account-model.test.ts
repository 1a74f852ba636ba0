// The account model: "cash" trades as a spot venue does (no shorts, no leverage), "margin" as
// backtesting.py does. Runs on any clone (seeded sample bars).
import { describe, expect, test } from "vitest";
import smaCross from "../../notebooks/strategies/sma-cross.ts";
import { makeSampleBars } from "../../src/data/sample.ts";
import { backtest, defineStrategy, toBars } from "../../src/engine/index.ts";

const bars = toBars(makeSampleBars({ bars: 3_000, seed: 5 }));

describe("account model", () => {
  test("sma-cross on a cash account is long only; on a margin account it also shorts", () => {
    const margin = backtest(smaCross, bars, { cash: 100_000 });
    const cash = backtest(smaCross, bars, { cash: 100_000, account: "cash" });
    expect(Array.from(margin.trades.size).some((s) => s < 0)).toBe(true);
    expect(cash.trades.length).toBeGreaterThan(5);
    expect(Array.from(cash.trades.size).every((s) => s > 0)).toBe(true);
    // the longs are entered on the same bars: the shorts in between are dropped, nothing else moves
    const longEntries = Array.from(margin.trades.entryBar).filter((_, k) => margin.trades.size[k] > 0);
    expect(Array.from(cash.trades.entryBar)).toEqual(longEntries.slice(0, cash.trades.length));
    expect(cash.warnings.filter((w) => w.includes("cash account"))).toHaveLength(1);
  });

  test("a sell with nothing held opens nothing on a cash account", () => {
    const seller = defineStrategy({
      params: {},
      init: () => ({}),
      next(ctx) {
        if (ctx.i === 10) ctx.sell({ size: 5 });
      },
    });
    expect(backtest(seller, bars, { account: "cash" }).trades.length).toBe(0);
    expect(backtest(seller, bars, { account: "cash", finalizeTrades: true }).trades.length).toBe(0);
    expect(backtest(seller, bars, { finalizeTrades: true }).trades.size[0]).toBe(-5);
  });

  test("a cash account refuses leverage and hedging", () => {
    expect(() => backtest(smaCross, bars, { account: "cash", margin: 0.5 })).toThrow(
      "a cash account has no leverage",
    );
    expect(() => backtest(smaCross, bars, { account: "cash", hedging: true })).toThrow(
      "hedging needs a margin account",
    );
  });
});
