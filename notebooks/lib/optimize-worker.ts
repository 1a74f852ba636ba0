// One optimizer worker in the page: holds the bars and the strategy once (sent with "init"), then
// answers each task with the same Evaluator the CLI's worker threads use, so a trial's stats do
// not depend on where it ran. Bundled with the strategies by data/optimize-worker.mjs.ts.
import { type BacktestOptions, type StrategyDef, toBars } from "../../src/engine/index.ts";
import { Evaluator } from "../../src/engine/optimize/evaluate.ts";
import type { Task, TaskResult } from "../../src/engine/optimize/runner.ts";
import {
  compileStom,
  type StomBacktestOptions,
  type StomInput,
  type StomKind,
  stomRunner,
} from "../../src/engine/stom/index.ts";

export interface OptimizeWorkerInit {
  readonly type: "init";
  /** a name in the bundled strategies (notebooks/strategies/<name>.ts) */
  readonly strategy: string;
  readonly columns: Readonly<Record<string, Float64Array>>;
  readonly options?: Omit<BacktestOptions, "params">;
  /** share indicator results between tasks (the CLI's default) */
  readonly memo?: boolean;
}

/** STOM texts over STOM snapshots: compiled in the worker (functions do not cross postMessage). */
export interface OptimizeWorkerStomInit {
  readonly type: "init-stom";
  readonly buy: string;
  readonly sell: string;
  /** STOM's 최적화 범위 text (self.vars[n] = [[start, end, step], best] lines), if the ranges are not in the texts */
  readonly vars?: string;
  /** the DB layout of `inputs` (compileStom's kind) */
  readonly kind: StomKind;
  readonly inputs: readonly StomInput[];
  /** runStom's options: 투자금 (betting) and the fill rule */
  readonly options?: Pick<StomBacktestOptions, "betting" | "fill" | "avgTicks" | "buyDepth" | "sellDepth">;
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
        const program = compileStom(data.buy, data.sell, {
          kind: data.kind,
          buyFile: "buy",
          sellFile: "sell",
          ...(data.vars?.trim() ? { vars: data.vars } : {}),
        });
        // stomRunner's run is one synchronous runStom per task behind an async loop: take the result as it lands
        const runner = stomRunner(program, data.inputs, data.options ?? {});
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
