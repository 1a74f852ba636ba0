// STOM engine speed: a real author text (../shared/data/stom/cases/a01_example_stock_tick, stock_tick)
// through compileStom + backtestStom on the shared stock_tick DB (stock_tick_movers_vi_rich.db), side by
// side with a hand-written floor loop over the same typed columns that evaluates the same buy conditions
// (등락율 3..25, 고저평균대비등락율 >= 0, 당일거래대금 >= 100, 체결강도 >= 100, 체결강도 >= its 30-snapshot
// mean + 5) and the same sell rule (등락율 > 29 or 수익률 <= -2 or >= 3) with a plain position flag:
// no book walk, the day's first 30 snapshots decide nothing, the day's last closes.
// The live path (StomSession, the same kernel fed one snapshot at a time, parity mode) is timed beside them.
// Engine and floor are timed best-of-ROUNDS, interleaved, in one process; the DB is loaded once, untimed.
//   node --import tsx --expose-gc bench/stom.bench.ts [rounds]
import { readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { stomKiwoomSettle } from "../src/engine/markets/index.ts";
import {
  backtestStom,
  compileStom,
  KST_OFFSET_MS,
  type StomInput,
  type StomProgram,
  StomSession,
  stomIndexToMs,
} from "../src/engine/stom/index.ts";
import { loadStomDb, STOM_CASES, sharedMissing } from "../test/support/stom-cases.ts";

const ROUNDS = Number(process.argv[2] ?? 7);
const DB = "stock_tick_movers_vi_rich.db";
const AVG = 30;
const BETTING = 1_000_000;

/** The same rules as a01's texts, on plain arrays: returns the number of closed trades. */
function floor(inputs: readonly StomInput[]): number {
  let trades = 0;
  for (const input of inputs) {
    const c = input.columns as Record<string, Float64Array>;
    const {
      index,
      현재가: price,
      등락율: change,
      고저평균대비등락율: hl,
      당일거래대금: value,
      체결강도: strength,
    } = c;
    const { 관심종목: interest, 매도호가1: ask } = c;
    const n = index.length;
    let len = 0;
    let sum = 0;
    let holding = false;
    let bp = 0;
    let qty = 0;
    for (let r = 0; r < n; r++) {
      len++;
      sum += strength[r];
      if (len > AVG) sum -= strength[r - AVG];
      if (r === n - 1 || Math.floor(index[r] / 1e6) !== Math.floor(index[r + 1] / 1e6)) {
        if (holding) trades++;
        holding = false;
        len = 0;
        sum = 0;
        continue;
      }
      if (len < AVG) continue;
      if (!holding) {
        if (!interest[r]) continue;
        const s = strength[r];
        if (
          change[r] >= 3 &&
          change[r] <= 25 &&
          hl[r] >= 0 &&
          value[r] >= 100 &&
          s >= 100 &&
          s >= Math.round((sum / AVG) * 1000) / 1000 + 5
        ) {
          qty = Math.trunc(BETTING / price[r]);
          if (qty > 0) {
            holding = true;
            bp = ask[r];
          }
        }
      } else {
        const pp = stomKiwoomSettle(qty * bp, qty * price[r]).sp;
        if (change[r] > 29 || pp <= -2 || pp >= 3) {
          holding = false;
          trades++;
        }
      }
    }
  }
  return trades;
}

/**
 * The live path: the same snapshots pushed one at a time into a StomSession, merged in time order (the
 * order is made untimed; one row object per symbol is refilled per push, as a feed would).
 */
function sessionReplay(inputs: readonly StomInput[]): (program: StomProgram) => number {
  const all: [number, number, number][] = [];
  inputs.forEach((input, k) => {
    const index = input.columns.index as Float64Array;
    for (let r = 0; r < index.length; r++) all.push([index[r], k, r]);
  });
  all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const names = inputs.map((input) => Object.keys(input.columns).filter((c) => c !== "index"));
  const symbols = inputs.map((input) => input.symbol);
  return (program) => {
    const session = new StomSession(program, { symbols, betting: BETTING });
    const rows = names.map((cols) => Object.fromEntries([["time", 0], ...cols.map((c) => [c, 0])]));
    for (const [index, k, r] of all) {
      const columns = inputs[k].columns as Record<string, Float64Array>;
      const row = rows[k];
      row.time = stomIndexToMs(index, KST_OFFSET_MS);
      for (const name of names[k]) row[name] = columns[name][r];
      session.push(symbols[k], row);
    }
    return session.result().trades.length;
  };
}

interface Timing {
  best: number;
  median: number;
}
const gc = (globalThis as { gc?: () => void }).gc;
function timings(fns: Record<string, () => unknown>, rounds: number): Record<string, Timing> {
  const wall: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  // interleaved, so a burst of load from other processes hits both alike
  for (let r = 0; r < rounds; r++)
    for (const [name, fn] of Object.entries(fns)) {
      gc?.();
      const t0 = performance.now();
      fn();
      wall[name].push(performance.now() - t0);
    }
  const out: Record<string, Timing> = {};
  for (const [name, w] of Object.entries(wall)) {
    w.sort((a, b) => a - b);
    out[name] = { best: w[0], median: w[w.length >> 1] };
  }
  return out;
}

if (sharedMissing) {
  console.log("skipped: ../shared/data/stom is missing (the STOM cases and DBs)");
} else {
  const dir = join(STOM_CASES, "a01_example_stock_tick");
  const buyText = readFileSync(join(dir, "buy.txt"), "utf8");
  const sellText = readFileSync(join(dir, "sell.txt"), "utf8");
  const [inputs, loadMs] = (() => {
    const t0 = performance.now();
    const out = loadStomDb(DB);
    return [out, performance.now() - t0] as const;
  })();
  const snapshots = inputs.reduce((s, x) => s + (x.columns.index as Float64Array).length, 0);
  const engine = () =>
    backtestStom(compileStom(buyText, sellText, { kind: "stock_tick" }), inputs, { betting: BETTING });
  // warm both paths
  const run = engine();
  const bare = floor(inputs);
  const program = compileStom(buyText, sellText, { kind: "stock_tick" });
  const replay = sessionReplay(inputs);
  const sessionTrades = replay(program);
  const t = timings(
    {
      engine,
      backtest: () => backtestStom(program, inputs, { betting: BETTING }),
      session: () => replay(program),
      floor: () => floor(inputs),
    },
    ROUNDS,
  );

  const cpu = os.cpus();
  console.log(`machine: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, node ${process.version}`);
  console.log(
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")} (other processes share the cores)`,
  );
  console.log(
    `${DB}: ${inputs.length} symbols, ${snapshots.toLocaleString("en-US")} snapshots (loaded in ${loadMs.toFixed(0)} ms, untimed); a01 texts; best of ${ROUNDS} (median)\n`,
  );
  const rate = (ms: number) => `${(((snapshots / ms) * 1000) / 1e6).toFixed(2)}M`;
  const rows: [string, string, string, string, string][] = [
    ["run", "ms best (median)", "snapshots/s", "trades", "× floor"],
    [
      "compileStom + backtestStom",
      `${t.engine.best.toFixed(0)} (${t.engine.median.toFixed(0)})`,
      rate(t.engine.best),
      String(run.trades.length),
      (t.engine.best / t.floor.best).toFixed(2),
    ],
    [
      "  backtestStom only (compiled once)",
      `${t.backtest.best.toFixed(0)} (${t.backtest.median.toFixed(0)})`,
      rate(t.backtest.best),
      "",
      (t.backtest.best / t.floor.best).toFixed(2),
    ],
    [
      "StomSession.push, one snapshot at a time",
      `${t.session.best.toFixed(0)} (${t.session.median.toFixed(0)})`,
      rate(t.session.best),
      String(sessionTrades),
      (t.session.best / t.floor.best).toFixed(2),
    ],
    [
      "floor loop (typed arrays, position flag)",
      `${t.floor.best.toFixed(2)} (${t.floor.median.toFixed(2)})`,
      rate(t.floor.best),
      String(bare),
      "1.00",
    ],
  ];
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  for (const r of rows)
    console.log(r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join("  "));
  if (run.trades.length !== bare)
    console.log(
      `\ntrade counts differ by ${run.trades.length - bare}: the floor buys at 매도호가1 without walking the book`,
    );
}
