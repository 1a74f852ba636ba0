// Writing STOM's own SQLite layout: what `stom data export --stom` and the fixtures write, so
// that STOM itself can open what stom recorded or imported. One writer for both.
import { existsSync, renameSync, rmSync } from "node:fs";
import Database from "better-sqlite3";
import type { CatalogApi, SeriesInfo } from "../catalog/types.ts";
import { readCodenames, readMoneytop } from "../formats/stom-sqlite.ts";
import type { Frame } from "../frame.ts";
import { matchSeries, parseSelector, type Selector } from "../selector.ts";
import { isStockKind, isTickKind, STOM_COLUMNS, type StomKind, stomColumnType } from "./columns.ts";
import { KST_OFFSET_MS, msToStomIndex } from "./time.ts";

/** One symbol table: `columns` holds every name of STOM_COLUMNS[kind], `index` included. */
export interface StomTable {
  readonly code: string;
  /** 종목명 for the codename table (stock DBs); the code when absent */
  readonly name?: string;
  readonly columns: Readonly<Record<string, ArrayLike<number>>>;
}

/** moneytop: at each STOM index, the codes on the interest list, best first */
export interface StomMoneytop {
  readonly index: ArrayLike<number>;
  readonly codes: readonly (readonly string[])[];
}

/**
 * Writes a STOM database as pandas `to_sql` leaves it (STOM's collectors and receivers save
 * with it: coin/upbit_receiver_tick.py:367, stock/kiwoom_strategy_tick.py:755-758): one table per
 * code with `index` INTEGER and the Korean columns REAL in STOM's order, an `ix_<table>_index`
 * index, `moneytop ("index" INTEGER, "거래대금순위" TEXT)` with `;`-joined codes, and on stock DBs
 * `codename ("index" TEXT, "종목명" TEXT)`. Written to a temporary file and renamed, so a failure
 * leaves nothing half-written at `path`.
 */
export function writeStomDb(
  path: string,
  kind: StomKind,
  tables: readonly StomTable[],
  moneytop: StomMoneytop,
): void {
  const names = STOM_COLUMNS[kind];
  const seen = new Set<string>();
  for (const table of tables) {
    if (seen.has(table.code)) throw new Error(`duplicate stom table: ${table.code}`);
    seen.add(table.code);
    const missing = names.filter((name) => table.columns[name] === undefined);
    if (missing.length) throw new Error(`table ${table.code} lacks ${kind} columns: ${missing.join(", ")}`);
  }
  const temp = `${path}.tmp-${process.pid}`;
  removeDb(temp);
  try {
    const db = new Database(temp);
    try {
      const columnSql = names.map((name) => `"${name}" ${stomColumnType(name)}`).join(", ");
      const write = db.transaction(() => {
        for (const table of tables) {
          const quoted = table.code.replaceAll('"', '""');
          db.exec(`CREATE TABLE "${quoted}" (${columnSql})`);
          db.exec(`CREATE INDEX "ix_${quoted}_index" ON "${quoted}" ("index")`);
          const insert = db.prepare(`INSERT INTO "${quoted}" VALUES (${names.map(() => "?").join(", ")})`);
          const columns = names.map((name) => table.columns[name]);
          const row: (number | null)[] = new Array(names.length);
          const n = table.columns.index.length;
          for (let i = 0; i < n; i++) {
            for (let c = 0; c < columns.length; c++) {
              const v = columns[c][i];
              // pandas writes NaN as NULL
              row[c] = Number.isNaN(v) ? null : v;
            }
            insert.run(row);
          }
        }
        db.exec(`CREATE TABLE "moneytop" ("index" INTEGER, "거래대금순위" TEXT)`);
        db.exec(`CREATE INDEX "ix_moneytop_index" ON "moneytop" ("index")`);
        const top = db.prepare(`INSERT INTO "moneytop" VALUES (?, ?)`);
        for (let i = 0; i < moneytop.index.length; i++)
          top.run(moneytop.index[i], moneytop.codes[i].join(";"));
        if (isStockKind(kind)) {
          db.exec(`CREATE TABLE "codename" ("index" TEXT, "종목명" TEXT)`);
          const name = db.prepare(`INSERT INTO "codename" VALUES (?, ?)`);
          for (const table of tables) name.run(table.code, table.name ?? table.code);
        }
      });
      write();
    } finally {
      db.close();
    }
    removeDb(path);
    renameSync(temp, path);
  } catch (error) {
    removeDb(temp);
    throw error;
  }
}

function removeDb(path: string): void {
  for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
}

/**
 * moneytop as STOM's receivers write it, from the rows' 관심종목: at each second (minute) where
 * any table has a row, the codes whose row says 관심종목 = 1 (the receiver stores list_gsjm per
 * new dt and marks a row 1 when its code is in list_gsjm: upbit_receiver_tick.py:279, 297-301),
 * ranked by 당일거래대금 as MoneyTopSearch ranks them (:313-315). A listed code without a row at
 * that second is not seen, so this can miss codes that STOM listed.
 */
export function moneytopFromInterest(tables: readonly StomTable[]): StomMoneytop {
  const at = new Map<number, { code: string; value: number }[]>();
  for (const table of tables) {
    const index = table.columns.index;
    const listed = table.columns.관심종목;
    const value = table.columns.당일거래대금;
    for (let i = 0; i < index.length; i++) {
      let entry = at.get(index[i]);
      if (!entry) {
        entry = [];
        at.set(index[i], entry);
      }
      if (listed[i] > 0) entry.push({ code: table.code, value: value[i] });
    }
  }
  const index = [...at.keys()].sort((a, b) => a - b);
  const codes = index.map((i) =>
    (at.get(i) ?? []).sort((a, b) => b.value - a.value).map((entry) => entry.code),
  );
  return { index, codes };
}

/**
 * STOM's table name for a catalog symbol: codes stay as they are (005930, KRW-BTC, BTCUSDT);
 * unified symbols become the venue's code, quote-base on Upbit (BTC/KRW -> KRW-BTC), base+quote
 * elsewhere (BTC/USDT -> BTCUSDT, as STOM's Binance receiver names its tables).
 */
export function stomTableName(market: string, symbol: string): string {
  const slash = symbol.indexOf("/");
  if (slash < 0) return symbol;
  const base = symbol.slice(0, slash);
  const quote = symbol.slice(slash + 1).split(":")[0];
  return market === "upbit" ? `${quote}-${base}` : `${base}${quote}`;
}

export interface ExportOptions {
  readonly kind: StomKind;
  readonly out: string;
  /** selectors (market[:symbol[:timeframe]][@start..end]) or bare symbols; all series when empty */
  readonly select?: readonly string[];
  /** copy moneytop and codename from this STOM DB instead of rebuilding them from 관심종목 */
  readonly metaFrom?: string;
}

export interface ExportSummary {
  readonly kind: StomKind;
  readonly out: string;
  readonly tables: Readonly<Record<string, number>>;
  readonly moneytopRows: number;
  readonly moneytop: "rebuilt" | "copied";
}

/**
 * Exports catalog series that carry STOM's columns (imported STOM DBs, `stom record`) as a STOM DB
 * of `kind`: ticks for *_tick, 1-minute bars for *_min. `index` is written back in STOM's zone
 * (KST for stocks, UTC for coins), the inverse of the importer.
 */
export async function exportStom(catalog: CatalogApi, options: ExportOptions): Promise<ExportSummary> {
  const { kind, out, select = [], metaFrom } = options;
  if (!(kind in STOM_COLUMNS))
    throw new Error(`invalid stom kind: ${kind} (expected ${Object.keys(STOM_COLUMNS).join(", ")})`);
  const series = exportSeries(catalog.list(), kind, select);
  const tables: StomTable[] = [];
  const names = STOM_COLUMNS[kind];
  const offset = isStockKind(kind) ? KST_OFFSET_MS : 0;
  const seconds = isTickKind(kind);
  const codeOf = new Map<string, SeriesInfo>();
  for (const info of series) {
    const code = stomTableName(info.market, info.symbol);
    const other = codeOf.get(code);
    if (other)
      throw new Error(
        `two series export to table ${code}: ${other.market}:${other.symbol} and ${info.market}:${info.symbol}`,
      );
    codeOf.set(code, info);
    const frame: Frame = await catalog.read({
      kind: info.kind,
      market: info.market,
      symbol: info.symbol,
      timeframe: info.timeframe,
      start: selectorRange(select, info)?.start,
      end: selectorRange(select, info)?.end,
    });
    const time = frame.columns.time as Float64Array;
    const index = new Float64Array(frame.length);
    for (let i = 0; i < index.length; i++) index[i] = msToStomIndex(time[i], offset, seconds);
    const columns: Record<string, ArrayLike<number>> = { index };
    for (const name of names) if (name !== "index") columns[name] = frame.columns[name] as Float64Array;
    tables.push({ code, columns });
  }
  // pandas' table order is the collector's; sorted codes keep exports reproducible
  tables.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  let moneytop: StomMoneytop;
  if (metaFrom) {
    if (!existsSync(metaFrom)) throw new Error(`no such stom db: ${metaFrom}`);
    const top = readMoneytop(metaFrom);
    moneytop = { index: Array.from(top.time, (t) => msToStomIndex(t, offset, seconds)), codes: top.codes };
    const codenames = readCodenames(metaFrom);
    for (let i = 0; i < tables.length; i++) {
      const name = codenames.get(tables[i].code);
      if (name !== undefined) tables[i] = { ...tables[i], name };
    }
  } else moneytop = moneytopFromInterest(tables);
  writeStomDb(out, kind, tables, moneytop);
  const rows: Record<string, number> = {};
  for (const table of tables) rows[table.code] = table.columns.index.length;
  return {
    kind,
    out,
    tables: rows,
    moneytopRows: moneytop.index.length,
    moneytop: metaFrom ? "copied" : "rebuilt",
  };
}

/** the series a list of selectors names, of the frame kind and with the STOM columns of `kind` */
function exportSeries(list: readonly SeriesInfo[], kind: StomKind, select: readonly string[]): SeriesInfo[] {
  const frameKind = isTickKind(kind) ? "ticks" : "bars";
  const names = STOM_COLUMNS[kind].filter((name) => name !== "index");
  const fits = (s: SeriesInfo) =>
    s.kind === frameKind &&
    (frameKind === "ticks" || s.timeframe === "1m") &&
    names.every((n) => s.columns.includes(n));
  if (select.length === 0) {
    const all = list.filter(fits);
    if (all.length === 0)
      throw new Error(`no ${kind} series in the catalog (import a STOM db or record one)`);
    return all;
  }
  const out: SeriesInfo[] = [];
  for (const text of select) {
    const matched = selectorFor(text, list).flatMap((selector) => matchSeries(list, selector, frameKind));
    if (matched.length === 0) throw new Error(`no ${frameKind} series match ${text}`);
    const usable = matched.filter(fits);
    if (usable.length === 0) {
      const missing = names.filter((n) => !matched[0].columns.includes(n));
      throw new Error(
        `${matched[0].market}:${matched[0].symbol}:${matched[0].timeframe} is not a ${kind} series` +
          (missing.length
            ? ` (missing ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""})`
            : ""),
      );
    }
    for (const s of usable) if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** a selector, or a bare symbol matched in every market */
function selectorFor(text: string, list: readonly SeriesInfo[]): Selector[] {
  if (text.includes(":") || list.some((s) => s.market === text.split("@")[0])) return [parseSelector(text)];
  const markets = [...new Set(list.filter((s) => s.symbol === text).map((s) => s.market))];
  return markets.map((market) => ({ market, symbol: text }));
}

/** the date range of the selector that named this series, if it had one */
function selectorRange(
  select: readonly string[],
  info: SeriesInfo,
): { start?: number; end?: number } | undefined {
  for (const text of select) {
    if (!text.includes("@")) continue;
    const selector = parseSelector(text);
    if (matchSeries([info], selector).length) return { start: selector.start, end: selector.end };
  }
  return undefined;
}
