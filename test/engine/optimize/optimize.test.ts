import { beforeAll, describe, expect, test } from "vitest";
import smaCross from "../../../notebooks/strategies/sma-cross.ts";
import { readInputs } from "../../../src/data/formats/index.ts";
import { type Bars, backtest, defineStrategy, toBars } from "../../../src/engine/index.ts";
import { sma } from "../../../src/engine/indicators/index.ts";
import { windowBars } from "../../../src/engine/optimize/evaluate.ts";
import {
  deflatedSharpe,
  heatmapRows,
  IndicatorMemo,
  inProcessRunner,
  mulberry32,
  objective,
  optimize,
  parseExpr,
  parseGrid,
  parseLength,
  returnMoments,
  searchSpace,
  walkForwardFolds,
  withIndicatorMemo,
} from "../../../src/engine/optimize/index.ts";
import type { Stats } from "../../../src/engine/stats.ts";
import { needShared, shared } from "../../support/paths.ts";

const GOOG = shared("backtesting-py/GOOG.csv");
const { missing } = needShared("backtesting-py/GOOG.csv");
let bars: Bars;

beforeAll(async () => {
  if (missing) return;
  for await (const frame of readInputs([GOOG])) bars = toBars(frame);
});

describe("parseExpr", () => {
  test("evaluates comparisons, arithmetic and and/or without eval", () => {
    const e = parseExpr("slow > 2 * fast and not (fast == 3 || slow - fast <= 1)");
    expect([...e.names].sort()).toEqual(["fast", "slow"]);
    expect(e.evaluate({ fast: 2, slow: 5 })).toBe(true);
    expect(e.evaluate({ fast: 3, slow: 9 })).toBe(false);
    expect(e.evaluate({ fast: 4, slow: 8 })).toBe(false);
  });
  test("rejects code and unknown names", () => {
    expect(() => parseExpr("process.exit(1)")).toThrow(/invalid character '\.'/);
    expect(() => parseExpr("slow > fsat", { known: ["fast", "slow"], suggest: () => "fast" })).toThrow(
      /unknown name 'fsat'.*did you mean 'fast'/,
    );
    expect(() => parseExpr("slow >")).toThrow(/unexpected end/);
  });
});

describe("searchSpace", () => {
  test("parses STOM ranges with the end included and checks names", () => {
    const s = searchSpace(smaCross.params, parseGrid(["fast=5:50:5", "slow=20,40,60"]));
    expect(s.dims[0].values).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50]);
    expect(s.dims[1].values).toEqual([20, 40, 60]);
    expect(s.size).toBe(30);
    expect(() => searchSpace(smaCross.params, parseGrid(["fats=1:3"]))).toThrow(/did you mean 'fast'/);
  });
});

describe("grid", () => {
  test.skipIf(missing)("every cell equals a single backtest with the same params", async () => {
    const space = searchSpace(smaCross.params, parseGrid(["fast=5:15:5", "slow=20:40:10"]));
    const runner = inProcessRunner(smaCross, bars, { cash: 10_000, finalizeTrades: true });
    const res = await optimize(runner, { space, objective: "sqn", top: 100 });
    expect(res.trials).toBe(9);
    expect(res.top).toHaveLength(9);
    for (const t of res.top) {
      const single = backtest(smaCross, bars, { cash: 10_000, finalizeTrades: true, params: t.params });
      expect(t.stats).toEqual(single.stats);
      expect(t.value).toBe(single.stats.sqn);
    }
    const rows = heatmapRows(res.heatmap);
    expect(rows.map((r) => [r.params.fast, r.params.slow])).toEqual([
      [5, 20],
      [5, 30],
      [5, 40],
      [10, 20],
      [10, 30],
      [10, 40],
      [15, 20],
      [15, 30],
      [15, 40],
    ]);
  });

  test.skipIf(missing)(
    "picks backtesting.py's Quick Start optimum: SmaCross(n1=10, n2=15) by Equity Final",
    async () => {
      // backtesting.py docs: Backtest(GOOG, SmaCross, cash=10_000, commission=.002).optimize(
      //   n1=range(5, 30, 5), n2=range(10, 70, 5), maximize='Equity Final [$]', constraint=n1 < n2)
      const space = searchSpace(smaCross.params, parseGrid(["fast=5:25:5", "slow=10:65:5"]));
      const runner = inProcessRunner(smaCross, bars, { cash: 10_000, commission: 0.002 });
      const res = await optimize(runner, { space, objective: "Equity Final [$]", constraint: "fast < slow" });
      expect(res.best?.params).toEqual({ fast: 10, slow: 15 });
      expect(res.trials).toBe(50);
    },
  );

  test.skipIf(missing)(
    "backtesting.py test_optimize: constraint slow > 2 * fast leaves 4 cells, SQN by default",
    async () => {
      const head = windowBars(bars, 0, 100);
      const space = searchSpace(smaCross.params, { fast: [2, 4], slow: [3, 5, 7, 9] });
      const runner = inProcessRunner(smaCross, head, {});
      const res = await optimize(runner, { space, constraint: "slow > 2 * fast" });
      expect(res.heatmap.length).toBe(4);
      expect(res.objective).toBe("sqn");
    },
  );

  test.skipIf(missing)("max tries keeps about that many cells, reproducibly", async () => {
    const space = searchSpace(smaCross.params, { fast: [2, 4, 6, 8], slow: [3, 5, 7, 9] });
    const runner = inProcessRunner(smaCross, windowBars(bars, 0, 100), {});
    const a = await optimize(runner, { space, trials: 5, seed: 1 });
    const b = await optimize(runner, { space, trials: 5, seed: 1 });
    expect(a.heatmap.length).toBeGreaterThan(0);
    expect(a.heatmap.length).toBeLessThan(16);
    expect(heatmapRows(a.heatmap)).toEqual(heatmapRows(b.heatmap));
  });

  test.skipIf(missing)("bounds disqualify results and a minimized objective flips the order", async () => {
    const space = searchSpace(smaCross.params, parseGrid(["fast=5:15:5", "slow=20:40:10"]));
    const runner = inProcessRunner(smaCross, bars, { cash: 10_000 });
    const res = await optimize(runner, { space, objective: "TP", bounds: "trades >= 70", top: 100 });
    for (const t of res.top) expect(t.stats?.trades).toBeGreaterThanOrEqual(70);
    const disq = heatmapRows(res.heatmap).filter((r) => r.value === null).length;
    expect(disq).toBe(9 - res.top.length);
    const min = await optimize(runner, { space, objective: "-maxDrawdownPct", top: 100 });
    const dd = min.top.map((t) => t.stats?.maxDrawdownPct as number);
    expect(dd).toEqual([...dd].sort((x, y) => x - y));
  });
});

describe("samplers", () => {
  const space = () => searchSpace(smaCross.params, parseGrid(["fast=2:40:2", "slow=10:120:5"]));
  for (const method of ["random", "tpe", "ga"] as const) {
    test.skipIf(missing)(`${method} is reproducible with a seed and respects the constraint`, async () => {
      const runner = inProcessRunner(smaCross, bars, { cash: 10_000 });
      const opts = { space: space(), method, trials: 30, seed: 7, constraint: "slow > fast + 5" };
      const a = await optimize(runner, opts);
      const b = await optimize(runner, opts);
      const c = await optimize(runner, { ...opts, seed: 8 });
      expect(heatmapRows(a.heatmap)).toEqual(heatmapRows(b.heatmap));
      expect(heatmapRows(a.heatmap)).not.toEqual(heatmapRows(c.heatmap));
      for (const r of heatmapRows(a.heatmap)) expect(r.params.slow).toBeGreaterThan(r.params.fast + 5);
      expect(a.trials).toBeLessThanOrEqual(30);
    });
  }
});

describe("indicator memo", () => {
  test.skipIf(missing)("sma is computed once per (column, n) while a memo is active", () => {
    const memo = new IndicatorMemo();
    const a = withIndicatorMemo(memo, () => sma(bars.close, 10));
    const b = withIndicatorMemo(memo, () => sma(bars.close, 10));
    expect(b).toBe(a);
    expect(memo.hits).toBe(1);
    expect(sma(bars.close, 10)).not.toBe(a);
    expect(sma(bars.close, 10)).toEqual(a);
  });
  test("a shared memo computes into shared memory, reports what it computed, and adopts other threads' results", () => {
    const close = Float64Array.from({ length: 50 }, (_, k) => 100 + Math.sin(k));
    const memo = new IndicatorMemo();
    memo.shared = true;
    const told: string[] = [];
    const asked: string[] = [];
    memo.peers = {
      before: (_input, key) => {
        asked.push(key);
        return undefined;
      },
      after: (input, key, value) => {
        expect(input).toBe(close);
        expect(value?.buffer).toBeInstanceOf(SharedArrayBuffer);
        told.push(key);
      },
      release: () => true,
    };
    const a = withIndicatorMemo(memo, () => sma(close, 5));
    expect(a).toEqual(sma(close, 5));
    expect(sma(close, 5).buffer).toBeInstanceOf(ArrayBuffer);
    // another thread's sma(close, 7), adopted: no computation, no report
    const theirs = new Float64Array(new SharedArrayBuffer(8 * 50));
    theirs.set(sma(close, 7));
    memo.adopt(close, "sma(7)", theirs);
    expect(withIndicatorMemo(memo, () => sma(close, 7))).toBe(theirs);
    withIndicatorMemo(memo, () => sma(close, 5));
    expect(told).toEqual(["sma(5)"]);
    expect(asked).toEqual(["sma(5)"]);
    expect([memo.misses, memo.hits]).toEqual([1, 2]);
  });
});

describe("walk-forward", () => {
  test.skipIf(missing)("test windows tile the data after the first train window, without overlap", () => {
    for (const anchored of [false, true]) {
      const folds = walkForwardFolds(bars.time, {
        train: parseLength("2y"),
        test: parseLength("6mo"),
        anchored,
      });
      expect(folds.length).toBeGreaterThan(10);
      for (let k = 1; k < folds.length; k++) expect(folds[k].test.start).toBe(folds[k - 1].test.end);
      expect(folds[folds.length - 1].test.end).toBe(bars.length);
      for (const f of folds) {
        expect(f.train.end).toBe(f.test.start);
        if (anchored) expect(f.train.start).toBe(0);
      }
      // rolling train windows span about two years
      if (!anchored) {
        const f = folds[3];
        const days = (bars.time[f.train.end - 1] - bars.time[f.train.start]) / 86_400_000;
        expect(days).toBeGreaterThan(700);
        expect(days).toBeLessThanOrEqual(731);
      }
    }
  });
});

describe("deflatedSharpe", () => {
  test("with one trial it is the probabilistic Sharpe ratio against zero", () => {
    // Φ(0.1 * sqrt(100) / sqrt(1 + (3 - 1) / 4 * 0.01)) = Φ(0.99751) = 0.84073
    const d = deflatedSharpe({ sr: 0.1, srs: [0.1], n: 101, skew: 0, kurt: 3 });
    expect(d.sr0).toBe(0);
    expect(d.dsr).toBeCloseTo(0.84073, 4);
  });
  test("more trials raise the bar", () => {
    const srs = Array.from({ length: 100 }, (_, k) => (k - 50) / 500);
    const d = deflatedSharpe({ sr: 0.1, srs, n: 101, skew: 0, kurt: 3 });
    expect(d.sr0).toBeGreaterThan(0.05);
    expect(d.dsr).toBeLessThan(0.84073);
  });
});

describe("returnMoments", () => {
  /** The textbook two-pass moments of the per-bar returns (the mean first, then the deviations). */
  function twoPass(equity: Float64Array, from: number) {
    const r = Array.from(
      { length: equity.length - from - 1 },
      (_, j) => equity[from + 1 + j] / equity[from + j] - 1,
    );
    const n = r.length;
    const mean = r.reduce((a, b) => a + b, 0) / n;
    const m = (p: number) => r.reduce((a, x) => a + (x - mean) ** p, 0) / n;
    return {
      sr: mean / Math.sqrt((m(2) * n) / (n - 1)),
      skew: m(3) / m(2) ** 1.5,
      kurt: m(4) / m(2) ** 2,
      n,
    };
  }
  test("one pass of power sums equals two passes to 1e-9, for drifting, flat and fat-tailed curves", () => {
    const rand = mulberry32(3);
    for (const [drift, vol, jumps] of [
      [0, 1e-3, 0],
      [2e-4, 1e-3, 0.01],
      [1e-5, 1e-7, 0],
      [-1e-4, 5e-3, 0.05],
    ]) {
      const e = new Float64Array(50_000);
      e[0] = 1e6;
      for (let k = 1; k < e.length; k++)
        e[k] = e[k - 1] * (1 + drift + vol * (rand() - 0.5) * (rand() < jumps ? 30 : 1));
      const got = returnMoments(e, 20);
      const want = twoPass(e, 20);
      expect(got.n).toBe(want.n);
      for (const key of ["sr", "skew", "kurt"] as const)
        expect(Math.abs(got[key] / want[key] - 1), `${key} at drift ${drift}`).toBeLessThan(1e-9);
    }
  });
  test("a flat curve has no Sharpe ratio; fewer than two returns, no moments", () => {
    expect(returnMoments(new Float64Array(10).fill(5)).sr).toBeNaN();
    expect(returnMoments(new Float64Array([1, 2])).n).toBe(1);
    expect(returnMoments(new Float64Array([1, 2])).sr).toBeNaN();
  });
});

describe("STOM's 기준값 over bar stats", () => {
  test("TG is the total P&L, TP the P&L over the required capital, PM TP over the drawdown", () => {
    const s = { totalPnl: 300, requiredCapital: 10_000, maxDrawdownPct: -1.5, tpi: 1.2 } as Stats;
    expect(objective("TG").value(s)).toBe(300);
    expect(objective("TP").value(s)).toBe(3);
    expect(objective("PM").value(s)).toBe(2);
    expect(objective("TPI").value(s)).toBe(1.2);
    expect(() => objective("GM")).toThrow(/drawdown in cash/);
  });
});

describe("failed trials", () => {
  test("are counted, and the first (in proposal order) is kept with its parameters and error", async () => {
    const n = 300;
    const close = Float64Array.from({ length: n }, (_, k) => 100 + Math.sin(k / 7) * 5);
    const time = Float64Array.from({ length: n }, (_, k) => Date.UTC(2024, 0, 1) + k * 86_400_000);
    const few = toBars({ columns: { time, open: close, high: close, low: close, close } });
    const picky = defineStrategy({
      params: { n: { default: 1, min: 1, max: 9 } },
      init(ctx) {
        if (ctx.params.n % 3 === 0) throw new Error(`no multiples of 3: ${ctx.params.n}`);
        return {};
      },
      next(ctx) {
        if (ctx.i === 5) ctx.buy();
      },
    });
    const space = searchSpace(picky.params, parseGrid(["n=1:9:1"]));
    const res = await optimize(inProcessRunner(picky, few, { cash: 10_000 }), {
      space,
      objective: "equityFinal",
    });
    expect(res.trials).toBe(9);
    expect(res.failed).toBe(3);
    expect(res.firstFailure).toEqual({ params: { n: 3 }, error: "no multiples of 3: 3" });
    expect(res.best?.params.n).not.toBe(3);
  });
});
