import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { type Column, type Frame, type Kind, makeFrame } from "../frame.ts";
import { type FetchedColumns, fetchColumns, quoteIdent, quoteString } from "./duck.ts";
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
import { encodeParquet, type ParquetColumn } from "./parquet-write.ts";
import { encodeSidecar, readSidecar, sidecarColumn, sidecarPath, writeSidecar } from "./sidecar.ts";
import { slug } from "./slug.ts";
import { Stager } from "./stage.ts";
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
      const live = new Set(this.manifest.files.flatMap((f) => [f.path, f.arrow ?? sidecarPath(f.path)]));
      const walk = (path: string): boolean => {
        let empty = true;
        for (const entry of readdirSync(path, { withFileTypes: true })) {
          const full = join(path, entry.name);
          const rel = relative(this.dir, full).split(sep).join("/");
          if (entry.isDirectory()) {
            if (walk(full)) rmdirSync(full);
            else empty = false;
          } else if ((rel.endsWith(".parquet") || rel.endsWith(".arrow")) && !live.has(rel)) {
            rmSync(full, { force: true });
          } else if (/\.arrow\.tmp-/.test(entry.name)) {
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
      : [...available.keys()].filter((c) => !KEY_COLUMNS.includes(c));
    for (const c of wanted) {
      if (!available.has(c) && files.length > 0)
        throw new Error(`unknown column: ${c} (have ${[...available.keys()].join(", ")})`);
    }
    if (files.length === 0) return emptyFrame(request, tz, wanted);
    // Files are sorted and never overlap: each contributes one contiguous [lo, hi) slice.
    const parts: { lo: number; hi: number; columns: (Column | undefined)[] }[] = [];
    let length = 0;
    for (const f of files) {
      const table = await this.sidecarOf(f);
      const time = sidecarColumn(table, "time") as Float64Array;
      const lo = Number.isFinite(start) ? lowerBound(time, Math.ceil(start)) : 0;
      const hi = Number.isFinite(end) ? lowerBound(time, Math.ceil(end)) : time.length;
      if (hi <= lo) continue;
      parts.push({ lo, hi, columns: wanted.map((c) => sidecarColumn(table, c)) });
      length += hi - lo;
    }
    const columns: Record<string, Column> = {};
    wanted.forEach((name, c) => {
      columns[name] = concatColumn(
        parts.map((p) => ({ lo: p.lo, hi: p.hi, column: p.columns[c] })),
        length,
      );
    });
    // Not makeFrame: a column subset is a legal read and lacks the required columns on purpose.
    return Object.freeze({ ...pick(request), tz, length, columns: Object.freeze(columns) });
  }

  /** The file's Arrow sidecar, rebuilt from its Parquet file when missing or stale. */
  private async sidecarOf(file: FileEntry): Promise<import("apache-arrow").Table> {
    const path = join(this.dir, file.arrow ?? sidecarPath(file.path));
    const table = readSidecar(path);
    if (table && table.numRows === file.rows) return table;
    const select = file.columns
      .filter((c) => !KEY_COLUMNS.includes(c.name))
      .map((c) => (c.name === "time" ? "time::DOUBLE as time" : quoteIdent(c.name)))
      .join(", ");
    const fetched = fetchColumns(
      await this.con.run(
        `select ${select} from read_parquet(${quoteString(join(this.dir, file.path))}) order by time`,
      ),
    );
    const bytes = encodeSidecar(fetched.columns, fetched.length);
    try {
      writeSidecar(path, bytes, randomBytes(4).toString("hex"));
    } catch {
      // a read-only catalog still reads; the sidecar is only a cache
    }
    const { tableFromIPC } = await import("apache-arrow");
    return tableFromIPC(bytes);
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
    const stager = new Stager(this.con, "__stage_");
    try {
      this.manifest = readManifest(this.dir);
      // Stage every frame first: a bad frame anywhere aborts before a single file is written.
      const series: StagedSeries[] = [];
      const sids = new Map<string, number>();
      let rowsIn = 0;
      for await (const frame of frames) {
        validate(frame);
        const id = seriesId(frame);
        let sid = sids.get(id);
        if (sid === undefined) {
          sid = series.length;
          sids.set(id, sid);
          series.push({ key: frame, group: mergeGroup(frame), columns: [] });
        }
        const s = series[sid];
        for (const name of Object.keys(frame.columns)) if (!s.columns.includes(name)) s.columns.push(name);
        await stager.add(frame, sid, s.group);
        rowsIn += frame.length;
        onRows?.(rowsIn);
      }
      stager.flush();

      const stored = new Map<string, FileEntry[]>();
      for (const f of this.manifest.files) {
        const id = `${seriesId(f)}\u0000${f.month}`;
        const list = stored.get(id);
        if (list) list.push(f);
        else stored.set(id, [f]);
      }
      let rowsAdded = 0;
      const added: FileEntry[] = [];
      const superseded = new Set<string>();
      for (const group of new Set(series.map((s) => s.group))) {
        const result = await this.mergeGroup(group, series, stager.tablesOf(group), stored, token, {
          written,
          madeDirs,
        });
        rowsAdded += result.added;
        added.push(...result.files);
        for (const path of result.superseded) superseded.add(path);
      }

      if (added.length > 0) {
        const files = sortFiles([...this.manifest.files.filter((f) => !superseded.has(f.path)), ...added]);
        commitManifest(this.dir, { version: 1, files }, `${MANIFEST_FILE}.tmp-${token}`);
        this.manifest = { version: 1, files };
        this.viewsStale = true;
        written.length = 0;
        for (const path of superseded) {
          rmSync(join(this.dir, path), { force: true });
          rmSync(join(this.dir, sidecarPath(path)), { force: true });
        }
        for (const path of superseded) removeEmptyDirs(this.dir, join(this.dir, path, ".."));
      }
      return Object.freeze({
        series: series.length,
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
      try {
        stager.flush();
      } catch {
        // already flushed
      }
      for (const table of stager.names)
        await this.con.run(`drop table if exists ${quoteIdent(table)}`).catch(() => {});
      await this.con.run("drop table if exists __merged").catch(() => {});
      await this.con.run("drop table if exists __series").catch(() => {});
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

  /**
   * Merges one group's staged rows with the stored months they touch, in three statements
   * whatever the number of series: list the touched months, dedupe everything into one sorted
   * table (stored rows win, then arrival order), fetch it. Files are then written from JS.
   */
  private async mergeGroup(
    group: string,
    series: readonly StagedSeries[],
    tables: readonly string[],
    stored: ReadonlyMap<string, FileEntry[]>,
    token: string,
    track: { written: string[]; madeDirs: string[] },
  ): Promise<{ added: number; files: FileEntry[]; superseded: string[] }> {
    const [kind, natural] = group.split("|");
    const order = kind === "bars" ? "time" : "time, seq";
    const month = (t: string) => `(year(epoch_ms(${t})) * 12 + month(epoch_ms(${t})) - 1)::INTEGER`;
    const staged = tables.map((t) => `select * replace (time::BIGINT as time) from ${quoteIdent(t)}`);
    const touched = await this.con.runAndReadAll(
      `select distinct __sid, ${month("time")} from (${staged.join(" union all by name ")})`,
    );
    const old: FileEntry[] = [];
    const oldOf = new Map<string, FileEntry[]>();
    for (const [sid, m] of touched.getRowsJS() as [number, number][]) {
      const files = stored.get(`${seriesId(series[sid].key)}\u0000${monthName(m)}`) ?? [];
      oldOf.set(`${sid}:${m}`, files);
      old.push(...files);
    }
    const parts = [...staged];
    if (old.length > 0) {
      const sidOf = new Map<string, number>();
      series.forEach((s, sid) => {
        if (s.group === group) sidOf.set(seriesId(s.key), sid);
      });
      const values = [...new Set(old.map((f) => seriesId(f)))].map((id) => {
        const [, market, symbol, timeframe] = id.split("\u0000");
        return `(${sidOf.get(id)}, ${quoteString(market)}, ${quoteString(symbol)}, ${quoteString(timeframe)})`;
      });
      await this.con.run(
        `create or replace temp table __series as select * from (values ${values.join(", ")}) v(__sid, market, symbol, timeframe)`,
      );
      parts.push(
        `select o.* exclude (market, symbol, timeframe), s.__sid::INTEGER as __sid, -1 as __pos from ${this.parquetList(old)} o ` +
          "join __series s on o.market = s.market and o.symbol = s.symbol and o.timeframe = s.timeframe",
      );
    }
    await this.con.run(
      `create or replace temp table __merged as select * exclude (__pos) from (select *, ${month("time")} as __m from (${parts.join(" union all by name ")})) ` +
        `qualify row_number() over (partition by __sid, ${natural} order by __pos) = 1 order by __sid, __m, ${order}`,
    );
    const merged = fetchColumns(await this.con.run("select * replace (time::DOUBLE as time) from __merged"));
    const sid = merged.columns.__sid as Int32Array;
    const m = merged.columns.__m as Int32Array;
    const files: FileEntry[] = [];
    const superseded: string[] = [];
    let added = 0;
    for (let lo = 0; lo < merged.length; ) {
      let hi = lo + 1;
      while (hi < merged.length && sid[hi] === sid[lo] && m[hi] === m[lo]) hi++;
      const before = oldOf.get(`${sid[lo]}:${m[lo]}`) ?? [];
      const oldRows = before.reduce((n, f) => n + f.rows, 0);
      if (hi - lo !== oldRows) {
        const file = await this.writePartition(
          series[sid[lo]],
          monthName(m[lo]),
          before,
          merged,
          lo,
          hi,
          token,
          track,
        );
        files.push(file);
        added += hi - lo - oldRows;
        for (const f of before) superseded.push(f.path);
      }
      lo = hi;
    }
    return { added, files, superseded };
  }

  /** Writes rows [lo, hi) of the merged result as one month: Parquet plus its Arrow sidecar. */
  private async writePartition(
    s: StagedSeries,
    month: string,
    before: readonly FileEntry[],
    merged: FetchedColumns,
    lo: number,
    hi: number,
    token: string,
    track: { written: string[]; madeDirs: string[] },
  ): Promise<FileEntry> {
    const { key } = s;
    // Fixed column order (key columns first, then stored, then the frames' own) keeps files self-describing.
    const names: string[] = [];
    for (const n of [...before.flatMap((f) => f.columns.map((c) => c.name)), ...s.columns])
      if (!KEY_COLUMNS.includes(n) && n !== "time" && !names.includes(n)) names.push(n);
    const ordered = ["time", ...KEY_COLUMNS, ...names];
    const types = (name: string) =>
      name === "time" ? "BIGINT" : KEY_COLUMNS.includes(name) ? "VARCHAR" : merged.types[name];
    const dirRel = [key.kind, slug(key.market), slug(key.symbol), slug(key.timeframe), month].join("/");
    const dir = join(this.dir, dirRel);
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      track.madeDirs.push(dir);
    }
    const path = `${dirRel}/part-${token}.parquet`;
    const arrow = sidecarPath(path);
    const n = hi - lo;
    const slice = (name: string): Column => {
      const c = merged.columns[name];
      return Array.isArray(c) ? c.slice(lo, hi) : c.subarray(lo, hi);
    };
    const time = slice("time") as Float64Array;
    const columns: Record<string, Column> = { time };
    for (const name of names) columns[name] = slice(name);

    const direct = names.every((name) => DIRECT_TYPES.has(types(name)));
    if (direct) {
      const pq: ParquetColumn[] = [{ name: "time", type: "BIGINT", values: time }];
      pq.push(
        { name: "market", type: "CONST", value: key.market },
        { name: "symbol", type: "CONST", value: key.symbol },
        { name: "timeframe", type: "CONST", value: key.timeframe },
      );
      for (const name of names) {
        const nulls = merged.nulls[name]?.subarray(lo, hi);
        pq.push({ name, type: types(name), values: columns[name], nulls } as ParquetColumn);
      }
      track.written.push(path);
      this.writeFile(join(this.dir, path), encodeParquet(pq, n));
    } else {
      // rare types (promoted by a union, say): let DuckDB write this one file
      const ident = `${quoteString(key.market)} as market, ${quoteString(key.symbol)} as symbol, ${quoteString(key.timeframe)} as timeframe`;
      const [y, mm] = month.split("-").map(Number);
      track.written.push(path);
      await this.con.run(
        `copy (select time, ${ident}, ${names.map(quoteIdent).join(", ")} from __merged where __sid = ${merged.columns.__sid[lo]} and __m = ${y * 12 + mm - 1} order by ${key.kind === "bars" ? "time" : "time, seq"}) to ${quoteString(join(this.dir, path))} (format parquet)`,
      );
    }
    track.written.push(arrow);
    this.writeFile(join(this.dir, arrow), encodeSidecar(columns, n));

    let gaps = 0;
    if (key.kind === "bars") for (let i = 1; i < n; i++) gaps += gapBetween(time[i - 1], time[i], key);
    return Object.freeze({
      path,
      arrow,
      kind: key.kind,
      market: key.market,
      symbol: key.symbol,
      timeframe: key.timeframe,
      tz: key.tz,
      month,
      rows: n,
      start: time[0],
      end: time[n - 1],
      gaps,
      columns: ordered.map((name) => ({ name, type: types(name) ?? "VARCHAR" })),
    });
  }

  /** The one place catalog files hit the disk (tests make it fail midway). */
  private writeFile(path: string, bytes: Uint8Array): void {
    writeFileSync(path, bytes);
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

const KEY_COLUMNS: readonly string[] = ["market", "symbol", "timeframe"];
/** column types the JS Parquet writer handles; `time` is always BIGINT */
const DIRECT_TYPES: ReadonlySet<string> = new Set(["DOUBLE", "INTEGER", "TINYINT", "VARCHAR"]);

interface StagedSeries {
  readonly key: Frame;
  readonly group: string;
  /** column names in first-seen order over the series' frames */
  readonly columns: string[];
}

/** Series that dedupe the same way merge together: "kind|natural key". */
function mergeGroup(frame: Frame): string {
  if (frame.kind === "bars") return "bars|time";
  return "id" in frame.columns ? "ticks|id" : "ticks|time, seq";
}

/** month index (year * 12 + month - 1) -> "YYYY-MM" */
function monthName(m: number): string {
  const y = Math.floor(m / 12);
  return `${String(y).padStart(4, "0")}-${String((m % 12) + 1).padStart(2, "0")}`;
}

/** first index with a[i] >= x in a sorted array */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Joins per-file slices of one column. One whole slice comes back as is (a view, no copy); a file
 * without the column contributes NaN / 0 / null as DuckDB's union_by_name read did.
 */
function concatColumn(
  parts: readonly { lo: number; hi: number; column: Column | undefined }[],
  length: number,
): Column {
  const present = parts.map((p) => p.column).filter((c): c is Column => c !== undefined);
  if (parts.length === 1 && present.length === 1) {
    const { lo, hi, column } = parts[0] as { lo: number; hi: number; column: Column };
    if (lo === 0 && hi === column.length) return column;
  }
  const kinds = new Set(present.map((c) => (Array.isArray(c) ? Array : c.constructor)));
  if (kinds.has(Array)) {
    const out = new Array<string>(length);
    let pos = 0;
    for (const { lo, hi, column } of parts) {
      for (let i = lo; i < hi; i++)
        out[pos++] = column
          ? column[i] === null
            ? (null as unknown as string)
            : String(column[i])
          : (null as unknown as string);
    }
    return out;
  }
  const Type = kinds.size === 1 ? ([...kinds][0] as Float64ArrayConstructor) : Float64Array;
  const out = new Type(length);
  let pos = 0;
  for (const { lo, hi, column } of parts) {
    if (column) out.set((column as Float64Array).subarray(lo, hi), pos);
    else if (out instanceof Float64Array) out.fill(Number.NaN, pos, pos + hi - lo);
    pos += hi - lo;
  }
  return out;
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
