/**
 * Data-path benchmarks: `node --import tsx bench/data.bench.ts`. Prints a table; writes only to a temp dir.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, freemem, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { Catalog } from "../src/data/catalog/index.ts";
import { readInputs } from "../src/data/formats/index.ts";
import { makeFrame } from "../src/data/frame.ts";

const DATA = new URL("../../shared/data/", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "stom-bench-"));
const results: [string, string, string][] = [];

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
}

function best(times: number[]): number {
  return Math.min(...times);
}

try {
  // 1. whole-market KRX day through readInputs
  {
    const catalog = await Catalog.open(join(work, "krx"));
    const [ms, r] = await time(() =>
      catalog.write(readInputs([join(DATA, "krx/creon_1m_20190920_all_symbols.tar.gz")])),
    );
    results.push([
      "import KRX tarball (readInputs + write)",
      `${r.rowsIn} rows, ${r.series} series`,
      `${ms.toFixed(0)} ms, ${((r.rowsIn / ms) * 1000).toFixed(0)} rows/s`,
    ]);
    await catalog.close();
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
    const reads: number[] = [];
    let rows = 0;
    for (let k = 0; k < 5; k++) {
      const [ms, f] = await time(() => catalog.read(key));
      reads.push(ms);
      rows = f.length;
    }
    results.push([
      "read 1M bars -> Float64Array x6 (best of 5)",
      `${rows} rows`,
      `${best(reads).toFixed(0)} ms (all: ${reads.map((x) => x.toFixed(0)).join(", ")})`,
    ]);
    const floors: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      const out = names.map(() => new Float64Array(n));
      for (let c = 0; c < names.length; c++) out[c].set(columns[names[c]]);
      floors.push(performance.now() - t0);
    }
    results.push([
      "floor: allocate + fill 6 x 1M Float64Array",
      `${n} rows`,
      `${best(floors).toFixed(1)} ms`,
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
const widths = [0, 1, 2].map((i) => Math.max(...results.map((r) => r[i].length)));
for (const r of results) console.log(r.map((v, i) => v.padEnd(widths[i])).join("  |  "));
