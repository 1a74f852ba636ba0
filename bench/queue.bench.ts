// The queue runner against the in-process runner, side by side: one sma-cross grid (200 cells) on
// synthetic 1-minute bars, run in this process (inProcessRunner: the floor for one core), then as
// BullMQ jobs on a local redis-server with 1, 2 and 4 `stom worker` processes. Two bar counts: a
// short series where a backtest costs about what a job's round trips cost (the Redis overhead is
// the figure), and a longer one where the backtest dominates (the scaling is). Each queued study is
// a fresh one (nothing reused from Redis) and must equal the in-process heatmap cell for cell.
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
import { queueRunner } from "../src/parallel/index.ts";
import { REDIS_SERVER, startRedis } from "../test/support/redis.ts";

const SIZES = [Number(process.argv[2] ?? 2_000), Number(process.argv[3] ?? 50_000)];
const WORKERS = [1, 2, 4];
const BIN = fileURLToPath(new URL("../bin/stom.js", import.meta.url));
const GRID = parseGrid(["fast=2:21:1", "slow=30:120:10"]);
const OPTIONS = { cash: 10_000, finalizeTrades: true };

if (!REDIS_SERVER) {
  console.log("skipped: redis-server is not on PATH");
  process.exit(0);
}
const dir = mkdtempSync(path.join(os.tmpdir(), "stom-queue-bench-"));
const redis = await startRedis();
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
  return async () => {
    await Promise.all(
      procs.map((p) => {
        const exited = new Promise((resolve) => p.once("exit", resolve));
        p.kill("SIGTERM");
        return exited;
      }),
    );
  };
}

interface Row {
  bars: number;
  runner: string;
  ms: number;
  trials: number;
}
const rows: Row[] = [];
for (const n of SIZES) {
  const frame = makeSampleBars({ bars: n, seed: 3 });
  const csv = path.join(dir, `bars-${n}.csv`);
  writeFileSync(csv, barsToCsv(frame));
  const bars = toBars(frame);
  // warm-up, then the floor
  await optimize(inProcessRunner(strategy.strategy, bars, OPTIONS), { space, trials: 20 });
  let t = performance.now();
  const local = await optimize(inProcessRunner(strategy.strategy, bars, OPTIONS), { space });
  rows.push({ bars: n, runner: "in-process (1 thread)", ms: performance.now() - t, trials: local.trials });
  const expected = JSON.stringify(heatmapRows(local.heatmap));
  for (const w of WORKERS) {
    const stop = await startWorkers(w, redis.url(0));
    try {
      const context = barsQueueContext({ strategy, data: csv, bars, options: OPTIONS });
      const study = studyId({ bench: Date.now(), n, w });
      const runner = await queueRunner(redis.url(0), { study, context, concurrency: w });
      try {
        t = performance.now();
        const res = await optimize(runner, { space });
        const ms = performance.now() - t;
        if (JSON.stringify(heatmapRows(res.heatmap)) !== expected)
          throw new Error(`${w} workers, ${n} bars: the heatmap differs from in-process`);
        rows.push({
          bars: n,
          runner: `queue, ${w} worker process${w > 1 ? "es" : ""}`,
          ms,
          trials: res.trials,
        });
      } finally {
        await runner.close();
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
console.log(`sma-cross grid of ${rows[0].trials} cells; every queued heatmap equal to the in-process one\n`);
console.log(
  `${"bars".padStart(7)}  ${"runner".padEnd(26)} ${"ms".padStart(7)} ${"jobs/s".padStart(8)} ${"ms/trial".padStart(9)} ${"× in-process".padStart(13)} ${"overhead ms/trial".padStart(18)}`,
);
for (const n of SIZES) {
  const base = rows.find((r) => r.bars === n && r.runner.startsWith("in-process")) as Row;
  for (const r of rows.filter((x) => x.bars === n)) {
    const per = r.ms / r.trials;
    const basePer = base.ms / base.trials;
    // a worker process runs one backtest at a time: its Redis cost per trial is its time per trial
    // (w workers together: w × wall per trial) beyond the in-process backtest
    const w = Number(/(\d+) worker/.exec(r.runner)?.[1] ?? 0);
    const overhead = w ? (per * w - basePer).toFixed(2) : "";
    console.log(
      `${n.toLocaleString("en-US").padStart(7)}  ${r.runner.padEnd(26)} ${r.ms.toFixed(0).padStart(7)} ${((r.trials / r.ms) * 1000).toFixed(0).padStart(8)} ${per.toFixed(2).padStart(9)} ${(base.ms / r.ms).toFixed(2).padStart(13)} ${overhead.padStart(18)}`,
    );
  }
}
