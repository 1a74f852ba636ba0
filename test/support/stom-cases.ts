// The STOM acceptance data in ../shared/data/stom (see its README): real texts, STOM-layout DBs, and
// what STOM's own engine made of them. DBs are gunzipped once per machine into the temp directory.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import Database from "better-sqlite3";
import type { StomInput } from "../../src/engine/stom/index.ts";
import { shared } from "./paths.ts";

export const STOM_SHARED = shared("stom");
export const STOM_CASES = join(STOM_SHARED, "cases");
/** True without ../shared/data/stom/cases; a file that skips on it says so once with needShared("stom/cases"). */
export const sharedMissing = !existsSync(STOM_CASES);

/** The path of a shared STOM DB, gunzipped into the temp directory on first use. */
export function stomDbPath(db: string): string {
  const gz = join(STOM_SHARED, "dbs", `${db}.gz`);
  const stamp = createHash("sha1")
    .update(`${gz}:${statSync(gz).size}:${statSync(gz).mtimeMs}`)
    .digest("hex")
    .slice(0, 10);
  const dir = join(tmpdir(), "stom-shared-dbs");
  const out = join(dir, `${stamp}-${db}`);
  if (!existsSync(out)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, gunzipSync(readFileSync(gz)));
    renameSync(tmp, out);
  }
  return out;
}

const loaded = new Map<string, StomInput[]>();

/** Every symbol table of a shared DB as the engine's inputs (index, Korean columns, 종목명). */
export function loadStomDb(db: string): StomInput[] {
  let inputs = loaded.get(db);
  if (!inputs) {
    inputs = loadStomDbFile(stomDbPath(db));
    loaded.set(db, inputs);
  }
  return inputs;
}

/** Every symbol table of a STOM DB file as the engine's inputs. */
export function loadStomDbFile(path: string): StomInput[] {
  let inputs: StomInput[];
  const sqlite = new Database(path, { readonly: true });
  try {
    const tables = (
      sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    )
      .map((r) => r.name)
      .filter((name) => name !== "moneytop" && name !== "codename");
    const names = new Map<string, string>();
    if (tables.length && sqlite.prepare("SELECT 1 FROM sqlite_master WHERE name = 'codename'").get())
      for (const row of sqlite.prepare("SELECT * FROM codename").raw(true).all() as unknown[][])
        names.set(String(row[0]), String(row[1]));
    inputs = tables.map((table) => {
      const rows = sqlite.prepare(`SELECT * FROM "${table}" ORDER BY "index"`).raw(true).all() as number[][];
      const header = (sqlite.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map(
        (c) => c.name,
      );
      const columns: Record<string, Float64Array> = {};
      header.forEach((name, c) => {
        const col = new Float64Array(rows.length);
        for (let r = 0; r < rows.length; r++) col[r] = rows[r][c] ?? Number.NaN;
        columns[name] = col;
      });
      return { symbol: table, name: names.get(table), columns };
    });
  } finally {
    sqlite.close();
  }
  return inputs;
}
