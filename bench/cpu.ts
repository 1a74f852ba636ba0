// CPU time for the queue benchmarks: what every process of a run used (this one with its threads,
// the `stom worker` processes, redis-server), read from /proc. On a shared machine wall time moves
// with the other jobs' load; CPU time moves much less, and the queue's overhead is CPU it adds.
import { readFileSync } from "node:fs";

/** CPU ms a process has used so far (Linux /proc; NaN elsewhere). */
export function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    // utime and stime: fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/** A meter: each call returns the CPU ms this process and `pids` used since the previous call. */
export function cpuMeter(pids: readonly number[] = []): () => number {
  const now = () => {
    const self = process.cpuUsage();
    return (self.user + self.system) / 1000 + pids.reduce((s, pid) => s + cpuOf(pid), 0);
  };
  let last = now();
  return () => {
    const t = now();
    const used = t - last;
    last = t;
    return used;
  };
}

/** redis-server's pid, from INFO. */
export async function redisPid(client: { info(section: string): Promise<string> }): Promise<number> {
  return Number(/process_id:(\d+)/.exec(await client.info("server"))?.[1]);
}
