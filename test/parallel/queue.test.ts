// `stom optimize --queue` and `stom worker` with the real parts: a redis-server of its own, several
// `stom worker` processes, a SIGKILL in the middle of a job. Each study is compared with the same
// study run in-process (`--workers 0`): the JSON must be identical, cell for cell.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { STOM_EXAMPLE } from "../../notebooks/data/stom-spec.ts";
import { writeSyntheticStomDb } from "../../notebooks/data/stom-synthetic.ts";
import { stom, stomSync } from "../support/cli.ts";
import { sampleBarsCsv, tempDir } from "../support/fixtures.ts";
import { NO_REDIS, REDIS_SERVER, type RedisServer, startRedis } from "../support/redis.ts";
import { type StomProcess, spawnStom, until } from "../support/spawn.ts";

if (!REDIS_SERVER) console.log(NO_REDIS);

const dir = tempDir("stom-queue-");
const HOLD = join(dir, "hold");
// sma-cross, except that a backtest waits while the HOLD file exists: the test holds a worker
// inside a job until it is killed, so the kill always lands mid-job
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
const BARS = sampleBarsCsv(dir, { bars: 3000, seed: 11 });
const GRID = ["--grid", "fast=5:20:5", "--grid", "slow=20:50:10"];

let redis: RedisServer;
const workers: StomProcess[] = [];

const worker = async (db: number, ...extra: string[]) => {
  const one = extra.includes("--concurrency") ? [] : ["--concurrency", "1"];
  const w = spawnStom(["worker", "--queue", redis.url(db), ...one, ...extra]);
  workers.push(w);
  await w.waitFor(/ready on redis/);
  return w;
};
const sum = (h: Record<string, string>) => Object.values(h).reduce((s, n) => s + Number(n), 0);
const study = (stderr: string) => /queue: study ([0-9a-f]+)/.exec(stderr)?.[1] as string;
const keys = (id: string) => ({
  results: `stom:study:${id}:results`,
  workers: `stom:study:${id}:workers`,
  runs: `stom:study:${id}:runs`,
});
const inProcess = (args: string[]) => {
  const r = stomSync([...args, "--workers", "0", "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

// db 0 has two workers for the whole file, from one `stom worker --concurrency 2` (a supervisor
// forking two); the tests that need a queue without workers, or their own, use other dbs
beforeAll(async () => {
  if (!REDIS_SERVER) return;
  redis = await startRedis();
  const supervisor = await worker(0, "--concurrency", "2");
  await supervisor.waitFor(/ready on redis[\s\S]*ready on redis/);
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill("SIGKILL")));
  await redis?.stop();
});

describe.skipIf(!REDIS_SERVER)("stom optimize --queue", () => {
  test("grid: a worker SIGKILLed mid-job loses nothing; every trial recorded once; equal to in-process", async () => {
    // db 6: the victim alone first, held inside its first backtest
    const db = redis.client(6);
    const args = ["optimize", HOLDING, "--data", BARS, ...GRID];
    writeFileSync(HOLD, "");
    const victim = await worker(6, "--lock-ms", "1000");
    const coordinator = stom([...args, "--queue", redis.url(6), "--json"]);
    await until(async () => (await db.llen("bull:stom-optimize:active")) >= 1, { what: "an active job" });
    await victim.kill("SIGKILL");
    rmSync(HOLD);
    await worker(6, "--lock-ms", "10000");
    const { stdout, stderr } = await coordinator;

    expect(stdout).toBe(inProcess(args));
    const id = study(stderr);
    const k = keys(id);
    expect(JSON.parse(stdout).trials).toBe(16);
    // 16 trials through sma-cross's signals(), and the best once more through next() (the check
    // of signals(), docs/optimize.md): 17 backtests, each recorded once
    expect(await db.hlen(k.results)).toBe(17);
    // they ran to the end, all on the live workers: the killed one's job ran again there
    const recorded = await db.hgetall(k.workers);
    expect(sum(recorded)).toBe(17);
    expect(sum(await db.hgetall(k.runs))).toBe(17);
    expect(Object.keys(recorded)).not.toContain(expect.stringContaining(`:${victim.child.pid}`));
    // which live worker took how many is up to them; the line names them
    expect(stderr).toMatch(/17 trials recorded \(\S+ \d+(, \S+ \d+)*\)/);
  });

  test.each(["tpe", "ga"])(
    "%s with a seed: the distributed study equals the in-process one",
    async (method) => {
      const args = [
        "optimize",
        "sma-cross",
        "--data",
        BARS,
        "--grid",
        "fast=2:30:1",
        "--grid",
        "slow=10:90:2",
      ];
      const search = [...args, "--method", method, "--trials", "40", "--seed", "5"];
      // GA's rounds of 16 go out as 4 jobs of 4 backtests
      const chunk = method === "ga" ? ["--queue-chunk", "4"] : [];
      const { stdout } = await stom([...search, "--queue", redis.url(0), ...chunk, "--json"]);
      const res = JSON.parse(stdout);
      expect(res.trials).toBe(40);
      expect(stdout).toBe(inProcess(search));
    },
  );

  test("walk-forward folds (out-of-sample runs send their equity back) equal the in-process ones", async () => {
    const args = ["optimize", "sma-cross", "--data", BARS, ...GRID, "--walk-forward", "train=12h,test=6h"];
    const { stdout } = await stom([...args, "--queue", redis.url(0), "--json"]);
    expect(JSON.parse(stdout).folds.length).toBeGreaterThan(3);
    expect(stdout).toBe(inProcess(args));
  });

  test("STOM texts: STOM's grid search on the queue equals the in-process one", async () => {
    const db = join(dir, "synthetic.db");
    writeSyntheticStomDb(db);
    const texts = { buy: STOM_EXAMPLE.buy, sell: STOM_EXAMPLE.sell, vars: STOM_EXAMPLE.vars };
    for (const [name, text] of Object.entries(texts)) writeFileSync(join(dir, `${name}.txt`), text);
    const args = ["optimize", "--data", db, "--method", "grid"];
    for (const name of ["buy", "sell", "vars"]) args.push(`--stom-${name}`, join(dir, `${name}.txt`));
    const { stdout, stderr } = await stom([...args, "--queue", redis.url(0), "--json"]);
    expect(JSON.parse(stdout).trials).toBeGreaterThan(3);
    expect(stdout).toBe(inProcess(args));
    expect(stderr).toMatch(/\d+ trials recorded \(/);
  });

  test("a worker whose strategy file differs refuses the study, and the coordinator stops with the reason", async () => {
    // db 1 has no workers yet: the study waits while its strategy file changes under it
    const db = redis.client(1);
    const file = join(dir, "edited-cross.ts");
    writeFileSync(file, SMA);
    const coordinator = spawnStom([
      "optimize",
      file,
      "--data",
      BARS,
      ...GRID,
      "--queue",
      redis.url(1),
      "--json",
    ]);
    await until(async () => (await db.llen("bull:stom-optimize:wait")) === 16, { what: "16 waiting jobs" });
    writeFileSync(file, `${SMA}\n// edited\n`);
    const w = await worker(1);
    expect(await coordinator.exited).toBe(1);
    expect(coordinator.stderr()).toMatch(
      new RegExp(
        `worker \\S+:${w.child.pid} refused study [0-9a-f]+: strategy ${file} differs: sha256 [0-9a-f]{12} here, [0-9a-f]{12} in the study`,
      ),
    );
    // the stopped study's waiting jobs are gone
    await until(async () => (await db.llen("bull:stom-optimize:wait")) === 0, { what: "no waiting jobs" });
  });

  test("a worker whose data differs refuses the study", async () => {
    const db = redis.client(2);
    const csv = join(dir, "edited.csv");
    writeFileSync(csv, readFileSync(BARS));
    const coordinator = spawnStom(["optimize", "sma-cross", "--data", csv, ...GRID, "--queue", redis.url(2)]);
    await until(async () => (await db.llen("bull:stom-optimize:wait")) === 16, { what: "16 waiting jobs" });
    const lines = readFileSync(csv, "utf8").split("\n");
    lines[1] = lines[1].replace(/,([0-9.]+)$/, (_, v) => `,${Number(v) + 1}`);
    writeFileSync(csv, lines.join("\n"));
    await worker(2);
    expect(await coordinator.exited).toBe(1);
    expect(coordinator.stderr()).toMatch(
      new RegExp(`data ${csv} differs: sha256 [0-9a-f]{12} here, [0-9a-f]{12} in the study`),
    );
  });

  test("a restarted coordinator resumes the study from what Redis holds", async () => {
    const db = redis.client(3);
    const args = ["optimize", "sma-cross", "--data", BARS, ...GRID];
    const queued = [...args, "--queue", redis.url(3), "--json"];
    // the first coordinator queues the study and dies; nothing has run yet (no workers on db 3)
    const first = spawnStom(queued);
    await until(async () => (await db.llen("bull:stom-optimize:wait")) === 16, { what: "16 waiting jobs" });
    await first.kill("SIGKILL");
    // the second one finds the same 16 jobs queued (same study, same job ids: nothing added twice)
    const second = spawnStom(queued);
    await second.waitFor(/queue: study/);
    expect(await db.llen("bull:stom-optimize:wait")).toBe(16);
    await worker(3);
    expect(await second.exited).toBe(0);
    const reference = inProcess(args);
    expect(second.stdout()).toBe(reference);
    const k = keys(study(second.stderr()));
    // the 16 trials and the check of the best through next()
    expect(sum(await db.hgetall(k.runs))).toBe(17);
    // a third run takes every result from Redis and runs nothing
    const third = await stom(queued);
    expect(third.stderr).toMatch(/17 trials already in Redis \(resuming\)/);
    expect(third.stdout).toBe(reference);
    expect(sum(await db.hgetall(k.runs))).toBe(17);
  });

  test("--cancel removes a study's waiting jobs and its coordinator stops with what it has", async () => {
    const db: Redis = redis.client(4);
    const coordinator = spawnStom([
      "optimize",
      "sma-cross",
      "--data",
      BARS,
      ...GRID,
      "--queue",
      redis.url(4),
      "--json",
    ]);
    const [, id] = await coordinator.waitFor(/queue: study ([0-9a-f]+)/);
    await until(async () => (await db.llen("bull:stom-optimize:wait")) === 16, { what: "16 waiting jobs" });
    const { stderr } = await stom(["optimize", "--queue", redis.url(4), "--cancel", id]);
    expect(stderr).toContain(`cancelled study ${id}: 16 waiting jobs removed`);
    expect(await coordinator.exited).toBe(0);
    const res = JSON.parse(coordinator.stdout());
    expect(res.cancelled).toBe(true);
    expect(res.trials).toBe(0);
    expect(await db.llen("bull:stom-optimize:wait")).toBe(0);
    expect(existsSync(HOLD)).toBe(false);
  });

  test("Ctrl-C on the coordinator cancels the study: its waiting jobs are removed", async () => {
    const db = redis.client(5);
    const coordinator = spawnStom([
      "optimize",
      "sma-cross",
      "--data",
      BARS,
      ...GRID,
      "--queue",
      redis.url(5),
      "--json",
    ]);
    await until(async () => (await db.llen("bull:stom-optimize:wait")) === 16, { what: "16 waiting jobs" });
    coordinator.child.kill("SIGINT");
    expect(await coordinator.exited).toBe(0);
    expect(JSON.parse(coordinator.stdout()).cancelled).toBe(true);
    expect(await db.llen("bull:stom-optimize:wait")).toBe(0);
  });
});
