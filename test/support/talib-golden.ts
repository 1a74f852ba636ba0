// Writes test/engine/fixtures/talib-golden.json: outputs of the real TA-Lib C library on real STOM minute
// bars, for test/engine/indicators/talib.test.ts. Optionally (--check) compares the TypeScript port against the C
// library on every row of every symbol instead of the fixture's sample, and prints the counts.
//
// TA-Lib comes from the npm package `talib` (node binding that compiles TA-Lib's C sources). Its
// install script fails on Linux (it ships macOS archives), so build it by hand, outside the repo:
//
//   mkdir -p /tmp/talibcheck && cd /tmp/talibcheck && npm pack talib@2.0.5 && tar xzf talib-2.0.5.tgz
//   cd package && rm -f src/lib/lib/*.a && (cd src/lib/make/csr/linux/g++ && make)
//   npm install --no-save --ignore-scripts nan@2 && npx node-gyp rebuild        # → build/Release/talib.node
//
// talib 2.0.5 bundles TA-Lib 0.6.0-dev. For TA-Lib 0.4.0 (what python TA-Lib 0.4.x, and STOM, link),
// copy that package, replace src/lib/src/ta_func/ta_utility.h and the ported ta_*.c files with the 0.4.0
// ones (ta-lib-0.4.0-src.tar.gz) and build again. The two differ, for these functions, only in TA_EPSILON.
//
//   npx tsx test/support/talib-golden.ts --talib040 <0.4.0 talib.node> --talib060 <0.6 talib.node> [--check]
//
// Data: /work/shared/data/stom/dbs/{stock_min_movers_vi_rich,coin_min_shift5}.db.gz (STOM's own minute DB
// layout); close = 현재가, high = 분봉고가, low = 분봉저가, volume = 분당거래대금, as STOM's minute engines pass them.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import Database from "better-sqlite3";
import * as ta from "../../src/engine/indicators/talib/index.ts";
import { DATA_DIR } from "./csv.ts";

type Inputs = "high" | "low" | "close" | "volume";

/** One TA-Lib call: python's function name, its inputs in order and python's keyword options. */
export interface GoldenSpec {
  readonly fn: string;
  readonly inputs: readonly Inputs[];
  readonly params: Readonly<Record<string, number>>;
}

/** The rows whose values a golden stores: the first 10 from the first value, then every 14th, then the last. */
export function goldenRows(begIdx: number, n: number): number[] {
  const rows: number[] = [];
  for (let i = begIdx; i < n && i < begIdx + 10; i++) rows.push(i);
  for (let i = begIdx + 10 + 13; i < n - 1; i += 14) rows.push(i);
  if (n - 1 >= begIdx + 10) rows.push(n - 1);
  return rows;
}

const HLCV: Inputs[] = ["high", "low", "close", "volume"];
const HLC: Inputs[] = ["high", "low", "close"];
const HL: Inputs[] = ["high", "low"];
const C: Inputs[] = ["close"];
const MATYPES = [0, 1, 2, 3, 4, 5, 6, 7, 8];

const spec = (fn: string, inputs: Inputs[], params: Record<string, number> = {}): GoldenSpec => ({
  fn,
  inputs,
  params,
});

/** The calls STOM makes with utility/setting.py's indi_base values (the settings texts usually pick). */
export const STOM_BASE_SPECS: readonly GoldenSpec[] = [
  spec("AD", HLCV),
  spec("ADOSC", HLCV, { fastperiod: 3, slowperiod: 10 }),
  spec("ADXR", HLC, { timeperiod: 14 }),
  spec("APO", C, { fastperiod: 12, slowperiod: 26, matype: 0 }),
  spec("AROON", HL, { timeperiod: 14 }),
  spec("ATR", HLC, { timeperiod: 14 }),
  spec("BBANDS", C, { timeperiod: 5, nbdevup: 2, nbdevdn: 2, matype: 0 }),
  spec("CCI", HLC, { timeperiod: 14 }),
  spec("MINUS_DI", HLC, { timeperiod: 14 }),
  spec("PLUS_DI", HLC, { timeperiod: 14 }),
  spec("MACD", C, { fastperiod: 12, slowperiod: 26, signalperiod: 9 }),
  spec("MFI", HLCV, { timeperiod: 14 }),
  spec("MOM", C, { timeperiod: 10 }),
  spec("OBV", ["close", "volume"]),
  spec("PPO", C, { fastperiod: 12, slowperiod: 26, matype: 0 }),
  spec("ROC", C, { timeperiod: 10 }),
  spec("RSI", C, { timeperiod: 14 }),
  spec("SAR", HL, { acceleration: 0.02, maximum: 0.2 }),
  spec("STOCH", HLC, { fastk_period: 5, slowk_period: 3, slowk_matype: 0, slowd_period: 3, slowd_matype: 0 }),
  spec("STOCHF", HLC, { fastk_period: 5, fastd_period: 3, fastd_matype: 0 }),
  spec("WILLR", HLC, { timeperiod: 14 }),
];

/** Every ported function, with option values that reach each branch of the C code. */
export const ALL_SPECS: readonly GoldenSpec[] = [
  ...STOM_BASE_SPECS,
  spec("ADOSC", HLCV, { fastperiod: 10, slowperiod: 3 }),
  spec("ADX", HLC, { timeperiod: 14 }),
  spec("ADXR", HLC, { timeperiod: 5 }),
  ...MATYPES.filter((m) => m !== 0).map((m) => spec("APO", C, { fastperiod: 12, slowperiod: 26, matype: m })),
  spec("APO", C, { fastperiod: 26, slowperiod: 12, matype: 1 }),
  spec("AROON", HL, { timeperiod: 5 }),
  spec("ATR", HLC, { timeperiod: 1 }),
  ...MATYPES.filter((m) => m !== 0).map((m) =>
    spec("BBANDS", C, { timeperiod: 5, nbdevup: 2, nbdevdn: 2, matype: m }),
  ),
  spec("BBANDS", C, { timeperiod: 20, nbdevup: 1, nbdevdn: 1, matype: 0 }),
  spec("BBANDS", C, { timeperiod: 20, nbdevup: 1, nbdevdn: 2.5, matype: 0 }),
  spec("BBANDS", C, { timeperiod: 20, nbdevup: 2, nbdevdn: 1, matype: 1 }),
  spec("BBANDS", C, { timeperiod: 20, nbdevup: 1.5, nbdevdn: 2.5, matype: 0 }),
  spec("CCI", HLC, { timeperiod: 40 }),
  spec("MINUS_DI", HLC, { timeperiod: 1 }),
  spec("PLUS_DI", HLC, { timeperiod: 1 }),
  spec("MACD", C, { fastperiod: 26, slowperiod: 12, signalperiod: 9 }),
  spec("MACD", C, { fastperiod: 5, slowperiod: 10, signalperiod: 2 }),
  spec("MOM", C, { timeperiod: 1 }),
  ...MATYPES.filter((m) => m !== 0).map((m) => spec("PPO", C, { fastperiod: 12, slowperiod: 26, matype: m })),
  spec("RSI", C, { timeperiod: 2 }),
  spec("SAR", HL, { acceleration: 0.3, maximum: 0.2 }),
  spec("SAR", HL, { acceleration: 0, maximum: 0.2 }),
  ...MATYPES.filter((m) => m !== 0).map((m) =>
    spec("STOCH", HLC, {
      fastk_period: 5,
      slowk_period: 3,
      slowk_matype: m,
      slowd_period: 3,
      slowd_matype: m,
    }),
  ),
  spec("STOCH", HLC, {
    fastk_period: 14,
    slowk_period: 1,
    slowk_matype: 0,
    slowd_period: 1,
    slowd_matype: 0,
  }),
  ...MATYPES.filter((m) => m !== 0).map((m) =>
    spec("STOCHF", HLC, { fastk_period: 5, fastd_period: 3, fastd_matype: m }),
  ),
  ...MATYPES.map((m) => spec("MA", C, { timeperiod: 30, matype: m })),
  spec("MA", C, { timeperiod: 1, matype: 0 }),
  spec("MAMA", C, { fastlimit: 0.5, slowlimit: 0.05 }),
  spec("STDDEV", C, { timeperiod: 5, nbdev: 1 }),
  spec("STDDEV", C, { timeperiod: 10, nbdev: 2 }),
  spec("TRANGE", HLC),
  spec("MINUS_DM", HL, { timeperiod: 14 }),
  spec("MINUS_DM", HL, { timeperiod: 1 }),
];

/**
 * Calls whose result depends on TA_EPSILON (1e-8 in TA-Lib 0.4.0, 1e-14 in 0.6), on tiny prices: the
 * stock bars × 1e-7 (variances between the two epsilons: STDDEV, BBANDS) and × 1e-12 (moves and prices
 * between them: RSI, DI, ADX, KAMA, PPO).
 */
export const EPSILON_SPECS: Readonly<Record<"tinyA" | "tinyB", readonly GoldenSpec[]>> = {
  tinyA: [
    spec("STDDEV", C, { timeperiod: 5, nbdev: 1 }),
    spec("BBANDS", C, { timeperiod: 5, nbdevup: 2, nbdevdn: 2, matype: 0 }),
    spec("BBANDS", C, { timeperiod: 5, nbdevup: 2, nbdevdn: 2, matype: 1 }),
  ],
  tinyB: [
    spec("RSI", C, { timeperiod: 14 }),
    spec("MINUS_DI", HLC, { timeperiod: 14 }),
    spec("PLUS_DI", HLC, { timeperiod: 14 }),
    spec("MINUS_DI", HLC, { timeperiod: 1 }),
    spec("ADX", HLC, { timeperiod: 14 }),
    spec("ADXR", HLC, { timeperiod: 14 }),
    spec("MA", C, { timeperiod: 10, matype: 6 }),
    spec("APO", C, { fastperiod: 12, slowperiod: 26, matype: 6 }),
    spec("PPO", C, { fastperiod: 12, slowperiod: 26, matype: 0 }),
  ],
};

/** python keyword → TA-Lib abstract option name (what the node binding takes). */
const OPT_NAMES: Record<string, string> = {
  timeperiod: "optInTimePeriod",
  fastperiod: "optInFastPeriod",
  slowperiod: "optInSlowPeriod",
  signalperiod: "optInSignalPeriod",
  matype: "optInMAType",
  nbdevup: "optInNbDevUp",
  nbdevdn: "optInNbDevDn",
  nbdev: "optInNbDev",
  acceleration: "optInAcceleration",
  maximum: "optInMaximum",
  fastk_period: "optInFastK_Period",
  slowk_period: "optInSlowK_Period",
  slowk_matype: "optInSlowK_MAType",
  slowd_period: "optInSlowD_Period",
  slowd_matype: "optInSlowD_MAType",
  fastd_period: "optInFastD_Period",
  fastd_matype: "optInFastD_MAType",
  fastlimit: "optInFastLimit",
  slowlimit: "optInSlowLimit",
  vfactor: "optInVFactor",
};

/** python output order → the binding's output names. */
const OUT_NAMES: Record<string, string[]> = {
  AROON: ["outAroonDown", "outAroonUp"],
  BBANDS: ["outRealUpperBand", "outRealMiddleBand", "outRealLowerBand"],
  MACD: ["outMACD", "outMACDSignal", "outMACDHist"],
  MAMA: ["outMAMA", "outFAMA"],
  STOCH: ["outSlowK", "outSlowD"],
  STOCHF: ["outFastK", "outFastD"],
};

interface Binding {
  execute(p: Record<string, unknown>): {
    begIndex: number;
    nbElement: number;
    result: Record<string, number[]>;
  };
}

export type Bars = Record<Inputs, Float64Array>;

/** One call of the C library through the binding: outputs in python order, NaN where TA-Lib wrote nothing. */
function callC(lib: Binding, s: GoldenSpec, bars: Bars, start: number, end: number): Float64Array[] {
  const p: Record<string, unknown> = { name: s.fn, startIdx: start, endIdx: end };
  // the binding reads every array up to endIdx only; pass exactly [0, end]
  const slice = (a: Float64Array) => Array.from(a.subarray(0, end + 1));
  if (s.fn === "OBV") {
    p.inReal = slice(bars.close);
    p.volume = slice(bars.volume);
  } else if (s.inputs.length === 1) p.inReal = slice(bars.close);
  else for (const k of s.inputs) p[k] = slice(bars[k]);
  for (const [k, v] of Object.entries(s.params)) p[OPT_NAMES[k]] = v;
  const r = lib.execute(p);
  const names = OUT_NAMES[s.fn] ?? ["outReal"];
  return names.map((name) => {
    const out = new Float64Array(end + 1).fill(Number.NaN);
    const vals = r.result[name];
    for (let k = 0; k < r.nbElement; k++) out[r.begIndex + k] = vals[k];
    return out;
  });
}

/** python talib.<fn>(...) semantics from the C library: whole-range call, values at their index. */
export function fullC(lib: Binding, s: GoldenSpec, bars: Bars): Float64Array[] {
  return callC(lib, s, bars, 0, bars.close.length - 1);
}

/** python talib.stream.<fn>(x[:i+1]) for every i, from the C library: startIdx = endIdx = i. */
export function streamC(lib: Binding, s: GoldenSpec, bars: Bars): Float64Array[] {
  const n = bars.close.length;
  const nOut = (OUT_NAMES[s.fn] ?? ["outReal"]).length;
  const outs = Array.from({ length: nOut }, () => new Float64Array(n).fill(Number.NaN));
  for (let i = 0; i < n; i++) {
    const r = callC(lib, s, bars, i, i);
    for (let k = 0; k < nOut; k++) outs[k][i] = r[k][i];
  }
  return outs;
}

/** The port, python function API. */
export function fullTs(s: GoldenSpec, bars: Bars, epsilon: number): Float64Array[] {
  const f = (ta.talib as unknown as Record<string, (...a: unknown[]) => Float64Array | Float64Array[]>)[s.fn];
  const r = f(...s.inputs.map((k) => bars[k]), { ...s.params, epsilon });
  return r instanceof Float64Array ? [r] : r;
}

/** The port, stream API on every prefix. */
export function streamTs(s: GoldenSpec, bars: Bars, epsilon: number): Float64Array[] {
  const f = (ta.stream as unknown as Record<string, (...a: unknown[]) => number | number[]>)[s.fn];
  const n = bars.close.length;
  let outs: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const r = f(...s.inputs.map((k) => bars[k].subarray(0, i + 1)), { ...s.params, epsilon });
    const v = typeof r === "number" ? [r] : r;
    if (i === 0) outs = v.map(() => new Float64Array(n));
    for (let k = 0; k < v.length; k++) outs[k][i] = v[k];
  }
  return outs;
}

/** Bars of one symbol from a STOM minute DB, as the minute engines read them. */
export function stomMinuteBars(dbPath: string, code: string): Bars & { index: Float64Array } {
  const db = new Database(dbPath, { readonly: true });
  const rows = db
    .prepare(`SELECT "index", 현재가, 분봉고가, 분봉저가, 분당거래대금 FROM "${code}" ORDER BY "index"`)
    .all() as Record<string, number>[];
  db.close();
  const col = (k: string) => Float64Array.from(rows, (r) => r[k]);
  return {
    index: col("index"),
    close: col("현재가"),
    high: col("분봉고가"),
    low: col("분봉저가"),
    volume: col("분당거래대금"),
  };
}

/** gunzips one of the shared STOM DBs into a temporary directory. */
export function shareDb(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "talib-golden-"));
  const out = path.join(dir, `${name}.db`);
  writeFileSync(out, gunzipSync(readFileSync(path.join(DATA_DIR, "stom/dbs", `${name}.db.gz`))));
  return out;
}

export function b64(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

function scaled(bars: Bars, n: number, factor: number): Bars {
  const s = (a: Float64Array) => a.subarray(0, n).map((v) => v * factor);
  return { high: s(bars.high), low: s(bars.low), close: s(bars.close), volume: bars.volume.slice(0, n) };
}

function firstValue(a: Float64Array): number {
  let i = 0;
  while (i < a.length && Number.isNaN(a[i])) i++;
  return i;
}

/** relative difference, 0 for equal values (NaN = NaN), Infinity when only one is NaN */
export function relDiff(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b))
    return Number.isNaN(a) && Number.isNaN(b) ? 0 : Number.POSITIVE_INFINITY;
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

function main(): void {
  const args = process.argv.slice(2);
  const arg = (k: string) => {
    const i = args.indexOf(k);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const require = createRequire(import.meta.url);
  const lib040 = require(arg("--talib040") ?? "/tmp/talibcheck/build040/build/Release/talib.node") as Binding;
  const lib060 = require(arg("--talib060") ?? "/tmp/talibcheck/build2/build/Release/talib.node") as Binding;
  const stockDb = shareDb("stock_min_movers_vi_rich");
  const coinDb = shareDb("coin_min_shift5");
  const stock = stomMinuteBars(stockDb, "025870");
  const coinAll = stomMinuteBars(coinDb, "KRW-BTC");
  const coin: Bars = {
    high: coinAll.high.slice(0, 240),
    low: coinAll.low.slice(0, 240),
    close: coinAll.close.slice(0, 240),
    volume: coinAll.volume.slice(0, 240),
  };
  const tinyA = scaled(stock, 80, 1e-7);
  const tinyB = scaled(stock, 80, 1e-12);

  if (args.includes("--check")) {
    check(lib040, lib060, stockDb, coinAll);
    return;
  }

  const datasets: Record<string, Bars> = { stock, coin, tinyA, tinyB };
  const cases: unknown[] = [];
  const add = (dataset: string, s: GoldenSpec, version: "0.4.0" | "0.6.0-dev", lib: Binding) => {
    const bars = datasets[dataset];
    for (const mode of ["full", "stream"] as const) {
      const outs = mode === "full" ? fullC(lib, s, bars) : streamC(lib, s, bars);
      const begIdx = firstValue(outs[0]);
      const rows = goldenRows(begIdx, bars.close.length);
      cases.push({
        dataset,
        version,
        mode,
        ...s,
        begIdx,
        outputs: outs.map((o) => b64(Float64Array.from(rows, (i) => o[i]))),
      });
    }
  };
  for (const s of ALL_SPECS) add("stock", s, "0.4.0", lib040);
  for (const s of STOM_BASE_SPECS) add("coin", s, "0.4.0", lib040);
  for (const d of ["tinyA", "tinyB"] as const)
    for (const s of EPSILON_SPECS[d]) {
      add(d, s, "0.4.0", lib040);
      add(d, s, "0.6.0-dev", lib060);
    }
  const fixture = {
    comment:
      "Outputs of the TA-Lib C library (0.4.0 and 0.6.0-dev, built from source through the npm package talib 2.0.5) " +
      "on STOM minute bars (stock_min_movers_vi_rich.db 025870 and coin_min_shift5.db KRW-BTC; close=현재가, " +
      "high=분봉고가, low=분봉저가, volume=분당거래대금; tinyA/tinyB = the stock bars × 1e-7 / 1e-12). mode full = " +
      "python talib.<fn>(...) (one call over the whole range), mode stream = talib.stream.<fn>(x[:i+1]) at each row i. " +
      "Values are little-endian float64 in base64 at the rows goldenRows(begIdx, rows) of test/support/talib-golden.ts; " +
      "NaN before begIdx. Regenerate: npx tsx test/support/talib-golden.ts (see its header).",
    datasets: Object.fromEntries(
      Object.entries(datasets).map(([k, b]) => [
        k,
        {
          rows: b.close.length,
          high: b64(b.high),
          low: b64(b.low),
          close: b64(b.close),
          volume: b64(b.volume),
        },
      ]),
    ),
    cases,
  };
  const out = path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    "../engine/fixtures/talib-golden.json",
  );
  writeFileSync(out, `${JSON.stringify(fixture, null, 2)}\n`);
  // the repo's formatter owns JSON layout under test/
  execFileSync(path.resolve(path.dirname(out), "../../../node_modules/.bin/biome"), [
    "format",
    "--write",
    out,
  ]);
  process.stderr.write(`wrote ${out}: ${cases.length} cases\n`);
}

/** Port vs C on every row of every symbol: counts and the largest relative difference per function. */
function check(lib040: Binding, lib060: Binding, stockDb: string, coin: Bars): void {
  const db = new Database(stockDb, { readonly: true });
  const codes = (db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[])
    .map((r) => r.name)
    .filter((n) => /^\d{6}$/.test(n));
  db.close();
  const sets: [string, Bars][] = codes.map((c) => [c, stomMinuteBars(stockDb, c)]);
  sets.push(["KRW-BTC", coin]);
  const stats = new Map<string, { n: number; max: number; where: string }>();
  const note = (key: string, a: Float64Array[], b: Float64Array[], where: string) => {
    const st = stats.get(key) ?? { n: 0, max: 0, where: "" };
    for (let k = 0; k < a.length; k++)
      for (let i = 0; i < a[k].length; i++) {
        const d = relDiff(a[k][i], b[k][i]);
        st.n++;
        if (d > st.max) {
          st.max = d;
          st.where = `${where} out${k} row ${i}: ${a[k][i]} vs ${b[k][i]}`;
        }
      }
    stats.set(key, st);
  };
  for (const [name, bars] of sets)
    for (const s of ALL_SPECS) {
      const key = `${s.fn} ${JSON.stringify(s.params)}`;
      note(`${key} full`, fullTs(s, bars, ta.TA_EPSILON_040), fullC(lib040, s, bars), name);
      note(`${key} stream`, streamTs(s, bars, ta.TA_EPSILON_040), streamC(lib040, s, bars), name);
      note(`${key} full 0.6`, fullTs(s, bars, ta.TA_EPSILON_060), fullC(lib060, s, bars), name);
    }
  let total = 0;
  let worst = 0;
  for (const [k, st] of stats) {
    total += st.n;
    worst = Math.max(worst, st.max);
    if (st.max > 0) process.stdout.write(`${k}: ${st.n} values, max rel diff ${st.max} (${st.where})\n`);
  }
  process.stdout.write(`${stats.size} comparisons, ${total} values, max rel diff ${worst}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
