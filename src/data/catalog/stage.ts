import { type DuckDBAppender, type DuckDBConnection, DuckDBDataChunk } from "@duckdb/node-api";
import duckdb from "@duckdb/node-bindings";
import type { Frame } from "../frame.ts";
import { quoteIdent, sqlType } from "./sql.ts";

const VECTOR_SIZE = 2048;

interface Table {
  readonly name: string;
  readonly group: string;
  readonly columns: readonly string[];
  readonly appender: DuckDBAppender;
  readonly raw: duckdb.DataChunk;
  readonly chunk: DuckDBDataChunk;
}

/**
 * Appends every frame of a write into one temp table per (group, column set), tagged with
 * `__sid` (series number) and `__pos` (arrival order, for "first one wins" dedupe).
 *
 * One table per frame cost a CREATE, a probe query and an appender each (2,190 of them for a
 * whole-market day); here a frame is a few memcpys into an appender that stays open.
 */
export class Stager {
  private readonly tables = new Map<string, Table>();
  private pos = 0;
  private flushed = false;
  private readonly validity = new Uint8Array(VECTOR_SIZE / 8);
  private readonly sidVector = new Int32Array(VECTOR_SIZE);
  private readonly posVector = new Int32Array(VECTOR_SIZE);

  constructor(
    private readonly con: DuckDBConnection,
    private readonly prefix: string,
  ) {}

  /**
   * Appends a frame. `stored` rows (a month already in the catalog) get `__pos` -1 so they win
   * every tie; `nulls` marks NULL rows (1) of numeric columns.
   */
  async add(
    frame: Frame,
    sid: number,
    group: string,
    { stored = false, nulls = {} }: { stored?: boolean; nulls?: Readonly<Record<string, Uint8Array>> } = {},
  ): Promise<void> {
    if (this.flushed) throw new Error("stager already flushed");
    const names = Object.keys(frame.columns);
    const ddl = names.map((n) => `${quoteIdent(n)} ${sqlType(frame.columns[n])}`);
    const signature = `${group}\u0000${ddl.join(",")}`;
    let table = this.tables.get(signature);
    if (!table) table = await this.create(signature, group, names, ddl);
    this.sidVector.fill(sid);
    const { raw, chunk, appender } = table;
    const length = frame.length;
    for (let offset = 0; offset < length; offset += VECTOR_SIZE) {
      const n = Math.min(VECTOR_SIZE, length - offset);
      duckdb.data_chunk_reset(raw);
      duckdb.data_chunk_set_size(raw, n);
      for (let c = 0; c < names.length; c++) {
        const column = frame.columns[names[c]];
        const vector = duckdb.data_chunk_get_vector(raw, c);
        if (Array.isArray(column)) {
          let any = false;
          for (let i = 0; i < n; i++) {
            const value = column[offset + i];
            if (value === null || value === undefined) {
              if (!any) this.validity.fill(0xff);
              any = true;
              this.validity[i >> 3] &= ~(1 << (i & 7));
            } else {
              duckdb.vector_assign_string_element(vector, i, value);
            }
          }
          if (any) this.setValidity(vector);
        } else {
          const bytes = column.BYTES_PER_ELEMENT;
          duckdb.copy_data_to_vector(
            vector,
            0,
            column.buffer as ArrayBuffer,
            column.byteOffset + offset * bytes,
            n * bytes,
          );
          const mask = nulls[names[c]];
          if (mask) {
            let any = false;
            for (let i = 0; i < n; i++) {
              if (mask[offset + i] !== 1) continue;
              if (!any) this.validity.fill(0xff);
              any = true;
              this.validity[i >> 3] &= ~(1 << (i & 7));
            }
            if (any) this.setValidity(vector);
          }
        }
      }
      if (stored) this.posVector.fill(-1);
      else {
        for (let i = 0; i < n; i++) this.posVector[i] = this.pos + i;
        this.pos += n;
      }
      const sidVec = duckdb.data_chunk_get_vector(raw, names.length);
      duckdb.copy_data_to_vector(sidVec, 0, this.sidVector.buffer, 0, n * 4);
      const posVec = duckdb.data_chunk_get_vector(raw, names.length + 1);
      duckdb.copy_data_to_vector(posVec, 0, this.posVector.buffer, 0, n * 4);
      appender.appendDataChunk(chunk);
    }
  }

  /** Copies the chunk's validity bitmap (1 = valid) into a vector: one call per vector, not per NULL. */
  private setValidity(vector: duckdb.Vector): void {
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(vector, 0, this.validity.buffer, 0, VECTOR_SIZE / 8);
  }

  /** Flushes the appenders; call before querying the tables. */
  flush(): void {
    if (this.flushed) return;
    this.flushed = true;
    for (const t of this.tables.values()) t.appender.closeSync();
  }

  /** Staged table names of one group. */
  tablesOf(group: string): string[] {
    return [...this.tables.values()].filter((t) => t.group === group).map((t) => t.name);
  }

  /** Column names (in first-seen order) of the tables of one group. */
  get names(): readonly string[] {
    return [...this.tables.values()].map((t) => t.name);
  }

  private async create(signature: string, group: string, names: string[], ddl: string[]): Promise<Table> {
    const name = `${this.prefix}${this.tables.size}`;
    await this.con.run(
      `create or replace temp table ${quoteIdent(name)} (${[...ddl, "__sid INTEGER", "__pos INTEGER"].join(", ")})`,
    );
    const probe = await this.con.run(`select * from ${quoteIdent(name)} limit 0`);
    const result = (probe as unknown as { result: duckdb.Result }).result;
    const types = [...names, "__sid", "__pos"].map((_, i) => duckdb.column_logical_type(result, i));
    const appender = await this.con.createAppender(name, "main", "temp");
    const raw = duckdb.create_data_chunk(types);
    const table: Table = { name, group, columns: names, appender, raw, chunk: new DuckDBDataChunk(raw) };
    this.tables.set(signature, table);
    return table;
  }
}
