// `stom backtest --universe` with the real parts: a catalog of 24 synthetic series, a redis-server of
// its own, `stom worker` processes, a SIGKILL in the middle of a job. The table must be the same
// bytes in this thread (--workers 0), on the thread pool and on the queue, and every series must be
// recorded once.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Catalog } from "../../src/data/catalog/catalog.ts";
import { makeSampleBars } from "../../src/data/sample.ts";
import { stom, stomSync } from "../support/cli.ts";
import { tempDir } from "../support/fixtures.ts";
import { NO_REDIS, REDIS_SERVER, type RedisServer, startRedis } from "../support/redis.ts";
import { type StomProcess, spawnStom, until } from "../support/spawn.ts";

if (!REDIS_SERVER) console.log(NO_REDIS);

const dir = tempDir("stom-universe-");
const CATALOG = join(dir, "catalog");
const SYMBOLS = Array.from({ length: 24 }, (_, k) => `U${String(k).padStart(2, "0")}`);
const HOLD = join(dir, "hold");
// sma-cross, except that a backtest waits while the HOLD file exists: the victim is held inside a
// job until it is killed
const HOLDING = join(dir, "holding-cross.ts");
const SMA = readFileSync(join(import.meta.dirname, "../../notebooks/strategies/sma-cross.ts"), "utf8");
writeFileSync(
  HOLDING,
  `import { existsSync } from "node:fs";\n${SMA.replace(
    "init(ctx) {",
    `init(ctx) {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    while (existsSync(${JSON.stringify(HOLD)})) Atomics.wait(cell, 0, 0, 20);`,
  )}`,
);
const UNIVERSE = ["--universe", "sample:*:1m", "--catalog", CATALOG, "--finalize-trades"];

let redis: RedisServer;
const workers: StomProcess[] = [];
const worker = async (db: number, ...extra: string[]) => {
  const w = spawnStom(["worker", "--queue", redis.url(db), "--concurrency", "1", ...extra]);
  workers.push(w);
  await w.waitFor(/ready on redis/);
  return w;
};
const sum = (h: Record<string, string>) => Object.values(h).reduce((s, n) => s + Number(n), 0);
const study = (stderr: string) => /queue: study ([0-9a-f]+)/.exec(stderr)?.[1] as string;
const inThread = (args: string[]) => {
  const r = stomSync([...args, "--workers", "0", "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

beforeAll(async () => {
  const catalog = await Catalog.open(CATALOG);
  try {
    await catalog.write(
      SYMBOLS.map((symbol, k) => makeSampleBars({ symbol, bars: 1500 + 37 * k, seed: 100 + k })),
    );
  } finally {
    await catalog.close();
  }
  if (REDIS_SERVER) redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill("SIGKILL")));
  await redis?.stop();
});

describe("stom backtest --universe", () => {
  test("one row per series, sorted; the thread pool prints the same bytes as one thread", async () => {
    const args = ["backtest", "sma-cross", ...UNIVERSE];
    const one = inThread(args);
    const report = JSON.parse(one);
    expect(report.rows.map((r: { series: string }) => r.series)).toEqual(
      SYMBOLS.map((s) => `sample:SAMPLE-${s}:1m`),
    );
    expect(report.rows[3].bars).toBe(1500 + 37 * 3);
    expect(report.aggregate.series).toBe(24);
    expect(report.aggregate.trades).toBe(
      report.rows.reduce((s: number, r: { trades: number }) => s + r.trades, 0),
    );
    const { stdout } = await stom([...args, "--workers", "2", "--json"]);
    expect(stdout).toBe(one);
  });

  test("a file of selectors with a range: each line's series over its range, once", async () => {
    const file = join(dir, "universe.txt");
    writeFileSync(
      file,
      "# two symbols, one of them twice\nsample:SAMPLE-U01:1m@..2024-01-02T12:00\nsample:SAMPLE-U05:1m\nsample:SAMPLE-U05:1m\n",
    );
    const { stdout } = await stom([
      "backtest",
      "sma-cross",
      "--universe",
      file,
      "--catalog",
      CATALOG,
      "--json",
    ]);
    const rows = JSON.parse(stdout).rows;
    expect(
      rows.map((r: { series: string; to?: string; bars: number }) => [r.series, r.to ?? null, r.bars]),
    ).toEqual([
      ["sample:SAMPLE-U01:1m", "2024-01-02T12:00:00.000Z", 720],
      ["sample:SAMPLE-U05:1m", null, 1500 + 37 * 5],
    ]);
  });

  test("a selector matching nothing fails with the selector named", () => {
    const r = stomSync(["backtest", "sma-cross", "--universe", "nowhere:*:1m", "--catalog", CATALOG]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no bar series in the catalog match nowhere:*:1m");
  });
});

describe.skipIf(!REDIS_SERVER)("stom backtest --universe --queue", () => {
  test("2 workers, one SIGKILLed mid-job: every series recorded once, the same bytes as in one thread", async () => {
    const db = redis.client(1);
    const args = ["backtest", HOLDING, ...UNIVERSE];
    writeFileSync(HOLD, "");
    const victim = await worker(1, "--lock-ms", "1000");
    const coordinator = stom([...args, "--queue", redis.url(1), "--json"]);
    await until(async () => (await db.llen("bull:stom-optimize:active")) >= 1, { what: "an active job" });
    await victim.kill("SIGKILL");
    rmSync(HOLD);
    await Promise.all([worker(1, "--lock-ms", "10000"), worker(1, "--lock-ms", "10000")]);
    const { stdout, stderr } = await coordinator;

    expect(stdout).toBe(inThread(args));
    const id = study(stderr);
    expect(await db.hlen(`stom:study:${id}:results`)).toBe(24);
    const recorded = await db.hgetall(`stom:study:${id}:workers`);
    expect(sum(recorded)).toBe(24);
    // the victim finished nothing: all 24 backtests ran on the live workers, its job among them
    expect(sum(await db.hgetall(`stom:study:${id}:runs`))).toBe(24);
    expect(Object.keys(recorded)).not.toContain(expect.stringContaining(`:${victim.child.pid}`));
    expect(stderr).toMatch(/24 series recorded \(\S+ \d+(, \S+ \d+)*\)/);
  });

  test("a worker whose catalog holds other bars for a series refuses the study, naming the series", async () => {
    // the worker's own catalog: the same series, one of them with other prices
    const other = join(dir, "other-catalog");
    const catalog = await Catalog.open(other);
    try {
      await catalog.write(
        SYMBOLS.map((symbol, k) =>
          makeSampleBars({ symbol, bars: 1500 + 37 * k, seed: symbol === "U07" ? 1 : 100 + k }),
        ),
      );
    } finally {
      await catalog.close();
    }
    const coordinator = spawnStom(["backtest", "sma-cross", ...UNIVERSE, "--queue", redis.url(2), "--json"]);
    await coordinator.waitFor(/queue: study/);
    await worker(2, "--catalog", other);
    expect(await coordinator.exited).toBe(1);
    expect(coordinator.stderr()).toMatch(
      /refused study [0-9a-f]+: data sample:SAMPLE-U07:1m differs: sha256 [0-9a-f]{12} here, [0-9a-f]{12} in the study/,
    );
  });
});
