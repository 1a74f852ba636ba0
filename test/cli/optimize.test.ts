import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { makeSampleBars } from "../../src/data/sample.ts";
import { stom as cli, stomSync } from "../support/cli.ts";
import { needShared } from "../support/paths.ts";

const GOOG = "../shared/data/backtesting-py/GOOG.csv";
const { missing } = needShared("backtesting-py/GOOG.csv");

/** Seeded daily sample bars as a backtesting.py-style CSV in `dir`: the tests that use it need no shared data. */
function sampleCsv(dir: string, bars: number, seed: number): string {
  const sample = makeSampleBars({ bars, seed, timeframe: "1d" });
  const c = sample.columns as Record<string, Float64Array>;
  const rows = Array.from(
    { length: sample.length },
    (_, k) =>
      `${new Date(c.time[k]).toISOString().slice(0, 10)},${c.open[k]},${c.high[k]},${c.low[k]},${c.close[k]},${c.volume[k]}`,
  );
  const csv = path.join(dir, "sample.csv");
  writeFileSync(csv, `,Open,High,Low,Close,Volume\n${rows.join("\n")}\n`);
  return csv;
}

test.skipIf(missing)(
  "stom optimize --json: best, top, heatmap rows and a backtest of the best agree",
  async () => {
    const stom = (...args: string[]) => cli(args);
    const [{ stdout }, { stdout: wfOut }] = await Promise.all([
      stom(
        "optimize",
        "sma-cross",
        "--data",
        GOOG,
        "--grid",
        "fast=5:25:5",
        "--grid",
        "slow=10:65:5",
        "--constraint",
        "fast < slow",
        "--maximize",
        "equityFinal",
        "--commission",
        "0.002",
        "--workers",
        "2",
        "--top",
        "3",
        "--json",
      ),
      stom(
        "optimize",
        "sma-cross",
        "--data",
        GOOG,
        "--grid",
        "fast=5:20:5",
        "--grid",
        "slow=20:60:20",
        "--walk-forward",
        "train=2y,test=1y",
        "--workers",
        "0",
        "--json",
      ),
    ]);
    const out = JSON.parse(stdout);
    expect(out.method).toBe("grid");
    expect(out.objective).toBe("equityFinal");
    expect(out.trials).toBe(50);
    expect(out.heatmap).toHaveLength(50);
    expect(out.heatmap[0]).toEqual({ params: { fast: 5, slow: 10 }, value: expect.any(Number) });
    expect(out.best.params).toEqual({ fast: 10, slow: 15 });
    expect(out.top).toHaveLength(3);
    expect(out.top[0]).toEqual(out.best);
    const maxValue = Math.max(...out.heatmap.map((r: { value: number }) => r.value));
    expect(out.best.value).toBe(maxValue);

    const { stdout: bt } = await stom(
      "backtest",
      "sma-cross",
      "--data",
      GOOG,
      "--param",
      "fast=10",
      "--param",
      "slow=15",
      "--commission",
      "0.002",
      "--json",
    );
    expect(JSON.parse(bt).stats).toEqual(out.best.stats);

    const wf = JSON.parse(wfOut);
    expect(wf.folds.length).toBeGreaterThanOrEqual(5);
    for (let k = 1; k < wf.folds.length; k++)
      expect(wf.folds[k].test.start > wf.folds[k - 1].test.end).toBe(true);
    expect(wf.folds[0].params).toBeTruthy();
  },
);

test("a strategy file outside the checkout runs on the pool's threads with the engine it imports, as in-process", async () => {
  // the threads start from the build when the CLI does (thread-boot.ts), from the sources otherwise;
  // either way the file's "stom" must be the engine that runs it, or its Series check throws.
  // Seeded sample bars in a CSV: the test needs no shared data
  const dir = mkdtempSync(path.join(os.tmpdir(), "stom-opt-"));
  const file = path.join(dir, "my-cross.ts");
  writeFileSync(
    file,
    `import { crossedAbove, crossedBelow, defineStrategy, Series, sma } from "stom";
export default defineStrategy({
  name: "my-cross",
  params: { fast: { default: 10, min: 2, max: 200 }, slow: { default: 30, min: 3, max: 500 } },
  init(ctx) {
    const fast = ctx.I(sma(ctx.bars.close, ctx.params.fast));
    if (!(fast instanceof Series)) throw new Error("two engines: ctx.I() is not this file's Series");
    return { fast, slow: ctx.I(sma(ctx.bars.close, ctx.params.slow)) };
  },
  next(ctx, { fast, slow }) {
    if (crossedAbove(fast, slow)) { ctx.position.close(); ctx.buy(); }
    else if (crossedBelow(fast, slow)) { ctx.position.close(); ctx.sell(); }
  },
});
`,
  );
  const csv = sampleCsv(dir, 3_000, 11);
  const args = (strategy: string, workers: string) => [
    "optimize",
    strategy,
    "--data",
    csv,
    "--grid",
    "fast=5:20:5",
    "--grid",
    "slow=10:40:10",
    "--constraint",
    "fast < slow",
    "--workers",
    workers,
    "--json",
  ];
  const [threads, inProcess] = await Promise.all([
    cli(args(file, "2"), { cwd: dir }),
    cli(args("sma-cross", "0")),
  ]);
  const a = JSON.parse(threads.stdout);
  const b = JSON.parse(inProcess.stdout);
  expect(a.trials).toBe(12);
  expect(a.best.stats.trades).toBeGreaterThan(10);
  expect(a.heatmap).toEqual(b.heatmap);
  expect(a.best).toEqual(b.best);
  expect(a.top).toEqual(b.top);
});

test("a strategy that throws: every trial failing is the error, some failing a warning naming the first", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "stom-opt-fail-"));
  const csv = sampleCsv(dir, 500, 3);
  const strategy = (name: string, init: string) => {
    const file = path.join(dir, `${name}.ts`);
    writeFileSync(
      file,
      `import { defineStrategy } from "stom";
export default defineStrategy({
  params: { n: { default: 1 } },
  init(ctx) { ${init} return {}; },
  next(ctx) { if (ctx.i === 10) ctx.buy(); },
});
`,
    );
    return file;
  };
  const args = (file: string, workers: string) => [
    "optimize",
    file,
    "--data",
    csv,
    "--grid",
    "n=1:3:1",
    "--workers",
    workers,
    "--maximize",
    "equityFinal",
  ];
  const broken = strategy("broken", 'throw new Error("boom in init");');
  for (const workers of ["0", "2"]) {
    const r = stomSync(args(broken, workers));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("every trial failed; the first, at n=1: boom in init");
  }
  const some = strategy("some", 'if (ctx.params.n === 2) throw new Error("n=2 is bad");');
  const r = stomSync([...args(some, "0"), "--json"]);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain("warning: 1 of 3 trials failed; the first, at n=2: n=2 is bad");
  const out = JSON.parse(r.stdout);
  expect(out.failed).toBe(1);
  expect(out.best.params.n).not.toBe(2);
});
