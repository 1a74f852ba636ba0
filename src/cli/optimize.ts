import os from "node:os";
import path from "node:path";
import { type Command, Option } from "commander";
import { loadBars } from "../app/load-bars.ts";
import { loadStrategy } from "../app/strategy-loader.ts";
import {
  type Fold,
  heatmapRows,
  inProcessRunner,
  type Method,
  type OptimizeProgress,
  type OptimizeResult,
  optimize,
  parseGrid,
  parseLength,
  type Runner,
  searchSpace,
  type Trial,
  validate,
  validationFolds,
  walkForward,
  walkForwardFolds,
} from "../engine/optimize/index.ts";
import { workerPool } from "../parallel/index.ts";
import { collect, parseParams, type RunFlags, runOptions, withRunOptions } from "./flags.ts";
import { statsTable } from "./format.ts";
import { type Progress, progress } from "./progress.ts";
import { barQueueRunner, cancelQueuedStudy, type QueueFlags, withQueueOptions } from "./queue-flags.ts";
import { isStomRun, withStomOptions } from "./stom-flags.ts";
import { stomOptimizeCommand } from "./stom-optimize.ts";

interface OptimizeFlags extends RunFlags, QueueFlags {
  data: string;
  grid?: string[];
  method: Method;
  trials?: number;
  maximize?: string;
  minimize?: string;
  constraint?: string;
  bound?: string[];
  walkForward?: string;
  validate?: string;
  crossValidate?: number;
  workers: number;
  top: number;
  seed: number;
  memo: boolean;
  screen: boolean;
  signals: boolean;
  json?: boolean;
}

/** "train=52w,test=13w[,anchored]" */
export function parseWalkForward(text: string): { train: string; test: string; anchored: boolean } {
  const out: Record<string, string> = {};
  let anchored = false;
  for (const part of text.split(",")) {
    const [k, v] = part.split("=").map((s) => s.trim());
    if (k === "anchored" && v === undefined) anchored = true;
    else if ((k === "train" || k === "test") && v) out[k] = v;
    else if (k === "mode" && (v === "anchored" || v === "rolling")) anchored = v === "anchored";
    else throw new Error(`invalid --walk-forward part '${part}' (train=52w,test=13w[,anchored])`);
  }
  if (!out.train || !out.test) throw new Error(`invalid --walk-forward '${text}': needs train= and test=`);
  return { train: out.train, test: out.test, anchored };
}

/** "validation=13w,test=13w[,train=52w][,weighted]" */
export function parseValidate(text: string): {
  train?: string;
  validation: string;
  test: string;
  weighted: boolean;
} {
  const out: Record<string, string> = {};
  let weighted = false;
  for (const part of text.split(",")) {
    const [k, v] = part.split("=").map((s) => s.trim());
    if (k === "weighted" && v === undefined) weighted = true;
    else if ((k === "train" || k === "validation" || k === "test") && v) out[k] = v;
    else
      throw new Error(`invalid --validate part '${part}' (validation=13w,test=13w[,train=52w][,weighted])`);
  }
  if (!out.validation || !out.test)
    throw new Error(`invalid --validate '${text}': needs validation= and test=`);
  return { ...(out.train ? { train: out.train } : {}), validation: out.validation, test: out.test, weighted };
}

const int = (name: string) => (v: string) => {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 0) throw new Error(`invalid ${name}: ${v}`);
  return x;
};
const positive = (name: string) => (v: string) => {
  const x = Number(v);
  if (!(x > 0)) throw new Error(`invalid ${name}: ${v}`);
  return x;
};

const trialJson = (t: Trial | undefined) => (t ? { params: t.params, value: t.value, stats: t.stats } : null);

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toLocaleString("en-US", { maximumFractionDigits: 4 }) : String(x);
}

function topTable(res: OptimizeResult, names: readonly string[]): string {
  const head = [...names, res.objective, "trades", "returnPct", "maxDrawdownPct"];
  const rows = res.top.map((t) => [
    ...names.map((n) => fmt(t.params[n])),
    fmt(t.value),
    fmt(t.stats?.trades ?? Number.NaN),
    fmt(t.stats?.returnPct ?? Number.NaN),
    fmt(t.stats?.maxDrawdownPct ?? Number.NaN),
  ]);
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  return [head, ...rows].map((r) => r.map((c, k) => c.padStart(widths[k])).join("  ")).join("\n");
}

/**
 * The trials bar on stderr. It starts at the first report, when the planned total is known (the
 * grid's admissible cells, or --trials), and follows the total of each report: walk-forward and
 * validation folds restart the count.
 */
export function trialsProgress(
  options: { json?: boolean; stream?: NodeJS.WritableStream & { isTTY?: boolean } } = {},
): { onProgress: (p: OptimizeProgress) => void; stop: () => void } {
  let bar: Progress | undefined;
  return {
    onProgress(p) {
      bar ??= progress("trials", { ...options, total: Math.max(1, p.total) });
      bar.setTotal(p.total);
      const eta = Number.isFinite(p.etaMs) ? `eta ${(p.etaMs / 1000).toFixed(0)}s` : "";
      const best = p.best ? `best ${fmt(p.best.value)}` : "";
      bar.update(p.done, `${best} ${eta}`);
    },
    stop: () => bar?.stop(),
  };
}

export function registerOptimizeCommand(program: Command): void {
  const cmd = new (program.constructor as typeof Command)("optimize")
    .description("search a strategy's parameters (grid, random, TPE, STOM's GA), optionally walk-forward")
    .argument("[strategy]", "bundled strategy name or path to a strategy module (or --stom-buy/--stom-sell)")
    .option(
      "--grid <name=start:end:step>",
      "range to search, end included (repeatable; also name=a,b,c)",
      collect,
    )
    .addOption(
      new Option("--method <m>", "search method").choices(["grid", "random", "tpe", "ga"]).default("grid"),
    )
    .option(
      "--trials <n>",
      "trials for random/tpe/ga; max tries for grid (count, or fraction <= 1)",
      positive("trials"),
    )
    .option("--maximize <key>", "objective: a stat key, STOM code (TP, TPI, CAGR, MDD...) (default sqn)")
    .option("--minimize <key>", "objective to minimize instead")
    .option("--constraint <expr>", 'admissible parameters, e.g. "slow > 2 * fast"')
    .option("--bound <expr>", 'disqualify results outside, e.g. "trades >= 10" (repeatable)', collect)
    .option("--walk-forward <spec>", "train=52w,test=13w[,anchored]: optimize in-sample, run out-of-sample")
    .option(
      "--validate <spec>",
      "validation=13w,test=13w[,train=52w][,weighted]: search by STOM's combined validation score, then run the test span once",
    )
    .option(
      "--cross-validate <k>",
      "validation folds tiling the time before the test span (STOM 교차검증; needs --validate)",
      int("cross-validate"),
    )
    .option("--workers <n>", "worker threads (0 = in this thread)", int("workers"), os.availableParallelism())
    .option("--top <n>", "results kept with their stats", int("top"), 10)
    .option("--seed <n>", "seed of random, tpe, ga and grid max tries", int("seed"), 0)
    .option("--no-memo", "do not share indicator results between runs")
    .option(
      "--no-screen",
      "full stats for every trial (default: only for trials that may reach --top; the others skip the drawdown, volatility and ratios)",
    )
    .option(
      "--no-signals",
      "call next() on every bar even when the strategy has signals() (default: run them, and check the best against next())",
    )
    .addOption(new Option("--json", "print {best, top, heatmap, folds?, method, objective, trials} as JSON"));
  withStomOptions(withQueueOptions(cmd));
  withRunOptions(cmd).action(async (ref: string, flags: OptimizeFlags, command: Command) => {
    if (flags.cancel) return cancelQueuedStudy(flags);
    // STOM strategy texts: self.vars ranges searched over tick runs (src/cli/stom-backtest.ts)
    if (isStomRun(flags)) return stomOptimizeCommand(flags, command);
    if (!ref) throw new Error("give a strategy, or --stom-buy and --stom-sell");
    const loaded = await loadStrategy(ref);
    const { params: fixedRaw, ...run } = runOptions(flags);
    // false: the runners call next(); true lets them run signals() where the strategy has them
    const options = { ...run, signals: flags.signals };
    const cash = flags.cash;
    const fixed = Object.fromEntries(
      Object.entries(parseParams(flags.param)).map(([k, v]) => [k, Number(v)]),
    );
    void fixedRaw;
    const space = searchSpace(loaded.strategy.params, parseGrid(flags.grid), { fixed });
    if (flags.maximize && flags.minimize) throw new Error("give --maximize or --minimize, not both");
    const objective = flags.minimize ? `-${flags.minimize}` : (flags.maximize ?? "sqn");
    // the worker pool views the bars in shared memory: they are read there, not into a copy, while
    // its threads start (nothing that can fail on the flags comes after this: no thread is left behind)
    const pooled = !flags.queue && flags.workers !== 0;
    const reading = loadBars(flags.data, flags.catalog, { shared: pooled });
    const starting = pooled
      ? workerPool(
          loaded.file,
          reading.then((l) => l.bars),
          options,
          { workers: flags.workers, memo: flags.memo },
        )
      : undefined;
    // a failed read fails the pool's start too, which ends its threads; the read's error is the one said
    starting?.catch(() => {});
    const { bars, symbol, timeframe } = await reading;
    const runner: Runner = flags.queue
      ? await barQueueRunner(flags, loaded, bars, options)
      : await (starting ?? inProcessRunner(loaded.strategy, bars, options, { memo: flags.memo }));

    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130);
      controller.abort();
    };
    process.once("SIGINT", onSigint);
    const bar = trialsProgress({ json: flags.json });
    const onProgress = bar.onProgress;
    const common = {
      space,
      method: flags.method,
      objective,
      constraint: flags.constraint,
      bounds: flags.bound,
      trials: flags.trials,
      seed: flags.seed,
      top: flags.top,
      screen: flags.screen,
      onProgress,
      signal: controller.signal,
    };
    try {
      const names = space.dims.map((d) => d.name);
      if (flags.crossValidate !== undefined && !flags.validate)
        throw new Error("--cross-validate needs --validate validation=...,test=...");
      if (flags.validate && flags.walkForward) throw new Error("give --validate or --walk-forward, not both");
      if (flags.validate) {
        const v = parseValidate(flags.validate);
        const split = validationFolds(bars.time, {
          ...(v.train ? { train: parseLength(v.train) } : {}),
          validation: parseLength(v.validation),
          test: parseLength(v.test),
          folds: flags.crossValidate ?? 1,
        });
        const res = await validate(runner, { ...common, split, weighted: v.weighted });
        bar.stop();
        const iso = (i: number) => new Date(bars.time[Math.min(i, bars.length - 1)]).toISOString();
        const span = (s: { start: number; end: number }) => ({
          start: iso(s.start),
          end: iso(s.end - 1),
          bars: s.end - s.start,
        });
        const folds = res.folds.map((f) => ({
          train: span(f.train),
          validation: span(f.validation),
          trainValue: f.trainValue,
          validationValue: f.validationValue,
          trainStats: f.trainStats,
          validationStats: f.validationStats,
        }));
        const test = {
          span: span(res.test.span),
          params: res.test.params ?? null,
          value: res.test.value,
          stats: res.test.stats,
        };
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({
              best: res.search.best ? { params: res.search.best.params, value: res.score } : null,
              heatmap: heatmapRows(res.search.heatmap),
              method: res.search.method,
              objective,
              trials: res.search.trials,
              validation: {
                folds,
                score: Number.isFinite(res.score) ? res.score : null,
                weighted: v.weighted,
                test,
              },
              cancelled: res.cancelled,
            })}\n`,
          );
          return;
        }
        console.log(
          `validation ${flags.validate}, ${split.folds.length} fold(s), objective ${objective}: ${res.search.trials} trials\n`,
        );
        if (!res.search.best) {
          console.log("no trial qualified");
          return;
        }
        for (const [k, f] of folds.entries())
          console.log(
            `fold ${k + 1}  train ${f.train.start.slice(0, 10)}..${f.train.end.slice(0, 10)} ${fmt(f.trainValue)}  validation ${f.validation.start.slice(0, 10)}..${f.validation.end.slice(0, 10)} ${fmt(f.validationValue)}`,
          );
        const p = names.map((n) => `${n}=${res.search.best?.params[n]}`).join(" ");
        console.log(`\nbest ${p}, combined score ${fmt(res.score)}`);
        console.log(
          `test ${test.span.start.slice(0, 10)}..${test.span.end.slice(0, 10)}: ${objective} ${fmt(test.value)}\n`,
        );
        if (res.test.stats) console.log(statsTable(res.test.stats as unknown as Record<string, unknown>));
        if (res.cancelled) console.error("cancelled: results so far shown");
        return;
      }
      if (flags.walkForward) {
        const wf = parseWalkForward(flags.walkForward);
        const folds: Fold[] = walkForwardFolds(bars.time, {
          train: parseLength(wf.train),
          test: parseLength(wf.test),
          anchored: wf.anchored,
        });
        const res = await walkForward(runner, { ...common, folds, cash });
        bar.stop();
        const iso = (i: number) => new Date(bars.time[Math.min(i, bars.length - 1)]).toISOString();
        const foldRows = res.folds.map((f) => ({
          train: { start: iso(f.train.start), end: iso(f.train.end - 1), bars: f.train.end - f.train.start },
          test: { start: iso(f.test.start), end: iso(f.test.end - 1), bars: f.test.end - f.test.start },
          params: f.params ?? null,
          inSample: f.inSample,
          outOfSample: f.outOfSample,
          trials: f.trials,
          dsr: f.overfit?.dsr ?? null,
          inSampleStats: f.inSampleStats,
          outOfSampleStats: f.outOfSampleStats,
        }));
        const final = res.equity[res.equity.length - 1];
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({
              method: flags.method,
              objective,
              trials: res.folds.reduce((s, f) => s + f.trials, 0),
              folds: foldRows,
              efficiency: res.efficiency,
              outOfSample: { equityFinal: final, returnPct: (final / cash - 1) * 100 },
              cancelled: res.cancelled,
            })}\n`,
          );
          return;
        }
        console.log(`walk-forward ${flags.walkForward}: ${res.folds.length} folds, objective ${objective}\n`);
        for (const [k, f] of foldRows.entries()) {
          const p = f.params ? names.map((n) => `${n}=${f.params?.[n]}`).join(" ") : "(none qualified)";
          console.log(
            `fold ${k + 1}  test ${f.test.start.slice(0, 10)}..${f.test.end.slice(0, 10)}  ${p}  in-sample ${fmt(f.inSample)}  out-of-sample ${fmt(f.outOfSample)}  DSR ${fmt(f.dsr ?? Number.NaN)}`,
          );
        }
        console.log(
          `\nout-of-sample equity ${fmt(final)} (${fmt((final / cash - 1) * 100)}%), efficiency ${fmt(res.efficiency)}`,
        );
        if (res.cancelled) console.error("cancelled: folds so far shown");
        return;
      }
      const res = await optimize(runner, common);
      bar.stop();
      reportFailures(res);
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({
            best: trialJson(res.best),
            top: res.top.map(trialJson),
            heatmap: heatmapRows(res.heatmap),
            method: res.method,
            objective: res.objective,
            trials: res.trials,
            overfit: res.overfit ?? null,
            failed: res.failed,
            cancelled: res.cancelled,
          })}\n`,
        );
        return;
      }
      const name = loaded.strategy.name ?? path.basename(loaded.file, ".ts");
      console.log(
        `${name} on ${symbol} ${timeframe}, ${bars.length} bars: ${res.method}, ${res.trials} trials, ${res.direction} ${res.objective} (${(res.elapsedMs / 1000).toFixed(1)} s)\n`,
      );
      if (!res.best) {
        console.log("no trial qualified");
        return;
      }
      console.log(topTable(res, names));
      console.log(`\nbest ${names.map((n) => `${n}=${res.best?.params[n]}`).join(" ")}\n`);
      console.log(statsTable(res.best.stats as unknown as Record<string, unknown>));
      if (res.overfit)
        console.log(
          `\ndeflated Sharpe ratio ${fmt(res.overfit.dsr)} over ${res.overfit.trials} trials (below 0.95: the best may be luck)`,
        );
      if (res.cancelled) console.error("cancelled: results so far shown");
    } finally {
      bar.stop();
      process.off("SIGINT", onSigint);
      await runner.close();
    }
  });
  program.addCommand(cmd);
}

/**
 * Trials whose backtest threw: when every one did, the strategy is broken and that is the error
 * (as backtesting.py's optimize raises what the strategy raises); when some did, a warning with the
 * first, so that "no trial qualified" never hides an exception.
 */
function reportFailures(res: OptimizeResult): void {
  const first = res.firstFailure;
  if (!first) return;
  const where = Object.entries(first.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  if (res.failed === res.trials && !res.cancelled)
    throw new Error(`every trial failed; the first, at ${where}: ${first.error}`);
  console.error(
    `warning: ${res.failed} of ${res.trials} trials failed; the first, at ${where}: ${first.error}`,
  );
}
