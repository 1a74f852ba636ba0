import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import smaCross from "../../notebooks/strategies/sma-cross.ts";
import { readInputs } from "../../src/data/formats/index.ts";
import { makeSampleBars } from "../../src/data/sample.ts";
import { type Bars, toBars } from "../../src/engine/index.ts";
import {
  heatmapRows,
  inProcessRunner,
  optimize,
  parseGrid,
  searchSpace,
} from "../../src/engine/optimize/index.ts";
import type { StrategyDef } from "../../src/engine/strategy.ts";
import { shareBars, sharedToBars, workerPool } from "../../src/parallel/index.ts";
import { needShared, shared } from "../support/paths.ts";

const GOOG = shared("backtesting-py/GOOG.csv");
const { missing } = needShared("backtesting-py/GOOG.csv");
const STRATEGY = path.resolve(import.meta.dirname, "../../notebooks/strategies/sma-cross.ts");
let bars: Bars;

beforeAll(async () => {
  if (missing) return;
  for await (const frame of readInputs([GOOG])) bars = toBars(frame);
});

describe("workerPool", () => {
  test.skipIf(missing)("1 worker, 2 workers and in-process give identical results", async () => {
    const space = searchSpace(smaCross.params, parseGrid(["fast=5:25:5", "slow=10:50:10"]));
    const opts = { space, objective: "sqn", constraint: "fast < slow", top: 5 };
    const options = { cash: 10_000, commission: 0.001 };
    const results = [];
    for (const workers of [1, 2]) {
      const runner = await workerPool(STRATEGY, bars, options, { workers });
      try {
        results.push(await optimize(runner, opts));
      } finally {
        await runner.close();
      }
    }
    results.push(await optimize(inProcessRunner(smaCross, bars, options), opts));
    const [one, two, local] = results;
    // fast < slow: 5 + 4 + 4 + 3 + 3 cells
    expect(one.trials).toBe(19);
    expect(heatmapRows(two.heatmap)).toEqual(heatmapRows(one.heatmap));
    expect(heatmapRows(local.heatmap)).toEqual(heatmapRows(one.heatmap));
    expect(two.top.map((t) => t.stats)).toEqual(one.top.map((t) => t.stats));
    expect(two.best?.params).toEqual(local.best?.params);
  });

  test.skipIf(missing)(
    "rows' indicators dropped and their memory reused across 4 threads and batches: the same results as in this thread",
    async () => {
      const options = { cash: 10_000, commission: 0.001, finalizeTrades: true };
      const searches = [
        // a grid: finished rows retired while others run, the reported cells' SMAs recomputed after
        {
          space: searchSpace(smaCross.params, parseGrid(["fast=2:20:2", "slow=22:60:4"])),
          objective: "sqn",
          top: 6,
        },
        // TPE: batches of 8, each told which values it has (what earlier batches used goes)
        {
          space: searchSpace(smaCross.params, parseGrid(["fast=2:30:1", "slow=31:80:1"])),
          method: "tpe" as const,
          trials: 48,
          seed: 3,
          objective: "equityFinal",
          top: 4,
        },
      ];
      const runner = await workerPool(STRATEGY, bars, options, { workers: 4 });
      try {
        for (const opts of searches) {
          const pooled = await optimize(runner, opts);
          const local = await optimize(inProcessRunner(smaCross, bars, options), opts);
          expect(heatmapRows(pooled.heatmap)).toEqual(heatmapRows(local.heatmap));
          expect(pooled.top.map((t) => [t.params, t.stats])).toEqual(
            local.top.map((t) => [t.params, t.stats]),
          );
          expect(pooled.overfit).toEqual(local.overfit);
        }
      } finally {
        await runner.close();
      }
    },
  );

  test.skipIf(missing)("bars are shared, not copied", () => {
    const shared = shareBars(bars);
    const a = sharedToBars(shared);
    const b = sharedToBars(shared);
    expect(a.close.buffer).toBe(shared.columns.close);
    expect(b.close.buffer).toBe(a.close.buffer);
    expect(Array.from(a.close)).toEqual(Array.from(bars.close));
  });

  test.skipIf(missing)("cancel stops the search and keeps what was found", async () => {
    const runner = await workerPool(STRATEGY, bars, { cash: 10_000 }, { workers: 2 });
    const controller = new AbortController();
    try {
      const space = searchSpace(smaCross.params, parseGrid(["fast=2:40:1", "slow=41:80:1"]));
      const res = await optimize(runner, {
        space,
        batch: 16,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done >= 32) controller.abort();
        },
      });
      expect(res.cancelled).toBe(true);
      expect(res.trials).toBeGreaterThanOrEqual(32);
      expect(res.trials).toBeLessThan(space.size);
      expect(res.heatmap.length).toBe(res.trials);
      expect(res.best).toBeDefined();
    } finally {
      await runner.close();
    }
  });

  test.skipIf(missing)(
    "starts its threads before the bars are there (bars as a promise), same results",
    async () => {
      const space = searchSpace(smaCross.params, parseGrid(["fast=5:25:10", "slow=30:50:10"]));
      const opts = { space, objective: "sqn", top: 3 };
      const later = new Promise<Bars>((resolve) => setTimeout(() => resolve(bars), 300));
      const runner = await workerPool(STRATEGY, later, { cash: 10_000 }, { workers: 2 });
      try {
        const res = await optimize(runner, opts);
        const local = await optimize(inProcessRunner(smaCross, bars, { cash: 10_000 }), opts);
        expect(res.trials).toBe(9);
        expect(heatmapRows(res.heatmap)).toEqual(heatmapRows(local.heatmap));
        expect(res.top.map((t) => t.stats)).toEqual(local.top.map((t) => t.stats));
      } finally {
        await runner.close();
      }
    },
  );

  test("a failed read of the bars, or a strategy that fails to load meanwhile, fails the start with its own message", async () => {
    const n = 100;
    const price = Float64Array.from({ length: n }, (_, k) => 100 + Math.sin(k));
    const time = Float64Array.from({ length: n }, (_, k) => k * 60_000);
    const few = toBars({ columns: { time, open: price, high: price, low: price, close: price } });
    await expect(
      workerPool(STRATEGY, Promise.reject(new Error("no bars in catalog match x:y:1m")), {}, { workers: 2 }),
    ).rejects.toThrow("no bars in catalog match x:y:1m");
    // the threads fail while the bars are still being read: no unhandled rejection, the load's error
    const slow = new Promise<Bars>((resolve) => setTimeout(() => resolve(few), 5_000));
    const t0 = Date.now();
    await expect(workerPool("/nonexistent/strategy.ts", slow, {}, { workers: 2 })).rejects.toThrow(
      "worker could not load /nonexistent/strategy.ts",
    );
    // said as the threads fail, not when the bars come
    expect(Date.now() - t0).toBeLessThan(4_000);
  });
  test("threads that miss one indicator at once compute it once: the others wait and take it", async () => {
    const { dir, file, computed } = countedStrategy();
    try {
      const { pooled } = await onFourThreads(file);
      // 5 fast and 5 slow periods, each computed by one thread (without the claims, 4 threads
      // computed the first ones 2 to 4 times: 19 computations, measured); a finished row's fast
      // SMA is dropped (its memory reused), and computed again if a reported cell needs it
      const periods = computed();
      const times = (p: string) => periods.filter((q) => q === p).length;
      for (const slow of ["10", "11", "12", "13", "14"]) expect(times(slow)).toBe(1);
      for (const fast of ["2", "3", "4", "5", "6"]) expect([1, 2]).toContain(times(fast));
      expect(pooled.trials).toBe(25);
      expect(heatmapRows(pooled.heatmap)).toEqual(heatmapRows(await inProcess(file)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an indicator computed into memory of its own is computed by each thread that needs it, with the same results", async () => {
    const { dir, file, computed } = countedStrategy({ plain: true });
    try {
      const { pooled, ms } = await onFourThreads(file);
      // every period at least once; a thread that needed one another thread had computed did it again
      const periods = computed();
      expect([...new Set(periods)].sort()).toEqual(["10", "11", "12", "13", "14", "2", "3", "4", "5", "6"]);
      expect(periods.length).toBeGreaterThan(10);
      // at once: a thread that waited for such a result to arrive would give up only after 2 s a
      // period (tens of seconds here; the search takes well under one)
      expect(ms).toBeLessThan(8_000);
      expect(heatmapRows(pooled.heatmap)).toEqual(heatmapRows(await inProcess(file)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an indicator whose computation throws is claimed again: each thread that needs it fails on its own, none waits forever", async () => {
    const { dir, file, computed } = countedStrategy({ fails: 3 });
    try {
      const runner = await workerPool(file, SAMPLE, { cash: 10_000 }, { workers: 4 });
      try {
        const res = await optimize(runner, COUNTED_GRID);
        // the fast = 3 row failed, the other 20 cells did not
        expect(res.failed).toBe(5);
        expect(res.firstFailure?.error).toContain("no SMA of 3 here");
        expect(res.trials).toBe(25);
      } finally {
        await runner.close();
      }
      expect(computed().sort()).toEqual(["10", "11", "12", "13", "14", "2", "4", "5", "6"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const SAMPLE = toBars(makeSampleBars({ bars: 5_000 }));
const COUNTED_PARAMS = { fast: { default: 2, min: 2, max: 9 }, slow: { default: 10, min: 10, max: 20 } };
const COUNTED_GRID = {
  space: searchSpace(COUNTED_PARAMS, parseGrid(["fast=2:6:1", "slow=10:14:1"])),
  objective: "equityFinal",
  top: 3,
};

/** The counted grid on 4 worker threads, and how long the search took. */
async function onFourThreads(file: string) {
  const runner = await workerPool(file, SAMPLE, { cash: 10_000 }, { workers: 4 });
  try {
    const t0 = performance.now();
    const pooled = await optimize(runner, COUNTED_GRID);
    return { pooled, ms: performance.now() - t0 };
  } finally {
    await runner.close();
  }
}

/** The counted grid's heatmap in this thread. */
async function inProcess(file: string) {
  const strategy = (await import(file)).default as StrategyDef;
  return (await optimize(inProcessRunner(strategy, SAMPLE, { cash: 10_000 }), COUNTED_GRID)).heatmap;
}

/**
 * sma-cross with an SMA of its own that takes 20 ms and writes a line per computation into a file
 * (a thread's warm-up runs on sample bars of its own, 20,000 of them, and is left out), and throws
 * for `fails` on the search's bars; `plain`: its result is a copy in memory of its own, which threads
 * cannot share. computed(): the periods computed for the search, as written.
 */
function countedStrategy({ fails, plain = false }: { fails?: number; plain?: boolean } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "stom-claims-"));
  const log = path.join(dir, "computed.txt");
  const file = path.join(dir, "counted.ts");
  writeFileSync(log, "");
  writeFileSync(
    file,
    `import { appendFileSync } from "node:fs";
import { crossedAbove, crossedBelow, crossSignals, defineStrategy, rollingMean } from "stom";
import { recall } from "stom/optimize";
const counted = (x: Float64Array, n: number) =>
  recall("counted", x, [n], () => {
    if (n === ${fails ?? -1} && x.length === ${SAMPLE.length}) throw new Error("no SMA of " + n + " here");
    appendFileSync(${JSON.stringify(log)}, n + " " + x.length + "\\n");
    const until = Date.now() + 20;
    while (Date.now() < until);
    return ${plain ? "new Float64Array(rollingMean(x, n))" : "rollingMean(x, n)"};
  });
export default defineStrategy({
  params: ${JSON.stringify(COUNTED_PARAMS)},
  init(ctx) {
    const { close } = ctx.bars;
    return { fast: ctx.I(counted(close, ctx.params.fast)), slow: ctx.I(counted(close, ctx.params.slow)) };
  },
  next(ctx, { fast, slow }) {
    if (crossedAbove(fast, slow)) {
      ctx.position.close();
      ctx.buy();
    } else if (crossedBelow(fast, slow)) {
      ctx.position.close();
      ctx.sell();
    }
  },
  signals(ctx, _state, out) {
    return crossSignals(counted(ctx.bars.close, ctx.params.fast), counted(ctx.bars.close, ctx.params.slow), out);
  },
});
`,
  );
  const computed = () =>
    readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .filter((line) => line.endsWith(` ${SAMPLE.length}`))
      .map((line) => line.split(" ")[0]);
  return { dir, file, computed };
}
