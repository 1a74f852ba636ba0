// One shared STOM DB (../shared/data/stom/dbs/<db>.gz) as Arrow IPC for the STOM page: gunzipped to
// a temp dir, read with better-sqlite3. Rows of every symbol table, ordered by `index`, one run per
// symbol: a dictionary `series` column (the table name, the code) and every column of the table as
// Float64 (`index` too: yyyymmddhhmmss is < 2^53, so exact). Schema metadata: `db`, `kind`
// (coin_tick, ...) and `codename` (JSON {code: 종목명}, stock DBs). Without the shared data the
// output is an empty table with `missing` in its metadata, and the build still works.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { Dictionary, Int32, makeVector, Table, tableToIPC, Utf8, vectorFromArray } from "apache-arrow";
import Database from "better-sqlite3";
import { detectStomKind } from "../../src/data/formats/stom-sqlite.ts";
import { sharedDataDir } from "../../src/data/stom/fixture.ts";
import { run } from "./source.ts";
import { STOM_DBS_DIR } from "./stom-spec.ts";

function emptyTable(metadata: Record<string, string>): Uint8Array {
  const series = makeVector({
    type: new Dictionary(new Utf8(), new Int32(), 0, false),
    data: new Int32Array(0),
    dictionary: vectorFromArray([] as string[], new Utf8()),
  });
  const table = new Table({ series, index: makeVector(new Float64Array(0)) });
  for (const [k, v] of Object.entries(metadata)) table.schema.metadata.set(k, v);
  return tableToIPC(table, "stream");
}

export function stomDbArrow(db: string): Uint8Array {
  const gz = path.join(sharedDataDir(), STOM_DBS_DIR, `${db}.gz`);
  if (!existsSync(gz)) return emptyTable({ db, missing: `${STOM_DBS_DIR}/${db}.gz` });
  const dir = mkdtempSync(path.join(tmpdir(), "stom-db-"));
  try {
    const file = path.join(dir, db);
    writeFileSync(file, gunzipSync(readFileSync(gz)));
    const sqlite = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const tables = (
        sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
          name: string;
        }[]
      )
        .map((r) => r.name)
        .filter((name) => name !== "moneytop" && name !== "codename");
      if (tables.length === 0) throw new Error(`no symbol tables in ${gz}`);
      const header = (table: string) =>
        (sqlite.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
      // every column any table has (they share one layout); NaN where a table lacks one
      const names: string[] = [];
      for (const t of tables) for (const n of header(t)) if (!names.includes(n)) names.push(n);
      if (!names.includes("index")) throw new Error(`no index column in ${gz}`);
      const kind = detectStomKind(header(tables[0]));
      if (!kind) throw new Error(`unknown STOM layout in ${gz} (table ${tables[0]})`);
      const counts = tables.map(
        (t) => (sqlite.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n,
      );
      const total = counts.reduce((a, b) => a + b, 0);
      const keys = new Int32Array(total);
      const cols = names.map(() => new Float64Array(total).fill(Number.NaN));
      let row = 0;
      tables.forEach((t, k) => {
        const have = header(t);
        const slots = have.map((n) => names.indexOf(n));
        const select = sqlite.prepare(`SELECT * FROM "${t}" ORDER BY "index"`).raw(true);
        const start = row;
        for (const r of select.iterate() as IterableIterator<unknown[]>) {
          for (let c = 0; c < slots.length; c++) {
            const v = r[c];
            cols[slots[c]][row] = v === null || v === undefined ? Number.NaN : Number(v);
          }
          row++;
        }
        keys.fill(k, start, row);
      });
      const codename: Record<string, string> = {};
      if (sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'codename'").get())
        for (const r of sqlite.prepare("SELECT * FROM codename").raw(true).all() as unknown[][])
          codename[String(r[0])] = String(r[1]);
      const series = makeVector({
        type: new Dictionary(new Utf8(), new Int32(), 0, false),
        data: keys,
        dictionary: vectorFromArray(tables, new Utf8()),
      });
      const vectors: Record<string, ReturnType<typeof makeVector>> = { series };
      names.forEach((name, j) => {
        vectors[name] = makeVector(cols[j]);
      });
      const table = new Table(vectors);
      table.schema.metadata.set("db", db);
      table.schema.metadata.set("kind", kind);
      table.schema.metadata.set("codename", JSON.stringify(codename));
      return tableToIPC(table, "stream");
    } finally {
      sqlite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A loader's whole body: `stomDbLoader("coin_tick_shift5.db")`. */
export function stomDbLoader(db: string): void {
  run(async () => stomDbArrow(db));
}
