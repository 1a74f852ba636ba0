import { type BacktestOptions, backtest } from "../backtest.ts";
import { type Bars, toBars } from "../bars.ts";
import type { StrategyDef } from "../strategy.ts";
import { IndicatorMemo, withIndicatorMemo } from "./memo.ts";
import { returnMoments } from "./moments.ts";
import type { Task, TaskResult } from "./runner.ts";

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
 */
export class Evaluator {
  readonly memo: IndicatorMemo;
  readonly #windows = new Map<string, Bars>();

  constructor(
    readonly strategy: StrategyDef,
    readonly bars: Bars,
    readonly options: Omit<BacktestOptions, "params"> = {},
    { memo = true, memoBytes }: { memo?: boolean; memoBytes?: number } = {},
  ) {
    this.memo = new IndicatorMemo(memo ? memoBytes : 0);
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

  run(task: Task): TaskResult {
    try {
      const bars = this.#window(task.start, task.end);
      const result = withIndicatorMemo(this.memo.maxBytes > 0 ? this.memo : null, () =>
        backtest(this.strategy, bars, { ...this.options, params: task.params }),
      );
      return {
        id: task.id,
        stats: result.stats,
        moments: returnMoments(result.equity, result.startBar - 1),
        ...(task.equity ? { equity: result.equity } : {}),
      };
    } catch (e) {
      return { id: task.id, stats: null, error: e instanceof Error ? e.message : String(e) };
    }
  }
}
