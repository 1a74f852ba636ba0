import path from "node:path";
import { timeframeOf } from "../../engine/timeframe.ts";
import { DataError } from "../errors.ts";
import { type Frame, makeFrame } from "../frame.ts";
import { CsvCursor, countLines, firstLine, parseNumber } from "./csv.ts";
import { readAll, stem, trimTo } from "./files.ts";
import type { Format, ReadOptions } from "./format.ts";
import { attachSource } from "./source.ts";
import { inferTimeframe } from "./time.ts";

const HEADER = "open_time,open,high,low,close,volume,close_time";
const FIELDS = [
  "open_time",
  "open",
  "high",
  "low",
  "close",
  "volume",
  "close_time",
  "quote_volume",
  "count",
  "taker_buy_volume",
  "taker_buy_quote_volume",
] as const;

/** "LINKUSDT-1m-2023-02.csv" (any prefix before the symbol) -> "LINKUSDT". */
export function binanceSymbolFromName(file: string): string | undefined {
  return /([A-Z0-9]+)-\d+[smhdwM]o?-\d{4}-\d{2}(?:-\d{2})?$/.exec(stem(file))?.[1];
}

function looksHeaderless(line: string): boolean {
  const f = line.split(",");
  return f.length >= 11 && f.length <= 12 && /^\d{13,16}$/.test(f[0]) && /^\d{13,16}$/.test(f[6]);
}

/**
 * data.binance.vision kline CSV, with the header (futures archives) or without (spot).
 * Times are open_time in ms; newer spot archives write microseconds, told apart by magnitude.
 * Extra Float64 columns: quote_volume, trades (the archive's `count`), taker_buy_volume,
 * taker_buy_quote_volume. Timeframe from close_time - open_time + 1 of the first row.
 * Symbol from the file name (LINKUSDT-1m-2023-02.csv -> LINKUSDT), market "binance", tz "UTC".
 */
export const binanceKlineCsv: Format = {
  name: "binance-kline-csv",
  description:
    "data.binance.vision kline CSV (open_time,open,high,low,close,volume,close_time,...), with or without header",
  sniff(_file: string, head: Buffer): boolean {
    const line = firstLine(head);
    return line.toLowerCase().startsWith(HEADER) || looksHeaderless(line);
  },
  read: (file, options = {}) => readKlines(file, options),
};

async function* readKlines(
  file: string,
  { market = "binance", symbol, onRows }: ReadOptions,
): AsyncGenerator<Frame> {
  const buf = await readAll(file);
  const cur = new CsvCursor(buf, file);
  const cap = countLines(buf);
  const cols = FIELDS.map(() => new Float64Array(cap));
  const [time, open, high, low, close, volume, closeTime, quote, trades, takerBase, takerQuote] = cols;
  const line = new Int32Array(cap);
  let n = 0;
  let first = true;
  while (cur.next()) {
    if (first) {
      first = false;
      if (Number.isNaN(parseNumber(buf, cur.starts[0], cur.ends[0]))) continue; // header
    }
    if (cur.fields < 11) throw cur.error(`expected 11 or 12 fields, got ${cur.fields}`, FIELDS[cur.fields]);
    for (let f = 0; f < 11; f++) cols[f][n] = cur.number(f, FIELDS[f]);
    line[n] = cur.line;
    n++;
  }
  if (n === 0) throw new DataError("no rows", { file });
  // microsecond archives (2025 onwards) are a thousand times larger than ms epochs
  const scale = time[0] >= 1e14 ? 1000 : 1;
  const step = Math.round((closeTime[0] + 1 - time[0]) / scale);
  if (scale !== 1) {
    for (let i = 0; i < n; i++) {
      time[i] = Math.floor(time[i] / scale);
      closeTime[i] = Math.floor(closeTime[i] / scale);
    }
  }
  const t = trimTo(time, n);
  const timeframe = timeframeOf(step) ?? inferTimeframe(t);
  if (!timeframe)
    throw new DataError(`cannot tell the timeframe: close_time - open_time + 1 = ${step} ms`, {
      file,
      line: line[0],
    });
  const frame = makeFrame({
    kind: "bars",
    market,
    symbol: symbol ?? binanceSymbolFromName(file) ?? path.basename(stem(file)),
    timeframe,
    tz: "UTC",
    columns: {
      time: t,
      open: trimTo(open, n),
      high: trimTo(high, n),
      low: trimTo(low, n),
      close: trimTo(close, n),
      volume: trimTo(volume, n),
      quote_volume: trimTo(quote, n),
      trades: trimTo(trades, n),
      taker_buy_volume: trimTo(takerBase, n),
      taker_buy_quote_volume: trimTo(takerQuote, n),
    },
  });
  onRows?.(n);
  yield attachSource(frame, { file, line: trimTo(line, n) });
}
