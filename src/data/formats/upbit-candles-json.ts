import { DataError } from "../errors.ts";
import { type Frame, makeFrame } from "../frame.ts";
import { newestFirst, readAll, reverseColumns } from "./files.ts";
import type { Format, ReadOptions } from "./format.ts";
import { parseJson } from "./freqtrade-ohlcv-json.ts";
import { attachSource, SymbolColumn } from "./source.ts";
import { inferTimeframe, parseIso } from "./time.ts";

const NUMBERS = [
  ["opening_price", "open"],
  ["high_price", "high"],
  ["low_price", "low"],
  ["trade_price", "close"],
  ["candle_acc_trade_volume", "volume"],
  ["candle_acc_trade_price", "quote_volume"],
] as const;

/**
 * Upbit REST /v1/candles/minutes JSON (an array of objects, newest first). Bars come out
 * oldest first; time from candle_date_time_utc (candle start), timeframe from `unit` ("1m",
 * "3m"), quote_volume = candle_acc_trade_price (KRW). Market "upbit", symbol from the
 * `market` field ("KRW-BTC"), tz "Asia/Seoul". Errors name the 1-based array element as the "line".
 */
export const upbitCandlesJson: Format = {
  name: "upbit-candles-json",
  description:
    "Upbit REST /v1/candles JSON: [{market, candle_date_time_utc, opening_price, ...}, ...] newest first",
  sniff(_file: string, head: Buffer): boolean {
    const text = head.toString("utf8");
    return /^\s*\[\s*\{/.test(text) && text.includes('"candle_date_time_utc"');
  },
  read: (file, options = {}) => readUpbitCandles(file, options),
};

async function* readUpbitCandles(
  file: string,
  { market = "upbit", symbol, onRows }: ReadOptions,
): AsyncGenerator<Frame> {
  const rows = parseJson(file, await readAll(file));
  if (!Array.isArray(rows)) throw new DataError("expected a JSON array of candles", { file });
  const n = rows.length;
  if (n === 0) throw new DataError("no candles", { file });
  const time = new Float64Array(n);
  const cols = NUMBERS.map(() => new Float64Array(n));
  const symbols = new SymbolColumn(n);
  const line = new Int32Array(n);
  let unit: unknown;
  for (let i = 0; i < n; i++) {
    const row = rows[i] as Record<string, unknown>;
    const where = { file, line: i + 1 };
    if (typeof row !== "object" || row === null)
      throw new DataError(`expected a candle object, got ${JSON.stringify(row)}`, where);
    const t = typeof row.candle_date_time_utc === "string" ? parseIso(row.candle_date_time_utc) : Number.NaN;
    if (Number.isNaN(t))
      throw new DataError(`not a date: ${JSON.stringify(row.candle_date_time_utc)}`, {
        ...where,
        field: "candle_date_time_utc",
      });
    time[i] = t;
    NUMBERS.forEach(([key], f) => {
      const v = row[key];
      if (typeof v !== "number")
        throw new DataError(`not a number: ${JSON.stringify(v)}`, { ...where, field: key });
      cols[f][i] = v;
    });
    if (typeof row.market !== "string")
      throw new DataError(`not a market code: ${JSON.stringify(row.market)}`, { ...where, field: "market" });
    symbols.set(i, row.market);
    if (i === 0) unit = row.unit;
    else if (row.unit !== unit)
      throw new DataError(
        `unit ${JSON.stringify(row.unit)} differs from the first candle's ${JSON.stringify(unit)}`,
        { ...where, field: "unit" },
      );
    line[i] = i + 1;
  }
  const columns = {
    time,
    open: cols[0],
    high: cols[1],
    low: cols[2],
    close: cols[3],
    volume: cols[4],
    quote_volume: cols[5],
  };
  if (newestFirst(time)) reverseColumns(columns, line, symbols.code);
  const timeframe = typeof unit === "number" ? `${unit}m` : inferTimeframe(time);
  if (!timeframe) throw new DataError("cannot tell the timeframe: no unit field", { file });
  const frame = makeFrame({
    kind: "bars",
    market,
    symbol: symbol ?? symbols.names[symbols.code[0]],
    timeframe,
    tz: "Asia/Seoul",
    columns,
  });
  onRows?.(n);
  yield attachSource(frame, { file, line, symbols: symbols.names, symbolCode: symbols.code });
}
