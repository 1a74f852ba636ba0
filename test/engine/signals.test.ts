// Signal strategies (StrategyDef.signals): the broker's replay of one action per bar must give what
// next() placing the same orders gives, to the bit: stats, equity, trades, decisions and warnings.
import { beforeAll, describe, expect, test } from "vitest";
import smaCross from "../../notebooks/strategies/sma-cross.ts";
import { readInputs } from "../../src/data/formats/index.ts";
import { makeSampleBars } from "../../src/data/sample.ts";
import {
  type BacktestOptions,
  type Bars,
  backtest,
  crossSignals,
  defineStrategy,
  RunBuffers,
  SIGNAL,
  type StrategyDef,
  screenedBacktest,
  signalActions,
  toBars,
} from "../../src/engine/index.ts";
import { crossovers, crossunders, rsi, sma } from "../../src/engine/indicators/index.ts";
import {
  inProcessRunner,
  mulberry32,
  optimize,
  parseGrid,
  returnMoments,
  searchSpace,
} from "../../src/engine/optimize/index.ts";
import { needShared, shared } from "../support/paths.ts";

/**
 * Seeded sample bars (src/data/sample.ts); `ties`: 4-hour bars around 1 in cents, so that the
 * moving averages often touch and a cross can follow a cross the same way.
 */
const sample = (bars: number, seed: number, ties = false): Bars =>
  toBars(makeSampleBars({ bars, seed, ...(ties ? { timeframe: "4h", price: 1 } : {}) }));

/** Everything backtest() reports, as comparable values. */
// biome-ignore lint/suspicious/noExplicitAny: any strategy's params
function everything(bars: Bars, options: BacktestOptions, strategy: StrategyDef<any, any> = smaCross) {
  const r = backtest(strategy, bars, options);
  return {
    stats: r.stats,
    equity: Array.from(r.equity),
    trades: JSON.stringify(r.trades),
    decisions: r.decisions,
    warnings: r.warnings,
    startBar: r.startBar,
    commissions: r.commissions,
  };
}

const OPTION_SETS: [string, BacktestOptions][] = [
  ["defaults", { cash: 1_000_000 }],
  ["finalized", { cash: 1_000_000, finalizeTrades: true }],
  ["relative commission and spread", { cash: 10_000, commission: 0.002, spread: 0.001 }],
  [
    "fixed + relative commission, slippage",
    { cash: 10_000, commission: [3, 0.001], slippage: 5e-4, finalizeTrades: true },
  ],
  ["trade on close", { cash: 10_000, tradeOnClose: true, finalizeTrades: true }],
  ["margin 0.2", { cash: 10_000, margin: 0.2 }],
  ["cash account (shorts dropped)", { cash: 10_000, account: "cash", finalizeTrades: true }],
  ["fractional units, hedging", { cash: 10_000, unit: 0.001, hedging: true }],
  [
    "exclusive orders, commission function",
    {
      cash: 10_000,
      exclusiveOrders: true,
      commission: (size: number, price: number, exit: boolean) =>
        (exit ? 0.003 : 0.001) * Math.abs(size) * price,
    },
  ],
  ["too little cash for a unit (orders canceled)", { cash: 150, commission: 0.05 }],
  ["500:1 leverage (runs out of money)", { cash: 1_000, margin: 0.002, commission: 0.001 }],
];

describe("backtest with signals: equal to next() placing the same orders", () => {
  const data: [string, Bars][] = [
    ["random walk", sample(6_000, 1)],
    ["cent prices (ties)", sample(6_000, 2, true)],
  ];
  for (const [dataName, bars] of data)
    for (const [name, options] of OPTION_SETS)
      test(`${dataName}, ${name}`, () => {
        for (const params of [
          { fast: 3, slow: 7 },
          { fast: 10, slow: 30 },
          { fast: 30, slow: 30 },
          { fast: 50, slow: 200 },
        ]) {
          const viaNext = everything(bars, { ...options, params });
          const viaSignals = everything(bars, { ...options, params, signals: true });
          expect(viaSignals).toEqual(viaNext);
        }
      });

  test("the cases above exercise what they name", () => {
    const [, bars] = data[0];
    const run = (o: BacktestOptions) =>
      backtest(smaCross, bars, { ...o, params: { fast: 3, slow: 7 }, signals: true });
    expect(run(OPTION_SETS[9][1]).warnings.some((w) => w.includes("insufficient margin"))).toBe(true);
    expect(run(OPTION_SETS[6][1]).warnings.some((w) => w.includes("cash account"))).toBe(true);
    const broke = run(OPTION_SETS[10][1]);
    expect(broke.equity[bars.length - 1]).toBe(0);
    expect(broke.stats.trades).toBeGreaterThan(0);
    // cent prices make the averages touch: some crosses are skipped, so a long can follow a long
    const ties = data[1][1];
    const a = crossSignals(sma(ties.close, 3), sma(ties.close, 7));
    let repeats = 0;
    let last = 0;
    for (const x of a)
      if (x !== 0) {
        if (x === last) repeats++;
        last = x;
      }
    expect(repeats).toBeGreaterThan(0);
  });

  const { missing } = needShared("backtesting-py/GOOG.csv");
  let goog: Bars;
  beforeAll(async () => {
    if (missing) return;
    for await (const frame of readInputs([shared("backtesting-py/GOOG.csv")])) goog = toBars(frame);
  });
  test.skipIf(missing)("GOOG daily, backtesting.py's golden settings", () => {
    const options = { cash: 10_000, commission: 0.002, finalizeTrades: true, params: { fast: 10, slow: 20 } };
    expect(everything(goog, { ...options, signals: true })).toEqual(everything(goog, options));
  });
});

describe("a screened signal run sums its returns instead of keeping its equity", () => {
  test("the same Sharpe ratio as returnMoments over backtest()'s equity, and the same stats without the bar pass", () => {
    const long = sample(3_000, 7);
    const short = sample(60, 8);
    const buffers = new RunBuffers();
    let summed = 0;
    for (const bars of [long, short])
      for (const [name, options] of OPTION_SETS)
        for (const params of [
          { fast: 3, slow: 7 },
          { fast: 10, slow: 30 },
        ]) {
          const full = backtest(smaCross, bars, { ...options, params });
          buffers.keepEquity = false;
          const run = screenedBacktest(smaCross, bars, { ...options, params, signals: true }, buffers);
          const want = returnMoments(full.equity, full.startBar - 1);
          // a series of up to 65 bars after the start keeps its equity (the sums' head needs 64 returns)
          expect(buffers.sums.ready, name).toBe(bars.length - full.startBar > 65);
          const got = buffers.sums.ready
            ? buffers.sums.moments()
            : returnMoments(run.equity, run.startBar - 1);
          if (buffers.sums.ready) summed++;
          // summed: the Sharpe ratio only (a search takes skew and kurtosis of its best's full run)
          expect(got, `${name} ${JSON.stringify(params)}`).toEqual(
            buffers.sums.ready ? { ...want, skew: Number.NaN, kurt: Number.NaN } : want,
          );
          const lean = run.stats(false);
          expect(lean.equityFinal).toBe(full.stats.equityFinal);
          expect(lean.sqn).toBe(full.stats.sqn);
          expect(lean.trades).toBe(full.stats.trades);
          if (buffers.sums.ready) expect(() => run.stats(true)).toThrow("kept no equity");
        }
    expect(summed).toBe(OPTION_SETS.length * 2);
  });
});

describe("a long-only strategy with exits", () => {
  // RSI: buy on a cross above 30 unless long, close on a cross below 70
  const rsiSwing = defineStrategy({
    params: { n: { default: 14, min: 2, max: 100 } },
    init: (ctx) => ({ r: ctx.I(rsi(ctx.bars.close, ctx.params.n), "rsi") }),
    next(ctx, { r }) {
      const v = r.at(0);
      const p = r.at(1);
      if (p < 30 && v > 30) {
        ctx.position.close();
        ctx.buy();
      } else if (p > 70 && v < 70) ctx.position.close();
    },
    signals: (ctx) => {
      const r = rsi(ctx.bars.close, ctx.params.n);
      return signalActions({ long: crossovers(r, 30), exit: crossunders(r, 70) });
    },
  });
  test("equals next() with costs, finalized", () => {
    const bars = sample(8_000, 3);
    for (const n of [5, 14, 30]) {
      const options = { cash: 10_000, commission: 0.001, finalizeTrades: true, params: { n } };
      const viaSignals = everything(bars, { ...options, signals: true }, rsiSwing);
      expect(viaSignals).toEqual(everything(bars, options, rsiSwing));
      expect(viaSignals.stats.trades).toBeGreaterThan(5);
    }
  });
});

describe("signal helpers", () => {
  test("crossSignals is crossovers as long and crossunders as short, into a reused column", () => {
    for (const integer of [false, true]) {
      const bars = sample(5_000, 4, integer);
      const a = sma(bars.close, 4);
      const b = sma(bars.close, 9);
      const up = crossovers(a, b);
      const down = crossunders(a, b);
      const expected = Int8Array.from(up, (u, k) => (u ? SIGNAL.long : down[k] ? SIGNAL.short : SIGNAL.none));
      expect(crossSignals(a, b)).toEqual(expected);
      const dirty = new Int8Array(bars.length).fill(2);
      expect(crossSignals(a, b, dirty)).toBe(dirty);
      expect(dirty).toEqual(expected);
      // a level on either side
      const level = crossSignals(bars.close, 100);
      expect(level).toEqual(
        Int8Array.from(crossovers(bars.close, 100), (u, k) =>
          u ? 1 : crossunders(bars.close, 100)[k] ? -1 : 0,
        ),
      );
    }
  });
  test("crossSignals agrees with crossovers/crossunders on NaN, infinities, signed zeros, subnormals and huge values", () => {
    // what a - b could get wrong and a < b does not: it must not
    const odd = [Number.NaN, Infinity, -Infinity, 0, -0, 5e-324, -5e-324, 1.7e308, -1.7e308, 1, -1, 2];
    const rand = mulberry32(9);
    for (let round = 0; round < 20; round++) {
      const n = 2_000;
      const a = Float64Array.from({ length: n }, () => odd[Math.floor(rand() * odd.length)]);
      const b = Float64Array.from({ length: n }, () => odd[Math.floor(rand() * odd.length)]);
      const up = crossovers(a, b);
      const down = crossunders(a, b);
      const expected = Int8Array.from(up, (u, k) => (u ? SIGNAL.long : down[k] ? SIGNAL.short : SIGNAL.none));
      expect(crossSignals(a, b)).toEqual(expected);
    }
    // runs of one sign a few bars long, the odd values among them: crossSignals skips blocks of
    // four bars whose differences keep one sign, and must see every crossing at any offset
    for (let round = 0; round < 20; round++) {
      const n = 2_003 + round;
      const a = new Float64Array(n);
      const b = new Float64Array(n);
      let sign = 1;
      for (let k = 0; k < n; k++) {
        if (rand() < 0.15) sign = -sign;
        const x = rand() < 0.1 ? odd[Math.floor(rand() * odd.length)] : sign * (1 + rand());
        a[k] = rand() < 0.5 ? x : 0;
        b[k] = a[k] - x;
      }
      const up = crossovers(a, b);
      const down = crossunders(a, b);
      const expected = Int8Array.from(up, (u, k) => (u ? SIGNAL.long : down[k] ? SIGNAL.short : SIGNAL.none));
      expect(crossSignals(a, b)).toEqual(expected);
    }
  });
  test("signalActions tests long, then short, then exit", () => {
    expect(
      Array.from(signalActions({ long: [0, 1, 1, 0, 0], short: [0, 1, 0, 1, 0], exit: [1, 1, 1, 1, 0] })),
    ).toEqual([2, 1, 1, -1, 0]);
  });
  test("bad input: clear errors", () => {
    expect(() => signalActions({})).toThrow("signalActions needs a long, short or exit mask");
    expect(() => signalActions({ long: [0, 1], exit: [1] })).toThrow(
      "invalid exit mask length: 1 (expected 2)",
    );
    expect(() => crossSignals(1, 2)).toThrow("invalid lines: both are numbers");
    expect(() => crossSignals([1, 2], [1, 2], new Int8Array(3))).toThrow(
      "invalid out length: 3 (expected 2)",
    );
  });
});

describe("bad signals: clear errors", () => {
  const bars = sample(500, 5);
  const base = { params: {}, init: () => ({}), next() {} };
  test("a strategy without signals()", () => {
    expect(() => backtest(defineStrategy({ name: "plain", ...base }), bars, { signals: true })).toThrow(
      "plain has no signals(): run it without the signals option",
    );
  });
  test("the wrong number of actions, or an unknown code", () => {
    const short = defineStrategy({ ...base, signals: () => new Int8Array(3) });
    expect(() => backtest(short, bars, { signals: true })).toThrow(
      "signals() returned 3 actions for 500 bars",
    );
    const odd = defineStrategy({ ...base, signals: (_ctx, _s, out) => out.fill(3) });
    expect(() => backtest(odd, bars, { signals: true })).toThrow("invalid signal 3 at bar 1 (0, 1, -1 or 2)");
  });
  test("orders placed in init()", () => {
    const eager = defineStrategy({
      ...base,
      init: (ctx) => {
        ctx.buy();
        return {};
      },
      signals: (_ctx, _s, out) => out,
    });
    expect(() => backtest(eager, bars, { signals: true })).toThrow("init() placed orders");
  });
});

describe("optimize checks signals() against next()", () => {
  const bars = sample(4_000, 6);
  const space = searchSpace(smaCross.params, parseGrid(["fast=3:9:3", "slow=10:30:10"]));
  test("a strategy whose signals() say something else: the search stops, naming the cell and the stat", async () => {
    // signals() a bar late: the same crosses, traded one bar after next() trades them
    const late = defineStrategy({
      ...smaCross,
      signals(ctx, _state, out) {
        const a = crossSignals(sma(ctx.bars.close, ctx.params.fast), sma(ctx.bars.close, ctx.params.slow));
        out.set(a.subarray(0, a.length - 1), 1);
        return out;
      },
    });
    const runner = inProcessRunner(late, bars, { cash: 10_000, finalizeTrades: true });
    await expect(optimize(runner, { space, objective: "equityFinal" })).rejects.toThrow(
      /signals\(\) and next\(\) disagree at \{"fast":\d+,"slow":\d+\}: \w+ .* with signals\(\), .* with next\(\); fix signals\(\) or run without them \(--no-signals\)/,
    );
    // without them, the same search runs next() and finishes
    const plain = await optimize(
      inProcessRunner(late, bars, { cash: 10_000, finalizeTrades: true, signals: false }),
      {
        space,
        objective: "equityFinal",
      },
    );
    expect(plain.trials).toBe(9);
  });
  test("sma-cross: the same heatmap, best and top through signals() as through next()", async () => {
    const opts = { space, objective: "sqn", top: 3 };
    const options = { cash: 10_000, commission: 0.001, finalizeTrades: true };
    const viaSignals = await optimize(inProcessRunner(smaCross, bars, options), opts);
    const viaNext = await optimize(inProcessRunner(smaCross, bars, { ...options, signals: false }), opts);
    expect(viaSignals.heatmap).toEqual(viaNext.heatmap);
    expect(viaSignals.top).toEqual(viaNext.top);
    expect(viaSignals.best).toEqual(viaNext.best);
    expect(viaSignals.overfit).toEqual(viaNext.overfit);
  });
});
