import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Catalog } from "../../../src/data/catalog/index.ts";
import {
  krxMinuteTarball,
  parseKrxParallel,
  parseThreads,
  readInputs,
  tarEntries,
} from "../../../src/data/formats/index.ts";
import type { Frame } from "../../../src/data/frame.ts";
import { validateFrame } from "../../../src/data/validate.ts";
import { needShared, shared } from "../../support/paths.ts";
import { writeSyntheticKrxTarball } from "../formats/krx-synthetic.ts";

const { missing } = needShared("krx/creon_1m_20190920_all_symbols.tar.gz");
const KRX_DAY = shared("krx/creon_1m_20190920_all_symbols.tar.gz");

// Content hashes of the catalogs that the single-threaded import wrote BEFORE the parallel path
// existed (commit 507e5e2, `catalogHash` below over its output): the new path must write the same.
const OLD_SYNTHETIC = "01a443bd1806ec32b2c585bc6cfd10d175a33e1fa18a840226889bc0fa3005c7";
const OLD_KRX_DAY = "bf57a67bfb51cea7fbd7075d8daf8ce461d6a0595aaf8650d5acd2ee126b41ae";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "stom-parallel-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * sha256 over the manifest's entries (in its order, each write's random file token taken out of
 * the path) and every file's bytes: equal hashes, equal catalogs.
 */
function catalogHash(dir: string): string {
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as {
    files: { path: string }[];
  };
  const hash = createHash("sha256");
  for (const f of manifest.files) {
    hash.update(JSON.stringify({ ...f, path: f.path.replace(/\.[^./]+\.parquet$/, ".parquet") }));
    hash.update(readFileSync(join(dir, f.path)));
  }
  return hash.digest("hex");
}

/**
 * The archive's frames parsed by two workers only (this thread parses nothing while a worker is
 * alive), validated as readInputs does; `stats` counts who parsed.
 */
async function* workersOnly(file: string, stats: { here: number; workers: number }): AsyncGenerator<Frame> {
  for await (const frame of parseKrxParallel(file, tarEntries(file), { workers: 2, here: false, stats })) {
    const { frame: clean, issues } = validateFrame(frame, file);
    const error = issues.find((i) => i.level === "error");
    if (error) throw new Error(error.message);
    yield clean;
  }
}

/** Imports `file` with `threads` into a fresh catalog: its hash, the summary and the warnings. */
async function importWith(file: string, threads: number | { here: number; workers: number }) {
  const dir = tempDir();
  const catalog = await Catalog.open(dir);
  const issues: string[] = [];
  try {
    const result = await catalog.write(
      typeof threads === "number"
        ? readInputs([file], {
            threads,
            onIssues: (_file, _frame, found) => {
              for (const i of found) issues.push(`${i.level} ${i.kind} ${i.file} ${i.line}: ${i.message}`);
            },
          })
        : workersOnly(file, threads),
    );
    return { dir, hash: catalogHash(dir), result, issues };
  } finally {
    await catalog.close();
  }
}

describe("parallel KRX tarball import", () => {
  it("writes the synthetic archive on worker threads exactly as the single-threaded import did", async () => {
    const { file } = await writeSyntheticKrxTarball(tempDir());
    const one = await importWith(file, 1);
    const three = await importWith(file, 3);
    const stats = { here: 0, workers: 0 };
    const workers = await importWith(file, stats);
    expect(one.hash).toBe(OLD_SYNTHETIC);
    expect(three.hash).toBe(OLD_SYNTHETIC);
    expect(workers.hash).toBe(OLD_SYNTHETIC);
    expect(stats).toEqual({ here: 0, workers: 50 });
    expect(three.result).toEqual(one.result);
    expect(one.result).toMatchObject({ series: 49, rowsIn: 13031, filesWritten: 49 });
    // the warnings too, in the same order, naming the same entries and lines
    expect(three.issues).toEqual(one.issues);
    expect(one.issues.filter((i) => i.includes("duplicates"))).toHaveLength(5);
  });

  it("stops at a malformed row with the single-threaded error and leaves the catalog as it was", async () => {
    const { file } = await writeSyntheticKrxTarball(tempDir(), { bad: true });
    const message = `${file}:2019-09-20/002110.csv, line 17, close: not a number: '1O0'`;
    for (const threads of [1, 2]) {
      const dir = tempDir();
      const catalog = await Catalog.open(dir);
      await expect(catalog.write(readInputs([file], { threads }))).rejects.toThrow(message);
      await catalog.close();
      expect(readdirSync(dir).filter((f) => f !== ".lock")).toEqual([]);
    }
    const stats = { here: 0, workers: 0 };
    const frames = async () => {
      for await (const _ of parseKrxParallel(file, tarEntries(file), { workers: 2, here: false, stats }));
    };
    await expect(frames()).rejects.toThrow(message);
    expect(stats.here).toBe(0);
  });

  it("stops the workers when the consumer stops early", async () => {
    const { file } = await writeSyntheticKrxTarball(tempDir());
    let n = 0;
    for await (const _ of krxMinuteTarball.read(file, { threads: 2 })) if (++n === 3) break;
    expect(n).toBe(3);
  });

  it("parses small archives on this thread unless told otherwise", async () => {
    const { file } = await writeSyntheticKrxTarball(tempDir());
    expect(parseThreads(file)).toBe(1);
    expect(parseThreads(file, 4)).toBe(4);
    expect(() => parseThreads(file, 0)).toThrow("invalid threads: 0");
  });

  it.skipIf(missing)("gives a large archive the idle cores but one, at most 4 and at least 1", () => {
    // the core left over writes the catalog
    expect(parseThreads(KRX_DAY, undefined, { cores: 2, load: 0.2 })).toBe(1);
    expect(parseThreads(KRX_DAY, undefined, { cores: 4, load: 0.2 })).toBe(3);
    expect(parseThreads(KRX_DAY, undefined, { cores: 4, load: 1.6 })).toBe(1);
    expect(parseThreads(KRX_DAY, undefined, { cores: 2, load: 1.1 })).toBe(1);
    expect(parseThreads(KRX_DAY, undefined, { cores: 2, load: 9 })).toBe(1);
    expect(parseThreads(KRX_DAY, undefined, { cores: 16, load: 3 })).toBe(4);
    expect(parseThreads(KRX_DAY, 2, { cores: 2, load: 9 })).toBe(2);
  });

  it.skipIf(missing)(
    "writes the whole-market KRX day (2,190 series) on workers exactly as the single-threaded import did",
    async () => {
      expect(parseThreads(KRX_DAY)).toBeGreaterThanOrEqual(1);
      const parallel = await importWith(KRX_DAY, 2);
      expect(parallel.result).toMatchObject({ series: 2190, rowsIn: 840_283, filesWritten: 2190 });
      expect(parallel.hash).toBe(OLD_KRX_DAY);
      const stats = { here: 0, workers: 0 };
      expect((await importWith(KRX_DAY, stats)).hash).toBe(OLD_KRX_DAY);
      expect(stats).toEqual({ here: 0, workers: 2190 });
      const single = await importWith(KRX_DAY, 1);
      expect(single.hash).toBe(OLD_KRX_DAY);
    },
    120_000,
  );
});
