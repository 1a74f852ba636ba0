// Runs one share of a parameter grid in a Web Worker. Bundled with the engine and the strategies
// by data/grid-worker.mjs.ts; the optimizer's own worker runner can replace it behind the same
// messages (see components/grid.js).
import { type BacktestOptions, backtest, type StrategyDef, toBars } from "../../src/engine/index.ts";

export interface GridJob {
  readonly strategy: string;
  readonly columns: Record<string, Float64Array>;
  readonly options: BacktestOptions;
  /** [index in the whole grid, params] */
  readonly combos: readonly (readonly [number, Record<string, number>])[];
  /** also send each run's per-bar equity (walk-forward stitches them) */
  readonly equity?: boolean;
}

export type GridMessage =
  | {
      type: "result";
      index: number;
      params: Record<string, number>;
      stats: Record<string, unknown>;
      equity?: Float64Array;
    }
  | { type: "error"; index: number; params: Record<string, number>; message: string }
  | { type: "done" };

interface WorkerScope {
  onmessage: ((event: { data: GridJob }) => void) | null;
  postMessage(message: GridMessage): void;
}

/** Answers each job with one message per combination, then "done". */
export function serveGrid(strategies: ReadonlyMap<string, StrategyDef>, scope: WorkerScope): void {
  scope.onmessage = ({ data: job }) => {
    const strategy = strategies.get(job.strategy);
    if (!strategy) throw new Error(`unknown strategy: ${job.strategy}`);
    const bars = toBars({ columns: job.columns });
    for (const [index, params] of job.combos) {
      try {
        const { stats, equity } = backtest(strategy, bars, { ...job.options, params });
        scope.postMessage({
          type: "result",
          index,
          params,
          stats: { ...stats },
          equity: job.equity ? equity : undefined,
        });
      } catch (error) {
        scope.postMessage({
          type: "error",
          index,
          params,
          message: String((error as Error).message ?? error),
        });
      }
    }
    scope.postMessage({ type: "done" });
  };
}
