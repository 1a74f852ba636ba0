import os from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Runner, Task, TaskResult } from "../engine/optimize/runner.ts";
import type { QueueContext } from "./queue-job.ts";
import { closeThread, threadBoot } from "./thread-boot.ts";

// the thread registers the project's hooks first (thread-boot.ts)
const BOOT = threadBoot(fileURLToPath(new URL("./context-thread.ts", import.meta.url)), "context-thread");

/** What a thread loads: a module exporting `load(context, options) => Promise<TaskFn>`. */
export interface ContextThreadInit {
  /** a module URL (import.meta.resolve-able from a thread) */
  readonly module: string;
  /** the loader's export name */
  readonly load: string;
  readonly context: QueueContext;
  readonly options?: unknown;
}

export interface ContextPoolOptions {
  /** threads; defaults to the cores */
  readonly workers?: number;
}

/**
 * A Runner on worker threads that each load a study context with the loader `stom worker` uses
 * (src/app/queue-context.ts), so a task gives the same result here as on the queue. Unlike
 * workerPool it shares no bars: each thread reads what its tasks name (a universe's series from
 * the catalog), and a task may be async. A task that throws (a refusal) rejects the batch.
 *
 *     const runner = await contextPool({ module, load: "loadUniverseContext", context }, { workers: 2 });
 */
export async function contextPool(
  init: ContextThreadInit,
  { workers = os.availableParallelism() }: ContextPoolOptions = {},
): Promise<Runner> {
  if (!(Number.isInteger(workers) && workers >= 1)) throw new Error(`invalid workers: ${workers}`);
  const pool = await Promise.all(
    Array.from({ length: workers }, async () => {
      // the parent's flags (--import tsx, --expose-gc...) are not all valid in threads
      const w = new Worker(BOOT, { eval: true, workerData: init, execArgv: [] });
      await new Promise<void>((resolve, reject) => {
        const onMessage = (m: { ready?: boolean; error?: string }) => {
          if (m.ready === undefined) return;
          w.off("message", onMessage);
          if (m.ready) resolve();
          else reject(new Error(`thread could not load the ${init.context.kind} study: ${m.error}`));
        };
        w.on("message", onMessage);
        w.once("error", reject);
      });
      return w;
    }),
  );
  let cancelled = false;
  return {
    concurrency: workers,
    run(tasks: readonly Task[], onResult: (r: TaskResult) => void): Promise<void> {
      cancelled = false;
      let next = 0;
      let inFlight = 0;
      return new Promise<void>((resolve, reject) => {
        if (!tasks.length) return resolve();
        const cleanup = () => {
          for (const w of pool) {
            w.removeAllListeners("message");
            w.removeAllListeners("error");
          }
        };
        const feed = (w: Worker) => {
          if (cancelled || next >= tasks.length) {
            if (inFlight === 0) {
              cleanup();
              resolve();
            }
            return;
          }
          inFlight++;
          w.postMessage(tasks[next++]);
        };
        for (const w of pool) {
          w.on("message", (m: { result?: TaskResult; refused?: string }) => {
            inFlight--;
            if (m.refused !== undefined) {
              cancelled = true;
              cleanup();
              reject(new Error(m.refused));
              return;
            }
            onResult(m.result as TaskResult);
            feed(w);
          });
          w.on("error", (e) => {
            cleanup();
            reject(e);
          });
        }
        for (const w of pool) feed(w);
      });
    },
    cancel() {
      cancelled = true;
    },
    async close() {
      await Promise.all(pool.map((w) => closeThread(w)));
    },
  };
}
