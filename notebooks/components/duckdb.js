import * as duckdb from "@duckdb/duckdb-wasm";
import { tableFromIPC } from "apache-arrow";

// Referenced through import.meta.resolve so the build copies them into dist/: no CDN at run time.
const WASM = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-eh.wasm");
const WORKER = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js");

/**
 * Starts DuckDB-WASM and loads Arrow IPC tables into it (it cannot read Parquet offline).
 *
 *   const db = await openDuckDB({bars: await FileAttachment("data/bars.arrow").arrayBuffer()});
 *   const table = await db.query("select count(*) from bars");   // an Arrow table
 */
export async function openDuckDB(tables = {}) {
  const worker = new Worker(WORKER, { type: "module" });
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(WASM);
  const con = await db.connect();
  for (const [name, bytes] of Object.entries(tables)) {
    const schema = tableFromIPC(new Uint8Array(bytes));
    // a stream without rows has no dictionary batch, which DuckDB refuses: make the empty table in SQL
    if (schema.numRows === 0) await con.query(emptyTableSql(name, schema.schema.fields));
    // a copy: DuckDB transfers the buffer to its worker, detaching the caller's Arrow views
    else await con.insertArrowFromIPCStream(new Uint8Array(bytes).slice(), { name, create: true });
  }
  return {
    query: (sql) => con.query(sql),
    close: async () => {
      await con.close();
      await db.terminate();
      worker.terminate();
    },
  };
}

/** `create table` with the Arrow fields' names: text for strings and dictionaries, double for numbers. */
function emptyTableSql(name, fields) {
  const quote = (s) => `"${String(s).replaceAll('"', '""')}"`;
  const type = (f) =>
    /Utf8|Dictionary/.test(String(f.type)) ? "varchar" : /Int/.test(String(f.type)) ? "bigint" : "double";
  return `create table ${quote(name)} (${fields.map((f) => `${quote(f.name)} ${type(f)}`).join(", ")})`;
}
