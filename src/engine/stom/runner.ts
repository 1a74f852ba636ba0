import { returnMoments } from "../optimize/moments.ts";
import type { Runner, Task, TaskResult } from "../optimize/runner.ts";
import type { TickRunOptions } from "../portfolio/options.ts";
import { runTicks, type TickInput } from "../portfolio/run.ts";
import type { StomStrategy } from "./compile.ts";

/** Time between yields to the event loop, so progress draws and cancel is heard. */
const SLICE_MS = 50;

/**
 * An optimizer Runner for a compiled STOM strategy: each task is one runTicks over every symbol with the
 * task's self.vars values. It runs in this thread (CLI, tests, the page); tick runs share nothing
 * between tasks but the input columns. Bar windows (walk-forward) are refused: split STOM data by day.
 *
 *     const res = await optimize(stomRunner(strategy, frames, { budget: 1e6 }), { space, objective: "TPI" });
 */
export function stomRunner(
  strategy: StomStrategy,
  inputs: readonly TickInput[],
  options: Omit<TickRunOptions, "params"> = {},
): Runner {
  let cancelled = false;
  const run = (task: Task): TaskResult => {
    try {
      if (task.start !== undefined || task.end !== undefined)
        throw new Error(`bar windows are not supported for stom tick runs: ${task.start}..${task.end}`);
      const r = runTicks(strategy, inputs, { ...options, params: task.params });
      return {
        id: task.id,
        stats: r.stats,
        moments: returnMoments(r.equity.equity),
        ...(task.equity ? { equity: r.equity.equity } : {}),
      };
    } catch (e) {
      return { id: task.id, stats: null, error: e instanceof Error ? e.message : String(e) };
    }
  };
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
