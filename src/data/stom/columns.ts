// The layouts themselves live in the engine (STOM strategy texts read these names); here are the
// SQLite specifics of STOM's databases.
import type { StomKind } from "../../engine/stom/layouts.ts";

export * from "../../engine/stom/layouts.ts";

/**
 * SQLite type of a STOM column as pandas `to_sql` writes it: the collectors keep each symbol's
 * rows in one float64 numpy array and cast only `index` to int64 before saving
 * (stock/kiwoom_strategy_tick.py:755-758 at Py-CI-Park/STOM@63aa7ef), so VI해제시간
 * (yyyymmddhhmmss) and 관심종목 (0/1) are REAL like every other column.
 */
export function stomColumnType(name: string): "INTEGER" | "REAL" {
  return name === "index" ? "INTEGER" : "REAL";
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
