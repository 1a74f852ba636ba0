import * as duckdb from "@duckdb/duckdb-wasm";

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
    // a copy: DuckDB transfers the buffer to its worker, detaching the caller's Arrow views
    await con.insertArrowFromIPCStream(new Uint8Array(bytes).slice(), { name, create: true });
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
