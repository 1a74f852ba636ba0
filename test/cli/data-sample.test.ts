import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sampleCommand, stomFixtureCommand } from "../../src/cli/data-sample.ts";
import { Catalog } from "../../src/data/catalog/catalog.ts";
import { stomSqlite } from "../../src/data/formats/stom-sqlite.ts";
import { needShared, shared } from "../support/paths.ts";

const CREON = shared("krx/creon_1m_20190920");
const { missing } = needShared("krx/creon_1m_20190920");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stom-cli-"));
  vi.spyOn(console, "log").mockImplementation(() => {});
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe("stomFixtureCommand", () => {
  it.skipIf(missing)("writes a stock_min DB for the chosen codes that the importer reads back", async () => {
    const out = join(dir, "stock_min.db");
    await stomFixtureCommand().parseAsync(
      [out, "--kind", "stock_min", "--source", CREON, "--symbols", "005930,035720", "--minutes", "60"],
      { from: "user" },
    );
    const db = new Database(out, { readonly: true });
    const { n } = db.prepare(`select count(*) as n from "035720"`).get() as { n: number };
    db.close();
    // 09:00..09:59 KST: sixty real one-minute bars, all with volume
    expect(n).toBe(60);
    const frames = [];
    for await (const frame of stomSqlite.read(out, {})) frames.push(frame);
    expect(frames.map((f) => [f.symbol, f.length])).toEqual([
      ["005930", 60],
      ["035720", 60],
    ]);
  });

  it("rejects an unknown kind", async () => {
    await expect(
      stomFixtureCommand().parseAsync([join(dir, "x.db"), "--kind", "stock_week"], { from: "user" }),
    ).rejects.toThrow(/invalid --kind: stock_week/);
  });
});

describe("sampleCommand", () => {
  it("writes the synthetic bars into the catalog once; a rerun adds nothing", async () => {
    const catalogDir = join(dir, "catalog");
    await sampleCommand().parseAsync(["--catalog", catalogDir, "--bars", "1500", "--seed", "5"], {
      from: "user",
    });
    await sampleCommand().parseAsync(["--catalog", catalogDir, "--bars", "1500", "--seed", "5"], {
      from: "user",
    });
    const catalog = await Catalog.open(catalogDir);
    try {
      const series = catalog.list();
      expect(series).toHaveLength(1);
      expect(series[0]).toMatchObject({
        kind: "bars",
        market: "sample",
        symbol: "SAMPLE",
        timeframe: "1m",
        rows: 1500,
      });
    } finally {
      await catalog.close();
    }
  });
});
