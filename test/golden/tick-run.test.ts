// One tick run pinned: runTicks (the STOM-style portfolio engine: shared cash, book walks, 수익률
// after costs) over two seeded synthetic symbols with Upbit's costs. Any change to fills, costs,
// sizing or stats shows here as a diff; runs on any clone (no shared data).
import { describe, expect, test } from "vitest";
import { makeSampleTicks } from "../../src/data/sample.ts";
import { 이동평균 } from "../../src/engine/indicators/index.ts";
import { costPreset } from "../../src/engine/markets/index.ts";
import { defineTickStrategy, runTicks } from "../../src/engine/portfolio/index.ts";
import { golden, plain } from "../support/golden.ts";

const momentum = defineTickStrategy({
  params: { n: { default: 60, min: 10, max: 600 }, strength: { default: 100, min: 50, max: 300 } },
  init: (ctx) => ({ ma: ctx.I(이동평균(ctx.columns.현재가, ctx.params.n), "ma") }),
  buy: (ctx, { ma }) => ctx.price.value > ma.value && ctx.col("체결강도").value >= ctx.params.strength,
  sell: (ctx) => ctx.수익률 <= -0.3 || ctx.수익률 >= 0.3 || ctx.보유시간 >= 300,
});

describe("golden tick run", () => {
  test("runTicks on two seeded symbols equals its pinned trades and stats", () => {
    const inputs = [
      makeSampleTicks({ symbol: "KRW-AAA", ticks: 20_000, seed: 7 }),
      makeSampleTicks({ symbol: "KRW-BBB", ticks: 20_000, seed: 8, price: 3_000 }),
    ];
    const r = runTicks(momentum, inputs, {
      cash: 10_000_000,
      budget: 1_000_000,
      maxPositions: 2,
      costs: costPreset("upbit"),
      unit: 1e-8,
    });
    expect(r.trades.length).toBeGreaterThan(5);
    const actual = { params: r.params, orders: r.orders, events: r.events, trades: r.trades, stats: r.stats };
    expect(plain(actual)).toEqual(golden("tick-run", actual));
  });
});
