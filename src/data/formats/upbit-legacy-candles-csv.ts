import { DataError } from "../errors.ts";
import { type Frame, makeFrame } from "../frame.ts";
import { CsvCursor, countLines, firstLine, headerIndex } from "./csv.ts";
import { newestFirst, readAll, reverseColumns, trimTo } from "./files.ts";
import type { Format, ReadOptions } from "./format.ts";
import { attachSource, SymbolColumn } from "./source.ts";
import { parseIsoBytes } from "./time.ts";

const REQUIRED = [
  "candledatetime",
  "code",
  "openingprice",
  "highprice",
  "lowprice",
  "tradeprice",
  "candleacctradevolume",
  "candleacctradeprice",
  "unit",
] as const;

/**
 * Upbit's legacy CRIX API minute candles as CSV (candleDateTimeKst, candleAccTradePrice,
 * candleAccTradeVolume, candleDateTime, code, highPrice, lowPrice, openingPrice, timestamp,
 * tradePrice, unit), newest first. Bars come out oldest first; time from candleDateTime (UTC,
 * candle start), quote_volume = candleAccTradePrice, symbol from code ("CRIX.UPBIT.KRW-BTC" ->
 * "KRW-BTC"), timeframe from unit, market "upbit", tz "Asia/Seoul". Duplicate minutes are left
 * for validateFrame to report.
 */
export const upbitLegacyCandlesCsv: Format = {
  name: "upbit-legacy-candles-csv",
  description:
    "Upbit legacy CRIX candles CSV: candleDateTimeKst,candleAccTradePrice,...,code,...,tradePrice,unit",
  sniff(_file: string, head: Buffer): boolean {
    const index = headerIndex(firstLine(head).split(","));
    return REQUIRED.every((k) => index.has(k));
  },
  read: (file, options = {}) => readLegacy(file, options),
};

async function* readLegacy(
  file: string,
  { market = "upbit", symbol, onRows }: ReadOptions,
): AsyncGenerator<Frame> {
  const buf = await readAll(file);
  const cur = new CsvCursor(buf, file);
  if (!cur.next()) throw new DataError("empty file", { file });
  const index = headerIndex(cur.strings());
  const at = (name: string): number => {
    const i = index.get(name);
    if (i === undefined) throw new DataError(`no ${name} column in header`, { file, line: 1 });
    return i;
  };
  const [iTime, iCode, iOpen, iHigh, iLow, iClose, iVolume, iQuote, iUnit] = REQUIRED.map(at);
  const cap = countLines(buf);
  const time = new Float64Array(cap);
  const open = new Float64Array(cap);
  const high = new Float64Array(cap);
  const low = new Float64Array(cap);
  const close = new Float64Array(cap);
  const volume = new Float64Array(cap);
  const quote = new Float64Array(cap);
  const symbols = new SymbolColumn(cap);
  const line = new Int32Array(cap);
  let unit = "";
  let n = 0;
  while (cur.next()) {
    if (cur.fields <= Math.max(iTime, iCode, iUnit))
      throw cur.error(`expected ${REQUIRED.length + 2} fields, got ${cur.fields}`);
    const t = parseIsoBytes(buf, cur.starts[iTime], cur.ends[iTime]);
    if (Number.isNaN(t)) throw cur.error(`not a date: '${cur.text(iTime)}'`, "candleDateTime");
    time[n] = t;
    open[n] = cur.number(iOpen, "openingPrice");
    high[n] = cur.number(iHigh, "highPrice");
    low[n] = cur.number(iLow, "lowPrice");
    close[n] = cur.number(iClose, "tradePrice");
    volume[n] = cur.number(iVolume, "candleAccTradeVolume");
    quote[n] = cur.number(iQuote, "candleAccTradePrice");
    const code = cur.text(iCode);
    symbols.set(n, code.slice(code.lastIndexOf(".") + 1));
    const u = cur.text(iUnit);
    if (n === 0) unit = u;
    else if (u !== unit) throw cur.error(`unit '${u}' differs from the first row's '${unit}'`, "unit");
    line[n] = cur.line;
    n++;
  }
  if (n === 0) throw new DataError("no rows", { file });
  if (!/^\d+$/.test(unit))
    throw new DataError(`not a minute unit: '${unit}'`, { file, line: line[0], field: "unit" });
  const columns = {
    time: trimTo(time, n),
    open: trimTo(open, n),
    high: trimTo(high, n),
    low: trimTo(low, n),
    close: trimTo(close, n),
    volume: trimTo(volume, n),
    quote_volume: trimTo(quote, n),
  };
  const lines = trimTo(line, n);
  const codes = trimTo(symbols.code, n);
  if (newestFirst(columns.time)) reverseColumns(columns, lines, codes);
  const frame = makeFrame({
    kind: "bars",
    market,
    symbol: symbol ?? symbols.names[codes[0]],
    timeframe: `${unit}m`,
    tz: "Asia/Seoul",
    columns,
  });
  onRows?.(n);
  yield attachSource(frame, { file, line: lines, symbols: symbols.names, symbolCode: codes });
}
