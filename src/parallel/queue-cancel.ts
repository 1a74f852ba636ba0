import type { Redis } from "ioredis";
import { QUEUE_NAME, STUDY_TTL_S, studyKeys } from "./queue-job.ts";
import { redisConnection, showRedisUrl } from "./redis-url.ts";

/**
 * Cancels a study from any shell: its waiting jobs are removed (running ones finish) and its
 * coordinator, if one runs, stops with what has reported. Results stay in Redis: running the same
 * study again resumes it.
 *
 *     const { removed } = await cancelStudy("redis://10.0.0.5:6379", "3f9a0c1d2e4b5a69");
 */
export async function cancelStudy(url: string, study: string): Promise<{ removed: number }> {
  if (!/^[0-9a-f]{8,64}$/.test(study)) throw new Error(`invalid study id: ${study}`);
  const { Queue } = await import("bullmq");
  const queue = new Queue(QUEUE_NAME, { connection: redisConnection(url) });
  try {
    await queue.waitUntilReady().catch((e) => {
      throw new Error(`cannot reach ${showRedisUrl(url)}: ${e instanceof Error ? e.message : e}`);
    });
    const client = (await queue.client) as unknown as Redis;
    const removed = new Set<string>();
    const removeWaiting = async () => {
      const jobs = await queue.getJobs(["waiting", "prioritized", "delayed", "paused"]);
      const mine = jobs.filter((job) => job?.id?.startsWith(`${study}.`)).map((job) => job.id as string);
      const done = await Promise.all(mine.map((id) => queue.remove(id).catch(() => 0)));
      mine.forEach((id, k) => {
        if (done[k]) removed.add(id);
      });
    };
    // the jobs first, then the flag: a coordinator that sees the flag removes its waiting jobs
    // itself, and when it polled between the flag and the listing, this found none to count; then
    // once more for any the coordinator queued meanwhile
    await removeWaiting();
    await client.set(studyKeys(study).cancelled, "1", "EX", STUDY_TTL_S);
    await removeWaiting();
    return { removed: removed.size };
  } finally {
    await queue.close();
  }
}
