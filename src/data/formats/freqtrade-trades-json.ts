import { DataError } from "../errors.ts";
import { type Frame, makeFrame } from "../frame.ts";
import { readAll, stem } from "./files.ts";
import type { Format, ReadOptions } from "./format.ts";
import { freqtradeTradesName } from "./freqtrade-names.ts";
import { parseJson } from "./freqtrade-ohlcv-json.ts";
import { attachSource } from "./source.ts";
import { epochToMs } from "./time.ts";

/**
 * freqtrade trades JSON (usually gzip): `[[time_ms, id, type, side, price, amount, cost], ...]`.
 * Ticks with id (string), side (1 taker buy, -1 taker sell, 0 unknown), extra column cost
 * (quote amount). Many trades share a millisecond, so seq is the 0-based rank among
 * consecutive rows with the same time, in file order. Symbol from the file name
 * (XRP_ETH-trades.json.gz -> "XRP/ETH"), market "binance" unless options.market.
 * Errors name the 1-based array element as the "line".
 */
export const freqtradeTradesJson: Format = {
  name: "freqtrade-trades-json",
  description:
    "freqtrade trades JSON(.gz): [[time_ms, id, type, side, price, amount, cost], ...] named PAIR_QUOTE-trades.json.gz",
  sniff(_file: string, head: Buffer): boolean {
    return /^\s*\[\s*\[\s*\d+(\.\d*)?\s*,\s*("|null)/.test(head.subarray(0, 256).toString("latin1"));
  },
  read: (file, options = {}) => readFreqtradeTrades(file, options),
};

async function* readFreqtradeTrades(
  file: string,
  { market = "binance", symbol, onRows }: ReadOptions,
): AsyncGenerator<Frame> {
  const rows = parseJson(file, await readAll(file));
  if (!Array.isArray(rows)) throw new DataError("expected a JSON array of rows", { file });
  const n = rows.length;
  const time = new Float64Array(n);
  const seq = new Int32Array(n);
  const price = new Float64Array(n);
  const amount = new Float64Array(n);
  const cost = new Float64Array(n);
  const side = new Int8Array(n);
  const id: string[] = new Array(n);
  const line = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    const where = { file, line: i + 1 };
    if (!Array.isArray(row) || row.length < 7)
      throw new DataError(
        `expected [time, id, type, side, price, amount, cost], got ${JSON.stringify(row)}`,
        where,
      );
    const num = (f: number, field: string): number => {
      const v = row[f];
      if (typeof v !== "number")
        throw new DataError(`not a number: ${JSON.stringify(v)}`, { ...where, field });
      return v;
    };
    time[i] = epochToMs(num(0, "time"));
    id[i] = row[1] === null ? "" : String(row[1]);
    const s = row[3];
    if (s === "buy") side[i] = 1;
    else if (s === "sell") side[i] = -1;
    else if (s === null || s === "") side[i] = 0;
    else throw new DataError(`not buy or sell: ${JSON.stringify(s)}`, { ...where, field: "side" });
    price[i] = num(4, "price");
    amount[i] = num(5, "amount");
    cost[i] = row[6] === null ? price[i] * amount[i] : num(6, "cost");
    seq[i] = i > 0 && time[i] === time[i - 1] ? seq[i - 1] + 1 : 0;
    line[i] = i + 1;
  }
  const frame = makeFrame({
    kind: "ticks",
    market,
    symbol: symbol ?? freqtradeTradesName(file) ?? stem(file),
    timeframe: "tick",
    tz: "UTC",
    columns: { time, seq, price, amount, side, id, cost },
  });
  onRows?.(n);
  yield attachSource(frame, { file, line });
}
