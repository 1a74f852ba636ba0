import os from "node:os";
import { fileURLToPath } from "node:url";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { BacktestOptions } from "../engine/backtest.ts";
import type { Bars } from "../engine/bars.ts";
import { ParamCountdown } from "../engine/optimize/param-countdown.ts";
import type { Runner, Task, TaskResult } from "../engine/optimize/runner.ts";
import type { Screening } from "../engine/optimize/screen.ts";
import type { StomCompileOptions, StomInput, StomRunOptions } from "../engine/stom/index.ts";
import { claimTable } from "./indicator-claims.ts";
import { type SharedBars, shareBars, shareColumns } from "./shared-bars.ts";
import { closeThread, threadBoot } from "./thread-boot.ts";
import type { SharedIndicator, WorkerBars, WorkerInit } from "./worker.ts";

// how the thread loads the engine and the strategy: thread-boot.ts
const BOOT = threadBoot(fileURLToPath(new URL("./worker.ts", import.meta.url)), "pool-worker");

export interface PoolOptions {
  /** worker threads; defaults to the cores */
  readonly workers?: number;
  /** share indicator results between runs in each worker */
  readonly memo?: boolean;
}

/**
 * A Runner on Node worker threads. The bar columns go into SharedArrayBuffers once and every worker
 * views them; each worker imports the strategy module from its path. Tasks are handed out one at a
 * time to whichever worker is free, so results arrive in any order (the search orders them).
 *
 *     const runner = await workerPool("notebooks/strategies/sma-cross.ts", bars, { cash: 10_000 }, { workers: 2 });
 *     try { await optimize(runner, {...}) } finally { await runner.close() }
 *
 * `bars` may be a promise (bars still being read): the threads start at once, load the engine and
 * the strategy meanwhile, and get the bars when they are there (0.15-0.2 s of a thread's start
 * overlaps the read).
 */
export async function workerPool(
  strategyPath: string,
  bars: Bars | Promise<Bars>,
  options: Omit<BacktestOptions, "params"> = {},
  { workers = os.availableParallelism(), memo = true }: PoolOptions = {},
): Promise<Runner> {
  const shared = bars instanceof Promise ? bars.then(shareBars) : shareBars(bars);
  const init: WorkerInit = { kind: "strategy", strategyPath, options, memo };
  return startPool(init, workers, strategyPath, shared);
}

/** STOM texts and what they run on, for stomWorkerPool. */
export interface StomTexts {
  readonly buy: string;
  readonly sell: string;
  readonly compile: StomCompileOptions;
}

/**
 * A Runner for STOM texts on Node worker threads: each worker compiles the texts once and views the
 * symbols' columns in shared memory; each task is one STOM backtest (stomTask) with its self.vars.
 *
 *     const runner = await stomWorkerPool({ buy, sell, compile: { kind } }, inputs, { betting: 1e6 }, { workers: 2 });
 */
export async function stomWorkerPool(
  texts: StomTexts,
  inputs: readonly StomInput[],
  options: Omit<StomRunOptions, "vars" | "params" | "clock"> = {},
  { workers = os.availableParallelism() }: Omit<PoolOptions, "memo"> = {},
): Promise<Runner> {
  const init: WorkerInit = {
    kind: "stom",
    texts,
    inputs: inputs.map((input) => ({
      symbol: input.symbol,
      name: input.name,
      columns: shareColumns(input.columns),
    })),
    options,
  };
  return startPool(init, workers, texts.compile.buyFile ?? "the STOM texts");
}

async function startPool(
  init: WorkerInit,
  workers: number,
  what: string,
  bars?: SharedBars | Promise<SharedBars>,
): Promise<Runner> {
  if (!(Number.isInteger(workers) && workers >= 1)) throw new Error(`invalid workers: ${workers}`);
  // the parent's flags (--import tsx, --expose-gc...) are not all valid in workers, and not needed
  const execArgv: string[] = [];
  const started: Worker[] = [];
  // a bar strategy's threads share the indicators they compute (worker.ts shareIndicators): one
  // table of claims, and an inbox each that this thread fills with the others' results
  const claims = init.kind === "strategy" && init.memo ? claimTable() : null;
  const inboxes: MessagePort[] = [];
  const ready = Array.from({ length: workers }, async (_, k) => {
    let data: WorkerInit = init;
    const transferList: MessagePort[] = [];
    if (claims && init.kind === "strategy") {
      const { port1, port2 } = new MessageChannel();
      inboxes[k] = port2;
      data = { ...init, peers: { claims, inbox: port1, thread: k, threads: workers } };
      transferList.push(port1);
    }
    const w = new Worker(BOOT, { eval: true, workerData: data, transferList, execArgv });
    started.push(w);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: { ready?: boolean; error?: string }) => {
        if (m.ready === undefined) return;
        w.off("message", onMessage);
        if (m.ready) resolve();
        else reject(new Error(`worker could not load ${what}: ${m.error}`));
      };
      w.on("message", onMessage);
      w.once("error", reject);
    });
    return w;
  });
  // handled from the start: a thread may fail to load while the bars are still being read
  const all = Promise.all(ready);
  all.catch(() => {});
  let pool: Worker[];
  try {
    // a bar strategy's threads wait for the bars (WorkerBars) while they load
    if (bars !== undefined) {
      // a thread that fails to load fails the start now, not once the bars are read
      const failed = all.then(() => Promise.reject(new Error("internal: threads ready before their bars")));
      const message: WorkerBars = { bars: await Promise.race([bars, failed]) };
      for (const w of started) w.postMessage(message);
    }
    pool = await all;
  } catch (error) {
    await Promise.all(started.map((w) => w.terminate()));
    for (const inbox of inboxes) inbox.close();
    throw error;
  }
  let cancelled = false;
  return {
    concurrency: workers,
    run(tasks: readonly Task[], onResult: (r: TaskResult) => void, screening?: Screening): Promise<void> {
      cancelled = false;
      // even workers take tasks from the front, odd ones from the back: neighbouring tasks share
      // indicators (a grid's rows), so each worker's memo computes fewer of them than if the
      // workers took turns along the list (results are recorded by id, in proposal order)
      let front = 0;
      let back = tasks.length - 1;
      let inFlight = 0;
      // parameter values no task left has: the threads drop the indicators only they needed (a
      // grid's finished rows) and compute the next ones into that memory (ParamCountdown)
      const countdown = claims ? new ParamCountdown(tasks) : null;
      if (countdown) for (const w of pool) w.postMessage({ keep: countdown.values() });
      return new Promise<void>((resolve, reject) => {
        if (!tasks.length) return resolve();
        const cleanup = () => {
          for (const w of pool) {
            w.removeAllListeners("message");
            w.removeAllListeners("error");
          }
        };
        const feed = (w: Worker, k: number) => {
          if (cancelled || front > back) {
            if (inFlight === 0) {
              cleanup();
              resolve();
            }
            return;
          }
          inFlight++;
          const task = k % 2 === 0 ? tasks[front++] : tasks[back--];
          // the threshold as it stands now: results that came back since may have raised it
          w.postMessage(
            screening
              ? { ...task, screen: { spec: screening.spec, threshold: screening.threshold() } }
              : task,
          );
          const retired = countdown?.handOut(task);
          // after the task: each thread's port delivers in order, so none retires a value
          // before it ran the tasks it was sent with it
          if (retired?.length) for (const other of pool) other.postMessage({ retire: retired });
        };
        pool.forEach((w, k) => {
          w.on("message", (r: TaskResult | { indicator: SharedIndicator }) => {
            if ("indicator" in r) {
              // an indicator worker k computed: into the others' inboxes, which they read on a miss
              inboxes.forEach((inbox, j) => {
                if (j !== k) inbox.postMessage(r.indicator);
              });
              return;
            }
            inFlight--;
            onResult(r);
            feed(w, k);
          });
          w.on("error", (e) => {
            cleanup();
            reject(e);
          });
        });
        // two tasks in flight per worker: the next one waits in its queue while this thread,
        // busy or descheduled, takes the last result
        pool.forEach((w, k) => {
          feed(w, k);
          feed(w, k);
        });
      });
    },
    cancel() {
      cancelled = true;
    },
    async close() {
      await Promise.all(pool.map((w) => closeThread(w)));
      for (const inbox of inboxes) inbox.close();
    },
  };
}
