import type { Stats } from "../stats.ts";
import type { ReturnMoments } from "./moments.ts";
import type { Screening, TaskScreen } from "./screen.ts";

/** One backtest to run: parameters, and optionally a bar window [start, end). */
export interface Task {
  readonly id: number;
  readonly params: Readonly<Record<string, number>>;
  readonly start?: number;
  readonly end?: number;
  /** send the equity curve back (walk-forward out-of-sample runs) */
  readonly equity?: boolean;
  /** full stats only when the result reaches the threshold (set by a runner from its Screening) */
  readonly screen?: TaskScreen;
  /** call next() on every bar even when the strategy has signals() (the search's check of its best) */
  readonly next?: boolean;
  /** false: no return moments (a search running again a result it has them of) */
  readonly moments?: boolean;
}

export interface TaskResult {
  readonly id: number;
  /** null when the run failed (see error) */
  readonly stats: Stats | null;
  readonly error?: string;
  /** of a screened signal run (partial), the Sharpe ratio only: skew and kurtosis NaN */
  readonly moments?: ReturnMoments;
  readonly equity?: Float64Array;
  /**
   * screened out: the stats that need the pass over every bar (BAR_PASS_STATS) are NaN, and so are
   * those that read the trades (TRADE_PASS_STATS) when the screen's score reads none of them
   */
  readonly partial?: boolean;
  /** run through the strategy's signals(), not next() */
  readonly signals?: boolean;
}

/**
 * Runs backtests somewhere: in this thread, in worker threads, in Web Workers, or (later) on other
 * machines. The search code only sees this interface. Results may arrive in any order; every
 * result carries its task id. `run` resolves when every task has reported or after `cancel`.
 */
export interface Runner {
  /** how many tasks run at once (searches size their batches from it only for speed, never for results) */
  readonly concurrency: number;
  /**
   * With `screening`, a runner may return partial stats for results below its threshold (each
   * task sent with the threshold of that moment); a runner may also ignore it (full stats).
   */
  run(tasks: readonly Task[], onResult: (result: TaskResult) => void, screening?: Screening): Promise<void>;
  /** stops handing out tasks; running ones finish and are reported */
  cancel(): void;
  /** frees workers and memory */
  close(): Promise<void>;
}
