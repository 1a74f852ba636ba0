// The layouts themselves live in the engine (STOM strategy texts read these names); here are the
// SQLite specifics of STOM's databases.
import type { StomKind } from "../../engine/stom/layouts.ts";

export * from "../../engine/stom/layouts.ts";

/** SQLite type of a STOM column: VI해제시간 is a yyyymmddhhmmss time and 관심종목 a 0/1 flag */
export function stomColumnType(name: string): "INTEGER" | "REAL" {
  return name === "index" || name === "VI해제시간" || name === "관심종목" ? "INTEGER" : "REAL";
}

export function isTickKind(kind: StomKind): boolean {
  return kind === "stock_tick" || kind === "coin_tick";
}

export function isStockKind(kind: StomKind): boolean {
  return kind === "stock_tick" || kind === "stock_min";
}

/** tables in a STOM DB that are not symbol tables */
export function isMetaTable(name: string): boolean {
  return (
    name === "moneytop" ||
    name === "codename" ||
    name === "stockinfo" ||
    name === "futureinfo" ||
    name.endsWith("_info") ||
    name.startsWith("sqlite_")
  );
}
