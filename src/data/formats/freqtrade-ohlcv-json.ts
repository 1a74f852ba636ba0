import { DataError } from "../errors.ts";
import { type Frame, makeFrame } from "../frame.ts";
import { readAll, stem } from "./files.ts";
import type { Format, ReadOptions } from "./format.ts";
import { freqtradeOhlcvName } from "./freqtrade-names.ts";
import { attachSource } from "./source.ts";
import { epochToMs, inferTimeframe } from "./time.ts";

const FIELDS = ["time", "open", "high", "low", "close", "volume"] as const;

/** Parses a JSON file, turning a syntax error into a DataError naming the file. */
export function parseJson(file: string, buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch (e) {
    throw new DataError(`not valid JSON: ${(e as Error).message}`, { file });
  }
}

/**
 * freqtrade OHLCV JSON: `[[open_time_ms, open, high, low, close, volume], ...]` (.json or .json.gz).
 * Symbol and timeframe from freqtrade's file name (ETH_BTC-1m.json -> "ETH/BTC", "1m"),
 * market "binance" (what freqtrade's data here comes from) unless options.market, tz "UTC".
 * The whole array sits on one line, so errors name the 1-based array element as the "line".
 */
export const freqtradeOhlcvJson: Format = {
  name: "freqtrade-ohlcv-json",
  description:
    "freqtrade OHLCV JSON: [[time_ms, open, high, low, close, volume], ...] named PAIR_QUOTE-TIMEFRAME.json",
  sniff(_file: string, head: Buffer): boolean {
    return /^\s*\[\s*\[\s*\d+(\.\d*)?\s*,\s*-?[\d.]/.test(head.subarray(0, 256).toString("latin1"));
  },
  read: (file, options = {}) => readFreqtradeOhlcv(file, options),
};

async function* readFreqtradeOhlcv(
  file: string,
  { market = "binance", symbol, onRows }: ReadOptions,
): AsyncGenerator<Frame> {
  const rows = parseJson(file, await readAll(file));
  if (!Array.isArray(rows)) throw new DataError("expected a JSON array of rows", { file });
  const n = rows.length;
  const cols = FIELDS.map(() => new Float64Array(n));
  const line = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (!Array.isArray(row) || row.length < 6)
      throw new DataError(`expected [time, open, high, low, close, volume], got ${JSON.stringify(row)}`, {
        file,
        line: i + 1,
      });
    for (let f = 0; f < 6; f++) {
      const v = row[f];
      if (typeof v !== "number")
        throw new DataError(`not a number: ${JSON.stringify(v)}`, { file, line: i + 1, field: FIELDS[f] });
      cols[f][i] = v;
    }
    cols[0][i] = epochToMs(cols[0][i]);
    line[i] = i + 1;
  }
  const named = freqtradeOhlcvName(file);
  const timeframe = named?.timeframe ?? inferTimeframe(cols[0]);
  if (!timeframe) throw new DataError("cannot tell the timeframe from the file name or the data", { file });
  const frame = makeFrame({
    kind: "bars",
    market,
    symbol: symbol ?? named?.symbol ?? stem(file),
    timeframe,
    tz: "UTC",
    columns: { time: cols[0], open: cols[1], high: cols[2], low: cols[3], close: cols[4], volume: cols[5] },
  });
  onRows?.(n);
  yield attachSource(frame, { file, line });
}
