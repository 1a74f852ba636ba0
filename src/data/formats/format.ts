import type { Frame } from "../frame.ts";

/** What the user may say about a file that the file itself may not (CLI flags). */
export interface ReadOptions {
  /** override the market inferred from the file ("binance", "upbit", "krx", "custom" ...) */
  market?: string;
  /** override the symbol inferred from the file or its name */
  symbol?: string;
  /** reports rows read so far, for progress bars */
  onRows?: (rows: number) => void;
  /** threads that parse, this one included, where a format can split its work (KRX tarballs); 1 = this thread only */
  threads?: number;
}

/** One input format: recognise it from the first bytes, then read it into frames. */
export interface Format {
  /** the name used with --format, kebab-case: "binance-kline-csv" */
  readonly name: string;
  /** one line for `stom data import --help` and the unknown-format error */
  readonly description: string;
  /** true when `head` (the first 64 KiB; for .gz files, decompressed) looks like this format */
  sniff(file: string, head: Buffer): boolean;
  /** reads the file; throws DataError naming file, line and field on a malformed row */
  read(file: string, options: ReadOptions): AsyncIterable<Frame>;
}
