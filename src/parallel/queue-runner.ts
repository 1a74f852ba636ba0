import type { Redis } from "ioredis";
import type { Runner, Task, TaskResult } from "../engine/optimize/runner.ts";
import {
  autoChunk,
  jobId,
  jsonHash,
  QUEUE_NAME,
  type QueueContext,
  STUDY_TTL_S,
  type StudyJob,
  studyKeys,
  taskKey,
} from "./queue-job.ts";
import { redisConnection, showRedisUrl } from "./redis-url.ts";
import { decodeResult } from "./result-codec.ts";

export interface QueueRunnerOptions {
  /** the study's id: derived from its definition, so a restarted coordinator finds its results */
  readonly study: string;
  /** what workers load (src/app/queue-context.ts) */
  readonly context: QueueContext;
  /** lines for a person: the study id, what Redis already holds, trials per worker at close */
  readonly log?: (line: string) => void;
  /** the first Ctrl-C cancels the study (for callers that do not cancel on SIGINT themselves) */
  readonly sigint?: boolean;
  /** how often Redis is read beside the event stream: results it missed, a `--cancel` (ms) */
  readonly pollMs?: number;
  /** reported as Runner.concurrency; searches never size their batches by it for results */
  readonly concurrency?: number;
  /** tasks per job (default autoChunk: about a 64th of a batch, at most 32) */
  readonly chunk?: number;
  /** what a task is called in the log lines ("trials"; a universe's are "series") */
  readonly unit?: string;
}

/** A Runner on BullMQ, with the study it runs and the trials each worker recorded. */
export interface QueueRunner extends Runner {
  readonly study: string;
  counts(): Promise<Record<string, number>>;
}

interface Pending {
  readonly waiting: Map<string, number[]>;
  readonly onResult: (r: TaskResult) => void;
  finish(): void;
  fail(e: Error): void;
}

const CHUNK = 1000;
const chunks = <T>(xs: readonly T[]) =>
  Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, k) => xs.slice(k * CHUNK, (k + 1) * CHUNK));

/**
 * A Runner whose tasks are BullMQ jobs run by `stom worker` processes on any machine. Each task's
 * result is stored in Redis under its content key (taskKey), written once however often the job
 * runs, so a worker killed mid-job loses nothing (BullMQ hands the stalled job to another worker)
 * and a restarted coordinator takes the results already there instead of queueing them again.
 * Results arrive in any order; the search orders them, as with the thread pool.
 *
 *     const runner = await queueRunner("redis://10.0.0.5:6379", { study, context });
 *     try { await optimize(runner, {...}) } finally { await runner.close() }
 */
export async function queueRunner(
  url: string,
  {
    study,
    context,
    log = () => {},
    sigint = false,
    pollMs = 500,
    concurrency = 1,
    chunk,
    unit = "trials",
  }: QueueRunnerOptions,
): Promise<QueueRunner> {
  if (chunk !== undefined && !(Number.isInteger(chunk) && chunk >= 1))
    throw new Error(`invalid chunk: ${chunk}`);
  // BullMQ (and ioredis) load only for a study on a queue: `stom backtest` never pays for them
  const { Queue, QueueEvents } = await import("bullmq");
  const connection = redisConnection(url);
  const queue = new Queue(QUEUE_NAME, { connection });
  let events: InstanceType<typeof QueueEvents> | undefined;
  const close = async () => {
    await Promise.allSettled([events?.close(), queue.close()]);
  };
  let client: Redis;
  try {
    await queue.waitUntilReady();
    // BullMQ connects through ioredis; its typings show only a narrow client interface
    client = (await queue.client) as unknown as Redis;
    // events are read from the stream's end as it is now, so none between this and the first
    // read is missed (a job refused in that gap would otherwise leave the study waiting)
    const last = await client.xrevrange(queue.keys.events, "+", "-", "COUNT", 1);
    events = new QueueEvents(QUEUE_NAME, { connection, lastEventId: last[0]?.[0] ?? "0-0" });
    await events.waitUntilReady();
  } catch (e) {
    await close();
    throw new Error(`cannot reach ${showRedisUrl(url)}: ${e instanceof Error ? e.message : e}`);
  }
  const keys = studyKeys(study);
  const ctx = jsonHash(context).slice(0, 16);
  // starting a study again is deliberate: an earlier --cancel no longer applies
  await client.del(keys.cancelled);
  const stored = await client.hlen(keys.results);
  log(
    `queue: study ${study} on ${showRedisUrl(url)}${stored ? `, ${stored} ${unit} already in Redis (resuming)` : ""}`,
  );

  let pending: Pending | null = null;
  let cancelled = false;
  let failure: Error | null = null;
  let removal: Promise<unknown> = Promise.resolve();
  /** job id -> its tasks' keys, for the jobs of the running batch */
  const byJob = new Map<string, readonly string[]>();

  /** hands stored results to the waiting tasks */
  const fetchStored = async (p: Pending, wanted: readonly string[]) => {
    for (const part of chunks(wanted)) {
      if (!part.length) continue;
      const found = await client.hmgetBuffer(keys.results, ...part);
      part.forEach((key, k) => {
        const bytes = found[k];
        const ids = p.waiting.get(key);
        // a cancelled or failed batch takes no more results
        if (!bytes || !ids || pending !== p) return;
        p.waiting.delete(key);
        for (const id of ids) p.onResult(decodeResult(bytes, id));
      });
    }
    if (p.waiting.size === 0 && pending === p) p.finish();
  };

  events.on("completed", ({ jobId: id }) => {
    const mine = byJob.get(id);
    const p = pending;
    if (mine && p) fetchStored(p, mine).catch((e) => p.fail(e));
  });
  events.on("failed", ({ jobId: id, failedReason }) => {
    const mine = byJob.get(id);
    if (mine?.some((key) => pending?.waiting.has(key))) pending?.fail(new Error(failedReason));
  });

  const removeWaiting = (ids: readonly string[]) =>
    Promise.allSettled(ids.map((id) => queue.remove(id).catch(() => 0)));

  const runner: QueueRunner = {
    study,
    concurrency,
    run(tasks: readonly Task[], onResult: (r: TaskResult) => void): Promise<void> {
      if (failure) return Promise.reject(failure);
      if (cancelled) return Promise.reject(new Error(`study ${study} was cancelled`));
      if (!tasks.length) return Promise.resolve();
      const waiting = new Map<string, number[]>();
      const taskOf = new Map<string, Task>();
      for (const task of tasks) {
        const key = taskKey(ctx, task);
        const ids = waiting.get(key);
        if (ids) ids.push(task.id);
        else {
          waiting.set(key, [task.id]);
          taskOf.set(key, task);
        }
      }
      // jobs are cut from the whole batch, not from what is missing, so a restarted coordinator
      // cuts the same jobs (same ids) as the one before it
      const size = chunk ?? autoChunk(taskOf.size);
      const all = [...taskOf.keys()];
      const jobs = Array.from({ length: Math.ceil(all.length / size) }, (_, k) =>
        all.slice(k * size, (k + 1) * size),
      );
      const ids = jobs.map((keys) => jobId(study, keys));
      jobs.forEach((keys, k) => {
        byJob.set(ids[k], keys);
      });
      return new Promise<void>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const end = () => {
          clearInterval(timer);
          if (pending === p) pending = null;
          for (const id of ids) byJob.delete(id);
        };
        const p: Pending = {
          waiting,
          onResult,
          finish() {
            end();
            resolve();
          },
          fail(e) {
            if (pending !== p) return;
            failure = e;
            end();
            // the study stops: nobody should run what is still queued
            removal = removeWaiting(ids);
            reject(e);
          },
        };
        pending = p;
        const job = (k: number) => ({
          name: "trials",
          data: {
            study,
            ctx,
            context,
            keys: jobs[k],
            tasks: jobs[k].map((key) => taskOf.get(key) as Task),
          } satisfies StudyJob,
          // the results live in the study's hash; a job with this id already queued (by an
          // earlier coordinator of the same study) is not added twice
          opts: { jobId: ids[k], removeOnComplete: true, removeOnFail: true },
        });
        const open = () => jobs.flatMap((keys, k) => (keys.some((key) => waiting.has(key)) ? [k] : []));
        const start = async () => {
          await fetchStored(p, all);
          if (pending !== p) return;
          for (const part of chunks(open())) await queue.addBulk(part.map(job));
          await client.expire(keys.results, STUDY_TTL_S);
        };
        start().catch((e) => p.fail(e));
        let ticks = 0;
        let busy = false;
        /**
         * The event stream is the fast path; this catches what it missed: a result stored before
         * this coordinator listened, a --cancel from another shell, and (every 10th time) a job
         * gone without its result (failed while nobody listened, or its events trimmed): it is
         * queued again, and a refusal is then seen as it happens.
         */
        const poll = async () => {
          if (await client.get(keys.cancelled)) {
            log(`queue: study ${study} cancelled`);
            runner.cancel();
            return;
          }
          await fetchStored(p, [...waiting.keys()]);
          if (pending !== p || ++ticks % 10 !== 0) return;
          const candidates = open().slice(0, 256);
          const states = await Promise.all(candidates.map((k) => queue.getJobState(ids[k])));
          const gone = candidates.filter((_, i) => states[i] === "unknown");
          if (!gone.length) return;
          await fetchStored(
            p,
            gone.flatMap((k) => jobs[k]),
          );
          const again = gone.filter((k) => jobs[k].some((key) => waiting.has(key)));
          if (pending === p && again.length) await queue.addBulk(again.map(job));
        };
        timer = setInterval(() => {
          if (pending !== p || busy) return;
          busy = true;
          poll()
            .catch((e) => p.fail(e))
            .finally(() => {
              busy = false;
            });
        }, pollMs);
      });
    },
    cancel() {
      if (cancelled) return;
      cancelled = true;
      const p = pending;
      if (!p) return;
      removal = removeWaiting([...byJob.keys()]);
      // what reported so far stands; the search records it and stops
      p.finish();
    },
    counts: async () =>
      Object.fromEntries(
        Object.entries(await client.hgetall(keys.workers)).map(([name, n]) => [name, Number(n)]),
      ),
    async close() {
      process.off("SIGINT", onSigint);
      try {
        await removal;
        const counts = await runner.counts();
        const total = Object.values(counts).reduce((s, n) => s + n, 0);
        const each = Object.entries(counts)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, n]) => `${name} ${n}`)
          .join(", ");
        log(`queue: study ${study}: ${total} ${unit} recorded${each ? ` (${each})` : ""}`);
      } finally {
        await close();
      }
    },
  };
  const onSigint = () => {
    log(`queue: cancelling study ${study} (removing its waiting jobs)`);
    runner.cancel();
  };
  if (sigint) process.once("SIGINT", onSigint);
  return runner;
}
