// Tick engine speed: 10,000,000 synthetic one-second snapshots with a 5-level book (makeSampleTicks, STOM
// coin_tick layout) through a simple STOM-style momentum strategy on runTicks, next-snapshot book-walk fills,
// Upbit costs, shared cash over 10 symbols; side by side with a hand-written floor loop over the same typed
// arrays that makes the same decisions and fills (no Series, no contexts, no time merge). Wall and CPU time,
// the quickest of three alternating runs each, with the load average: the machine is shared.
// Ten symbols share one generated 1M-snapshot book (each with its own clock, 100 ms apart) so that the run
// fits in memory beside the other engineers' work; the merge and the portfolio still see 10M events.
// Both sides read the price n snapshots ago in place (the strategy ctx.price.at(n), the floor
// price[r - n]): no column per symbol on either side (a fresh 8 MB column costs ~25 ms here).
//   node --import tsx bench/ticks.bench.ts [ticksPerSymbol] [symbols]
import os from "node:os";
import { makeSampleTicks } from "../src/data/sample.ts";
import { walkAsks, walkBids } from "../src/engine/markets/book.ts";
import { costPreset } from "../src/engine/markets/costs.ts";
import { defineTickStrategy, runTicks, type TickInput, TimeMerge } from "../src/engine/portfolio/index.ts";

const PER = Number(process.argv[2] ?? 1_000_000);
const SYMBOLS = Number(process.argv[3] ?? 10);
const N = 30;
const UP = 1.0003;
const TAKE = 0.3;
const HOLD_S = 120;
const FEE = 0.0005;
const OPTIONS = { cash: 100_000_000, budget: 5_000_000, maxPositions: 3, unit: 1e-8 } as const;

const BOOK = ["매도호가", "매도잔량", "매수호가", "매수잔량"].flatMap((p) =>
  [1, 2, 3, 4, 5].map((k) => `${p}${k}`),
);

const momentum = defineTickStrategy({
  params: { n: { default: N, min: 2, max: 600 } },
  init: () => null,
  // the price n snapshots ago (NaN before the n-th: no buy), as STOM's 현재가N(n)
  buy: (ctx) => ctx.price.value > ctx.price.at(ctx.params.n) * UP && ctx.col("체결강도").value > 100,
  sell: (ctx) => ctx.수익률 >= TAKE || ctx.수익률 <= -TAKE || ctx.보유시간 >= HOLD_S,
});

/** Diagnostic: the same run with a strategy that never buys (the engine's cost per event without decisions). */
const idle = defineTickStrategy({ params: {}, init: () => null, buy: () => false, sell: () => false });

/** Diagnostic: the time merge alone over the symbols' clocks, handed out in chunks as runTicks takes it. */
function mergeOnly(inputs: TickInput[]): number {
  const merge = new TimeMerge(inputs.map((x) => x.columns.time as Float64Array));
  const symbols = new Int32Array(1024);
  const rows = new Int32Array(1024);
  let events = 0;
  for (let n = merge.take(symbols, rows); n > 0; n = merge.take(symbols, rows)) events += n;
  return events;
}

/**
 * The same rules written flat: rows interleave as row-major, symbol-minor (the clocks are 100 ms apart),
 * decide on row r, fill on row r + 1 walking the book, close everything at each UTC day's last row.
 */
function floor(inputs: TickInput[]): { trades: number; equity: number } {
  const S = inputs.length;
  const cols = inputs.map((x) => x.columns as Record<string, Float64Array>);
  const time = cols.map((c) => c.time);
  const price = cols[0].현재가;
  const strength = cols[0].체결강도;
  const book = cols[0] as unknown as Parameters<typeof walkAsks>[0];
  const n = price.length;
  const qty = new Float64Array(S);
  const cost = new Float64Array(S);
  const notional = new Float64Array(S);
  const entryTime = new Float64Array(S);
  const pending = new Uint8Array(S);
  const pendingQty = new Float64Array(S);
  const fill = { ok: false, filled: 0, avgPrice: 0, levels: 0, notional: 0 };
  const walk = { depth: 5 };
  let cash = OPTIONS.cash;
  let open = 0;
  let pendingBuys = 0;
  let trades = 0;
  let day = Math.floor(time[0][0] / 86_400_000);
  const sell = (s: number, r: number, forced: boolean) => {
    walkBids(book, r, qty[s], walk, fill);
    if (!fill.ok && !forced) return false;
    const value = fill.ok ? fill.notional : qty[s] * price[r];
    cash += value * (1 - FEE);
    qty[s] = 0;
    open--;
    trades++;
    return true;
  };
  for (let r = 0; r < n; r++) {
    for (let s = 0; s < S; s++) {
      const t = time[s][r];
      const d = Math.floor(t / 86_400_000);
      if (d !== day) {
        day = d;
        for (let x = 0; x < S; x++) {
          if (pending[x] === 1) pending[x] = 0;
          if (pending[x] === 2) pending[x] = 0;
          // rows before this one are the previous day's last: x < s already moved to r, the rest are at r - 1
          if (qty[x] > 0) sell(x, x < s ? r : r - 1, true);
        }
        pendingBuys = 0;
      }
      const p = price[r];
      if (pending[s] === 1) {
        pending[s] = 0;
        pendingBuys--;
        const q = pendingQty[s];
        walkAsks(book, r, q, walk, fill);
        if (fill.ok) {
          const c = fill.notional * (1 + FEE);
          if (c <= cash) {
            cash -= c;
            qty[s] = q;
            cost[s] = c;
            notional[s] = fill.notional;
            entryTime[s] = t;
            open++;
          }
        }
      } else if (pending[s] === 2) {
        pending[s] = 0;
        sell(s, r, false);
      }
      if (r < N || pending[s] !== 0) continue;
      if (qty[s] > 0) {
        const ret = ((qty[s] * p * (1 - FEE) - cost[s]) / notional[s]) * 100;
        if (ret >= TAKE || ret <= -TAKE || (t - entryTime[s]) / 1000 >= HOLD_S) pending[s] = 2;
      } else if (
        open + pendingBuys < OPTIONS.maxPositions &&
        r >= N &&
        p > price[r - N] * UP &&
        strength[r] > 100
      ) {
        const q = Number((Math.floor(OPTIONS.budget / p / OPTIONS.unit + 1e-9) * OPTIONS.unit).toFixed(8));
        if (q > 0) {
          pending[s] = 1;
          pendingQty[s] = q;
          pendingBuys++;
        }
      }
    }
  }
  for (let s = 0; s < S; s++) if (qty[s] > 0) sell(s, n - 1, true);
  return { trades, equity: cash };
}

function time<T>(f: () => T): [T, number, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = f();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return [out, wall, (cpu.user + cpu.system) / 1000];
}

/** The quickest of `n` runs by wall time and, apart, by CPU time (the machine is shared: load inflates wall time). */
function best<T>(f: () => T, n: number): [T, number, number] {
  const runs = Array.from({ length: n }, () => time(f));
  return [runs[0][0], Math.min(...runs.map((r) => r[1])), Math.min(...runs.map((r) => r[2]))];
}

const [frame, genMs] = time(() => makeSampleTicks({ ticks: PER, seed: 7 }));
const inputs: TickInput[] = [];
for (let s = 0; s < SYMBOLS; s++) {
  const columns: Record<string, Float64Array> = {};
  const src = frame.columns as Record<string, Float64Array>;
  for (const name of ["현재가", "체결강도", ...BOOK]) columns[name] = src[name];
  columns.time = src.time.map((t) => t + s * 100);
  inputs.push({ symbol: `S${s}`, columns });
}
const total = PER * SYMBOLS;

const RUNS = 3;
const costs = costPreset("upbit");
const engine = () => runTicks(momentum, inputs, { ...OPTIONS, costs });
engine(); // warm-up
floor(inputs);
// engine and floor alternate, so a burst of load from elsewhere hits both
const engineRuns: [ReturnType<typeof engine>, number, number][] = [];
const floorRuns: [ReturnType<typeof floor>, number, number][] = [];
for (let k = 0; k < RUNS; k++) {
  engineRuns.push(time(engine));
  floorRuns.push(time(() => floor(inputs)));
}
const quickest = <T>(runs: [T, number, number][]): [T, number, number] => [
  runs[0][0],
  Math.min(...runs.map((r) => r[1])),
  Math.min(...runs.map((r) => r[2])),
];
const [result, engineMs, engineCpu] = quickest(engineRuns);
const [floorResult, floorMs, floorCpu] = quickest(floorRuns);
const single = () => runTicks(momentum, [inputs[0]], { ...OPTIONS, costs });
single();
const [singleResult, singleMs] = best(single, 2);
// diagnostics, after the measured runs so that they cannot change how those are compiled (the idle
// run is a little pessimistic for it: by then step has seen two strategies)
const idleRun = () => runTicks(idle, inputs, { ...OPTIONS, costs });
idleRun();
const [, idleMs, idleCpu] = best(idleRun, RUNS);
mergeOnly(inputs);
const [, mergeMs, mergeCpu] = best(() => mergeOnly(inputs), RUNS);

const cpu = os.cpus()[0]?.model ?? "unknown cpu";
const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
console.log(
  `machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}, ${os.platform()} ${os.arch()}`,
);
console.log(
  `data: ${SYMBOLS} symbols × ${fmt(PER)} snapshots = ${fmt(total)} events (generated in ${fmt(genMs)} ms)`,
);
console.log(
  `load average: ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(", ")} (best of ${RUNS} runs each)`,
);
console.log(
  `runTicks (merge + Series + book walk + costs + stats): ${fmt(engineMs)} ms (cpu ${fmt(engineCpu)} ms) = ${fmt((total / engineMs) * 1000)} ticks/s, ${result.trades.length} trades, equity ${fmt(result.equity.equity.at(-1) ?? 0)}`,
);
console.log(
  `floor loop (same rules, flat typed arrays):          ${fmt(floorMs)} ms (cpu ${fmt(floorCpu)} ms) = ${fmt((total / floorMs) * 1000)} ticks/s, ${floorResult.trades} trades, equity ${fmt(floorResult.equity)}`,
);
console.log(
  `runTicks / floor: ${(engineMs / floorMs).toFixed(2)}x wall, ${(engineCpu / floorCpu).toFixed(2)}x cpu`,
);
console.log(
  `diagnostics: the merge alone ${fmt(mergeMs)} ms (cpu ${fmt(mergeCpu)} ms), runTicks with a strategy that never buys ${fmt(idleMs)} ms (cpu ${fmt(idleCpu)} ms)`,
);
console.log(
  `runTicks on one symbol (${fmt(PER)} snapshots, no merge work): ${fmt(singleMs)} ms = ${fmt((PER / singleMs) * 1000)} ticks/s, ${singleResult.trades.length} trades`,
);
