// SQL text for DuckDB, without DuckDB itself: the catalog loads DuckDB only when it needs it.
import type { Column } from "../frame.ts";

/** DuckDB type of a frame column. */
export function sqlType(column: Column): string {
  if (column instanceof Float64Array) return "DOUBLE";
  if (column instanceof Int32Array) return "INTEGER";
  if (column instanceof Int8Array) return "TINYINT";
  return "VARCHAR";
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
