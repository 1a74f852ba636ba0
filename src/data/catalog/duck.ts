import { DuckDBDataChunk, type DuckDBMaterializedResult } from "@duckdb/node-api";
import duckdb from "@duckdb/node-bindings";
import type { Column } from "../frame.ts";

/**
 * Typed arrays in and out of DuckDB without row objects.
 *
 * Measured on this machine for 1M rows x 6 DOUBLE columns: node-api's chunk helpers
 * (`setColumnValues`, vector `getItem`, even the vectors' typed `items`) cost 0.2-0.9 s
 * because they build a JS object per vector and per value; the C-level calls below
 * (`copy_data_to_vector` on write, `vector_get_data` views on read) copy whole 2,048-row
 * vectors with one memcpy each. Appending lives in ./stage.ts.
 */

function resultOf(result: DuckDBMaterializedResult): duckdb.Result {
  return (result as unknown as { result: duckdb.Result }).result;
}

/** Typed columns plus NULL masks (1 = NULL) for the numeric columns that have any NULL. */
export interface FetchedColumns {
  length: number;
  columns: Record<string, Column>;
  nulls: Record<string, Uint8Array>;
  /** DuckDB type name per column: DOUBLE, INTEGER, TINYINT, BIGINT, VARCHAR ... */
  types: Record<string, string>;
}

const TYPE_NAMES: Record<number, string> = {
  [duckdb.Type.DOUBLE]: "DOUBLE",
  [duckdb.Type.INTEGER]: "INTEGER",
  [duckdb.Type.TINYINT]: "TINYINT",
  [duckdb.Type.BIGINT]: "BIGINT",
  [duckdb.Type.VARCHAR]: "VARCHAR",
};

/**
 * Copies a materialized result into typed columns: DOUBLE -> Float64Array, INTEGER -> Int32Array,
 * TINYINT -> Int8Array, anything else -> string[] (slow path, fine for ids and labels).
 * NULL numbers come out as NaN (DOUBLE) or 0; select `coalesce(...)` upstream to choose otherwise.
 */
export function resultColumns(result: DuckDBMaterializedResult): {
  length: number;
  columns: Record<string, Column>;
} {
  const { length, columns } = fetchColumns(result);
  return { length, columns };
}

/** resultColumns plus the NULL masks and type names, for writers that must keep NULL apart from NaN. */
export function fetchColumns(result: DuckDBMaterializedResult): FetchedColumns {
  const raw = resultOf(result);
  const length = Number(duckdb.row_count(raw));
  const names = result.columnNames();
  const typeIds = names.map((_, i) => result.columnTypeId(i) as number);
  const out: Record<string, Column> = {};
  const nulls: Record<string, Uint8Array> = {};
  const types: Record<string, string> = {};
  const makers = typeIds.map((id, i): Column => {
    const name = names[i];
    types[name] = TYPE_NAMES[id] ?? result.columnType(i).toString();
    const column: Column =
      id === duckdb.Type.DOUBLE
        ? new Float64Array(length)
        : id === duckdb.Type.INTEGER
          ? new Int32Array(length)
          : id === duckdb.Type.TINYINT
            ? new Int8Array(length)
            : new Array<string>(length);
    out[name] = column;
    return column;
  });
  const chunks = result.chunkCount;
  let pos = 0;
  for (let k = 0; k < chunks; k++) {
    const chunk = duckdb.result_get_chunk(raw, k);
    const n = duckdb.data_chunk_get_size(chunk);
    for (let c = 0; c < makers.length; c++) {
      const column = makers[c];
      const vector = duckdb.data_chunk_get_vector(chunk, c);
      if (Array.isArray(column)) {
        const values = new DuckDBDataChunk(chunk).getColumnVector(c);
        for (let i = 0; i < n; i++) {
          const v = values.getItem(i);
          column[pos + i] = v === null ? (null as unknown as string) : String(v);
        }
        continue;
      }
      const bytes = column.BYTES_PER_ELEMENT;
      const data = duckdb.vector_get_data(vector, n * bytes);
      const view =
        column instanceof Float64Array
          ? new Float64Array(data.buffer, data.byteOffset, n)
          : column instanceof Int32Array
            ? new Int32Array(data.buffer, data.byteOffset, n)
            : new Int8Array(data.buffer, data.byteOffset, n);
      column.set(view, pos);
      const validity = duckdb.vector_get_validity(vector, Math.ceil(n / 64) * 8);
      if (validity) {
        const name = names[c];
        for (let i = 0; i < n; i++) {
          if (((validity[i >> 3] >> (i & 7)) & 1) === 0) {
            if (column instanceof Float64Array) column[pos + i] = Number.NaN;
            else column[pos + i] = 0;
            let mask = nulls[name];
            if (!mask) {
              mask = new Uint8Array(length);
              nulls[name] = mask;
            }
            mask[pos + i] = 1;
          }
        }
      }
    }
    pos += n;
  }
  return { length, columns: out, nulls, types };
}
