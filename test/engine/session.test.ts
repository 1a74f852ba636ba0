// The incremental driver equals the batch one: BarSession fed bar by bar gives backtest()'s orders,
// trades, equity and stats over the same bars, for every bundled strategy (indicators with memory
// included), at any history length.
import { describe, expect, test } from "vitest";
import breakoutTrail from "../../notebooks/strategies/breakout-trail.ts";
import rsiBracket from "../../notebooks/strategies/rsi-bracket.ts";
import smaCross from "../../notebooks/strategies/sma-cross.ts";
import { makeSampleBars } from "../../src/data/sample.ts";
import {
  type BacktestOptions,
  BarSession,
  backtest,
  defineStrategy,
  type StrategyDef,
  toBars,
} from "../../src/engine/index.ts";
import { ema } from "../../src/engine/indicators/index.ts";
import { plain } from "../support/golden.ts";

// an indicator with memory: an EMA's value at bar i depends on every bar before it
const emaTrend = defineStrategy({
  params: { n: { default: 20 } },
  init: (ctx) => ({ e: ctx.I(ema(ctx.bars.close, ctx.params.n), "ema") }),
  next(ctx, { e }) {
    if (ctx.close.value > e.value && ctx.position.size <= 0) ctx.buy({ size: 0.5 });
    else if (ctx.close.value < e.value && ctx.position.size > 0) ctx.position.close();
  },
});

const frame = makeSampleBars({ bars: 1_500, seed: 11 });
const bars = toBars(frame);

function session(strategy: StrategyDef, options: BacktestOptions, upTo = bars.length) {
  const s = new BarSession(strategy, options);
  for (let i = 0; i < upTo; i++) {
    s.push({
      time: bars.time[i],
      open: bars.open[i],
      high: bars.high[i],
      low: bars.low[i],
      close: bars.close[i],
      volume: bars.volume[i],
    });
  }
  return s.result();
}

const cases: [string, StrategyDef, BacktestOptions][] = [
  ["sma-cross (long and short, margin account)", smaCross as StrategyDef, { cash: 100_000 }],
  [
    "rsi-bracket (SL/TP brackets)",
    rsiBracket as StrategyDef,
    { cash: 100_000, commission: 0.001, params: { slPct: 0.5, tpPct: 0.5 } },
  ],
  [
    "breakout-trail (trailing stop)",
    breakoutTrail as StrategyDef,
    { cash: 100_000, spread: 0.0005, params: { trailPct: 0.5 } },
  ],
  ["an EMA strategy (memory), fractional sizes", emaTrend as StrategyDef, { cash: 100_000, unit: 0.001 }],
];

describe("BarSession, fed bar by bar, equals backtest()", () => {
  for (const [name, strategy, options] of cases) {
    test(name, () => {
      const batch = backtest(strategy, bars, options);
      const live = session(strategy, options);
      expect(batch.trades.length).toBeGreaterThan(3);
      expect(plain(live.trades)).toEqual(plain(batch.trades));
      expect(Array.from(live.equity)).toEqual(Array.from(batch.equity));
      expect(plain(live.stats)).toEqual(plain(batch.stats));
      expect(live.decisions).toEqual(batch.decisions);
      expect(live.startBar).toBe(batch.startBar);
    });
  }

  test("at any history length: after 700 bars, the session equals a backtest over those 700", () => {
    const head = toBars({
      length: 700,
      columns: Object.fromEntries(
        Object.entries(frame.columns).map(([k, v]) => [k, (v as Float64Array).subarray(0, 700)]),
      ),
    });
    const batch = backtest(emaTrend as StrategyDef, head, { cash: 100_000, unit: 0.001 });
    const live = session(emaTrend as StrategyDef, { cash: 100_000, unit: 0.001 }, 700);
    expect(plain(live.trades)).toEqual(plain(batch.trades));
  });

  test("a bar out of order is refused and changes nothing", () => {
    const s = new BarSession(smaCross as StrategyDef);
    s.push({ time: 2, open: 1, high: 1, low: 1, close: 1 });
    expect(() => s.push({ time: 2, open: 1, high: 1, low: 1, close: 1 })).toThrow(
      "is not after the last bar",
    );
    expect(() => s.push({ time: 3, open: Number.NaN, high: 1, low: 1, close: 1 })).toThrow(
      "invalid bar open",
    );
    expect(s.length).toBe(1);
  });
});
