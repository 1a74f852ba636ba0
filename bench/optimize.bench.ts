// Optimizer speed, side by side: a 10x10 SmaCross grid (fast 5..50 step 5, slow 20..200 step 20)
// on synthetic 1-minute bars (seeded random walk, 1,000,000 by default) with `stom optimize`'s
// worker pool (2 workers, bars in SharedArrayBuffers, indicator memo), against a single-threaded
// hand-written floor loop over typed arrays that runs the same 100 combinations (each SMA computed
// once, no stats) and must agree on every combination's trade count and final equity (the heatmap).
// The grid runs twice: through sma-cross's signals() (the default) and with next() on every bar
// (--no-signals). The optimizer screens: full stats only for the cells it reports (the top 10).
// Last, `stom optimize` runs the same grid as a user runs it, whole process, on the same bars.
//   node --import tsx bench/optimize.bench.ts [bars] [workers] [--no-screen]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildStale } from "../bin/library.mjs";
import { Catalog } from "../src/data/catalog/index.ts";
import { makeFrame } from "../src/data/frame.ts";
import { toBars } from "../src/engine/index.ts";
import { sma } from "../src/engine/indicators/index.ts";
import { heatmapRows, mulberry32, optimize, searchSpace } from "../src/engine/optimize/index.ts";
import type { workerPool as WorkerPool } from "../src/parallel/index.ts";

const N = Number(process.argv[2] ?? 1_000_000);
const WORKERS = Number(process.argv[3] ?? 2);
// the cells reported with full stats (stom optimize's --top default); the others are screened
const TOP = 10;
const SCREEN = process.argv[4] !== "--no-screen";
const CASH = 1_000_000;
const FAST = Array.from({ length: 10 }, (_, k) => 5 + 5 * k);
const SLOW = Array.from({ length: 10 }, (_, k) => 20 + 20 * k);
const STRATEGY = fileURLToPath(new URL("../notebooks/strategies/sma-cross.ts", import.meta.url));

function randomWalk(n: number, seed = 42) {
  const rand = mulberry32(seed);
  const cols = ["time", "open", "high", "low", "close", "volume"] as const;
  const c = Object.fromEntries(cols.map((k) => [k, new Float64Array(n)])) as Record<
    (typeof cols)[number],
    Float64Array
  >;
  let price = 100;
  const t0 = Date.UTC(2024, 0, 1);
  for (let k = 0; k < n; k++) {
    const o = price;
    const cl = Math.max(1, o * (1 + (rand() - 0.5) * 0.004));
    c.time[k] = t0 + k * 60_000;
    c.open[k] = o;
    c.close[k] = cl;
    c.high[k] = Math.max(o, cl) * (1 + rand() * 0.001);
    c.low[k] = Math.min(o, cl) * (1 - rand() * 0.001);
    c.volume[k] = 1 + Math.floor(rand() * 100);
    price = cl;
  }
  return { length: n, columns: c };
}

/** sma-cross's rules by hand: decide at bar i, fill at bar i+1's open, all-in whole units, finalize at the last open. */
function floorRun(
  open: Float64Array,
  fast: Float64Array,
  slow: Float64Array,
  start: number,
): { trades: number; equity: number } {
  const n = open.length;
  let cash = CASH;
  let size = 0;
  let entry = 0;
  let trades = 0;
  let pending = 0;
  for (let i = start; i < n; i++) {
    if (pending !== 0) {
      const price = open[i];
      if (size !== 0) {
        cash += size * (price - entry);
        trades++;
      }
      size = pending * Math.trunc((cash * (1 - Number.EPSILON)) / price);
      entry = price;
      pending = 0;
    }
    if (fast[i - 1] < slow[i - 1] && fast[i] > slow[i]) pending = 1;
    else if (fast[i - 1] > slow[i - 1] && fast[i] < slow[i]) pending = -1;
  }
  if (size !== 0) {
    cash += size * (open[n - 1] - entry);
    trades++;
  }
  return { trades, equity: cash };
}

function floorGrid(data: ReturnType<typeof randomWalk>): Map<string, { trades: number; equity: number }> {
  const { open, close } = data.columns;
  const cache = new Map<number, Float64Array>();
  const get = (n: number) => {
    let s = cache.get(n);
    if (!s) {
      s = sma(close, n);
      cache.set(n, s);
    }
    return s;
  };
  const out = new Map<string, { trades: number; equity: number }>();
  for (const f of FAST)
    for (const s of SLOW) out.set(`${f},${s}`, floorRun(open, get(f), get(s), Math.max(f, s)));
  return out;
}

// the pool as the `stom` CLI runs it: from the build (its threads load build/ too, 0.1 s each
// before their warm-up), unless a source is newer than the build; then from the sources (~1.5 s a thread)
const ROOT = new URL("..", import.meta.url);
const stale = buildStale(ROOT);
const { workerPool }: { workerPool: typeof WorkerPool } = stale
  ? await import("../src/parallel/index.ts")
  : await import(new URL("build/pool.js", ROOT).href);

const data = randomWalk(N);
const bars = toBars(data);
floorGrid(randomWalk(20_000, 7)); // JIT warm-up

const t = performance.now();
const faults0 = process.resourceUsage().minorPageFault;
const floor = floorGrid(data);
const floorMs = performance.now() - t;
const floorFaults = process.resourceUsage().minorPageFault - faults0;

const space = searchSpace(
  { fast: { default: 10, min: 2, max: 200 }, slow: { default: 30, min: 3, max: 500 } },
  {
    fast: { start: 5, end: 50, step: 5 },
    slow: { start: 20, end: 200, step: 20 },
  },
);

/** `stom optimize`'s grid on a fresh pool: through sma-cross's signals(), or next() on every bar. */
async function gridRun(signals: boolean) {
  let t = performance.now();
  const options = { cash: CASH, finalizeTrades: true, signals };
  const runner = await workerPool(STRATEGY, bars, options, { workers: WORKERS });
  const startMs = performance.now() - t;
  t = performance.now();
  let screened = 0;
  // every result's trade count (screened results have it too), by cell
  const tradesOf = new Map<string, number>();
  const counted = {
    ...runner,
    run: (...[tasks, onResult, screening]: Parameters<typeof runner.run>) => {
      const params = new Map(tasks.map((task) => [task.id, task.params]));
      return runner.run(
        tasks,
        (r) => {
          if (r.partial) screened++;
          const p = params.get(r.id);
          if (p && r.stats) tradesOf.set(`${p.fast},${p.slow}`, r.stats.trades);
          onResult(r);
        },
        screening,
      );
    },
  };
  const cpu0 = process.cpuUsage();
  // page faults of the whole process (its worker threads too): fresh memory, written the first time
  const faults0 = process.resourceUsage().minorPageFault;
  const res = await optimize(counted, { space, objective: "equityFinal", top: TOP, screen: SCREEN });
  const gridMs = performance.now() - t;
  const gridCpu = process.cpuUsage(cpu0);
  const faults = process.resourceUsage().minorPageFault - faults0;
  await runner.close();

  // every cell's trade count and final equity (the heatmap) against the floor's: the floor sizes with
  // its own arithmetic, which rounds a position one unit apart from the broker's now and then
  let mismatches = 0;
  const rows = heatmapRows(res.heatmap);
  for (const { params, value } of rows) {
    const key = `${params.fast},${params.slow}`;
    const f = floor.get(key);
    if (
      !f ||
      value === null ||
      tradesOf.get(key) !== f.trades ||
      Math.abs(value - f.equity) > 1e-4 * f.equity
    ) {
      mismatches++;
      console.error(
        `${key}: ${tradesOf.get(key)} trades, equity ${value}; the floor: ${f?.trades}, ${f?.equity}`,
      );
    }
  }
  if (res.trials !== 100 || rows.length !== 100 || res.top.length !== TOP || mismatches)
    throw new Error(`${res.trials} trials, ${mismatches} mismatches with the floor`);
  return { startMs, gridMs, cpuMs: (gridCpu.user + gridCpu.system) / 1000, faults, res, screened };
}

const viaSignals = await gridRun(true);
const viaNext = await gridRun(false);
if (JSON.stringify(viaSignals.res.heatmap) !== JSON.stringify(viaNext.res.heatmap))
  throw new Error("the heatmaps through signals() and next() differ");

/**
 * `stom optimize` as a user runs it, whole process (node's start, the CLI, reading the bars from a
 * catalog, the pool, the grid, the JSON out), on the same bars written to a temporary catalog; its
 * heatmap must be the in-process one. Best of `runs`. Undefined without a fresh build (the CLI would
 * run from the sources).
 */
async function cliRun(runs = 3): Promise<number | undefined> {
  if (stale) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "stom-bench-optimize-"));
  try {
    const catalog = await Catalog.open(dir);
    const frame = makeFrame({
      kind: "bars",
      market: "bench",
      symbol: "RW",
      timeframe: "1m",
      tz: "UTC",
      columns: data.columns,
    });
    await catalog.write([frame]);
    await catalog.close();
    const args = [
      fileURLToPath(new URL("bin/stom.js", ROOT)),
      ...["optimize", "sma-cross", "--data", "bench:RW:1m", "--catalog", dir, "--json"],
      ...["--grid", "fast=5:50:5", "--grid", "slow=20:200:20", "--maximize", "equityFinal"],
      ...["--cash", String(CASH), "--finalize-trades", "--workers", String(WORKERS)],
    ];
    let best = Number.POSITIVE_INFINITY;
    for (let k = 0; k < runs; k++) {
      const t = performance.now();
      const out = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 64 << 20 });
      const ms = performance.now() - t;
      if (out.status !== 0) throw new Error(`stom optimize failed: ${out.stderr}`);
      const rows = JSON.parse(out.stdout).heatmap as {
        params: Record<string, number>;
        value: number | null;
      }[];
      if (JSON.stringify(rows) !== JSON.stringify(heatmapRows(viaSignals.res.heatmap)))
        throw new Error("stom optimize's heatmap differs from the in-process one");
      best = Math.min(best, ms);
    }
    return best;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const cliMs = await cliRun();

const cpu = os.cpus()[0]?.model.trim() ?? "unknown cpu";
console.log(`machine: ${cpu}, ${os.availableParallelism()} cores, node ${process.version}`);
console.log(
  stale
    ? `the pool from the sources: ${stale}; no whole-process row (the CLI would run from the sources)`
    : "the pool from build/, as the stom CLI runs it",
);
console.log(
  `${N.toLocaleString("en-US")} one-minute bars, 10x10 sma-cross grid, every cell's trades and final equity checked against the floor; ${SCREEN ? `full stats for the cells that may reach the top ${TOP}` : "full stats for every cell"}\n`,
);
const table: [string, number][] = [
  [`stom optimize, ${WORKERS} workers, signals() (grid only)`, viaSignals.gridMs],
  [`  + starting ${WORKERS} workers and sharing bars`, viaSignals.startMs + viaSignals.gridMs],
  [`stom optimize --no-signals (next() on every bar)`, viaNext.gridMs],
  [`  + starting ${WORKERS} workers and sharing bars`, viaNext.startMs + viaNext.gridMs],
  ["floor loop, 1 thread (SMAs computed once)", floorMs],
];
if (cliMs !== undefined)
  table.splice(2, 0, ["`stom optimize` whole process, bars from a catalog (best of 3)", cliMs]);
console.log(`${"run".padEnd(64)} ${"ms".padStart(8)}  × floor`);
for (const [name, ms] of table)
  console.log(`${name.padEnd(64)} ${ms.toFixed(0).padStart(8)}  ${(ms / floorMs).toFixed(2)}`);
console.log(
  `\ngrid CPU time, all threads: signals() ${viaSignals.cpuMs.toFixed(0)} ms, next() ${viaNext.cpuMs.toFixed(0)} ms (load average ${os.loadavg()[0].toFixed(1)})`,
);
console.log(
  `page faults: signals() ${viaSignals.faults.toLocaleString("en-US")}, next() ${viaNext.faults.toLocaleString("en-US")}, the floor ${floorFaults.toLocaleString("en-US")}`,
);
console.log(
  `best ${JSON.stringify(viaSignals.res.best?.params)} both ways; cells screened out (no bar-pass stats): ${viaSignals.screened} and ${viaNext.screened}`,
);
