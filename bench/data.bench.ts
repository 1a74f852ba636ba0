/**
 * Data-path benchmarks: `node --import tsx bench/data.bench.ts`. Prints a table; writes only to a temp dir.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { cpus, freemem, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance as perf } from "node:perf_hooks";
import { DuckDBInstance } from "@duckdb/node-api";
import { fetchColumns } from "../src/data/catalog/duck.ts";
import type { WriteResult } from "../src/data/catalog/index.ts";
import { Catalog } from "../src/data/catalog/index.ts";
import { parseThreads, readInputs } from "../src/data/formats/index.ts";
import { type Frame, makeFrame } from "../src/data/frame.ts";

const DATA = new URL("../../shared/data/", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "stom-bench-"));
const results: [string, string, string][] = [];
const LOAD_AT_START = loadavg()
  .map((x) => x.toFixed(2))
  .join(", ");

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
}

function best(times: number[]): number {
  return Math.min(...times);
}

function walk(dir: string, visit: (path: string) => void): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, visit);
    else visit(full);
  }
}

/** bytes of the files under dir whose name ends with ext */
function du(dir: string, ext: string): number {
  let bytes = 0;
  walk(dir, (path) => {
    if (path.endsWith(ext)) bytes += statSync(path).size;
  });
  return bytes;
}

try {
  // 1. whole-market KRX day: parse only, write only (frames already in memory), end to end, each
  // single-threaded (--threads 1) and on worker threads (the idle cores but one, at least 2)
  {
    const tarball = join(DATA, "krx/creon_1m_20190920_all_symbols.tar.gz");
    // the workers run whatever the load (the default would pick 1 on a busy machine)
    const threads = Math.max(2, parseThreads(tarball, undefined, { load: 0 }));
    const parses: Record<number, number[]> = { 1: [], [threads]: [] };
    let frames: Frame[] = [];
    // the two modes alternate so that both see the same load (2 shared cores)
    for (let k = 0; k < 3; k++) {
      for (const t of [1, threads]) {
        const [ms, all] = await time(async () => {
          const out: Frame[] = [];
          for await (const f of readInputs([tarball], { threads: t })) out.push(f);
          return out;
        });
        parses[t].push(ms);
        frames = all;
      }
    }
    const rows = frames.reduce((n, f) => n + f.length, 0);
    const rate = (ms: number) => `${((rows / ms) * 1000).toFixed(0)} rows/s`;
    for (const t of [1, threads]) {
      results.push([
        `KRX tarball: parse only, ${t} thread(s) (readInputs, best of 3)`,
        `${rows} rows, ${frames.length} series`,
        `${best(parses[t]).toFixed(0)} ms, ${rate(best(parses[t]))}`,
      ]);
    }
    const writes: number[] = [];
    for (let k = 0; k < 3; k++) {
      const catalog = await Catalog.open(join(work, `krx-w${k}`));
      const [ms] = await time(() => catalog.write(frames));
      writes.push(ms);
      await catalog.close();
    }
    results.push([
      "KRX tarball: catalog write only (best of 3)",
      `${rows} rows`,
      `${best(writes).toFixed(0)} ms, ${rate(best(writes))}`,
    ]);
    const ends: Record<number, number[]> = { 1: [], [threads]: [] };
    const busy: Record<number, number[]> = { 1: [], [threads]: [] };
    const cpu: Record<number, number[]> = { 1: [], [threads]: [] };
    let r: WriteResult | undefined;
    for (let k = 0; k < 3; k++) {
      for (const t of [1, threads]) {
        const catalog = await Catalog.open(join(work, `krx-e${k}-${t}`));
        const elu = perf.eventLoopUtilization();
        const cpu0 = process.cpuUsage();
        const [ms, out] = await time(() => catalog.write(readInputs([tarball], { threads: t })));
        busy[t].push(perf.eventLoopUtilization(elu).active);
        // every thread's CPU time (workers, zlib, the file writer, the kernel's): steadier than wall
        // time on shared cores
        const used = process.cpuUsage(cpu0);
        cpu[t].push((used.user + used.system) / 1000);
        ends[t].push(ms);
        r = out;
        await catalog.close();
      }
    }
    // main-thread busy time < wall time: workers parsed, gunzip ran on libuv's threads meanwhile
    for (const t of [1, threads]) {
      results.push([
        `KRX tarball: end to end, ${t} thread(s) (readInputs + write, best of 3)`,
        `${r?.rowsIn} rows, ${r?.filesWritten} files`,
        `${best(ends[t]).toFixed(0)} ms, ${rate(best(ends[t]))} (main thread busy ${best(busy[t]).toFixed(0)} ms, process CPU ${best(cpu[t]).toFixed(0)} ms; all: ${ends[t].map((x) => x.toFixed(0)).join(", ")})`,
      ]);
    }
    results.push([
      `KRX tarball: end to end, ${threads} threads vs 1`,
      "",
      `${(best(ends[1]) / best(ends[threads])).toFixed(2)}x faster`,
    ]);
    const catalog = await Catalog.open(join(work, `krx-e0-${threads}`));
    const [again] = await time(() => catalog.write(frames));
    results.push(["KRX tarball: re-import (no-op)", `${rows} rows`, `${again.toFixed(0)} ms`]);
    await catalog.close();
    results.push([
      "KRX catalog on disk (Parquet, plain, uncompressed)",
      `${rows} rows`,
      `${(du(join(work, `krx-e0-${threads}`), ".parquet") / 2 ** 20).toFixed(1)} MiB`,
    ]);
  }
  // 2. the BTC/USDT month
  {
    const catalog = await Catalog.open(join(work, "btc"));
    const [ms, r] = await time(() =>
      catalog.write(readInputs([join(DATA, "binance/justinbomber_BTC_USDT-1m.json")], { market: "binance" })),
    );
    results.push([
      "import BTC/USDT 1m month",
      `${r.rowsIn} rows`,
      `${ms.toFixed(0)} ms, ${((r.rowsIn / ms) * 1000).toFixed(0)} rows/s`,
    ]);
    const [again] = await time(() =>
      catalog.write(readInputs([join(DATA, "binance/justinbomber_BTC_USDT-1m.json")], { market: "binance" })),
    );
    results.push(["re-import same month (no-op)", `${r.rowsIn} rows`, `${again.toFixed(0)} ms`]);
    await catalog.close();
  }
  // 3. one-symbol read of 1M bars vs the floor of allocating and filling the same arrays
  {
    const n = 1_000_000;
    const names = ["time", "open", "high", "low", "close", "volume"];
    const columns = Object.fromEntries(names.map((name) => [name, new Float64Array(n)])) as Record<
      string,
      Float64Array
    >;
    let price = 100;
    for (let i = 0; i < n; i++) {
      columns.time[i] = Date.UTC(2020, 0, 1) + i * 60_000;
      price *= 1 + (((i * 2654435761) % 1000) - 500) / 1e6;
      columns.open[i] = price;
      columns.high[i] = price * 1.001;
      columns.low[i] = price * 0.999;
      columns.close[i] = price;
      columns.volume[i] = (i % 97) + 1;
    }
    const frame = makeFrame({
      kind: "bars",
      market: "custom",
      symbol: "SYN",
      timeframe: "1m",
      tz: "UTC",
      columns,
    });
    const catalog = await Catalog.open(join(work, "syn"));
    const [writeMs] = await time(() => catalog.write([frame]));
    results.push([
      "write 1M synthetic bars",
      `${n} rows`,
      `${writeMs.toFixed(0)} ms, ${((n / writeMs) * 1000).toFixed(0)} rows/s`,
    ]);
    const key = { kind: "bars", market: "custom", symbol: "SYN", timeframe: "1m" } as const;
    results.push([
      "1M bars on disk",
      `${n} rows`,
      `${(du(join(work, "syn"), ".parquet") / 2 ** 20).toFixed(1)} MiB`,
    ]);
    // read and floor alternate so that both see the same load (2 shared cores)
    const reads: number[] = [];
    const floors: number[] = [];
    let rows = 0;
    for (let k = 0; k < 9; k++) {
      const [ms, f] = await time(() => catalog.read(key));
      reads.push(ms);
      rows = f.length;
      const t0 = performance.now();
      const out = names.map(() => new Float64Array(n));
      for (let c = 0; c < names.length; c++) out[c].set(columns[names[c]]);
      floors.push(performance.now() - t0);
    }
    const floor = best(floors);
    results.push([
      "floor: allocate + fill 6 x 1M Float64Array (best of 9)",
      `${n} rows`,
      `${floor.toFixed(1)} ms`,
    ]);
    results.push([
      "read 1M bars -> Float64Array x6 (best of 9)",
      `${rows} rows`,
      `${best(reads).toFixed(1)} ms = ${(best(reads) / floor).toFixed(2)} x floor (all: ${reads.map((x) => x.toFixed(0)).join(", ")})`,
    ]);
    const ranged: number[] = [];
    let rangedRows = 0;
    for (let k = 0; k < 5; k++) {
      const [ms, f] = await time(() =>
        catalog.read({ ...key, start: Date.UTC(2020, 6, 1), end: Date.UTC(2021, 0, 1), columns: ["close"] }),
      );
      ranged.push(ms);
      rangedRows = f.length;
    }
    results.push([
      "read 2020-07..12 close only (range + subset, best of 5)",
      `${rangedRows} rows`,
      `${best(ranged).toFixed(1)} ms`,
    ]);
    // the old path, for comparison: DuckDB scans the same files and the result is fetched into typed arrays
    const files: string[] = [];
    walk(join(work, "syn"), (path) => {
      if (path.endsWith(".parquet")) files.push(path);
    });
    const con = (catalog as unknown as { con: import("@duckdb/node-api").DuckDBConnection }).con;
    const duck: number[] = [];
    for (let k = 0; k < 3; k++) {
      const [ms] = await time(async () =>
        fetchColumns(
          await con.run(
            `select time::DOUBLE as time, open, high, low, close, volume from read_parquet([${files.map((f) => `'${f}'`).join(", ")}]) order by time`,
          ),
        ),
      );
      duck.push(ms);
    }
    results.push([
      "same 1M bars through DuckDB scan + fetch (best of 3)",
      `${n} rows`,
      `${best(duck).toFixed(0)} ms`,
    ]);
    const [sqlMs] = await time(() =>
      catalog.query("select time, open, high, low, close, volume from bars where symbol = 'SYN'"),
    );
    results.push([
      "same rows through catalog.query (DuckDB, row objects)",
      `${n} rows`,
      `${sqlMs.toFixed(0)} ms`,
    ]);
    await catalog.close();
  }
  // 4. GROUP BY over 10M synthetic ticks in DuckDB
  {
    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    await con.run(
      "create table ticks as select (i % 500)::INTEGER as symbol, 1.6e12::BIGINT + i * 10 as time, 100 + (i % 1000) / 10.0 as price, (i % 7) + 1.0 as amount from range(10000000) t(i)",
    );
    const runs: number[] = [];
    for (let k = 0; k < 3; k++) {
      const [ms] = await time(() =>
        con.runAndReadAll(
          "select symbol, count(*), sum(price * amount) / sum(amount) as vwap, max(price), min(price) from ticks group by symbol",
        ),
      );
      runs.push(ms);
    }
    results.push([
      "DuckDB GROUP BY over 10M ticks (500 groups, best of 3)",
      "10000000 rows",
      `${best(runs).toFixed(0)} ms`,
    ]);
    con.closeSync();
    instance.closeSync();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(
  `machine: ${cpus()[0]?.model} x ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} free), node ${process.version}`,
);
// the cores are shared: numbers taken under load are not comparable
console.log(
  `load average at the end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(", ")} (at the start: ${LOAD_AT_START})`,
);
const widths = [0, 1, 2].map((i) => Math.max(...results.map((r) => r[i].length)));
for (const r of results) console.log(r.map((v, i) => v.padEnd(widths[i])).join("  |  "));
