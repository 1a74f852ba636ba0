// The whole-market KRX day (../shared/data/krx, 2,190 series of 1-minute bars) as a universe
// backtest: sma-cross on every series, run in this thread (the floor for one core), on the thread
// pool (2 threads), and as BullMQ jobs on a local redis-server with 1, 2 and 4 `stom worker`
// processes, one backtest per job and chunked (--queue-chunk's default: 69 jobs of 32). Every
// queued table must equal the one-thread table byte for byte. Each configuration runs twice and
// the faster run counts (the machine's 2 cores are shared); the load average is printed with it.
// Beside wall time, the CPU time of every process involved (this one, the workers, redis-server,
// from /proc) per series: less sensitive to a busy machine, and what the queue adds is its overhead.
//   node --import tsx bench/universe.bench.ts [runs]
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { studyId } from "../src/app/queue-context.ts";
import { loadStrategy } from "../src/app/strategy-loader.ts";
import {
  hashedUniverseTasks,
  type UniverseResult,
  type UniverseTask,
  universeMembers,
  universeQueueContext,
  universeTaskFn,
} from "../src/app/universe.ts";
import { universeReport } from "../src/app/universe-report.ts";
import { Catalog } from "../src/data/catalog/index.ts";
import { readInputs } from "../src/data/formats/index.ts";
import type { Runner, TaskResult } from "../src/engine/optimize/runner.ts";
import { contextPool } from "../src/parallel/context-pool.ts";
import { queueRunner } from "../src/parallel/index.ts";
import { REDIS_SERVER, startRedis } from "../test/support/redis.ts";
import { cpuMeter, redisPid } from "./cpu.ts";

const RUNS = Number(process.argv[2] ?? 2);
const WORKERS = [1, 2, 4];
const TARBALL = fileURLToPath(
  new URL("../../shared/data/krx/creon_1m_20190920_all_symbols.tar.gz", import.meta.url),
);
const BIN = fileURLToPath(new URL("../bin/stom.js", import.meta.url));
const UNIVERSE = "krx:*:1m";
const OPTIONS = { cash: 10_000_000, finalizeTrades: true, params: {} };

if (!existsSync(TARBALL)) {
  console.log(
    `skipped: ${path.relative(process.cwd(), TARBALL)} is missing (../shared/data beside the checkout)`,
  );
  process.exit(0);
}
if (!REDIS_SERVER) {
  console.log("skipped: redis-server is not on PATH");
  process.exit(0);
}
const load = () => os.loadavg()[0].toFixed(1);
const loadBefore = load();
const dir = mkdtempSync(path.join(os.tmpdir(), "stom-universe-bench-"));
const catalogDir = path.join(dir, "catalog");
{
  const catalog = await Catalog.open(catalogDir);
  await catalog.write(readInputs([TARBALL]));
  await catalog.close();
}
const catalog = await Catalog.open(catalogDir, { readOnly: true });
const members = universeMembers(catalog.list(), UNIVERSE);
const bars = catalog.list().reduce((n, s) => n + s.rows, 0);
await catalog.close();
const strategy = await loadStrategy("sma-cross");
const redis = await startRedis();
const redisServerPid = await redisPid(redis.client());

/** Runs the tasks and returns the report's JSON. */
async function collect(runner: Runner, tasks: readonly UniverseTask[]): Promise<string> {
  const results = new Map<number, UniverseResult>();
  await runner.run(tasks, (r: TaskResult) => results.set(r.id, r as UniverseResult));
  if (results.size !== members.length) throw new Error(`${results.size} of ${members.length} reported`);
  return JSON.stringify(
    universeReport({ strategy: "sma-cross", universe: UNIVERSE, params: {}, members, results }),
  );
}

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
  const stop = () =>
    Promise.all(
      procs.map((p) => {
        const exited = new Promise((resolve) => p.once("exit", resolve));
        p.kill("SIGTERM");
        return exited;
      }),
    );
  return { stop, pids: procs.map((p) => p.pid as number) };
}

interface Row {
  runner: string;
  ms: number;
  /** backtests, and BullMQ jobs when queued */
  jobs: number;
  load: string;
  /** CPU ms of every process involved, in the fastest run */
  cpu: number;
}
const rows: Row[] = [];
const best = async (runner: string, jobs: number, pids: readonly number[], once: () => Promise<number>) => {
  let ms = Number.POSITIVE_INFINITY;
  let at = "";
  let cpu = Number.NaN;
  for (let k = 0; k < RUNS; k++) {
    const meter = cpuMeter(pids);
    const t = await once();
    const used = meter();
    if (t < ms) [ms, at, cpu] = [t, load(), used];
  }
  rows.push({ runner, ms, jobs, load: at, cpu });
};

// one thread: the floor (a warm-up first, untimed)
const plain = members.map((m, id) => ({ id, params: {}, ...m }));
let expected = "";
{
  const run = await universeTaskFn(strategy, OPTIONS, catalogDir);
  const runner: Runner = {
    concurrency: 1,
    run: async (tasks, onResult) => {
      for (const task of tasks) onResult(await run(task));
    },
    cancel() {},
    close: async () => {},
  };
  expected = await collect(runner, plain);
  await best("in-process, 1 thread", members.length, [], async () => {
    const t = performance.now();
    if ((await collect(runner, plain)) !== expected) throw new Error("one thread differs from itself");
    return performance.now() - t;
  });
  await run.close?.();
}

// the thread pool: its start (threads load tsx, the strategy, the catalog) apart from the run
let poolStart = 0;
{
  const t = performance.now();
  const pool = await contextPool(
    {
      module: new URL("../src/app/universe.ts", import.meta.url).href,
      load: "loadUniverseContext",
      context: universeQueueContext({ strategy, universe: UNIVERSE, catalog: catalogDir, options: OPTIONS }),
    },
    { workers: 2 },
  );
  poolStart = performance.now() - t;
  try {
    await best("thread pool, 2 threads", members.length, [], async () => {
      const t0 = performance.now();
      if ((await collect(pool, plain)) !== expected) throw new Error("the thread pool's table differs");
      return performance.now() - t0;
    });
  } finally {
    await pool.close();
  }
}

// the queue: the coordinator reads and hashes every series first (timed apart), then the jobs
let t = performance.now();
const hashed = await hashedUniverseTasks(members, catalogDir);
const hashMs = performance.now() - t;
const context = universeQueueContext({
  strategy,
  universe: UNIVERSE,
  universeHash: hashed.hash,
  catalog: catalogDir,
  options: OPTIONS,
});
for (const w of WORKERS) {
  const { stop, pids } = await startWorkers(w, redis.url(0));
  try {
    // a warm-up study on the same context: each worker loads the strategy and opens the catalog
    // once (a cost per worker and study, not per backtest)
    const warm = await queueRunner(redis.url(0), {
      study: studyId({ warm: Date.now(), w }),
      context,
      chunk: 1,
    });
    await warm.run(hashed.tasks.slice(0, 8 * w), () => {}).finally(() => warm.close());
    for (const chunk of [1, undefined]) {
      const jobs = chunk ? members.length : Math.ceil(members.length / 32);
      const name = `queue, ${w} worker${w > 1 ? "s" : ""}, ${chunk ? "1/job" : "auto chunk"}`;
      // the study's runner is made inside the timed run; its CPU counts (it is the coordinator's)
      await best(name, jobs, [redisServerPid, ...pids], async () => {
        const study = studyId({ bench: Date.now(), w, chunk });
        const runner = await queueRunner(redis.url(0), { study, context, concurrency: w, chunk });
        try {
          t = performance.now();
          const json = await collect(runner, hashed.tasks);
          const ms = performance.now() - t;
          if (json !== expected) throw new Error(`${name}: the table differs from one thread's`);
          return ms;
        } finally {
          await runner.close();
        }
      });
    }
  } finally {
    await stop();
  }
}
await redis.stop();
rmSync(dir, { recursive: true, force: true });

const cpu = os.cpus()[0]?.model.trim() ?? "unknown cpu";
console.log(
  `machine: ${cpu}, ${os.availableParallelism()} cores, node ${process.version}; load average ${loadBefore} at the start`,
);
console.log(
  `sma-cross on the KRX day: ${members.length} series, ${bars.toLocaleString("en-US")} bars; best of ${RUNS}; every table equal to one thread's, byte for byte`,
);
console.log(
  `thread pool start (2 threads): ${poolStart.toFixed(0)} ms; queue coordinator's read + sha256 of every series: ${hashMs.toFixed(0)} ms (both apart from the times below)\n`,
);
console.log(
  `${"runner".padEnd(30)} ${"ms".padStart(7)} ${"jobs".padStart(5)} ${"jobs/s".padStart(7)} ${"series/s".padStart(9)} ${"× 1 thread".padStart(11)} ${"cpu ms/series".padStart(14)} ${"load".padStart(5)}`,
);
const base = rows[0];
for (const r of rows)
  console.log(
    `${r.runner.padEnd(30)} ${r.ms.toFixed(0).padStart(7)} ${String(r.jobs).padStart(5)} ${((r.jobs / r.ms) * 1000).toFixed(0).padStart(7)} ${((members.length / r.ms) * 1000).toFixed(0).padStart(9)} ${(base.ms / r.ms).toFixed(2).padStart(11)} ${(r.cpu / members.length).toFixed(2).padStart(14)} ${r.load.padStart(5)}`,
  );
const at = (name: string) => rows.find((r) => r.runner === name) as Row;
// one worker runs one backtest at a time, so what a series costs beyond the same backtest in this
// thread is the queue's: job fetch, lock, result write, completion event, read-back
const overhead = (r: Row) => ((r.ms - base.ms) / members.length).toFixed(2);
const cpuOverhead = (r: Row) => ((r.cpu - base.cpu) / members.length).toFixed(2);
console.log(
  `\nRedis overhead per backtest (1 worker − 1 thread): wall ${overhead(at("queue, 1 worker, 1/job"))} ms one per job, ${overhead(at("queue, 1 worker, auto chunk"))} ms chunked; CPU of all processes ${cpuOverhead(at("queue, 1 worker, 1/job"))} ms one per job, ${cpuOverhead(at("queue, 1 worker, auto chunk"))} ms chunked`,
);
