// One optimizer worker in the page: holds the bars and the strategy once (sent with "init"), then
// answers each task with the same Evaluator the CLI's worker threads use, so a trial's stats do
// not depend on where it ran. Bundled with the strategies by data/optimize-worker.mjs.ts.
import { type BacktestOptions, type StrategyDef, toBars } from "../../src/engine/index.ts";
import { type CostPresetName, costPreset } from "../../src/engine/markets/index.ts";
import { Evaluator } from "../../src/engine/optimize/evaluate.ts";
import type { Task, TaskResult } from "../../src/engine/optimize/runner.ts";
import type { TickInput, TickRunOptions } from "../../src/engine/portfolio/index.ts";
import { compileStom, stomRunner } from "../../src/engine/stom/index.ts";

export interface OptimizeWorkerInit {
  readonly type: "init";
  /** a name in the bundled strategies (notebooks/strategies/<name>.ts) */
  readonly strategy: string;
  readonly columns: Readonly<Record<string, Float64Array>>;
  readonly options?: Omit<BacktestOptions, "params">;
  /** share indicator results between tasks (the CLI's default) */
  readonly memo?: boolean;
}

/** STOM texts over tick snapshots: compiled in the worker (functions do not cross postMessage). */
export interface OptimizeWorkerStomInit {
  readonly type: "init-stom";
  readonly buy: string;
  readonly sell: string;
  readonly inputs: readonly TickInput[];
  /** runTicks options without costs, which travel by preset name */
  readonly options?: Omit<TickRunOptions, "params" | "costs">;
  readonly costs?: CostPresetName;
}

export type OptimizeWorkerRequest =
  | OptimizeWorkerInit
  | OptimizeWorkerStomInit
  | { readonly type: "task"; readonly task: Task };

export type OptimizeWorkerReply =
  | { readonly type: "ready"; readonly error?: string }
  | { readonly type: "result"; readonly result: TaskResult };

interface WorkerScope {
  onmessage: ((event: { data: OptimizeWorkerRequest }) => void) | null;
  postMessage(message: OptimizeWorkerReply): void;
}

export function serveOptimize(strategies: ReadonlyMap<string, StrategyDef>, scope: WorkerScope): void {
  let evaluator: Pick<Evaluator, "run"> | undefined;
  scope.onmessage = ({ data }) => {
    if (data.type === "init-stom") {
      try {
        const strategy = compileStom(data.buy, data.sell, { buyFile: "buy", sellFile: "sell" });
        const options = { ...data.options, costs: data.costs ? costPreset(data.costs) : undefined };
        // stomRunner's run is one synchronous runTicks per task behind an async loop: take the result as it lands
        const runner = stomRunner(strategy, data.inputs, options);
        evaluator = {
          run(task: Task): TaskResult {
            let out: TaskResult | undefined;
            void runner.run([task], (r) => {
              out = r;
            });
            return out ?? { id: task.id, stats: null, error: "stom run gave no result" };
          },
        };
        scope.postMessage({ type: "ready" });
      } catch (e) {
        scope.postMessage({ type: "ready", error: e instanceof Error ? e.message : String(e) });
      }
      return;
    }
    if (data.type === "init") {
      try {
        const strategy = strategies.get(data.strategy);
        if (!strategy)
          throw new Error(`unknown strategy: ${data.strategy} (known: ${[...strategies.keys()].join(", ")})`);
        evaluator = new Evaluator(strategy, toBars({ columns: data.columns }), data.options ?? {}, {
          memo: data.memo ?? true,
        });
        scope.postMessage({ type: "ready" });
      } catch (e) {
        scope.postMessage({ type: "ready", error: e instanceof Error ? e.message : String(e) });
      }
      return;
    }
    const task = data.task;
    const result: TaskResult = evaluator
      ? evaluator.run(task)
      : { id: task.id, stats: null, error: "worker has no init" };
    scope.postMessage({ type: "result", result });
  };
}
