// The read-only catalog's guard on `query`: loaded with DuckDB, when a query first runs.
import { type DuckDBConnection, StatementType } from "@duckdb/node-api";

/** Statements a read-only query runs: DESCRIBE, SHOW, SUMMARIZE, FROM, VALUES and reading PRAGMAs parse as SELECT. */
const READING: ReadonlySet<StatementType> = new Set([StatementType.SELECT, StatementType.EXPLAIN]);

/** Rejects, before anything runs, any statement of `sql` that is not a read, naming it. */
export async function assertReading(con: DuckDBConnection, sql: string): Promise<void> {
  // a syntax error reads as it would from run(), without node-api's "Failed to extract statements: "
  const statements = await con.extractStatements(sql).catch((error: Error) => {
    throw new Error(error.message.replace(/^Failed to extract statements: /, ""));
  });
  const refuse = (i: number, name: string, why: string) => {
    const what = statements.count > 1 ? `statement ${i + 1}${name ? ` (${name})` : ""}` : `${name} statement`;
    return new Error(`query is read-only: ${what} not allowed${why}`);
  };
  for (let i = 0; i < statements.count; i++) {
    let type: StatementType;
    try {
      type = (await statements.prepare(i)).statementType;
    } catch (error) {
      // COPY ... TO, EXPORT and the like already fail to bind: the lock-down forbids their files
      const message = error instanceof Error ? error.message : String(error);
      if (!message.startsWith("Permission Error")) throw error;
      const word = statements.count > 1 ? "" : (/^\W*(\w+)/.exec(sql)?.[1] ?? "").toUpperCase();
      const reason = message.replace(/^Permission Error: /, "").split("\n")[0];
      throw refuse(i, word, `: ${reason} (no file but the catalog's own is read or written)`);
    }
    if (READING.has(type)) continue;
    const name = type === StatementType.LOAD ? "INSTALL/LOAD" : StatementType[type].replaceAll("_", " ");
    throw refuse(i, name, " (only select, with, from, describe, show, summarize and explain run)");
  }
}
