/**
 * A Frame is the one shape market data takes between importers, the catalog and the engine:
 * named typed-array columns of equal length plus the identity of the series.
 *
 * - kind "bars": columns time, open, high, low, close, volume (Float64Array), optionally
 *   quote_volume, trades and any extra source columns (STOM's Korean columns keep their names).
 * - kind "ticks": columns time, seq, price, amount (Float64Array / Int32Array), optionally
 *   side (Int8Array: 1 taker buy, -1 taker sell, 0 unknown), id (string[]) and extra columns
 *   (STOM snapshots carry the 5-level book under their Korean names).
 *
 * `time` is always UTC epoch milliseconds (bar start for bars). `tz` is the market's display
 * zone (KST for KRX and Upbit days), metadata only.
 */
export type Kind = "bars" | "ticks";

export type Column = Float64Array | Int32Array | Int8Array | string[];

export interface Frame {
  readonly kind: Kind;
  /** venue or source, lowercase: "binance", "upbit", "krx", "custom" ... */
  readonly market: string;
  /** the venue's own spelling: "BTC/USDT", "KRW-BTC", "005930", "GOOG" */
  readonly symbol: string;
  /** "1m", "5m", "1h", "1d", "1M" for bars; "tick" for ticks */
  readonly timeframe: string;
  /** IANA zone used for display and trading days: "UTC", "Asia/Seoul" */
  readonly tz: string;
  readonly length: number;
  readonly columns: Readonly<Record<string, Column>>;
}

export const BAR_COLUMNS = ["time", "open", "high", "low", "close", "volume"] as const;
export const TICK_COLUMNS = ["time", "seq", "price", "amount"] as const;

/** Builds a frame, checking that every column has the same length. */
export function makeFrame(init: Omit<Frame, "length"> & { length?: number }): Frame {
  const names = Object.keys(init.columns);
  const required = init.kind === "bars" ? BAR_COLUMNS : TICK_COLUMNS;
  for (const name of required) {
    if (!(name in init.columns)) throw new Error(`missing column: ${name}`);
  }
  const length = init.length ?? init.columns.time.length;
  for (const name of names) {
    const n = init.columns[name].length;
    if (n !== length) throw new Error(`column ${name} has ${n} rows, expected ${length}`);
  }
  return Object.freeze({ ...init, length, columns: Object.freeze({ ...init.columns }) });
}
