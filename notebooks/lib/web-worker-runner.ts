// The optimizer's Runner on Web Workers, for the notebooks (src/engine has no DOM). The bars are
// copied once into each worker (SharedArrayBuffer needs cross-origin isolation, which a plain
// static host does not give); tasks go one at a time to whichever worker is free.
import type { Runner, Task, TaskResult } from "../../src/engine/optimize/runner.ts";
import type { OptimizeWorkerInit, OptimizeWorkerReply, OptimizeWorkerStomInit } from "./optimize-worker.ts";

type Init = Omit<OptimizeWorkerInit, "type"> | Omit<OptimizeWorkerStomInit, "type">;

/**
 * Typed-array views that do not span their whole buffer become compact copies: postMessage clones
 * a view's entire buffer, and a column decoded from Arrow views one buffer shared by every column.
 */
function compact(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    const v = value as Float64Array;
    return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v : v.slice();
  }
  if (Array.isArray(value)) return value.map(compact);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  return value;
}

export interface WebWorkerRunnerOptions {
  /** Web Workers to start; defaults to the cores, at most 4 */
  readonly workers?: number;
}

/**
 * Starts `workers` module workers from `url` (the bundle data/optimize-worker.mjs), sends each the
 * init (a bundled strategy with bar columns, or STOM buy/sell texts with tick inputs), and resolves
 * once all are ready.
 *
 *     const runner = await webWorkerRunner(url, { type: "init", strategy: "sma-cross", columns, options });
 *     try { await optimize(runner, { space, method: "tpe", trials: 20, seed: 1 }) } finally { await runner.close() }
 */
export async function webWorkerRunner(
  url: string | URL,
  init: Init,
  { workers = Math.min(4, globalThis.navigator?.hardwareConcurrency || 2) }: WebWorkerRunnerOptions = {},
): Promise<Runner> {
  if (!(Number.isInteger(workers) && workers >= 1)) throw new Error(`invalid workers: ${workers}`);
  const pool: Worker[] = [];
  const message = { type: "buy" in init ? "init-stom" : "init", ...(compact(init) as object) };
  try {
    await Promise.all(
      Array.from({ length: workers }, async () => {
        const w = new Worker(url, { type: "module" });
        pool.push(w);
        await new Promise<void>((resolve, reject) => {
          w.onmessage = ({ data }: MessageEvent<OptimizeWorkerReply>) => {
            if (data.type !== "ready") return;
            if (data.error) reject(new Error(`worker init failed: ${data.error}`));
            else resolve();
          };
          w.onerror = (e) => reject(new Error(e.message || "worker failed to start"));
          // each worker gets its own copy: a transfer would detach the page's columns
          w.postMessage(message);
        });
      }),
    );
  } catch (e) {
    for (const w of pool) w.terminate();
    throw e;
  }
  let cancelled = false;
  let fail: ((e: Error) => void) | undefined;
  return {
    concurrency: workers,
    run(tasks: readonly Task[], onResult: (r: TaskResult) => void): Promise<void> {
      cancelled = false;
      let next = 0;
      let inFlight = 0;
      return new Promise<void>((resolve, reject) => {
        if (!tasks.length) return resolve();
        fail = reject;
        const feed = (w: Worker) => {
          if (cancelled || next >= tasks.length) {
            if (inFlight === 0) resolve();
            return;
          }
          inFlight++;
          w.postMessage({ type: "task", task: tasks[next++] });
        };
        for (const w of pool) {
          w.onmessage = ({ data }: MessageEvent<OptimizeWorkerReply>) => {
            if (data.type !== "result") return;
            inFlight--;
            onResult(data.result);
            feed(w);
          };
          w.onerror = (e) => reject(new Error(e.message || "optimize worker failed"));
        }
        for (const w of pool) feed(w);
      });
    },
    cancel() {
      cancelled = true;
    },
    async close() {
      for (const w of pool) w.terminate();
      fail?.(new Error("runner closed"));
    },
  };
}
