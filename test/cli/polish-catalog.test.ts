import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Catalog } from "../../src/data/catalog/catalog.ts";
import { makeSampleBars } from "../../src/data/sample.ts";
import { stomSync } from "../support/cli.ts";

const ROOT = join(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "stom-polish-catalog-"));
const catalog = join(dir, "catalog");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const c = await Catalog.open(catalog);
  await c.write([makeSampleBars({ bars: 50, seed: 1 })]);
  await c.close();
});

const stom = (...args: string[]) => stomSync(args, { cwd: dir });

async function queryError(sql: string): Promise<string> {
  const c = await Catalog.open(catalog, { readOnly: true });
  try {
    await c.query(sql);
    return "";
  } catch (error) {
    return (error as Error).message;
  } finally {
    await c.close();
  }
}

describe("Catalog.open readOnly: query reads and writes nothing", () => {
  test("select, describe, summarize and reading pragmas run", async () => {
    const c = await Catalog.open(catalog, { readOnly: true });
    try {
      expect((await c.query("select count(*) as n from bars")).rows).toEqual([[50]]);
      expect((await c.query("describe bars")).columns).toContain("column_name");
      expect((await c.query("summarize bars")).rows.length).toBeGreaterThan(0);
      expect((await c.query("pragma table_info('bars')")).rows.length).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });

  const at = (file: string) => join(dir, file);
  test.each([
    [`copy (select * from bars) to '${at("out.csv")}'`, /COPY statement not allowed/, "out.csv"],
    [`export database '${at("dump")}'`, /EXPORT statement not allowed/, "dump"],
    [`explain analyze copy (select 1) to '${at("out2.csv")}'`, /EXPLAIN statement not allowed/, "out2.csv"],
    [`attach '${at("other.db")}'`, /ATTACH statement not allowed/, "other.db"],
    ["install httpfs", /INSTALL\/LOAD statement not allowed/, ""],
    ["create table t as select 1", /CREATE statement not allowed/, ""],
    ["set enable_external_access = true", /SET statement not allowed/, ""],
    [
      `select 1; copy bars to '${at("two.parquet")}'`,
      /statement 2 not allowed: Cannot access file/,
      "two.parquet",
    ],
    ["select 1; create table t as select 1", /statement 2 \(CREATE\) not allowed/, ""],
    [`select * from read_csv('${ROOT}/package.json')`, /SELECT statement not allowed: Cannot access/, ""],
  ])("%s is refused and leaves no file", async (sql, message, file) => {
    const error = await queryError(sql);
    expect(error).toMatch(/^query is read-only: /);
    expect(error).toMatch(message);
    if (file) expect(existsSync(at(file))).toBe(false);
  });

  test("write is refused", async () => {
    const c = await Catalog.open(catalog, { readOnly: true });
    try {
      await expect(c.write([makeSampleBars({ bars: 5, seed: 2 })])).rejects.toThrow(/read-only/);
    } finally {
      await c.close();
    }
  });
});

describe("Catalog.open readOnly: a directory with no catalog", () => {
  test("a missing directory is refused and not created, with a did-you-mean for a close sibling", async () => {
    const typo = join(dir, "catlog");
    await expect(Catalog.open(typo, { readOnly: true })).rejects.toThrow(
      `no catalog at ${typo}, did you mean '${catalog}'?`,
    );
    expect(existsSync(typo)).toBe(false);
  });

  test("a directory without a manifest is refused; no sibling close enough, no guess", async () => {
    const empty = join(dir, "elsewhere");
    mkdirSync(empty);
    await expect(Catalog.open(empty, { readOnly: true })).rejects.toThrow(
      /elsewhere holds no catalog \(no manifest.json\): import, fetch or sample data/,
    );
    expect(readdirSync(empty)).toEqual([]);
  });
});

describe("stom CLI on a mistyped --catalog", () => {
  test("data ls and data query refuse it and create nothing", () => {
    const ls = stom("data", "ls", "--catalog", "catalgo");
    expect(ls.code).toBe(1);
    expect(ls.stderr.trim()).toBe("stom: no catalog at catalgo, did you mean 'catalog'?");
    const q = stom("data", "query", "select 1", "--catalog", "catalgo");
    expect(q.code).toBe(1);
    expect(q.stderr).toMatch(/no catalog at catalgo, did you mean 'catalog'\?/);
    expect(existsSync(join(dir, "catalgo"))).toBe(false);
  });

  test("backtest with a catalog selector refuses it", () => {
    const run = stom("backtest", "sma-cross", "--data", "sample:SAMPLE:1m", "--catalog", "catalgo");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no catalog at catalgo, did you mean 'catalog'\?/);
    expect(existsSync(join(dir, "catalgo"))).toBe(false);
  });

  test("data query refuses COPY ... TO by name and writes no file", () => {
    const run = stom("data", "query", "copy bars to 'bars.csv'", "--catalog", "catalog");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^stom: query is read-only: COPY statement not allowed/);
    expect(existsSync(join(dir, "bars.csv"))).toBe(false);
  });

  test("data sample, a writer, still creates a new catalog", () => {
    const run = stom("data", "sample", "--bars", "5", "--catalog", "fresh");
    expect(run.code).toBe(0);
    expect(stom("data", "ls", "--catalog", "fresh").stdout).toMatch(/SAMPLE/);
  });
});
