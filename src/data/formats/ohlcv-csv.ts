import { DataError } from "../errors.ts";
import { type Frame, makeFrame } from "../frame.ts";
import { CsvCursor, countLines, firstLine, headerIndex, parseNumber } from "./csv.ts";
import { readAll, stem, trimTo } from "./files.ts";
import type { Format, ReadOptions } from "./format.ts";
import { attachSource } from "./source.ts";
import { epochToMs, inferTimeframe, parseIsoBytes } from "./time.ts";

const TIME_NAMES = ["date", "datetime", "time", "timestamp", "open_time", ""];

function columnsOf(header: readonly string[]) {
  const index = headerIndex(header);
  const timeName = TIME_NAMES.find((n) => index.has(n));
  return {
    time: timeName === undefined ? -1 : (index.get(timeName) as number),
    open: index.get("open") ?? -1,
    high: index.get("high") ?? -1,
    low: index.get("low") ?? -1,
    close: index.get("close") ?? -1,
    volume: index.get("volume") ?? -1,
  };
}

/**
 * Generic OHLCV CSV with a date index, as backtesting.py and pandas write it:
 * `,Open,High,Low,Close,Volume` or `Date,Open,...` (names case-insensitive; the time column is
 * Date, Datetime, Time, Timestamp or the unnamed first column). Dates without a zone are UTC;
 * epoch numbers (s, ms or µs by magnitude) are accepted. The date is kept as written: the
 * format cannot tell a start label from an end label (backtesting.py's monthly BTCUSD is
 * labelled by month end). An empty Volume cell is NaN; a file without a Volume column gets
 * volume 0 on every row. Symbol from the file name, market "custom", tz "UTC", timeframe from
 * the most common step between rows ("1d", "1h", "1M").
 */
export const ohlcvCsv: Format = {
  name: "ohlcv-csv",
  description:
    "generic OHLCV CSV with a date column (backtesting.py, pandas): Date,Open,High,Low,Close[,Volume]",
  sniff(_file: string, head: Buffer): boolean {
    const c = columnsOf(firstLine(head).split(","));
    return c.time >= 0 && c.open >= 0 && c.high >= 0 && c.low >= 0 && c.close >= 0;
  },
  read: (file, options = {}) => readOhlcv(file, options),
};

async function* readOhlcv(
  file: string,
  { market = "custom", symbol, onRows }: ReadOptions,
): AsyncGenerator<Frame> {
  const buf = await readAll(file);
  const cur = new CsvCursor(buf, file);
  if (!cur.next()) throw new DataError("empty file", { file });
  const c = columnsOf(cur.strings());
  for (const name of ["time", "open", "high", "low", "close"] as const) {
    if (c[name] < 0)
      throw new DataError(`no ${name} column in header: '${cur.strings().join(",")}'`, { file, line: 1 });
  }
  const cap = countLines(buf);
  const time = new Float64Array(cap);
  const open = new Float64Array(cap);
  const high = new Float64Array(cap);
  const low = new Float64Array(cap);
  const close = new Float64Array(cap);
  const volume = new Float64Array(cap);
  const line = new Int32Array(cap);
  let n = 0;
  while (cur.next()) {
    const ts = cur.starts[c.time];
    const te = cur.ends[c.time];
    let t = c.time < cur.fields ? parseIsoBytes(buf, ts, te) : Number.NaN;
    if (Number.isNaN(t) && c.time < cur.fields) {
      const v = parseNumber(buf, ts, te);
      if (Number.isInteger(v)) t = epochToMs(v);
    }
    if (Number.isNaN(t)) throw cur.error(`not a date: '${cur.text(c.time)}'`, "time");
    time[n] = t;
    open[n] = cur.number(c.open, "open");
    high[n] = cur.number(c.high, "high");
    low[n] = cur.number(c.low, "low");
    close[n] = cur.number(c.close, "close");
    volume[n] = c.volume >= 0 ? cur.numberOrNaN(c.volume, "volume") : 0;
    line[n] = cur.line;
    n++;
  }
  const t = trimTo(time, n);
  const frame = makeFrame({
    kind: "bars",
    market,
    symbol: symbol ?? stem(file),
    timeframe: inferTimeframe(t) ?? "1d",
    tz: "UTC",
    columns: {
      time: t,
      open: trimTo(open, n),
      high: trimTo(high, n),
      low: trimTo(low, n),
      close: trimTo(close, n),
      volume: trimTo(volume, n),
    },
  });
  onRows?.(n);
  yield attachSource(frame, { file, line: trimTo(line, n) });
}

/**
 * A bar frame as the CSV this format reads back (`time` in epoch ms): how the pages and tests hand
 * a series to `stom backtest --data`.
 */
export function barsToCsv(frame: Frame): string {
  const c = frame.columns as Record<string, ArrayLike<number>>;
  const lines = ["time,open,high,low,close,volume"];
  for (let i = 0; i < frame.length; i++)
    lines.push(`${c.time[i]},${c.open[i]},${c.high[i]},${c.low[i]},${c.close[i]},${c.volume[i]}`);
  return `${lines.join("\n")}\n`;
}
