/** Where a study's queue lives: the parts of a `redis://[user:password@]host[:port][/db]` URL. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
}

/**
 * Parses `--queue`: `redis://host:port[/db]` (port 6379 and db 0 by default). The URL is shown in
 * logs without its password.
 *
 *     parseRedisUrl("redis://10.0.0.5:6379/2") // {host: "10.0.0.5", port: 6379, db: 2}
 */
export function parseRedisUrl(text: string): RedisAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`invalid queue url: ${text} (redis://host:port[/db])`);
  }
  if (url.protocol !== "redis:" || !url.hostname)
    throw new Error(`invalid queue url: ${text} (redis://host:port[/db])`);
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, "");
  const db = dbText === "" ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new Error(`invalid redis db in ${text}: ${dbText}`);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port,
    db,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}

/** The URL without its password, for logs. */
export function showRedisUrl(text: string): string {
  const a = parseRedisUrl(text);
  return `redis://${a.host}:${a.port}/${a.db}`;
}

/**
 * ioredis connection options for BullMQ. `maxRetriesPerRequest: null` is what BullMQ's workers
 * require (their blocking reads must wait through a Redis restart instead of failing).
 */
export function redisConnection(text: string) {
  return { ...parseRedisUrl(text), maxRetriesPerRequest: null };
}
