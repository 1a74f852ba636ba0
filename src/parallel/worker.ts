// Worker thread entry: loads the strategy module by path (or compiles STOM texts), views the shared
// columns, and runs the tasks it is sent one at a time, posting each result back (equity transferred).
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import type { BacktestOptions } from "../engine/backtest.ts";
import { Evaluator } from "../engine/optimize/evaluate.ts";
import type { Task, TaskResult } from "../engine/optimize/runner.ts";
import type { StomRunOptions } from "../engine/stom/index.ts";
import type { StrategyDef } from "../engine/strategy.ts";
import type { StomTexts } from "./pool.ts";
import { type SharedBars, sharedToBars } from "./shared-bars.ts";

export type WorkerInit =
  | {
      readonly kind: "strategy";
      readonly strategyPath: string;
      readonly bars: SharedBars;
      readonly options: Omit<BacktestOptions, "params">;
      readonly memo: boolean;
    }
  | {
      readonly kind: "stom";
      readonly texts: StomTexts;
      readonly inputs: readonly {
        readonly symbol: string;
        readonly name?: string;
        readonly columns: Readonly<Record<string, SharedArrayBuffer>>;
      }[];
      readonly options: Omit<StomRunOptions, "vars" | "params" | "clock">;
    };

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error("worker.ts must run in a worker thread");

async function load(init: WorkerInit): Promise<(task: Task) => TaskResult> {
  if (init.kind === "stom") {
    // loaded only here: a bar strategy's workers start without the STOM engine (a tenth of their start)
    const { compileStom, stomTask } = await import("../engine/stom/index.ts");
    const { buy, sell, compile } = init.texts;
    const inputs = init.inputs.map((input) => ({
      symbol: input.symbol,
      name: input.name,
      columns: Object.fromEntries(
        Object.entries(input.columns).map(([k, sab]) => [k, new Float64Array(sab)]),
      ),
    }));
    return stomTask(compileStom(buy, sell, compile), inputs, init.options);
  }
  const mod = await import(pathToFileURL(init.strategyPath).href);
  const strategy = mod.default as StrategyDef;
  const evaluator = new Evaluator(strategy, sharedToBars(init.bars), init.options, { memo: init.memo });
  return (task) => evaluator.run(task);
}

try {
  const run = await load(init);
  port.on("message", (task: Task) => {
    const result = run(task);
    port.postMessage(result, result.equity ? [result.equity.buffer as ArrayBuffer] : []);
  });
  port.postMessage({ ready: true });
} catch (e) {
  port.postMessage({ ready: false, error: e instanceof Error ? e.message : String(e) });
}
