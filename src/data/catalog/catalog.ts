import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { type Column, type Frame, type Kind, makeFrame } from "../frame.ts";
import type { FetchedColumns } from "./duck.ts";
import { FileWriter } from "./file-writer.ts";
import { countGaps, gapBetween } from "./gaps.ts";
import { acquireLock } from "./lock.ts";
import {
  commitManifest,
  type FileEntry,
  MANIFEST_FILE,
  type Manifest,
  readManifest,
  sortFiles,
} from "./manifest.ts";
import { isStrictlySorted, mergeSorted, type Rows } from "./merge.ts";
import { decodeParquet, type ParquetData, ParquetFile, readWhole } from "./parquet-read.ts";
import { encodeParquetTransient, type ParquetColumn } from "./parquet-write.ts";
import { requireCatalog } from "./require.ts";
import { slug } from "./slug.ts";
import { quoteIdent, quoteString, sqlType } from "./sql.ts";
import type { Stager } from "./stage.ts";
import type { CatalogApi, QueryResult, ReadRequest, SeriesInfo, SeriesKey, WriteResult } from "./types.ts";

/**
 * The catalog: Parquet files `<dir>/<kind>/<market>/<timeframe>/<YYYY-MM>/<symbol slug>.<token>.parquet`
 * plus `manifest.json`, the only list of live files (older catalogs with a directory per symbol stay
 * readable: every path comes from the manifest).
 *
 * - `time` is stored as BIGINT UTC epoch ms (exact, and `epoch_ms(time)` works in SQL); `market`,
 *   `symbol` and `timeframe` are VARCHAR columns in every file so SQL sees them; `tz` is manifest metadata.
 * - Months are UTC months. One live file per series-month; files are sorted by time and never overlap,
 *   so reading them in month order yields sorted rows without a sort.
 * - A write merges each touched month with what is stored (the stored row wins on a duplicate key:
 *   bars `time`; ticks `id` when present, else `time`+`seq`), writes new uniquely named files, then
 *   renames a new manifest into place. A series whose first frame lands in months nothing is stored
 *   in is written as soon as it arrives, so import overlaps reading with writing. Superseded files are deleted after that commit; files no
 *   manifest names (a crash between the two) are swept on the next open.
 * - Speed (see bench/data.bench.ts): frames that are sorted by key merge with the stored months in
 *   JS (./merge.ts); unsorted frames, tick ids and files DuckDB wrote merge in one SQL statement per
 *   group. Files are written by ./parquet-write.ts (plain, uncompressed, values 8-byte aligned) and
 *   read back by ./parquet-read.ts with one pread per column into the result; DuckDB reads the same
 *   files for `query`.
 */
export class Catalog implements CatalogApi {
  private manifest: Manifest;
  private viewsStale = true;
  private readonly files = new FileWriter();
  /** DuckDB, started on first use: reading the catalog's own files needs none (~0.2 s to load) */
  private duckdb?: Promise<{ instance: DuckDBInstance; con: DuckDBConnection }>;

  private constructor(
    readonly dir: string,
    private readonly readOnly: boolean,
  ) {
    this.manifest = readManifest(dir);
  }

  /**
   * Opens (and creates) the catalog in `dir`. With `readOnly` the directory must already hold a
   * catalog (./require.ts), nothing is created, swept or written, and `query` runs only reading
   * statements in a DuckDB that can touch no file but the catalog's own.
   */
  static async open(dir: string, { readOnly = false }: { readOnly?: boolean } = {}): Promise<Catalog> {
    if (readOnly) requireCatalog(dir);
    else mkdirSync(dir, { recursive: true });
    const catalog = new Catalog(dir, readOnly);
    if (!readOnly) catalog.sweep();
    return catalog;
  }

  /** The DuckDB connection, started (and, read-only, locked down) on first use. */
  private async duck(): Promise<DuckDBConnection> {
    this.duckdb ??= (async () => {
      const { DuckDBInstance } = await import("@duckdb/node-api");
      const instance = await DuckDBInstance.create(":memory:");
      const con = await instance.connect();
      if (this.readOnly) await this.lockDown(con);
      return { instance, con };
    })();
    return (await this.duckdb).con;
  }

  /**
   * DuckDB's own guard: no file access (COPY ... TO, EXPORT, ATTACH, INSTALL, reading other files)
   * beyond the live Parquet files, locked so a statement cannot turn it back on. Even preparing
   * `export database 'x'` creates `x`, so this comes before any user SQL is looked at.
   */
  private async lockDown(con: DuckDBConnection): Promise<void> {
    const paths = this.manifest.files.map((f) => quoteString(join(this.dir, f.path)));
    await con.run(`set allowed_paths = [${paths.join(", ")}]`);
    await con.run("set enable_external_access = false");
    await con.run("set lock_configuration = true");
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

  /**
   * One series' rows in [start, end), as columns. With `shared`, the numeric columns read straight
   * from the files land in SharedArrayBuffers, so worker threads can view them without a copy
   * (`stom optimize` shares its bars with its workers: a copy of 1M bars cost ~150 ms here).
   */
  async read(request: ReadRequest, { shared = false }: { shared?: boolean } = {}): Promise<Frame> {
    const { start = -Infinity, end = Infinity } = request;
    const files = this.filesOf(request)
      .filter((f) => f.end >= start && f.start < end)
      .sort((a, b) => a.start - b.start);
    const tz = files[0]?.tz ?? "UTC";
    const available = new Map<string, string>();
    for (const f of files)
      for (const c of f.columns) if (!available.has(c.name)) available.set(c.name, c.type);
    // the key columns are the frame's market, symbol and timeframe, not data: a request that names
    // them (a SeriesInfo from list() passed as it is lists every column) would otherwise get a
    // million copies of one string each and lose the one-pread-per-column path (450-570 ms for
    // 1M bars in `stom optimize`, 144-213 ms without them, page faults included)
    const wanted = request.columns
      ? ["time", ...request.columns.filter((c) => c !== "time" && !KEY_COLUMNS.includes(c))]
      : [...available.keys()].filter((c) => !KEY_COLUMNS.includes(c));
    for (const c of wanted) {
      if (!available.has(c) && files.length > 0)
        throw new Error(`unknown column: ${c} (have ${[...available.keys()].join(", ")})`);
    }
    if (files.length === 0) return emptyFrame(request, tz, wanted);
    // Files are sorted and never overlap: each contributes one contiguous [lo, hi) slice.
    const parts: ReadPart[] = [];
    try {
      if (!Number.isFinite(start) && !Number.isFinite(end)) {
        const whole = await this.readWhole(request, files, wanted, tz, parts, shared);
        if (whole) return whole;
      }
      for (const f of files) {
        const path = join(this.dir, f.path);
        const file = ParquetFile.open(path);
        const part: ReadPart = { file, lo: 0, hi: 0, time: new Float64Array(0) };
        parts.push(part);
        if (file?.direct("time")) part.time = file.readTime();
        else {
          part.data = await this.decodeFile(f, file, wanted);
          part.time = part.data.columns.time as Float64Array;
        }
        part.lo = Number.isFinite(start) ? lowerBound(part.time, Math.ceil(start)) : 0;
        part.hi = Number.isFinite(end) ? lowerBound(part.time, Math.ceil(end)) : part.time.length;
      }
      const live = parts.filter((p) => p.hi > p.lo);
      const length = live.reduce((n, p) => n + p.hi - p.lo, 0);
      const columns: Record<string, Column> = {};
      columns.time = concatColumn(
        live.map((p) => ({ lo: p.lo, hi: p.hi, column: p.time })),
        length,
      );
      for (const name of wanted) {
        if (name === "time") continue;
        const type = live[0]?.file?.typeOf(name);
        const direct =
          (type === "DOUBLE" || type === "INTEGER") &&
          live.every((p) => p.file?.direct(name) && p.file.typeOf(name) === type);
        if (direct) {
          // one pread per file straight into the result
          const out = numbers(type === "DOUBLE" ? Float64Array : Int32Array, length, shared);
          let pos = 0;
          for (const p of live) {
            p.file?.readInto(name, out, pos, p.lo, p.hi);
            pos += p.hi - p.lo;
          }
          columns[name] = out;
          continue;
        }
        const slices = [];
        for (const p of live) {
          p.data ??= await this.decodeFile(files[parts.indexOf(p)], p.file, wanted);
          slices.push({ lo: p.lo, hi: p.hi, column: p.data.columns[name] });
        }
        columns[name] = concatColumn(slices, length);
      }
      // Not makeFrame: a column subset is a legal read and lacks the required columns on purpose.
      return Object.freeze({ ...pick(request), tz, length, columns: Object.freeze(columns) });
    } finally {
      for (const p of parts) p.file?.close();
    }
  }

  /**
   * The common read, every row of every file, when all wanted columns are plain DOUBLE / INTEGER
   * without NULLs: each column is allocated once and each file preads into it. Undefined otherwise.
   */
  private async readWhole(
    request: ReadRequest,
    files: readonly FileEntry[],
    wanted: readonly string[],
    tz: string,
    opened: ReadPart[],
    shared: boolean,
  ): Promise<Frame | undefined> {
    const giveUp = () => {
      for (const p of opened) p.file?.close();
      opened.length = 0;
      return undefined;
    };
    for (const f of files) {
      const file = ParquetFile.open(join(this.dir, f.path));
      opened.push({ file, lo: 0, hi: file?.length ?? 0, time: new Float64Array(0) });
      if (!file?.direct("time")) return giveUp();
    }
    const first = opened[0].file as ParquetFile;
    const types = wanted.map((name) => (name === "time" ? "BIGINT" : first.typeOf(name)));
    for (const p of opened) {
      const file = p.file as ParquetFile;
      for (let c = 0; c < wanted.length; c++) {
        if (wanted[c] !== "time" && (types[c] === "BIGINT" || types[c] === "OTHER")) return giveUp();
        if (!file.direct(wanted[c]) || file.typeOf(wanted[c]) !== types[c]) return giveUp();
      }
    }
    const length = opened.reduce((n, p) => n + p.hi, 0);
    const columns: Record<string, Column> = {};
    wanted.forEach((name, c) => {
      const out = numbers(
        name === "time" || types[c] === "DOUBLE" ? Float64Array : Int32Array,
        length,
        shared,
      );
      let pos = 0;
      for (const p of opened) {
        const file = p.file as ParquetFile;
        if (name === "time") file.readTime(out as Float64Array, pos);
        else file.readInto(name, out, pos, 0, p.hi);
        pos += p.hi;
      }
      columns[name] = out;
    });
    for (const p of opened) p.file?.close();
    opened.length = 0;
    return Object.freeze({ ...pick(request), tz, length, columns: Object.freeze(columns) });
  }

  /**
   * One stored file as columns (time as DOUBLE epoch ms). Files this catalog wrote decode in JS;
   * others (written by DuckDB before the JS writer existed) go through DuckDB.
   */
  private async decodeFile(
    file: FileEntry,
    opened: ParquetFile | undefined,
    names?: readonly string[],
  ): Promise<ParquetData> {
    const path = join(this.dir, file.path);
    const data = opened?.decode(names);
    if (data) return data;
    const select = file.columns
      .filter((c) => !KEY_COLUMNS.includes(c.name) && (!names || names.includes(c.name)))
      .map((c) => (c.name === "time" ? "time::DOUBLE as time" : quoteIdent(c.name)))
      .join(", ");
    const [{ fetchColumns }, con] = await Promise.all([import("./duck.ts"), this.duck()]);
    const fetched = fetchColumns(await con.run(`select ${select} from read_parquet(${quoteString(path)})`));
    const types = Object.fromEntries(file.columns.map((c) => [c.name, c.type]));
    return { length: fetched.length, types, columns: fetched.columns, nulls: fetched.nulls };
  }

  async query(sql: string): Promise<QueryResult> {
    const con = await this.duck();
    await this.ensureViews(con);
    if (this.readOnly) await (await import("./read-only.ts")).assertReading(con, sql);
    const reader = await con.runAndReadAll(sql);
    const rows = reader.getRowsJS().map((row) => row.map(toPlain));
    return { columns: reader.columnNames(), rows };
  }

  async write(
    frames: Iterable<Frame> | AsyncIterable<Frame>,
    { onRows }: { onRows?: (rows: number) => void } = {},
  ): Promise<WriteResult> {
    if (this.readOnly) throw new Error(`catalog ${this.dir} is open read-only`);
    const release = acquireLock(this.dir);
    const token = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
    const track: Track = { written: [], madeDirs: [], dirs: new Set(), pending: [], files: this.files };
    // SQL merges (unsorted frames, tick ids, files DuckDB wrote) stage rows in DuckDB; most
    // writes merge in JS and never start it
    let stager: Stager | undefined;
    const staging = async () => {
      if (!stager) {
        const [{ Stager }, con] = await Promise.all([import("./stage.ts"), this.duck()]);
        stager = new Stager(con, "__stage_");
      }
      return stager;
    };
    try {
      this.manifest = readManifest(this.dir);
      const stored = new Map<string, FileEntry[]>();
      for (const f of this.manifest.files) {
        const id = `${seriesId(f)}\u0000${f.month}`;
        const list = stored.get(id);
        if (list) list.push(f);
        else stored.set(id, [f]);
      }
      const before = new Map<string, FileEntry[]>();
      // A series' first frame is written while later frames are still being read when nothing is
      // stored for its months; a second frame of the same series takes it back to the merge below.
      // Unnamed files are invisible until the manifest commits, so a bad frame later still aborts
      // the whole write and leaves the catalog as it was.
      const series: StagedSeries[] = [];
      const sids = new Map<string, number>();
      let rowsIn = 0;
      for await (const frame of frames) {
        const sorted = validate(frame);
        const id = seriesId(frame);
        let sid = sids.get(id);
        if (sid === undefined) {
          sid = series.length;
          sids.set(id, sid);
          const group = mergeGroup(frame);
          series.push({
            key: frame,
            group,
            columns: [],
            months: new Set(),
            frames: [],
            strict: group !== "ticks|id",
          });
        }
        const s = series[sid];
        for (const name of Object.keys(frame.columns)) if (!s.columns.includes(name)) s.columns.push(name);
        const time = frame.columns.time as Float64Array;
        addMonths(s.months, time, frame.length, sorted);
        s.frames.push(frame);
        const seq = s.group === "ticks|time, seq" ? (frame.columns.seq as Int32Array) : undefined;
        s.strict &&= sorted && isStrictlySorted(time, seq, frame.length);
        rowsIn += frame.length;
        onRows?.(rowsIn);
        if (s.eager) await this.undoEager(s, track);
        else if (s.frames.length === 1 && s.strict && frame.length > 0 && !storedIn(stored, s)) {
          s.eager = { files: [], superseded: new Set(), rowsAdded: 0 };
          const rows = { length: frame.length, columns: frame.columns, nulls: {} };
          this.emit(series, sid, rows, before, token, track, s.eager);
          await drain(track, MAX_PENDING);
        }
      }

      const out: Emitted = { files: [], superseded: new Set(), rowsAdded: 0 };
      const foreign: { sid: number; file: FileEntry }[] = [];
      const fallback = new Set<string>();
      for (let sid = 0; sid < series.length; sid++) {
        const s = series[sid];
        if (s.eager) {
          out.files.push(...s.eager.files);
          out.rowsAdded += s.eager.rowsAdded;
          continue;
        }
        // the stored months these rows land in join the merge and win every tie
        const old: Rows[] = [];
        const undecoded: FileEntry[] = [];
        for (const m of [...s.months].sort((a, b) => a - b)) {
          const files = stored.get(`${seriesId(s.key)}\u0000${monthName(m)}`) ?? [];
          before.set(`${sid}:${m}`, files);
          for (const file of files) {
            const data = decodeParquet(readWhole(join(this.dir, file.path)) ?? new Uint8Array(0));
            if (!data) {
              undecoded.push(file);
              continue;
            }
            const columns: Record<string, Column> = {};
            for (const [name, column] of Object.entries(data.columns))
              if (!KEY_COLUMNS.includes(name)) columns[name] = column;
            old.push({ length: data.length, columns, nulls: data.nulls });
          }
        }
        if (s.strict && undecoded.length === 0) {
          const frameRows = s.frames.map((f) => ({ length: f.length, columns: f.columns, nulls: {} }));
          const merged = mergeSorted([...old, ...frameRows], s.group === "ticks|time, seq");
          if (merged) {
            this.emit(series, sid, merged, before, token, track, out);
            await drain(track, MAX_PENDING);
            continue;
          }
        }
        // unsorted frames, tick ids, mixed types or files DuckDB wrote: SQL merges them
        fallback.add(s.group);
        const staged = await staging();
        for (const frame of s.frames) await staged.add(frame, sid, s.group);
        for (const rows of old)
          await staged.add({ ...s.key, ...rows }, sid, s.group, { stored: true, nulls: rows.nulls });
        for (const file of undecoded) foreign.push({ sid, file });
      }
      stager?.flush();
      for (const group of fallback) {
        const merged = await this.mergeGroup(
          group,
          stager?.tablesOf(group) ?? [],
          foreign.filter((f) => series[f.sid].group === group),
        );
        this.emit(series, merged.columns.__sid as Int32Array, merged, before, token, track, out);
      }

      // Durability: the files are written without fsync and the manifest is fsynced before its
      // rename. A crashed process (the failure this guards against) leaves the catalog as it was
      // or fully committed; after a power loss the OS may not have flushed every new file yet.
      await drain(track, 0);
      if (out.files.length > 0) {
        const files = sortFiles([
          ...this.manifest.files.filter((f) => !out.superseded.has(f.path)),
          ...out.files,
        ]);
        commitManifest(this.dir, { version: 1, files }, `${MANIFEST_FILE}.tmp-${token}`);
        this.manifest = { version: 1, files };
        this.viewsStale = true;
        track.written.length = 0;
        for (const path of out.superseded) rmSync(join(this.dir, path), { force: true });
        for (const path of out.superseded) removeEmptyDirs(this.dir, join(this.dir, path, ".."));
      }
      return Object.freeze({
        series: series.length,
        rowsIn,
        rowsAdded: out.rowsAdded,
        duplicates: rowsIn - out.rowsAdded,
        filesWritten: out.files.length,
      });
    } catch (error) {
      this.files.flush();
      await Promise.allSettled(track.pending);
      for (const path of track.written) rmSync(join(this.dir, path), { force: true });
      rmSync(join(this.dir, `${MANIFEST_FILE}.tmp-${token}`), { force: true });
      for (const dir of track.madeDirs.reverse()) removeEmptyDirs(this.dir, dir);
      throw error;
    } finally {
      if (this.duckdb) {
        const con = await this.duck();
        stager?.flush();
        for (const table of stager?.names ?? [])
          await con.run(`drop table if exists ${quoteIdent(table)}`).catch(() => {});
        await con.run("drop table if exists __series").catch(() => {});
      }
      release();
    }
  }

  /**
   * Splits merged rows (sorted by series, then time) into months and writes each month whose row
   * count differs from what is stored. `sid` is one series number or a per-row column of them.
   */
  private emit(
    series: readonly StagedSeries[],
    sid: number | Int32Array,
    data: Rows & { readonly types?: Readonly<Record<string, string>> },
    before: ReadonlyMap<string, readonly FileEntry[]>,
    token: string,
    track: Track,
    out: Emitted,
  ): void {
    const time = data.columns.time as Float64Array;
    const sidAt = (i: number) => (typeof sid === "number" ? sid : sid[i]);
    for (let lo = 0; lo < data.length; ) {
      // a month is a run up to the next month's first ms
      const d = new Date(time[lo]);
      const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      const s = sidAt(lo);
      let hi = lo + 1;
      while (hi < data.length && time[hi] < next && sidAt(hi) === s) hi++;
      const m = d.getUTCFullYear() * 12 + d.getUTCMonth();
      const old = before.get(`${s}:${m}`) ?? [];
      const oldRows = old.reduce((n, f) => n + f.rows, 0);
      if (hi - lo !== oldRows) {
        out.files.push(this.writePartition(series[s], monthName(m), old, data, lo, hi, token, track));
        out.rowsAdded += hi - lo - oldRows;
        for (const f of old) out.superseded.add(f.path);
      }
      lo = hi;
    }
  }

  async close(): Promise<void> {
    await this.files.close();
    if (!this.duckdb) return;
    const { instance, con } = await this.duckdb;
    con.closeSync();
    instance.closeSync();
  }

  private filesOf(key: SeriesKey): FileEntry[] {
    // indexed once per manifest (a write or a reload replaces the object, never edits it): a
    // universe reads thousands of series, and a scan of the whole manifest for each was quadratic
    let index = this.bySeries.get(this.manifest);
    if (!index) {
      index = new Map();
      for (const f of this.manifest.files) {
        const id = seriesId(f);
        const list = index.get(id);
        if (list) list.push(f);
        else index.set(id, [f]);
      }
      this.bySeries.set(this.manifest, index);
    }
    return [...(index.get(seriesId(key)) ?? [])];
  }

  private readonly bySeries = new WeakMap<Manifest, Map<string, FileEntry[]>>();

  private parquetList(files: readonly FileEntry[]): string {
    const paths = files.map((f) => quoteString(join(this.dir, f.path))).join(", ");
    return `read_parquet([${paths}], union_by_name = true)`;
  }

  /**
   * One group's staged rows (frames and stored months) sorted by series, time (and seq), with the
   * duplicates of a natural key dropped: the stored row wins, then the earliest arrival. One SQL
   * statement and one fetch whatever the number of series.
   */
  private async mergeGroup(
    group: string,
    tables: readonly string[],
    foreign: readonly { sid: number; file: FileEntry }[],
  ): Promise<FetchedColumns> {
    const [{ fetchColumns }, con] = await Promise.all([import("./duck.ts"), this.duck()]);
    const [kind, natural] = group.split("|");
    const order = kind === "bars" ? "time" : "time, seq";
    const parts = tables.map((t) => `select * replace (time::BIGINT as time) from ${quoteIdent(t)}`);
    if (foreign.length > 0) {
      // files JS cannot decode (written by DuckDB): DuckDB reads them, tagged by series
      const values = foreign.map(({ sid, file }) => `(${sid}, ${quoteString(join(this.dir, file.path))})`);
      await con.run(
        `create or replace temp table __series as select * from (values ${values.join(", ")}) v(__sid, filename)`,
      );
      parts.push(
        `select o.* exclude (market, symbol, timeframe, filename), s.__sid::INTEGER as __sid, -1 as __pos ` +
          `from read_parquet([${foreign.map((f) => quoteString(join(this.dir, f.file.path))).join(", ")}], union_by_name = true, filename = true) o ` +
          "join __series s using (filename)",
      );
    }
    const union = parts.join(" union all by name ");
    // By time order a duplicate bar (or tick time+seq) sits next to its twin: JS drops it below.
    // Tick ids need not be time-ordered, so they dedupe in SQL.
    const sql =
      natural === "id"
        ? `select * exclude (__pos) replace (time::DOUBLE as time) from (${union}) qualify row_number() over (partition by __sid, id order by __pos) = 1 order by __sid, ${order}`
        : `select * replace (time::DOUBLE as time) from (${union}) order by __sid, ${order}, __pos`;
    const merged = fetchColumns(await con.run(sql));
    if (natural === "id") return merged;
    const sid = merged.columns.__sid as Int32Array;
    const time = merged.columns.time as Float64Array;
    const seq = natural === "time" ? undefined : (merged.columns.seq as Int32Array);
    let keep: Int32Array | undefined;
    let kept = 0;
    for (let i = 0; i < merged.length; i++) {
      const dup =
        i > 0 && sid[i] === sid[i - 1] && time[i] === time[i - 1] && (!seq || seq[i] === seq[i - 1]);
      if (dup && !keep) {
        keep = new Int32Array(merged.length);
        for (let j = 0; j < i; j++) keep[j] = j;
        kept = i;
      }
      if (!dup && keep) keep[kept++] = i;
    }
    if (!keep) return merged;
    const columns: Record<string, Column> = {};
    for (const [name, c] of Object.entries(merged.columns)) columns[name] = gather(c, keep, kept) as Column;
    const nulls: Record<string, Uint8Array> = {};
    for (const [name, c] of Object.entries(merged.nulls)) nulls[name] = gather(c, keep, kept) as Uint8Array;
    return { length: kept, columns, nulls, types: merged.types };
  }

  /** Writes rows [lo, hi) of the merged result as one month's Parquet file. */
  private writePartition(
    s: StagedSeries,
    month: string,
    before: readonly FileEntry[],
    merged: Rows & { readonly types?: Readonly<Record<string, string>> },
    lo: number,
    hi: number,
    token: string,
    track: Track,
  ): FileEntry {
    const { key } = s;
    // Fixed column order (key columns first, then stored, then the frames' own) keeps files self-describing.
    const names: string[] = [];
    for (const n of [...before.flatMap((f) => f.columns.map((c) => c.name)), ...s.columns])
      if (!KEY_COLUMNS.includes(n) && n !== "time" && !names.includes(n)) names.push(n);
    const type = (name: string) => merged.types?.[name] ?? sqlType(merged.columns[name]);
    for (const name of names)
      if (!WRITABLE.has(type(name))) throw new Error(`unsupported column type: ${name} ${type(name)}`);
    // Series share their month's directory: a whole-market day makes one directory, not three per
    // symbol (mkdir costs as much as writing a small file).
    const segments = [key.kind, slug(key.market), slug(key.timeframe), month];
    const dirRel = segments.join("/");
    // one mkdir per new level (a recursive mkdir probes every level first: twice the syscalls)
    if (!track.dirs.has(dirRel)) {
      let dir = this.dir;
      for (const segment of segments) {
        dir = join(dir, segment);
        if (track.dirs.has(dir)) continue;
        try {
          mkdirSync(dir);
          track.madeDirs.push(dir);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        }
        track.dirs.add(dir);
      }
      track.dirs.add(dirRel);
    }
    const path = `${dirRel}/${slug(key.symbol)}.${token}.parquet`;
    const n = hi - lo;
    const slice = (c: Column): Column => (Array.isArray(c) ? c.slice(lo, hi) : c.subarray(lo, hi));
    const time = slice(merged.columns.time) as Float64Array;
    const pq: ParquetColumn[] = [
      { name: "time", type: "BIGINT", values: time },
      { name: "market", type: "CONST", value: key.market },
      { name: "symbol", type: "CONST", value: key.symbol },
      { name: "timeframe", type: "CONST", value: key.timeframe },
    ];
    for (const name of names) {
      const nulls = merged.nulls[name]?.subarray(lo, hi);
      pq.push({ name, type: type(name), values: slice(merged.columns[name]), nulls } as ParquetColumn);
    }
    track.written.push(path);
    // the writer copies the bytes before the next file is encoded over them
    const done = this.writeFile(join(this.dir, path), encodeParquetTransient(pq, n));
    if (done) {
      // the first failure is kept and thrown by the next drain
      track.pending.push(
        done.catch((error: unknown) => {
          track.failure ??= error;
        }),
      );
    }

    let gaps = 0;
    if (key.kind === "bars") gaps = countGaps(time, key);
    return Object.freeze({
      path,
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
      columns: [
        { name: "time", type: "BIGINT" },
        ...KEY_COLUMNS.map((name) => ({ name, type: "VARCHAR" })),
        ...names.map((name) => ({ name, type: type(name) })),
      ],
    });
  }

  /**
   * The one place catalog files hit the disk (tests make it fail midway). Asynchronous so that the
   * file system's work runs on another thread (./file-writer.ts) while this one encodes the next
   * files and takes frames from the parsers. (Synchronous writes on this thread serialise file
   * creation with parsing and encoding: a busy disk made each creation take milliseconds, 7-10 s
   * against 4.5 s for 2,190 files.)
   */
  private writeFile(path: string, bytes: Uint8Array): Promise<void> | undefined {
    return this.files.write(path, bytes);
  }

  /** Takes back a series' early files: a later frame of it needs the merge path. */
  private async undoEager(s: StagedSeries, track: Track): Promise<void> {
    await drain(track, 0);
    for (const f of s.eager?.files ?? []) rmSync(join(this.dir, f.path), { force: true });
    s.eager = undefined;
  }

  private async ensureViews(con: DuckDBConnection): Promise<void> {
    if (!this.viewsStale) return;
    for (const kind of ["bars", "ticks"] as const) {
      const files = this.manifest.files.filter((f) => f.kind === kind);
      const body =
        files.length > 0
          ? `select * from ${this.parquetList(files)}`
          : `select null::BIGINT as time, null::VARCHAR as market, null::VARCHAR as symbol, null::VARCHAR as timeframe where false`;
      await con.run(`create or replace view ${kind} as ${body}`);
    }
    this.viewsStale = false;
  }
}

const KEY_COLUMNS: readonly string[] = ["market", "symbol", "timeframe"];
/** column types the JS Parquet writer handles besides `time` (BIGINT); frames make no others */
const WRITABLE: ReadonlySet<string> = new Set(["DOUBLE", "INTEGER", "TINYINT", "VARCHAR"]);

interface StagedSeries {
  readonly key: Frame;
  readonly group: string;
  /** column names in first-seen order over the series' frames */
  readonly columns: string[];
  /** UTC months (year * 12 + month - 1) the frames' rows fall in */
  readonly months: Set<number>;
  readonly frames: Frame[];
  /** every frame strictly sorted by key and no tick ids: the JS merge applies */
  strict: boolean;
  /** files already written from the series' only frame so far */
  eager?: Emitted;
}

/** One file's share of a read. */
interface ReadPart {
  readonly file: ParquetFile | undefined;
  lo: number;
  hi: number;
  time: Float64Array;
  data?: ParquetData;
}

/** What a write has put on disk so far, to undo on failure. */
interface Track {
  readonly written: string[];
  readonly madeDirs: string[];
  /** directories known to exist (full paths, and each month's path relative to the catalog) */
  readonly dirs: Set<string>;
  /** file writes in flight */
  readonly pending: Promise<void>[];
  /** where they go: sends its partial batch before anything waits on them */
  readonly files: FileWriter;
  failure?: unknown;
}

/** file writes in flight before the writer waits: bounds the encoded bytes held in memory */
const MAX_PENDING = 64;

/** Waits until at most `max` writes are in flight; throws the first failed write. */
async function drain(track: Track, max: number): Promise<void> {
  if (track.pending.length > max) track.files.flush();
  while (track.pending.length > max) await track.pending.shift();
  if (track.failure !== undefined) throw track.failure;
}

/** Whether any month the series' rows fall in is already stored. */
function storedIn(stored: ReadonlyMap<string, readonly FileEntry[]>, s: StagedSeries): boolean {
  const id = seriesId(s.key);
  for (const m of s.months) if (stored.has(`${id}\u0000${monthName(m)}`)) return true;
  return false;
}

interface Emitted {
  readonly files: FileEntry[];
  readonly superseded: Set<string>;
  rowsAdded: number;
}

function monthOf(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** Adds the months of a time column; a sorted column needs only its ends checked when they agree. */
function addMonths(months: Set<number>, time: Float64Array, length: number, sorted: boolean): void {
  if (length === 0) return;
  const first = monthOf(time[0]);
  if (sorted && first === monthOf(time[length - 1])) {
    months.add(first);
    return;
  }
  for (let i = 0; i < length; i++) months.add(monthOf(time[i]));
}

function gather(c: Column | Uint8Array, index: Int32Array, n: number): Column | Uint8Array {
  if (Array.isArray(c)) {
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = c[index[i]];
    return out;
  }
  const out = new (c.constructor as Float64ArrayConstructor)(n);
  for (let i = 0; i < n; i++) out[i] = c[index[i]];
  return out;
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

/** A zeroed column of `length` numbers, in a SharedArrayBuffer when `shared`. */
function numbers(
  Type: Float64ArrayConstructor | Int32ArrayConstructor,
  length: number,
  shared: boolean,
): Float64Array | Int32Array {
  if (!shared) return new Type(length);
  const buffer = new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT);
  return Type === Float64Array ? new Float64Array(buffer) : new Int32Array(buffer);
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

/** Throws on a malformed frame; returns whether its times are sorted. */
function validate(frame: Frame): boolean {
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
  let sorted = true;
  for (let i = 0; i < frame.length; i++) {
    if (!Number.isFinite(time[i])) throw new Error(`bad time at row ${i} of ${frame.symbol}: ${time[i]}`);
    if (i > 0 && time[i] < time[i - 1]) sorted = false;
  }
  for (const name of ["market", "symbol", "timeframe"]) {
    if (name in frame.columns) throw new Error(`frame ${frame.symbol} carries a reserved column: ${name}`);
  }
  return sorted;
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
