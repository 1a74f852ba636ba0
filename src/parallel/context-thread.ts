// Worker thread entry of contextPool: loads a study context through the loader it is named, then
// runs the tasks it is sent one at a time (awaiting each), posting each result back.
import { parentPort, workerData } from "node:worker_threads";
import type { Task } from "../engine/optimize/runner.ts";
import type { ContextThreadInit } from "./context-pool.ts";
import type { TaskFn } from "./queue-job.ts";
import type { CLOSE } from "./thread-boot.ts";

const init = workerData as ContextThreadInit;
const port = parentPort;
if (!port) throw new Error("context-thread.ts must run in a worker thread");

try {
  const mod = await import(init.module);
  const run = (await mod[init.load](init.context, init.options)) as TaskFn;
  // one task at a time: the pool sends the next only after this one's answer
  port.on("message", async (task: Task | typeof CLOSE) => {
    if ("close" in task) {
      // the pool is done: with the port closed the thread ends on its own (thread-boot.ts closeThread)
      port.close();
      return;
    }
    try {
      const result = await run(task);
      port.postMessage({ result }, result.equity ? [result.equity.buffer as ArrayBuffer] : []);
    } catch (e) {
      port.postMessage({ refused: e instanceof Error ? e.message : String(e) });
    }
  });
  port.postMessage({ ready: true });
} catch (e) {
  port.postMessage({ ready: false, error: e instanceof Error ? e.message : String(e) });
}
