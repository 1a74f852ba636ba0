import os from "node:os";
import type { Redis } from "ioredis";
import {
  QUEUE_NAME,
  type QueueContext,
  STUDY_TTL_S,
  type StudyJob,
  studyKeys,
  type TaskFn,
} from "./queue-job.ts";
import { redisConnection, showRedisUrl } from "./redis-url.ts";
import { encodeResult } from "./result-codec.ts";

/** Loads a study's context (strategy and data, their hashes checked) into a task function. */
export type ContextLoader = (context: QueueContext) => Promise<TaskFn>;

export interface QueueWorkerOptions {
  readonly load: ContextLoader;
  /** shown in the coordinator's per-worker counts */
  readonly name?: string;
  /**
   * how long a job's lock lasts without renewal (ms): after it, another worker takes the job for
   * stalled and runs it again. A backtest blocks this process's event loop (renewals wait), so it
   * must exceed the longest single backtest; shorter means faster recovery from a killed worker.
   */
  readonly lockMs?: number;
  /** contexts kept loaded (each holds its bars) */
  readonly keep?: number;
  readonly log?: (line: string) => void;
}

export interface QueueWorker {
  readonly name: string;
  /** finishes the running job, then disconnects */
  close(): Promise<void>;
}

// Records a result once (HSETNX) and counts who did it, in one round trip.
const RECORD = `
local fresh = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
if fresh == 1 then redis.call('HINCRBY', KEYS[2], ARGV[3], 1) end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
return fresh`;

/**
 * Runs study jobs from the queue one at a time in this process (a backtest is CPU-bound and
 * synchronous: more at once in one process would only interleave; run more processes instead).
 * Each context is loaded once and kept; a context whose strategy or data hash differs from this
 * machine's fails its jobs with the reason, which stops the coordinator.
 *
 *     const worker = await queueWorker("redis://10.0.0.5:6379", { load: loadQueueContext });
 */
export async function queueWorker(
  url: string,
  {
    load,
    name = `${os.hostname()}:${process.pid}`,
    lockMs = 30_000,
    keep = 4,
    log = () => {},
  }: QueueWorkerOptions,
): Promise<QueueWorker> {
  if (!(lockMs >= 100)) throw new Error(`invalid lock ms: ${lockMs}`);
  const { Worker } = await import("bullmq");
  const contexts = new Map<string, Promise<TaskFn>>();
  const context = (job: StudyJob) => {
    let loaded = contexts.get(job.ctx);
    if (!loaded) {
      loaded = load(job.context).then(
        (run) => {
          log(`study ${job.study}: loaded context ${job.ctx}`);
          return run;
        },
        (e: unknown) => {
          const reason = e instanceof Error ? e.message : String(e);
          log(`study ${job.study}: refused: ${reason}`);
          throw new Error(`worker ${name} refused study ${job.study}: ${reason}`);
        },
      );
      contexts.set(job.ctx, loaded);
      // the oldest context goes first (a walk-forward moves from fold to fold)
      if (contexts.size > keep) {
        const oldest = contexts.keys().next().value as string;
        const dropped = contexts.get(oldest);
        contexts.delete(oldest);
        dropped?.then((run) => run.close?.()).catch(() => {});
      }
    }
    return loaded;
  };
  const worker: import("bullmq").Worker<StudyJob, number> = new Worker<StudyJob, number>(
    QUEUE_NAME,
    async (job): Promise<number> => {
      const data = job.data;
      const run = await context(data);
      const k = studyKeys(data.study);
      const pipeline = ((await worker.client) as unknown as Redis).pipeline();
      for (const [i, task] of data.tasks.entries()) {
        // between backtests the event loop turns, so the job's lock is renewed during a chunk
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        let result: Buffer;
        try {
          result = encodeResult(await run(task));
        } catch (e) {
          // a task that throws found this machine's data differing from the study's (a failed
          // backtest is a result with an error, not a throw): the study must stop, as on a refusal
          const reason = e instanceof Error ? e.message : String(e);
          log(`study ${data.study}: refused: ${reason}`);
          throw new Error(`worker ${name} refused study ${data.study}: ${reason}`);
        }
        pipeline.eval(RECORD, 3, k.results, k.workers, k.runs, data.keys[i], result, name, STUDY_TTL_S);
      }
      const replies = (await pipeline.exec()) ?? [];
      for (const [error] of replies) if (error) throw error;
      return replies.reduce((s, [, fresh]) => s + Number(fresh), 0);
    },
    {
      connection: redisConnection(url),
      concurrency: 1,
      name,
      lockDuration: lockMs,
      // checking often is cheap (one worker per interval does it) and recovers a killed worker's
      // job soon after its lock lapses
      stalledInterval: Math.min(lockMs, 1000),
      // a job whose worker died is run again, up to a few deaths
      maxStalledCount: 5,
      autorun: false,
    },
  );
  worker.on("error", (e: Error) => log(`worker ${name}: ${e.message}`));
  worker.run().catch((e: unknown) => log(`worker ${name}: ${e instanceof Error ? e.message : e}`));
  try {
    await worker.waitUntilReady();
  } catch (e) {
    await worker.close(true);
    throw new Error(`cannot reach ${showRedisUrl(url)}: ${e instanceof Error ? e.message : e}`);
  }
  log(`worker ${name} ready on ${showRedisUrl(url)}`);
  return {
    name,
    async close() {
      await worker.close();
      await Promise.allSettled([...contexts.values()].map((c) => c.then((run) => run.close?.())));
    },
  };
}
