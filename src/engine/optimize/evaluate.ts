import { type BacktestOptions, RunBuffers, screenedBacktest } from "../backtest.ts";
import { type Bars, toBars } from "../bars.ts";
import type { Stats } from "../stats.ts";
import type { StrategyDef } from "../strategy.ts";
import { IndicatorMemo, withIndicatorMemo } from "./memo.ts";
import { returnMoments } from "./moments.ts";
import type { Task, TaskResult } from "./runner.ts";
import { type Screener, type ScreenSpec, screener } from "./screen.ts";

/** Zero-copy view of bars [start, end). */
export function windowBars(bars: Bars, start: number, end: number): Bars {
  if (!(start >= 0 && end <= bars.length && start < end))
    throw new Error(`invalid bar window: ${start}..${end} of ${bars.length}`);
  const columns: Record<string, Float64Array> = {};
  for (const [name, col] of Object.entries(bars.columns)) columns[name] = col.subarray(start, end);
  return toBars({ length: end - start, columns });
}

/**
 * Runs tasks against one strategy and one set of bars, sharing indicator work through a memo and
 * keeping one view per bar window (the memo is keyed by column identity). Used by every runner,
 * so a task gives the same result wherever it runs.
 *
 * A strategy with signals() runs through them (unless `options.signals` is false or the task asks
 * for next()). A screened run on that path always comes back partial: the run itself costs less
 * than its bar-pass stats, so the search runs the few results it reports again in full instead.
 */
export class Evaluator {
  readonly memo: IndicatorMemo;
  readonly #windows = new Map<string, Bars>();
  readonly #screeners = new Map<string, Screener>();
  /** the columns every run writes into, anew each time (a fresh 8 MB per run is slow to fault in) */
  readonly #buffers: RunBuffers;
  /** runs go through the strategy's signals() */
  readonly #signals: boolean;

  constructor(
    readonly strategy: StrategyDef,
    readonly bars: Bars,
    readonly options: Omit<BacktestOptions, "params"> = {},
    { memo = true, memoBytes }: { memo?: boolean; memoBytes?: number } = {},
  ) {
    this.memo = new IndicatorMemo(memo ? memoBytes : 0);
    // the equity column of the first full run, late in a search, comes from a dropped indicator's
    this.#buffers = new RunBuffers(this.memo.free);
    this.#signals = options.signals !== false && typeof strategy.signals === "function";
  }

  #window(start = 0, end = this.bars.length): Bars {
    if (start === 0 && end === this.bars.length) return this.bars;
    const key = `${start}:${end}`;
    let w = this.#windows.get(key);
    if (!w) {
      if (this.#windows.size > 64) this.#windows.clear();
      w = windowBars(this.bars, start, end);
      this.#windows.set(key, w);
    }
    return w;
  }

  #screener(spec: ScreenSpec): Screener {
    const key = JSON.stringify(spec);
    let s = this.#screeners.get(key);
    if (!s) {
      s = screener(spec);
      this.#screeners.set(key, s);
    }
    return s;
  }

  /**
   * No task left has `name` = `value` (a grid's row is done): the indicators only its tasks read
   * are dropped and their memory reused (IndicatorMemo.retire).
   */
  retire(name: string, value: number): void {
    this.memo.retire(name, value);
  }

  /** A batch whose tasks have only these parameter values starts (IndicatorMemo.keepOnly). */
  keepOnly(values: Readonly<Record<string, readonly number[]>>): void {
    this.memo.keepOnly(values);
  }

  run(task: Task): TaskResult {
    this.memo.beginTask(task.params);
    try {
      const bars = this.#window(task.start, task.end);
      const memo = this.memo.maxBytes > 0 ? this.memo : null;
      const signals = this.#signals && !task.next;
      const options = { ...this.options, params: task.params, signals };
      const path = signals ? { signals: true } : {};
      // every run writes into the reused buffers (fresh 8 MB columns cost more than a fast run),
      // except one whose curve is sent back, which gets its own column
      const buffers = task.equity ? undefined : this.#buffers;
      // a screened signal run comes back partial: its returns are summed, its equity not kept
      if (buffers) buffers.keepEquity = !(signals && task.screen);
      const run = withIndicatorMemo(memo, () => screenedBacktest(this.strategy, bars, options, buffers));
      let stats: Stats;
      let partial = false;
      if (task.screen) {
        // the stats without the bar pass (and without the passes over the trades when the score
        // reads none of theirs) first; in full only if the score may be reported
        const screen = this.#screener(task.screen.spec);
        const lean = run.stats(false, screen.readsTrades);
        const score = screen.score(lean);
        partial = signals || !(score >= task.screen.threshold);
        stats = partial ? lean : run.stats(true);
      } else stats = run.stats(true);
      return {
        id: task.id,
        stats,
        ...(task.moments === false
          ? {}
          : {
              moments: buffers?.sums.ready
                ? buffers.sums.moments()
                : returnMoments(run.equity, run.startBar - 1),
            }),
        ...(task.equity ? { equity: run.equity } : {}),
        ...(partial ? { partial: true } : {}),
        ...path,
      };
    } catch (e) {
      return { id: task.id, stats: null, error: e instanceof Error ? e.message : String(e) };
    } finally {
      this.memo.endTask();
    }
  }
}
