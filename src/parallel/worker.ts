// Worker thread entry: loads the strategy module by path, views the shared bars, and runs the
// tasks it is sent one at a time, posting each result back (equity transferred, not copied).
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import type { BacktestOptions } from "../engine/backtest.ts";
import { Evaluator } from "../engine/optimize/evaluate.ts";
import type { Task } from "../engine/optimize/runner.ts";
import type { StrategyDef } from "../engine/strategy.ts";
import { type SharedBars, sharedToBars } from "./shared-bars.ts";

export interface WorkerInit {
  readonly strategyPath: string;
  readonly bars: SharedBars;
  readonly options: Omit<BacktestOptions, "params">;
  readonly memo: boolean;
}

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error("worker.ts must run in a worker thread");

try {
  const mod = await import(pathToFileURL(init.strategyPath).href);
  const strategy = mod.default as StrategyDef;
  const evaluator = new Evaluator(strategy, sharedToBars(init.bars), init.options, { memo: init.memo });
  port.on("message", (task: Task) => {
    const result = evaluator.run(task);
    port.postMessage(result, result.equity ? [result.equity.buffer as ArrayBuffer] : []);
  });
  port.postMessage({ ready: true });
} catch (e) {
  port.postMessage({ ready: false, error: e instanceof Error ? e.message : String(e) });
}
