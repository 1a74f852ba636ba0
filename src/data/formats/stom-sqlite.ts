import Database from "better-sqlite3";
import { DataError } from "../errors.ts";
import { type Column, type Frame, makeFrame } from "../frame.ts";
import { isMetaTable, isStockKind, isTickKind, type StomKind } from "../stom/columns.ts";
import { KST_OFFSET_MS, stomIndexToMs } from "../stom/time.ts";
import { detectStomLayout, STOM_LAYOUTS, type StomLayout } from "../stom/versions.ts";
import type { Format, ReadOptions } from "./format.ts";

const SQLITE_MAGIC = "SQLite format 3\0";

type Db = InstanceType<typeof Database>;

/**
 * The kind of one symbol table (stock_tick, stock_min, coin_tick, coin_min), whichever STOM
 * version wrote it (see detectStomLayout).
 */
export function detectStomKind(columns: readonly string[]): StomKind | undefined {
  return detectStomLayout(columns)?.kind;
}

function tableColumns(db: Db, table: string): string[] {
  return (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
}

function symbolTables(db: Db): string[] {
  const rows = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as {
    name: string;
  }[];
  return rows.map((r) => r.name).filter((name) => !isMetaTable(name));
}

function layoutError(file: string, db: Db, table: string, columns: string[]): DataError {
  const have = new Set(columns);
  let closest: StomLayout = STOM_LAYOUTS[0];
  let missing: string[] = [];
  for (const layout of STOM_LAYOUTS) {
    const m = layout.columns.filter((name) => !have.has(name));
    if (layout === closest || m.length < missing.length) {
      closest = layout;
      missing = m;
    }
  }
  const all = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as {
    name: string;
  }[];
  return new DataError(
    `unknown stom layout in table ${table} (tables: ${all.map((r) => r.name).join(", ")}); ` +
      `closest is ${closest.kind} (STOM V${closest.version}), missing ${missing.join(", ")}`,
    { file },
  );
}

/** Which STOM DB this is, from its first symbol table (codename alone says stock). */
function dbKind(file: string, db: Db): StomKind | undefined {
  for (const table of symbolTables(db)) {
    const kind = detectStomKind(tableColumns(db, table));
    if (kind) return kind;
    throw layoutError(file, db, table, tableColumns(db, table));
  }
  return undefined;
}

function openDb(file: string): Db {
  try {
    return new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new DataError(`cannot open sqlite db: ${error instanceof Error ? error.message : String(error)}`, {
      file,
    });
  }
}

/** Reads one symbol table into typed columns: every STOM column under its Korean name. */
function readTable(
  file: string,
  db: Db,
  table: string,
  kind: StomKind,
  options: ReadOptions,
  single: boolean,
): Frame {
  const names = tableColumns(db, table).filter((name) => name !== "index");
  const { n } = db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number };
  const time = new Float64Array(n);
  const data = names.map(() => new Float64Array(n));
  const select = db
    .prepare(
      `SELECT "index", ${names.map((name) => `"${name}"`).join(", ")} FROM "${table}" ORDER BY "index"`,
    )
    .raw(true);
  const offset = isStockKind(kind) ? KST_OFFSET_MS : 0;
  let i = 0;
  for (const row of select.iterate() as IterableIterator<unknown[]>) {
    if (i >= n) break;
    const index = Number(row[0]);
    try {
      time[i] = stomIndexToMs(index, offset);
    } catch {
      throw new DataError(`invalid index: ${row[0]}`, { file, line: i + 1, field: `${table}.index` });
    }
    for (let c = 0; c < data.length; c++) {
      const v = row[c + 1];
      data[c][i] = v === null ? Number.NaN : Number(v);
    }
    i++;
  }
  const columns: Record<string, Column> = {};
  names.forEach((name, c) => {
    columns[name] = data[c];
  });
  const market = options.market ?? (isStockKind(kind) ? "krx" : "upbit");
  if (options.symbol !== undefined && !single) {
    throw new DataError(`symbol override needs a db with one symbol table, not table ${table}`, { file });
  }
  const symbol = options.symbol ?? table;
  const per = isTickKind(kind) ? "초당" : "분당";
  const buy = columns[`${per}매수수량`] as Float64Array;
  const sell = columns[`${per}매도수량`] as Float64Array;
  const quantity = new Float64Array(n);
  for (let r = 0; r < n; r++) quantity[r] = buy[r] + sell[r];
  // price/open/high/low/close share the Korean columns' arrays: no copy of big tick tables
  if (isTickKind(kind)) {
    return makeFrame({
      kind: "ticks",
      market,
      symbol,
      timeframe: "tick",
      tz: "Asia/Seoul",
      columns: { time, seq: new Int32Array(n), price: columns.현재가, amount: quantity, ...columns },
    });
  }
  return makeFrame({
    kind: "bars",
    market,
    symbol,
    timeframe: "1m",
    tz: "Asia/Seoul",
    columns: {
      time,
      open: columns.분봉시가,
      high: columns.분봉고가,
      low: columns.분봉저가,
      close: columns.현재가,
      volume: quantity,
      ...columns,
    },
  });
}

/**
 * STOM's own SQLite databases (stock_tick, stock_min, coin_tick, coin_min): one frame per
 * symbol table. Ticks become kind "ticks" (price = 현재가, amount = 초당 buy + sell quantity),
 * minutes kind "bars" (open/high/low = 분봉시가/고가/저가, close = 현재가), with every STOM
 * column kept. Stock `index` is KST, coin `index` UTC; `time` is UTC ms either way. The layouts
 * of STOM V1 and of STOM_V3 (V2.42 and V3.00) are recognised by their columns, so a V3 stock DB
 * (no 전일비, 회전율 ... but 시가총액 and VI해제시간) reads as KRX/KST, not as an Upbit one.
 */
export const stomSqlite: Format = {
  name: "stom-sqlite",
  description:
    "STOM's SQLite DBs (V1 and STOM_V3 stock_tick, stock_min, coin_tick, coin_min): one table per symbol",
  sniff(_file: string, head: Buffer): boolean {
    return head.length >= 16 && head.subarray(0, 16).toString("latin1") === SQLITE_MAGIC;
  },
  async *read(file: string, options: ReadOptions = {}): AsyncIterable<Frame> {
    const db = openDb(file);
    try {
      const tables = symbolTables(db);
      if (tables.length === 0) throw new DataError("no symbol tables in stom db", { file });
      let rows = 0;
      for (const table of tables) {
        const columns = tableColumns(db, table);
        const kind = detectStomKind(columns);
        if (!kind) throw layoutError(file, db, table, columns);
        const frame = readTable(file, db, table, kind, options, tables.length === 1);
        rows += frame.length;
        options.onRows?.(rows);
        yield frame;
      }
    } finally {
      db.close();
    }
  },
};

/**
 * STOM's interest list over time: `moneytop` rows as UTC ms and the codes at each time, best
 * first. Stock DBs write it in KST, coin DBs in UTC.
 */
export function readMoneytop(path: string): { time: Float64Array; codes: string[][] } {
  const db = openDb(path);
  try {
    const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'moneytop'`).get();
    if (!exists) throw new DataError("no moneytop table", { file: path });
    const kind = dbKind(path, db);
    const stock = kind
      ? isStockKind(kind)
      : db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'codename'`).get() !== undefined;
    const offset = stock ? KST_OFFSET_MS : 0;
    const names = tableColumns(db, "moneytop");
    const value = names.find((name) => name !== "index");
    if (!value) throw new DataError("moneytop has no list column", { file: path });
    const { n } = db.prepare(`SELECT count(*) AS n FROM moneytop`).get() as { n: number };
    const time = new Float64Array(n);
    const codes: string[][] = new Array(n);
    const select = db.prepare(`SELECT "index", "${value}" FROM moneytop ORDER BY "index"`).raw(true);
    let i = 0;
    for (const row of select.iterate() as IterableIterator<unknown[]>) {
      if (i >= n) break;
      time[i] = stomIndexToMs(Number(row[0]), offset);
      const text = row[1] === null ? "" : String(row[1]);
      codes[i] = text === "" ? [] : text.split(";");
      i++;
    }
    return { time, codes };
  } finally {
    db.close();
  }
}

/** STOM's `codename` table (stock DBs): code -> name. Empty when the DB has none. */
export function readCodenames(path: string): Map<string, string> {
  const db = openDb(path);
  try {
    const names = new Map<string, string>();
    const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'codename'`).get();
    if (!exists) return names;
    const columns = tableColumns(db, "codename");
    const key = columns.includes("index") ? "index" : columns[0];
    const value = columns.find((name) => name !== key);
    if (!value) return names;
    for (const row of db
      .prepare(`SELECT "${key}", "${value}" FROM codename`)
      .raw(true)
      .iterate() as IterableIterator<unknown[]>) {
      names.set(String(row[0]), String(row[1]));
    }
    return names;
  } finally {
    db.close();
  }
}
