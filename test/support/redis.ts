// A real redis-server for the queue tests: started on a free port with a temp dir (no persistence)
// and stopped after the file. `REDIS_SERVER` is null when redis-server is not installed; files that
// need it skip with one line saying so.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

const which = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
/** redis-server's path, or null (the queue tests then skip). */
export const REDIS_SERVER: string | null = which.status === 0 ? which.stdout.trim() : null;
export const NO_REDIS = "skipped: redis-server is not on PATH (apt-get install redis-server)";

/** A TCP port nobody listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:port/db */
  url(db?: number): string;
  /** a client on db (closed by stop) */
  client(db?: number): Redis;
  stop(): Promise<void>;
}

/** Starts redis-server and resolves once it accepts connections. */
export async function startRedis(): Promise<RedisServer> {
  if (!REDIS_SERVER) throw new Error(NO_REDIS);
  const dir = mkdtempSync(join(tmpdir(), "stom-redis-"));
  const port = await freePort();
  const proc: ChildProcess = spawn(
    REDIS_SERVER,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on("data", (chunk) => {
      log += chunk;
      if (log.includes("Ready to accept connections")) resolve();
    });
    proc.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${log}`)));
  });
  const clients: Redis[] = [];
  return {
    port,
    url: (db = 0) => `redis://127.0.0.1:${port}/${db}`,
    client(db = 0) {
      const c = new Redis({ host: "127.0.0.1", port, db, maxRetriesPerRequest: 1 });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.disconnect();
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      proc.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
