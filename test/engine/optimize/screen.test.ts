import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import smaCross from "../../../notebooks/strategies/sma-cross.ts";
import { readInputs } from "../../../src/data/formats/index.ts";
import {
  BAR_PASS_STATS,
  type Bars,
  backtest,
  RunBuffers,
  screenedBacktest,
  TRADE_PASS_STATS,
  toBars,
} from "../../../src/engine/index.ts";
import {
  heatmapRows,
  inProcessRunner,
  mulberry32,
  type OptimizeOptions,
  optimize,
  parseGrid,
  type Runner,
  screener,
  screenSpec,
  searchSpace,
  TopScores,
} from "../../../src/engine/optimize/index.ts";
import { workerPool } from "../../../src/parallel/index.ts";
import { stom } from "../../support/cli.ts";
import { needShared, shared } from "../../support/paths.ts";

const GOOG = shared("backtesting-py/GOOG.csv");
const { missing } = needShared("backtesting-py/GOOG.csv");
const STRATEGY = path.resolve(import.meta.dirname, "../../../notebooks/strategies/sma-cross.ts");
const OPTIONS = { cash: 10_000, commission: 0.002, finalizeTrades: true };
let bars: Bars;

beforeAll(async () => {
  if (missing) return;
  for await (const frame of readInputs([GOOG])) bars = toBars(frame);
});

/** Counts the results a runner returns partial. */
function counting(runner: Runner): Runner & { partial: number; full: number } {
  const counted = {
    partial: 0,
    full: 0,
    concurrency: runner.concurrency,
    run: (
      tasks: Parameters<Runner["run"]>[0],
      onResult: Parameters<Runner["run"]>[1],
      screening?: Parameters<Runner["run"]>[2],
    ) =>
      runner.run(
        tasks,
        (r) => {
          if (r.partial) counted.partial++;
          else counted.full++;
          onResult(r);
        },
        screening,
      ),
    cancel: () => runner.cancel(),
    close: () => runner.close(),
  };
  return counted;
}

describe("screenSpec", () => {
  test("screens objectives and bounds that need no pass over the bars, by their specs", () => {
    expect(screenSpec("sqn")).toEqual({ objective: "sqn", bounds: [] });
    expect(screenSpec("-TC", "trades >= 10")).toEqual({ objective: "-TC", bounds: ["trades >= 10"] });
    expect(screenSpec("TP", [{ winRatePct: { min: 40 } }])).toEqual({
      objective: "TP",
      bounds: [{ winRatePct: { min: 40 } }],
    });
    expect(screenSpec("Equity Final [$]")?.objective).toBe("Equity Final [$]");
  });
  test("does not screen what reads the bar pass or a function", () => {
    expect(screenSpec("sharpe")).toBeUndefined();
    expect(screenSpec("PM")).toBeUndefined();
    expect(screenSpec("-MDD")).toBeUndefined();
    expect(screenSpec("sqn", "maxDrawdownPct > -30")).toBeUndefined();
    expect(screenSpec((s) => s.sqn)).toBeUndefined();
    expect(screenSpec("sqn", () => true)).toBeUndefined();
  });
});

describe("screener", () => {
  test("reads the trade columns only when the objective or a bound reads a stat of theirs", () => {
    const reads = (objective: string, bounds: string[] = []) => screener({ objective, bounds }).readsTrades;
    expect(reads("equityFinal")).toBe(false);
    expect(reads("-TC", ["trades >= 10"])).toBe(false);
    expect(reads("returnPct", ["equityFinal > 0"])).toBe(false);
    expect(reads("sqn")).toBe(true);
    expect(reads("TG")).toBe(true);
    expect(reads("equityFinal", ["winRatePct > 40"])).toBe(true);
    expect(screener({ objective: "TC", bounds: [{ exposurePct: { min: 10 } }] }).readsTrades).toBe(true);
  });
});

describe("TopScores", () => {
  test("threshold is the n-th best score in any order of arrival, -Infinity until n", () => {
    const top = new TopScores(3);
    for (const s of [1, Number.NaN, 5]) top.add(s);
    expect(top.threshold()).toBe(Number.NEGATIVE_INFINITY);
    for (const s of [2, 4, 3, 0]) top.add(s);
    expect(top.threshold()).toBe(3);
    top.add(3);
    expect(top.threshold()).toBe(3);
    top.add(6);
    expect(top.threshold()).toBe(4);
  });
});

describe("screenedBacktest", () => {
  test.skipIf(missing)(
    "stats(true) equals backtest(); stats(false) equals it outside the bar-pass stats",
    () => {
      for (const params of [
        { fast: 5, slow: 20 },
        { fast: 10, slow: 30 },
        { fast: 20, slow: 100 },
        { fast: 30, slow: 30 },
      ]) {
        const single = backtest(smaCross, bars, { ...OPTIONS, params });
        const run = screenedBacktest(smaCross, bars, { ...OPTIONS, params });
        expect(run.stats(true)).toEqual(single.stats);
        expect(Array.from(run.equity)).toEqual(Array.from(single.equity));
        expect(run.startBar).toBe(single.startBar);
        // in buffers that hold another run's columns (equity, trades, actions): every value is written anew
        for (const signals of [false, true]) {
          const buffers = new RunBuffers();
          screenedBacktest(smaCross, bars, { ...OPTIONS, signals, params: { fast: 3, slow: 50 } }, buffers);
          const reused = screenedBacktest(smaCross, bars, { ...OPTIONS, signals, params }, buffers);
          expect(reused.equity).toBe(buffers.equity(bars.length));
          expect(Array.from(reused.equity)).toEqual(Array.from(single.equity));
          expect(reused.stats(true)).toEqual(single.stats);
        }
        const lean = run.stats(false);
        // without the passes over the trades too: only the number of trades is known of them
        const counted = run.stats(false, false);
        for (const [key, value] of Object.entries(single.stats)) {
          const k = key as keyof typeof lean;
          if ((BAR_PASS_STATS as readonly string[]).includes(key)) expect(lean[k]).toBeNaN();
          else expect(lean[k]).toBe(value);
          if ((TRADE_PASS_STATS as readonly string[]).includes(key)) expect(counted[k]).toBeNaN();
          else expect(counted[k]).toBe(lean[k]);
        }
        // asked again in full after that, as a screened run that may be reported is
        expect(run.stats(true)).toEqual(single.stats);
      }
    },
  );
});

describe("optimize with screening", () => {
  const grid = () => searchSpace(smaCross.params, parseGrid(["fast=5:30:5", "slow=10:80:10"]));
  const cases: [string, Partial<OptimizeOptions>][] = [
    ["sqn", { objective: "sqn" }],
    ["equityFinal with a bound", { objective: "equityFinal", bounds: "trades >= 5" }],
    ["minimized trade count", { objective: "-TC", bounds: [{ winRatePct: { min: 30 } }] }],
    ["TP", { objective: "TP", top: 1 }],
  ];
  // sma-cross has signals(): runs go through them unless the options say `signals: false`
  for (const [name, extra] of cases)
    for (const signals of [true, false]) {
      test.skipIf(missing)(
        `${name}, ${signals ? "signals()" : "next()"}: heatmap, best and top as without screening; reported cells equal backtest()`,
        async () => {
          const opts = { space: grid(), constraint: "fast < slow", top: 4, ...extra };
          const options = { ...OPTIONS, signals };
          const screened = counting(inProcessRunner(smaCross, bars, options));
          const res = await optimize(screened, opts);
          const plain = await optimize(inProcessRunner(smaCross, bars, { ...OPTIONS, signals: false }), {
            ...opts,
            screen: false,
          });
          expect(heatmapRows(res.heatmap)).toEqual(heatmapRows(plain.heatmap));
          expect(res.best?.params).toEqual(plain.best?.params);
          expect(res.best?.stats).toEqual(plain.best?.stats);
          expect(res.top.map((t) => [t.id, t.value, t.stats])).toEqual(
            plain.top.map((t) => [t.id, t.value, t.stats]),
          );
          expect(res.overfit).toEqual(plain.overfit);
          for (const t of res.top) {
            const single = backtest(smaCross, bars, { ...OPTIONS, params: t.params });
            expect(t.stats).toEqual(single.stats);
          }
          const reported = new Set([res.best, ...res.top].map((t) => t?.id)).size;
          if (signals) {
            // every cell came back screened; the reported ones ran again in full (the best through next())
            expect(screened.partial).toBe(res.trials);
            expect(screened.full).toBe(reported);
          } else {
            // most cells were screened out: full stats went to fewer cells than were searched
            expect(screened.partial).toBeGreaterThan(0);
            expect(screened.partial + screened.full).toBe(res.trials);
          }
        },
      );
    }

  test.skipIf(missing)("results arriving last-proposed first: the same heatmap, best and top", async () => {
    // late trials set the threshold first, so early ones are screened out and lead for a while
    // as they are recorded in proposal order; none may be reported
    const inner = inProcessRunner(smaCross, bars, OPTIONS);
    const reversed = counting({
      ...inner,
      run: (tasks, onResult, screening) => inner.run([...tasks].reverse(), onResult, screening),
    });
    const opts = { space: grid(), objective: "sqn", top: 3 };
    const res = await optimize(reversed, opts);
    const plain = await optimize(inProcessRunner(smaCross, bars, OPTIONS), { ...opts, screen: false });
    expect(heatmapRows(res.heatmap)).toEqual(heatmapRows(plain.heatmap));
    expect(res.top.map((t) => [t.id, t.stats])).toEqual(plain.top.map((t) => [t.id, t.stats]));
    expect(reversed.partial).toBeGreaterThan(0);
  });

  test.skipIf(missing)("an objective that needs the bar pass gets full stats for every cell", async () => {
    const runner = counting(inProcessRunner(smaCross, bars, OPTIONS));
    const res = await optimize(runner, { space: grid(), objective: "sharpe", top: 2 });
    expect(runner.partial).toBe(0);
    // and the best once more, through next(): its numbers came from signals()
    expect(runner.full).toBe(res.trials + 1);
  });

  test.skipIf(missing)(
    "on 2 worker threads: the same results as in this thread without screening",
    async () => {
      const opts = { space: grid(), objective: "sqn", top: 3 };
      const pool = counting(await workerPool(STRATEGY, bars, OPTIONS, { workers: 2 }));
      try {
        const res = await optimize(pool, opts);
        const plain = await optimize(inProcessRunner(smaCross, bars, OPTIONS), { ...opts, screen: false });
        expect(heatmapRows(res.heatmap)).toEqual(heatmapRows(plain.heatmap));
        expect(res.top.map((t) => t.stats)).toEqual(plain.top.map((t) => t.stats));
        expect(pool.partial).toBeGreaterThan(0);
      } finally {
        await pool.close();
      }
    },
  );
});

describe("workerPool warm-up", () => {
  test("a long series (workers warm up on its first bars first): the same results as in this thread", async () => {
    // a seeded random walk, long enough for the workers' warm-up runs
    const n = 100_000;
    const rand = mulberry32(7);
    const c = {
      time: new Float64Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
    };
    let price = 100;
    for (let k = 0; k < n; k++) {
      const next = price * (1 + (rand() - 0.5) * 0.004);
      c.time[k] = Date.UTC(2024, 0, 1) + k * 60_000;
      c.open[k] = price;
      c.close[k] = next;
      c.high[k] = Math.max(price, next) * 1.0005;
      c.low[k] = Math.min(price, next) * 0.9995;
      price = next;
    }
    const long = toBars({ length: n, columns: c });
    const space = searchSpace(smaCross.params, parseGrid(["fast=5:10:5", "slow=20:40:20"]));
    const opts = { space, objective: "sqn", top: 4 };
    const options = { cash: 1_000_000, finalizeTrades: true };
    const pool = await workerPool(STRATEGY, long, options, { workers: 2 });
    try {
      const res = await optimize(pool, opts);
      const local = await optimize(inProcessRunner(smaCross, long, options), { ...opts, screen: false });
      expect(heatmapRows(res.heatmap)).toEqual(heatmapRows(local.heatmap));
      expect(res.top.map((t) => t.stats)).toEqual(local.top.map((t) => t.stats));
    } finally {
      await pool.close();
    }
  });
});

describe("stom optimize --no-screen, --no-signals", () => {
  test.skipIf(missing)("prints the same JSON as the screened search (2 workers)", async () => {
    const args = [
      "optimize",
      "sma-cross",
      "--data",
      GOOG,
      "--grid",
      "fast=5:25:5",
      "--grid",
      "slow=10:60:10",
    ];
    const more = ["--maximize", "TP", "--bound", "trades >= 3", "--top", "2", "--workers", "2", "--json"];
    const [screened, full, viaNext] = await Promise.all([
      stom([...args, ...more]),
      stom([...args, ...more, "--no-screen"]),
      stom([...args, ...more, "--no-signals"]),
    ]);
    const out = JSON.parse(screened.stdout);
    expect(out.trials).toBe(30);
    expect(out.top).toHaveLength(2);
    expect(out).toEqual(JSON.parse(full.stdout));
    // sma-cross has signals(): the search ran them; next() on every bar gives the same JSON
    expect(out).toEqual(JSON.parse(viaNext.stdout));
  });
});
