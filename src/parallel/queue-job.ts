// What travels through the queue and where the results stay: one BullMQ job per backtest, named by
// its study and its content, and three Redis hashes per study (results, and per-worker counts).
import { createHash } from "node:crypto";
import type { Task } from "../engine/optimize/runner.ts";

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

/** One job: one backtest of one study. */
export interface StudyJob {
  readonly study: string;
  /** hash of the context: workers load each context once */
  readonly ctx: string;
  readonly context: QueueContext;
  /** hash of (context, task): the result's field in the study's results hash */
  readonly key: string;
  readonly task: Task;
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

/** BullMQ job ids may not contain ":"; the study prefix lets `--cancel` find a study's jobs. */
export const jobId = (study: string, key: string) => `${study}.${key}`;
