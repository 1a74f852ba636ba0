// `stom data export --stom`: a STOM DB imported into the catalog and exported again comes back
// table for table, column for column, row for row.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { exportCommand } from "../../../src/cli/data-export.ts";
import { importCommand } from "../../../src/cli/data-import.ts";
import { stomFixtureCommand } from "../../../src/cli/data-sample.ts";
import { STOM_COLUMNS, type StomKind } from "../../../src/data/stom/columns.ts";
import { moneytopFromInterest, stomTableName, writeStomDb } from "../../../src/data/stom/export.ts";
import { rebuildSnapshots, type StomRow } from "../../../src/data/stom/receiver.ts";
import { needShared, shared } from "../../support/paths.ts";

const { missing } = needShared(
  "stom/dbs/coin_tick_shift5.db.gz",
  "stom/dbs/stock_min_movers_vi_rich.db.gz",
  "krx/creon_1m_20190920",
  "upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-26.csv",
);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stom-export-"));
  vi.spyOn(console, "log").mockImplementation(() => {});
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

interface Dump {
  /** sqlite_master: type, name, table and SQL of every table and index */
  readonly schema: unknown[];
  readonly columns: Record<string, { name: string; type: string }[]>;
  readonly rows: Record<string, unknown[][]>;
}

function dump(path: string): Dump {
  const db = new Database(path, { readonly: true });
  try {
    const schema = db
      .prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name`)
      .raw(true)
      .all();
    const tables = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    const columns: Dump["columns"] = {};
    const rows: Dump["rows"] = {};
    for (const table of tables) {
      columns[table] = (
        db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; type: string }[]
      ).map(({ name, type }) => ({ name, type }));
      rows[table] = db
        .prepare(`SELECT * FROM "${table}" ORDER BY "index", rowid`)
        .raw(true)
        .all() as unknown[][];
    }
    return { schema, columns, rows };
  } finally {
    db.close();
  }
}

let run = 0;
/** `stom data import <db>` into a fresh catalog, then `stom data export --stom <kind>`; returns the out path */
async function roundtrip(db: string, kind: StomKind, extra: string[] = []): Promise<string> {
  run++;
  const catalog = join(dir, `catalog-${run}`);
  const out = join(dir, `out-${run}.db`);
  await importCommand().parseAsync([db, "--catalog", catalog], { from: "user" });
  await exportCommand().parseAsync(["--stom", kind, "--out", out, "--catalog", catalog, ...extra], {
    from: "user",
  });
  return out;
}

describe("writeStomDb and stom data export (no shared data)", () => {
  /** two symbols' coin_tick rows from the receiver: one listed (관심종목 1), one not */
  function syntheticDb(path: string): void {
    const t0 = Date.UTC(2024, 4, 1, 12, 0, 0);
    const tables = ["KRW-AAA", "KRW-BBB"].map((code, k) => {
      const events = Array.from({ length: 50 }, (_, i) => ({
        type: "trade" as const,
        time: t0 + i * 700 + k * 300,
        price: 1000 + ((i * 7 + k) % 13),
        amount: 0.5 + ((i * 3) % 5) / 4,
        side: (i + k) % 3 === 0 ? ("sell" as const) : ("buy" as const),
      }));
      const rows = rebuildSnapshots({ kind: "coin_tick", symbol: code, interest: k === 0 }, events);
      const columns = Object.fromEntries(
        STOM_COLUMNS.coin_tick.map((name) => [name, Float64Array.from(rows, (row: StomRow) => row[name])]),
      );
      return { code, columns };
    });
    writeStomDb(path, "coin_tick", tables, moneytopFromInterest(tables));
  }

  it("gives back the same tables, columns, types, rows and moneytop", async () => {
    const original = join(dir, "synthetic.db");
    syntheticDb(original);
    const before = dump(original);
    // STOM's layout: INTEGER index, REAL columns in STOM's order, ix_<table>_index, moneytop
    expect(before.columns["KRW-AAA"].map((c) => c.name)).toEqual(STOM_COLUMNS.coin_tick);
    expect(new Set(before.columns["KRW-AAA"].map((c) => c.type))).toEqual(new Set(["INTEGER", "REAL"]));
    expect(before.columns["KRW-AAA"][0]).toEqual({ name: "index", type: "INTEGER" });
    expect(before.columns.moneytop).toEqual([
      { name: "index", type: "INTEGER" },
      { name: "거래대금순위", type: "TEXT" },
    ]);
    // at every second either symbol has a row: the listed symbol when it has a row then, else nothing
    const aaa = new Set(before.rows["KRW-AAA"].map((r) => r[0]));
    const seconds = new Set([...aaa, ...before.rows["KRW-BBB"].map((r) => r[0])]);
    expect(before.rows.moneytop).toEqual(
      [...seconds]
        .sort((a, b) => Number(a) - Number(b))
        .map((index) => [index, aaa.has(index) ? "KRW-AAA" : ""]),
    );

    const out = await roundtrip(original, "coin_tick");
    expect(dump(out)).toEqual(before);
    // written through a temporary file that is gone afterwards
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("leaves an existing file untouched and nothing half-written when the export fails", async () => {
    const original = join(dir, "synthetic-fail.db");
    syntheticDb(original);
    const catalog = join(dir, "catalog-fail");
    await importCommand().parseAsync([original, "--catalog", catalog], { from: "user" });
    const out = join(dir, "keep.db");
    writeFileSync(out, "old");
    await expect(
      exportCommand().parseAsync(
        ["--stom", "coin_tick", "--out", out, "--catalog", catalog, "upbit:KRW-ZZZ"],
        {
          from: "user",
        },
      ),
    ).rejects.toThrow(/no ticks series match upbit:KRW-ZZZ/);
    // a coin_tick catalog has no stock_tick series
    await expect(
      exportCommand().parseAsync(["--stom", "stock_tick", "--out", out, "--catalog", catalog], {
        from: "user",
      }),
    ).rejects.toThrow(/no stock_tick series/);
    expect(readFileSync(out, "utf8")).toBe("old");
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("names tables as STOM does", () => {
    expect(stomTableName("upbit", "BTC/KRW")).toBe("KRW-BTC");
    expect(stomTableName("binance", "BTC/USDT:USDT")).toBe("BTCUSDT");
    expect(stomTableName("krx", "005930")).toBe("005930");
  });
});

describe.skipIf(missing)("stom data export on STOM DBs", () => {
  function gunzip(name: string): string {
    const path = join(dir, name.replace(/\.gz$/, ""));
    if (!existsSync(path)) writeFileSync(path, gunzipSync(readFileSync(shared("stom/dbs", name))));
    return path;
  }

  /**
   * The shared DBs were edited after generation (../shared/data/stom/README.md): they declare
   * VI해제시간 and 관심종목 INTEGER, where STOM's pandas writer gives REAL (columns.ts
   * stomColumnType). Everything else must match.
   */
  const EDITED = new Set(["VI해제시간", "관심종목"]);
  function expectSameDb(got: Dump, want: Dump): void {
    expect(Object.keys(got.columns)).toEqual(Object.keys(want.columns));
    for (const table of Object.keys(want.columns)) {
      expect(got.columns[table].map((c) => c.name)).toEqual(want.columns[table].map((c) => c.name));
      got.columns[table].forEach((c, i) => {
        if (!EDITED.has(c.name)) expect(c.type).toBe(want.columns[table][i].type);
      });
      // 1 stored as INTEGER and as REAL read back as the same JS number
      expect(got.rows[table]).toEqual(want.rows[table]);
    }
  }

  it("coin_tick (KRW-BTC, 13,670 seconds): same tables, columns, types, rows, moneytop", async () => {
    const original = gunzip("coin_tick_shift5.db.gz");
    expectSameDb(dump(await roundtrip(original, "coin_tick")), dump(original));
  });

  it("stock_min (18 symbols): same with moneytop and codename copied by --meta-from", async () => {
    const original = gunzip("stock_min_movers_vi_rich.db.gz");
    const out = await roundtrip(original, "stock_min", ["--meta-from", original]);
    expectSameDb(dump(out), dump(original));
  });

  it("stock_min without --meta-from: moneytop rebuilt from 관심종목 at every minute", async () => {
    const original = gunzip("stock_min_movers_vi_rich.db.gz");
    const got = dump(await roundtrip(original, "stock_min"));
    const want = dump(original);
    // without the source DB the catalog knows no names: codename maps each code to itself
    for (const table of Object.keys(want.rows)) {
      if (table === "codename")
        expect(got.rows.codename).toEqual(want.rows.codename.map(([code]) => [code, code]));
      else if (table !== "moneytop") expect(got.rows[table]).toEqual(want.rows[table]);
    }
    // each minute lists exactly the codes whose row says 관심종목 = 1 (STOM's pairing of the two)
    const listed = new Map<unknown, Set<string>>();
    const at = STOM_COLUMNS.stock_min.indexOf("관심종목");
    for (const [table, rows] of Object.entries(got.rows)) {
      if (table === "moneytop" || table === "codename") continue;
      for (const row of rows) {
        if (!listed.has(row[0])) listed.set(row[0], new Set());
        if (Number(row[at]) === 1) listed.get(row[0])?.add(table);
      }
    }
    expect(got.rows.moneytop).toHaveLength(listed.size);
    for (const [index, codes] of got.rows.moneytop) {
      expect(new Set(String(codes).split(";").filter(Boolean))).toEqual(listed.get(index));
    }
  });

  it.each([
    ["coin_tick", ["--minutes", "10"]],
    [
      "stock_min",
      ["--source", shared("krx/creon_1m_20190920"), "--symbols", "005930,035720", "--minutes", "60"],
    ],
  ] as const)(
    "a %s DB from stom data stom-fixture: identical after import and export",
    async (kind, args) => {
      const original = join(dir, `fixture-${kind}.db`);
      await stomFixtureCommand().parseAsync([original, "--kind", kind, ...args], { from: "user" });
      const out = await roundtrip(original, kind, ["--meta-from", original]);
      // the same writer made both, and the data survived the catalog: the whole DB is equal
      expect(dump(out)).toEqual(dump(original));
    },
  );
});
