import type { Frame, Kind } from "../frame.ts";

/** Identifies one series in the catalog. */
export interface SeriesKey {
  readonly kind: Kind;
  readonly market: string;
  readonly symbol: string;
  readonly timeframe: string;
}

/** What `stom data ls` shows for one series. */
export interface SeriesInfo extends SeriesKey {
  readonly tz: string;
  readonly rows: number;
  /** first and last `time`, UTC epoch ms */
  readonly start: number;
  readonly end: number;
  /** bars only: number of missing bar intervals between start and end (0 for ticks) */
  readonly gaps: number;
  readonly files: number;
  readonly columns: readonly string[];
}

export interface WriteResult {
  readonly series: number;
  readonly rowsIn: number;
  /** rows that were not already in the catalog */
  readonly rowsAdded: number;
  /** rows dropped because their natural key was already present (in the catalog or the input) */
  readonly duplicates: number;
  readonly filesWritten: number;
}

export interface ReadRequest extends SeriesKey {
  /** inclusive start, exclusive end, UTC epoch ms */
  readonly start?: number;
  readonly end?: number;
  /** subset of columns; `time` is always included; market, symbol and timeframe are the frame's fields, never columns */
  readonly columns?: readonly string[];
}

export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly unknown[][];
}

/**
 * The catalog: a directory of Parquet files plus a manifest. Implemented in ./catalog.ts.
 *
 *   const catalog = await Catalog.open("catalog");
 *   await catalog.write(frames);                       // atomic: all or nothing
 *   catalog.list();                                    // SeriesInfo[]
 *   await catalog.read({kind: "bars", market: "binance", symbol: "BTC/USDT", timeframe: "1m"});
 *   await catalog.query("select symbol, count(*) from bars group by 1");
 */
export interface CatalogApi {
  write(
    frames: Iterable<Frame> | AsyncIterable<Frame>,
    options?: { onRows?: (rows: number) => void },
  ): Promise<WriteResult>;
  list(): readonly SeriesInfo[];
  /** last `time` stored for a series, for resuming fetches */
  lastTime(key: SeriesKey): number | undefined;
  read(request: ReadRequest): Promise<Frame>;
  query(sql: string): Promise<QueryResult>;
  close(): Promise<void>;
}

/** Where the catalog lives unless --catalog says otherwise. */
export function defaultCatalogDir(): string {
  return process.env.STOM_CATALOG ?? "catalog";
}
