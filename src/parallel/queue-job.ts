// What travels through the queue and where the results stay: one BullMQ job per backtest, named by
// its study and its content, and three Redis hashes per study (results, and per-worker counts).
import { createHash } from "node:crypto";
import type { Task, TaskResult } from "../engine/optimize/runner.ts";

/** The BullMQ queue every study shares (a worker serves any study it can load). */
export const QUEUE_NAME = "stom-optimize";

/** Results and counts outlive the coordinator (a restart resumes), but not forever. */
export const STUDY_TTL_S = 7 * 24 * 3600;

/**
 * What a worker needs to run a study's tasks: the strategy and the data by reference and by hash
 * (src/app/queue-context.ts builds and loads it). Plain JSON.
 */
export interface QueueContext {
  readonly kind: string;
}

/**
 * What a loaded context runs: one task to its result. A universe's tasks read their series first
 * (async); a throw is a refusal (the data here differs), not a failed backtest. `close` frees what
 * the context holds (an open catalog) when a worker drops it.
 */
export type TaskFn = ((task: Task) => TaskResult | Promise<TaskResult>) & { close?: () => Promise<void> };

/** One job: a few backtests of one study (one, unless the coordinator chunks short ones). */
export interface StudyJob {
  readonly study: string;
  /** hash of the context: workers load each context once */
  readonly ctx: string;
  readonly context: QueueContext;
  /** each task's content key (taskKey): its result's field in the study's results hash */
  readonly keys: readonly string[];
  readonly tasks: readonly Task[];
}

/** The Redis keys of one study. */
export function studyKeys(study: string) {
  const base = `stom:study:${study}`;
  return {
    /** task key -> the v8-serialized TaskResult, written once (HSETNX) */
    results: `${base}:results`,
    /** worker name -> trials it recorded */
    workers: `${base}:workers`,
    /** worker name -> backtests it finished (a stalled job run twice counts twice here, once above) */
    runs: `${base}:runs`,
    /** set by `--cancel`: running coordinators stop */
    cancelled: `${base}:cancelled`,
  };
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** sha256 of JSON with object keys sorted, hex: the same value gives the same id on any machine. */
export function jsonHash(value: unknown): string {
  return sha(stableJson(value));
}

export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v as object)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/**
 * A task's key: its content (parameters, window, equity flag) within its context, not its id, so a
 * restarted coordinator that proposes the same tasks finds their results, and one trial proposed
 * twice runs once.
 */
export function taskKey(ctx: string, task: Task): string {
  const { id: _, ...content } = task;
  return sha(`${ctx}\n${stableJson(content)}`).slice(0, 32);
}

/**
 * A job's id: the study, then its one task's key or a hash of its tasks' keys. The same tasks give
 * the same id, so a restarted coordinator does not queue again what is still queued. (BullMQ job
 * ids may not contain ":"; the study prefix lets `--cancel` find a study's jobs.)
 */
export const jobId = (study: string, keys: readonly string[]) =>
  `${study}.${keys.length === 1 ? keys[0] : sha(keys.join(",")).slice(0, 32)}`;

/**
 * Tasks per job when the caller does not say: about a 64th of the batch, at most 32. A job costs
 * a few Redis round trips (about 1.5 ms here), which short bar backtests do not cover; a grid's
 * batch of 512 goes out as 64 jobs of 8, while TPE's 8 and GA's 16 (and STOM's rounds, whose tick
 * backtests are long) stay one per job, so no worker waits for another's long chunk.
 */
export const autoChunk = (tasks: number) => Math.max(1, Math.min(32, Math.floor(tasks / 64)));
