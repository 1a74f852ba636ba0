import { returnMoments } from "../optimize/moments.ts";
import type { Runner, Task, TaskResult } from "../optimize/runner.ts";
import { computeStats, type Stats } from "../stats.ts";
import {
  backtestStom,
  type StomBacktestOptions,
  type StomInput,
  type StomRun,
  withIndex,
} from "./backtest.ts";
import type { StomProgram } from "./compile.ts";
import { isStock, isTick } from "./names.ts";
import { type StomResultBlock, stomResult } from "./result.ts";
import { KST_OFFSET_MS, stomIndexToMs } from "./time.ts";
import { daysBetween, type StomParts, type StomSplit, stomParts } from "./validate.ts";

/** Time between yields to the event loop, so progress draws and cancel is heard. */
const SLICE_MS = 50;

/** A STOM run with its result block and backtesting.py-style stats. */
export interface StomReport extends StomRun {
  /** STOM's result block (tc, atc, pc, mc, wr, ah, app, tpp, tsg, mhct, seed, cagr, tpi, mdd, mdd_) */
  readonly result: StomResultBlock;
  /** backtesting.py's stats over the trade equity: 필요자금 (or the betting) plus the cumulative 수익금 at each sell */
  readonly stats: Stats & { readonly stom: StomResultBlock; readonly parts?: StomParts };
  /** the training, validation and test parts' blocks, when the run had a split */
  readonly parts?: StomParts;
}

export interface StomRunOptions extends StomBacktestOptions {
  /** `vars<n>` values over the ranges' best values */
  readonly params?: Readonly<Record<string, unknown>>;
  /** STOM's training/validation/test parts: the run covers their days and reports each part's block */
  readonly split?: StomSplit;
  /** run on these days only, [first, last] yyyymmdd (a walk-forward's out-of-sample step) */
  readonly days?: readonly [number, number];
  /** the DB's moneytop index, ascending: STOM's time grid for 필요자금 and 최대보유종목수 */
  readonly grid?: ArrayLike<number>;
}

const SPLIT_INPUTS = new WeakMap<readonly StomInput[], Map<string, StomInput[]>>();

/** The inputs with `index`, cut to [first, last] days (kept for the next trial of the same range). */
function splitInputs(
  program: StomProgram,
  inputs: readonly StomInput[],
  range?: readonly [number, number],
): readonly StomInput[] {
  const key = range ? `${range[0]}..${range[1]}` : "all";
  let m = SPLIT_INPUTS.get(inputs);
  if (!m) {
    m = new Map();
    SPLIT_INPUTS.set(inputs, m);
  }
  let out = m.get(key);
  if (!out) {
    const indexed = inputs.map((input) => withIndex(input, program.kind));
    out = range ? daysBetween(indexed, range[0], range[1], isTick(program.kind)) : indexed;
    m.set(key, out);
  }
  return out;
}

/** self.vars values from `vars<n>` parameters over the ranges' best values. */
export function stomVars(program: StomProgram, params: Readonly<Record<string, unknown>> = {}): number[] {
  const vars: number[] = [];
  for (const [k, v] of program.vars) vars[k] = v.best;
  for (const [name, value] of Object.entries(params)) {
    const m = /^vars(\d+)$/.exec(name);
    if (!m) throw new Error(`unknown parameter: ${name} (STOM texts take vars<n>)`);
    vars[Number(m[1])] = Number(value);
  }
  return vars;
}

/**
 * backtestStom, then STOM's result block and backtesting.py-style stats. With self.vars ranges the run
 * is an optimization's (self.vars[0] is 평균값계산틱수, as in STOM's 최적화 modes).
 */
export function runStom(
  program: StomProgram,
  inputs: readonly StomInput[],
  options: StomRunOptions = {},
): StomReport {
  const { params, split, days, grid, ...rest } = options;
  const vars = options.vars ?? stomVars(program, params);
  const data = splitInputs(program, inputs, split ? [split.start, split.end] : days);
  const run = backtestStom(program, data, { varsZeroIsAvg: program.vars.has(0), ...rest, vars });
  const betting = options.betting ?? 1_000_000;
  const market = isStock(program.kind) ? "stock" : "coin";
  const result = stomResult(run.trades, { betting, days: Math.max(1, run.days), market, grid });
  const parts = split ? stomParts(run.trades, split, { betting, market, grid }) : undefined;
  // STOM's index is the DB's wall time: KST on stock DBs, UTC on coin DBs
  const offset = isStock(program.kind) ? KST_OFFSET_MS : 0;
  const stats = Object.assign(tradeStats(run, result, betting, offset), parts ? { parts } : {});
  return { ...run, result, stats, ...(parts ? { parts } : {}) };
}

function tradeStats(
  run: StomRun,
  block: StomResultBlock,
  betting: number,
  offset: number,
): Stats & { stom: StomResultBlock } {
  const t = run.trades;
  const utc = (index: number) => stomIndexToMs(index, offset);
  const start = block.seed > 0 ? block.seed : betting;
  const n = t.length + 1;
  const time = new Float64Array(n);
  const equity = new Float64Array(n);
  time[0] = t.length ? utc(t[0].buy) : 0;
  equity[0] = start;
  const pnl = new Float64Array(t.length);
  const returns = new Float64Array(t.length);
  const entryBar = new Float64Array(t.length);
  const exitBar = new Float64Array(t.length);
  const entryTime = new Float64Array(t.length);
  const exitTime = new Float64Array(t.length);
  for (let k = 0; k < t.length; k++) {
    time[k + 1] = Math.max(utc(t[k].sell), time[k]);
    equity[k + 1] = equity[k] + t[k].sg;
    pnl[k] = t[k].sg;
    returns[k] = t[k].pp / 100;
    entryBar[k] = k;
    exitBar[k] = k + 1;
    entryTime[k] = utc(t[k].buy);
    exitTime[k] = utc(t[k].sell);
  }
  if (n === 1) time[0] = 0;
  const stats =
    n > 1
      ? computeStats(
          time,
          equity,
          equity,
          { pnl, returns, entryBar, exitBar, entryTime, exitTime },
          {
            requiredCapital: block.seed,
          },
        )
      : computeStats(
          new Float64Array([0, 1]),
          new Float64Array([start, start]),
          new Float64Array([start, start]),
          {
            pnl,
            returns,
            entryBar,
            exitBar,
            entryTime,
            exitTime,
          },
        );
  return Object.assign(stats, { stom: block });
}

/**
 * One optimizer task as a STOM run: the task's `vars<n>` parameters over the ranges' best values. The
 * same function answers tasks in this thread, in worker threads and in Web Workers.
 */
export function stomTask(
  program: StomProgram,
  inputs: readonly StomInput[],
  options: Omit<StomRunOptions, "vars" | "params"> = {},
): (task: Task) => TaskResult {
  return (task: Task): TaskResult => {
    try {
      if (task.start !== undefined || task.end !== undefined)
        throw new Error(`bar windows are not supported for STOM text runs: ${task.start}..${task.end}`);
      const r = runStom(program, inputs, { ...options, params: task.params });
      const equity = new Float64Array(r.trades.length + 1);
      equity[0] = r.result.seed || (options.betting ?? 1_000_000);
      r.trades.forEach((t, k) => {
        equity[k + 1] = equity[k] + t.sg;
      });
      return {
        id: task.id,
        stats: r.stats,
        moments: returnMoments(equity),
        ...(task.equity ? { equity } : {}),
      };
    } catch (e) {
      return { id: task.id, stats: null, error: e instanceof Error ? e.message : String(e) };
    }
  };
}

/**
 * An optimizer Runner for compiled STOM texts in this thread: each task is one runStom with the
 * task's self.vars values; its stats carry STOM's result block as `stats.stom` for the 기준값.
 *
 *     await optimize(stomRunner(program, inputs), { space, objective: (s) => s.stom.tpi });
 */
export function stomRunner(
  program: StomProgram,
  inputs: readonly StomInput[],
  options: Omit<StomRunOptions, "vars" | "params"> = {},
): Runner {
  let cancelled = false;
  const run = stomTask(program, inputs, options);
  return {
    concurrency: 1,
    async run(tasks: readonly Task[], onResult: (r: TaskResult) => void) {
      cancelled = false;
      let last = Date.now();
      for (const task of tasks) {
        if (cancelled) return;
        onResult(run(task));
        if (Date.now() - last > SLICE_MS) {
          await new Promise((r) => setTimeout(r, 0));
          last = Date.now();
        }
      }
    },
    cancel() {
      cancelled = true;
    },
    async close() {},
  };
}
