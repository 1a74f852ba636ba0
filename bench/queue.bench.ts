// The queue runner against the in-process runner, side by side: one sma-cross grid (544 cells) on
// synthetic 1-minute bars, run in this process (inProcessRunner: the floor for one core), then as
// BullMQ jobs on a local redis-server with 1, 2 and 4 `stom worker` processes, one backtest per job
// and chunked (--queue-chunk's default), and the 2-thread pool for reference. Two bar counts: a
// short series where a backtest costs about what a job's round trips cost (the Redis overhead is
// the figure), and a longer one where the backtest dominates (the scaling is). Each queued study is
// a fresh one (nothing reused from Redis; the workers have loaded the data in a warm-up study) and must equal the in-process heatmap cell for cell.
// Beside wall time, the CPU time of every process involved (bench/cpu.ts) per trial: on a shared
// machine it moves much less than wall time, and what the queue adds to it is its overhead.
//   node --import tsx bench/queue.bench.ts [short bars] [long bars]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { barsQueueContext, studyId } from "../src/app/queue-context.ts";
import { loadStrategy } from "../src/app/strategy-loader.ts";
import { barsToCsv } from "../src/data/formats/ohlcv-csv.ts";
import { makeSampleBars } from "../src/data/sample.ts";
import { toBars } from "../src/engine/index.ts";
import {
  heatmapRows,
  inProcessRunner,
  optimize,
  parseGrid,
  searchSpace,
} from "../src/engine/optimize/index.ts";
import { queueRunner, workerPool } from "../src/parallel/index.ts";
import { REDIS_SERVER, startRedis } from "../test/support/redis.ts";
import { cpuMeter, redisPid } from "./cpu.ts";

const SIZES = [Number(process.argv[2] ?? 300), Number(process.argv[3] ?? 20_000)];
const WORKERS = [1, 2, 4];
const BIN = fileURLToPath(new URL("../bin/stom.js", import.meta.url));
// 32 x 17 = 544 cells: one batch of 512 (auto chunk: jobs of 8) and one of 32 (jobs of 1)
const GRID = parseGrid(["fast=2:33:1", "slow=30:190:10"]);
const OPTIONS = { cash: 10_000, finalizeTrades: true };

if (!REDIS_SERVER) {
  console.log("skipped: redis-server is not on PATH");
  process.exit(0);
}
const dir = mkdtempSync(path.join(os.tmpdir(), "stom-queue-bench-"));
const redis = await startRedis();
const redisServerPid = await redisPid(redis.client());
const strategy = await loadStrategy("sma-cross");
const space = searchSpace(strategy.strategy.params, GRID);

async function startWorkers(n: number, url: string) {
  const procs = Array.from({ length: n }, () =>
    spawn(process.execPath, [BIN, "worker", "--queue", url, "--concurrency", "1"], {
      stdio: ["ignore", "ignore", "pipe"],
    }),
  );
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve, reject) => {
          let err = "";
          p.stderr?.on("data", (c) => {
            err += c;
            if (err.includes("ready on redis")) resolve();
          });
          p.once("exit", () => reject(new Error(`worker exited: ${err}`)));
        }),
    ),
  );
  const stop = async () => {
    await Promise.all(
      procs.map((p) => {
        const exited = new Promise((resolve) => p.once("exit", resolve));
        p.kill("SIGTERM");
        return exited;
      }),
    );
  };
  return { stop, pids: procs.map((p) => p.pid as number) };
}

interface Row {
  bars: number;
  runner: string;
  ms: number;
  trials: number;
  /** CPU ms of every process involved (this one and its threads, workers, redis-server) */
  cpu: number;
}
const rows: Row[] = [];
for (const n of SIZES) {
  const frame = makeSampleBars({ bars: n, seed: 3 });
  const csv = path.join(dir, `bars-${n}.csv`);
  writeFileSync(csv, barsToCsv(frame));
  const bars = toBars(frame);
  // warm-up, then the floor
  await optimize(inProcessRunner(strategy.strategy, bars, OPTIONS), { space, trials: 20 });
  // the baselines are the best of two runs (the machine is shared: this favours them, not the queue)
  let t = 0;
  let best = Number.POSITIVE_INFINITY;
  let cpu = Number.NaN;
  let local = await optimize(inProcessRunner(strategy.strategy, bars, OPTIONS), { space, trials: 1 });
  for (let k = 0; k < 2; k++) {
    const meter = cpuMeter();
    t = performance.now();
    local = await optimize(inProcessRunner(strategy.strategy, bars, OPTIONS), { space });
    const ms = performance.now() - t;
    if (ms < best) [best, cpu] = [ms, meter()];
  }
  rows.push({ bars: n, runner: "in-process (1 thread)", ms: best, trials: local.trials, cpu });
  const expected = JSON.stringify(heatmapRows(local.heatmap));
  // the thread pool on the same machine: what 2 cores give without Redis
  const pool = await workerPool(strategy.file, bars, OPTIONS, { workers: 2 });
  try {
    await optimize(pool, { space, trials: 20 });
    best = Number.POSITIVE_INFINITY;
    for (let k = 0; k < 2; k++) {
      const meter = cpuMeter();
      t = performance.now();
      await optimize(pool, { space });
      const ms = performance.now() - t;
      if (ms < best) [best, cpu] = [ms, meter()];
    }
    rows.push({ bars: n, runner: "thread pool, 2 threads", ms: best, trials: local.trials, cpu });
  } finally {
    await pool.close();
  }
  for (const w of WORKERS) {
    const { stop, pids } = await startWorkers(w, redis.url(0));
    try {
      const context = barsQueueContext({ strategy, data: csv, bars, options: OPTIONS });
      // a warm-up study on the same context: each worker loads the bars and the strategy once (a
      // cost per worker and study, not per trial), and it stays loaded for the timed studies
      const warm = await queueRunner(redis.url(0), { study: studyId({ warm: Date.now(), n, w }), context });
      await optimize(warm, { space, trials: 10 * w }).finally(() => warm.close());
      for (const chunk of [1, undefined]) {
        const study = studyId({ bench: Date.now(), n, w, chunk });
        const meter = cpuMeter([redisServerPid, ...pids]);
        const runner = await queueRunner(redis.url(0), { study, context, concurrency: w, chunk });
        try {
          t = performance.now();
          const res = await optimize(runner, { space });
          const ms = performance.now() - t;
          const used = meter();
          if (JSON.stringify(heatmapRows(res.heatmap)) !== expected)
            throw new Error(`${w} workers, ${n} bars: the heatmap differs from in-process`);
          const runner_ = `queue, ${w} worker${w > 1 ? "s" : ""}, ${chunk ? "1/job" : "auto chunk"}`;
          rows.push({ bars: n, runner: runner_, ms, trials: res.trials, cpu: used });
        } finally {
          await runner.close();
        }
      }
    } finally {
      await stop();
    }
  }
}
await redis.stop();
rmSync(dir, { recursive: true, force: true });

const cpu = os.cpus()[0]?.model.trim() ?? "unknown cpu";
console.log(
  `machine: ${cpu}, ${os.availableParallelism()} cores, node ${process.version}, load ${os.loadavg()[0].toFixed(1)}`,
);
console.log(
  `sma-cross grid of ${rows[0].trials} cells (auto chunk: 64 jobs of 8, then 32 of 1); every queued heatmap equal to the in-process one\n`,
);
console.log(
  `${"bars".padStart(7)}  ${"runner".padEnd(30)} ${"ms".padStart(7)} ${"jobs/s".padStart(8)} ${"ms/trial".padStart(9)} ${"× in-process".padStart(13)} ${"cpu ms/trial".padStart(13)}`,
);
for (const n of SIZES) {
  const at = (runner: string) => rows.find((r) => r.bars === n && r.runner.startsWith(runner)) as Row;
  const base = at("in-process");
  for (const r of rows.filter((x) => x.bars === n)) {
    console.log(
      `${n.toLocaleString("en-US").padStart(7)}  ${r.runner.padEnd(30)} ${r.ms.toFixed(0).padStart(7)} ${((r.trials / r.ms) * 1000).toFixed(0).padStart(8)} ${(r.ms / r.trials).toFixed(2).padStart(9)} ${(base.ms / r.ms).toFixed(2).padStart(13)} ${(r.cpu / r.trials).toFixed(2).padStart(13)}`,
    );
  }
  // one worker process runs one backtest at a time, so what its trial costs beyond the same
  // backtest in-process is the queue's: job fetch, lock, result write, completion, event, read-back
  const overhead = (r: Row) => ((r.ms - base.ms) / r.trials).toFixed(2);
  const cpuOverhead = (r: Row) => ((r.cpu - base.cpu) / r.trials).toFixed(2);
  const one = at("queue, 1 worker, 1/job");
  const chunked = at("queue, 1 worker, auto");
  console.log(
    `${" ".repeat(9)}Redis overhead per trial (1 worker − in-process): wall ${overhead(one)} ms one per job, ${overhead(chunked)} ms chunked; CPU of all processes ${cpuOverhead(one)} ms one per job, ${cpuOverhead(chunked)} ms chunked\n`,
  );
}
