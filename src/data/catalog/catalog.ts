import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { type Frame, type Kind, makeFrame } from "../frame.ts";
import { quoteIdent, quoteString, resultColumns, stageColumns } from "./duck.ts";
import { gapBetween, gapSql } from "./gaps.ts";
import { acquireLock } from "./lock.ts";
import {
  commitManifest,
  type FileEntry,
  MANIFEST_FILE,
  type Manifest,
  readManifest,
  sortFiles,
} from "./manifest.ts";
import { slug } from "./slug.ts";
import type { CatalogApi, QueryResult, ReadRequest, SeriesInfo, SeriesKey, WriteResult } from "./types.ts";

/**
 * The catalog: Parquet files under `<dir>/<kind>/<market>/<symbol slug>/<timeframe>/<YYYY-MM>/`
 * plus `manifest.json`, the only list of live files.
 *
 * - `time` is stored as BIGINT UTC epoch ms (exact, and `epoch_ms(time)` works in SQL); `market`,
 *   `symbol` and `timeframe` are VARCHAR columns in every file so SQL sees them; `tz` is manifest metadata.
 * - Months are UTC months. One live file per series-month; files are sorted by time and never overlap,
 *   so reading them in month order yields sorted rows without a sort.
 * - A write merges each touched month with what is stored (the stored row wins on a duplicate key:
 *   bars `time`; ticks `id` when present, else `time`+`seq`), writes new uniquely named files, then
 *   renames a new manifest into place. Superseded files are deleted after that commit; files no
 *   manifest names (a crash between the two) are swept on the next open.
 */
export class Catalog implements CatalogApi {
  private manifest: Manifest;
  private viewsStale = true;

  private constructor(
    readonly dir: string,
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
  ) {
    this.manifest = readManifest(dir);
  }

  static async open(dir: string): Promise<Catalog> {
    mkdirSync(dir, { recursive: true });
    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    const catalog = new Catalog(dir, instance, con);
    catalog.sweep();
    return catalog;
  }

  /** Deletes what no manifest names: leftovers of a crashed write. Skipped while a writer holds the lock. */
  private sweep(): void {
    let release: () => void;
    try {
      release = acquireLock(this.dir);
    } catch {
      return;
    }
    try {
      this.manifest = readManifest(this.dir);
      const live = new Set(this.manifest.files.map((f) => f.path));
      const walk = (path: string): boolean => {
        let empty = true;
        for (const entry of readdirSync(path, { withFileTypes: true })) {
          const full = join(path, entry.name);
          const rel = relative(this.dir, full).split(sep).join("/");
          if (entry.isDirectory()) {
            if (walk(full)) rmdirSync(full);
            else empty = false;
          } else if (rel.endsWith(".parquet") && !live.has(rel)) {
            rmSync(full, { force: true });
          } else if (path === this.dir && entry.name.startsWith(`${MANIFEST_FILE}.tmp`)) {
            rmSync(full, { force: true });
          } else {
            empty = false;
          }
        }
        return empty;
      };
      walk(this.dir);
    } finally {
      release();
    }
  }

  list(): readonly SeriesInfo[] {
    const bySeries = new Map<string, FileEntry[]>();
    for (const file of this.manifest.files) {
      const key = seriesId(file);
      const files = bySeries.get(key);
      if (files) files.push(file);
      else bySeries.set(key, [file]);
    }
    const out: SeriesInfo[] = [];
    for (const files of bySeries.values()) {
      files.sort((a, b) => a.start - b.start);
      const first = files[0];
      let gaps = 0;
      let rows = 0;
      const columns = new Set<string>();
      for (let i = 0; i < files.length; i++) {
        gaps += files[i].gaps;
        rows += files[i].rows;
        if (i > 0 && first.kind === "bars") gaps += gapBetween(files[i - 1].end, files[i].start, first);
        for (const c of files[i].columns) columns.add(c.name);
      }
      out.push(
        Object.freeze({
          kind: first.kind,
          market: first.market,
          symbol: first.symbol,
          timeframe: first.timeframe,
          tz: first.tz,
          rows,
          start: first.start,
          end: files[files.length - 1].end,
          gaps,
          files: files.length,
          columns: Object.freeze([...columns]),
        }),
      );
    }
    return out.sort((a, b) => (seriesId(a) < seriesId(b) ? -1 : 1));
  }

  lastTime(key: SeriesKey): number | undefined {
    let last: number | undefined;
    for (const f of this.filesOf(key)) if (last === undefined || f.end > last) last = f.end;
    return last;
  }

  async read(request: ReadRequest): Promise<Frame> {
    const { start = -Infinity, end = Infinity } = request;
    const files = this.filesOf(request)
      .filter((f) => f.end >= start && f.start < end)
      .sort((a, b) => a.start - b.start);
    const tz = files[0]?.tz ?? "UTC";
    const available = new Map<string, string>();
    for (const f of files)
      for (const c of f.columns) if (!available.has(c.name)) available.set(c.name, c.type);
    const wanted = request.columns
      ? ["time", ...request.columns.filter((c) => c !== "time")]
      : [...available.keys()].filter((c) => !["market", "symbol", "timeframe"].includes(c));
    for (const c of wanted) {
      if (!available.has(c) && files.length > 0)
        throw new Error(`unknown column: ${c} (have ${[...available.keys()].join(", ")})`);
    }
    if (files.length === 0) return emptyFrame(request, tz, wanted);
    const select = wanted.map((c) => (c === "time" ? "time::DOUBLE as time" : quoteIdent(c))).join(", ");
    const where = [
      Number.isFinite(start) ? `time >= ${Math.ceil(start)}` : "",
      Number.isFinite(end) ? `time < ${Math.ceil(end)}` : "",
    ].filter(Boolean);
    const sql =
      `select ${select} from ${this.parquetList(files)}` +
      (where.length ? ` where ${where.join(" and ")}` : "");
    const result = await this.con.run(sql);
    const { length, columns } = resultColumns(result);
    // Not makeFrame: a column subset is a legal read and lacks the required columns on purpose.
    return Object.freeze({ ...pick(request), tz, length, columns: Object.freeze(columns) });
  }

  async query(sql: string): Promise<QueryResult> {
    await this.ensureViews();
    const reader = await this.con.runAndReadAll(sql);
    const rows = reader.getRowsJS().map((row) => row.map(toPlain));
    return { columns: reader.columnNames(), rows };
  }

  async write(
    frames: Iterable<Frame> | AsyncIterable<Frame>,
    { onRows }: { onRows?: (rows: number) => void } = {},
  ): Promise<WriteResult> {
    const release = acquireLock(this.dir);
    const token = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
    const written: string[] = [];
    const madeDirs: string[] = [];
    const staged: string[] = [];
    try {
      this.manifest = readManifest(this.dir);
      // Stage every frame first: a bad frame anywhere aborts before a single file is written.
      const series = new Map<string, { key: Frame; tables: string[] }>();
      let rowsIn = 0;
      let index = 0;
      for await (const frame of frames) {
        validate(frame);
        const table = `__stage_${index++}`;
        await stageColumns(this.con, table, frame.columns, frame.length);
        staged.push(table);
        rowsIn += frame.length;
        onRows?.(rowsIn);
        const id = seriesId(frame);
        const entry = series.get(id);
        if (entry) entry.tables.push(table);
        else series.set(id, { key: frame, tables: [table] });
      }

      let rowsAdded = 0;
      const added: FileEntry[] = [];
      const superseded = new Set<string>();
      for (const { key, tables } of series.values()) {
        const months = await this.monthsOf(tables);
        for (const month of months) {
          const old = this.filesOf(key).filter((f) => f.month === month);
          const entry = await this.mergeMonth(key, month, tables, old, token, madeDirs);
          if (!entry) continue;
          written.push(entry.file.path);
          rowsAdded += entry.added;
          added.push(entry.file);
          for (const f of old) superseded.add(f.path);
        }
      }

      if (added.length > 0) {
        const files = sortFiles([...this.manifest.files.filter((f) => !superseded.has(f.path)), ...added]);
        commitManifest(this.dir, { version: 1, files }, `${MANIFEST_FILE}.tmp-${token}`);
        this.manifest = { version: 1, files };
        this.viewsStale = true;
        written.length = 0;
        for (const path of superseded) rmSync(join(this.dir, path), { force: true });
        for (const path of superseded) removeEmptyDirs(this.dir, join(this.dir, path, ".."));
      }
      return Object.freeze({
        series: series.size,
        rowsIn,
        rowsAdded,
        duplicates: rowsIn - rowsAdded,
        filesWritten: added.length,
      });
    } catch (error) {
      for (const path of written) rmSync(join(this.dir, path), { force: true });
      rmSync(join(this.dir, `${MANIFEST_FILE}.tmp-${token}`), { force: true });
      for (const dir of madeDirs.reverse()) removeEmptyDirs(this.dir, dir);
      throw error;
    } finally {
      for (const table of staged)
        await this.con.run(`drop table if exists ${quoteIdent(table)}`).catch(() => {});
      release();
    }
  }

  async close(): Promise<void> {
    this.con.closeSync();
    this.instance.closeSync();
  }

  private filesOf(key: SeriesKey): FileEntry[] {
    const id = seriesId(key);
    return this.manifest.files.filter((f) => seriesId(f) === id);
  }

  private parquetList(files: readonly FileEntry[]): string {
    const paths = files.map((f) => quoteString(join(this.dir, f.path))).join(", ");
    return `read_parquet([${paths}], union_by_name = true)`;
  }

  private async monthsOf(tables: readonly string[]): Promise<string[]> {
    const union = tables.map((t) => `select time from ${quoteIdent(t)}`).join(" union all ");
    const reader = await this.con.runAndReadAll(
      `select distinct strftime(epoch_ms(time::BIGINT), '%Y-%m') as m from (${union}) order by m`,
    );
    return reader.getRowsJS().map((r) => String(r[0]));
  }

  /** Writes the merged month to a new file; undefined when it would add nothing. */
  private async mergeMonth(
    key: Frame,
    month: string,
    tables: readonly string[],
    old: readonly FileEntry[],
    token: string,
    madeDirs: string[],
  ): Promise<{ file: FileEntry; added: number } | undefined> {
    const [y, m] = month.split("-").map(Number);
    const from = Date.UTC(y, m - 1, 1);
    const to = Date.UTC(y, m, 1);
    const ident = `${quoteString(key.market)} as market, ${quoteString(key.symbol)} as symbol, ${quoteString(key.timeframe)} as timeframe`;
    const parts = tables.map(
      (t, i) =>
        `select * exclude (time), time::BIGINT as time, ${ident}, ${i + 1} as __src, row_number() over () as __ord from ${quoteIdent(t)} where time >= ${from} and time < ${to}`,
    );
    if (old.length > 0)
      parts.unshift(`select *, 0 as __src, row_number() over () as __ord from ${this.parquetList(old)}`);
    const hasId = key.kind === "ticks" && "id" in key.columns;
    const natural = key.kind === "bars" ? "time" : hasId ? "id" : "time, seq";
    const order = key.kind === "bars" ? "time" : "time, seq";
    await this.con.run(
      `create or replace temp table __merged as select * exclude (__src, __ord) from (${parts.join(" union all by name ")}) ` +
        `qualify row_number() over (partition by ${natural} order by __src, __ord) = 1`,
    );
    const oldRows = old.reduce((n, f) => n + f.rows, 0);
    const stats = (
      await this.con.runAndReadAll(
        `select count(*)::DOUBLE, min(time)::DOUBLE, max(time)::DOUBLE, (${gapSql(key, "__merged")})::DOUBLE from __merged`,
      )
    ).getRowsJS()[0] as number[];
    const [rows, start, end, gaps] = stats;
    if (rows === oldRows) return undefined;
    const describe = (await this.con.runAndReadAll("describe __merged")).getRowsJS();
    // Fixed column order (key columns first, then the frame's own) keeps files self-describing.
    const names = describe.map((r) => String(r[0]));
    const front = ["time", "market", "symbol", "timeframe"];
    const ordered = [...front, ...names.filter((n) => !front.includes(n))];
    const types = new Map(describe.map((r) => [String(r[0]), String(r[1])]));
    const dirRel = [key.kind, slug(key.market), slug(key.symbol), slug(key.timeframe), month].join("/");
    const dir = join(this.dir, dirRel);
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      madeDirs.push(dir);
    }
    const path = `${dirRel}/part-${token}.parquet`;
    await this.con.run(
      `copy (select ${ordered.map(quoteIdent).join(", ")} from __merged order by ${order}) to ${quoteString(join(this.dir, path))} (format parquet)`,
    );
    return {
      added: rows - oldRows,
      file: Object.freeze({
        path,
        kind: key.kind,
        market: key.market,
        symbol: key.symbol,
        timeframe: key.timeframe,
        tz: key.tz,
        month,
        rows,
        start,
        end,
        gaps,
        columns: ordered.map((name) => ({ name, type: types.get(name) ?? "VARCHAR" })),
      }),
    };
  }

  private async ensureViews(): Promise<void> {
    if (!this.viewsStale) return;
    for (const kind of ["bars", "ticks"] as const) {
      const files = this.manifest.files.filter((f) => f.kind === kind);
      const body =
        files.length > 0
          ? `select * from ${this.parquetList(files)}`
          : `select null::BIGINT as time, null::VARCHAR as market, null::VARCHAR as symbol, null::VARCHAR as timeframe where false`;
      await this.con.run(`create or replace view ${kind} as ${body}`);
    }
    this.viewsStale = false;
  }
}

function seriesId(key: SeriesKey): string {
  return [key.kind, key.market, key.symbol, key.timeframe].join("\u0000");
}

function validate(frame: Frame): void {
  if (frame.kind !== "bars" && frame.kind !== "ticks") throw new Error(`unknown kind: ${String(frame.kind)}`);
  for (const [name, value] of [
    ["market", frame.market],
    ["symbol", frame.symbol],
    ["timeframe", frame.timeframe],
  ] as const) {
    if (typeof value !== "string" || value === "") throw new Error(`frame ${name} is empty`);
  }
  const time = frame.columns.time;
  if (!(time instanceof Float64Array))
    throw new Error(`time column must be a Float64Array in ${frame.symbol}`);
  for (let i = 0; i < frame.length; i++) {
    if (!Number.isFinite(time[i])) throw new Error(`bad time at row ${i} of ${frame.symbol}: ${time[i]}`);
  }
  for (const name of ["market", "symbol", "timeframe"]) {
    if (name in frame.columns) throw new Error(`frame ${frame.symbol} carries a reserved column: ${name}`);
  }
}

function emptyFrame(request: ReadRequest, tz: string, wanted: readonly string[]): Frame {
  const base: readonly string[] =
    request.kind === "bars"
      ? ["time", "open", "high", "low", "close", "volume"]
      : ["time", "seq", "price", "amount"];
  const columns: Record<string, Float64Array | Int32Array> = {};
  for (const c of new Set([...base, ...wanted]))
    columns[c] = c === "seq" ? new Int32Array(0) : new Float64Array(0);
  return makeFrame({ ...pick(request), tz, columns });
}

function pick(key: SeriesKey): { kind: Kind; market: string; symbol: string; timeframe: string } {
  return { kind: key.kind, market: key.market, symbol: key.symbol, timeframe: key.timeframe };
}

function removeEmptyDirs(root: string, dir: string): void {
  let current = dir;
  while (relative(root, current) !== "" && !relative(root, current).startsWith("..")) {
    try {
      if (readdirSync(current).length > 0) return;
      rmdirSync(current);
    } catch {
      return;
    }
    current = join(current, "..");
  }
}

function toPlain(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : String(value);
  }
  return value;
}
