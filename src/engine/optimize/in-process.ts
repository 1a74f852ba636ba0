import type { BacktestOptions } from "../backtest.ts";
import type { Bars } from "../bars.ts";
import type { StrategyDef } from "../strategy.ts";
import { Evaluator } from "./evaluate.ts";
import { ParamCountdown } from "./param-countdown.ts";
import type { Runner, Task, TaskResult } from "./runner.ts";
import type { Screening } from "./screen.ts";

/** Time between yields to the event loop, so progress draws and cancel is heard. */
const SLICE_MS = 50;

/**
 * Runs tasks one after another in this thread (tests, small grids, the browser's fallback).
 *
 *     const runner = inProcessRunner(smaCross, bars, { cash: 10_000 });
 */
export function inProcessRunner(
  strategy: StrategyDef,
  bars: Bars,
  options: Omit<BacktestOptions, "params"> = {},
  { memo = true }: { memo?: boolean } = {},
): Runner {
  const evaluator = new Evaluator(strategy, bars, options, { memo });
  let cancelled = false;
  return {
    concurrency: 1,
    async run(tasks: readonly Task[], onResult: (r: TaskResult) => void, screening?: Screening) {
      cancelled = false;
      let last = Date.now();
      // parameter values no task left has: their indicators' memory is reused (ParamCountdown)
      const countdown = new ParamCountdown(tasks);
      evaluator.keepOnly(countdown.values());
      for (const task of tasks) {
        if (cancelled) return;
        const screen = screening && { spec: screening.spec, threshold: screening.threshold() };
        onResult(evaluator.run(screen ? { ...task, screen } : task));
        for (const [name, value] of countdown.handOut(task)) evaluator.retire(name, value);
        if (Date.now() - last > SLICE_MS) {
          await new Promise((r) => setTimeout(r, 0));
          last = Date.now();
        }
      }
    },
    cancel() {
      cancelled = true;
    },
    async close() {
      evaluator.memo.clear();
    },
  };
}
