import { DataError } from "../errors.ts";
import { type Frame, makeFrame } from "../frame.ts";
import { CsvCursor, countLines, firstLine, headerIndex } from "./csv.ts";
import { readAll, stem, trimTo } from "./files.ts";
import type { Format, ReadOptions } from "./format.ts";
import { attachSource } from "./source.ts";
import { parseIsoBytes } from "./time.ts";

const REQUIRED = ["trade_price", "trade_volume", "ask_bid", "sequential_id", "timestamp"] as const;

/** "wannacrypto_KRW-BTC_trades_2022-11-25.csv" -> "KRW-BTC". */
export function upbitSymbolFromName(file: string): string | undefined {
  return /(?:^|[_ ])([A-Z]{2,5}-[A-Z0-9]+)(?:[_ .-]|$)/.exec(stem(file))?.[1];
}

/**
 * Upbit trade ticks as CSV (trade_price, trade_volume, ask_bid, sequential_id, timestamp),
 * as collected by polling /v1/trades/ticks. timestamp is UTC "YYYY-MM-DD HH:MM:SS", so many
 * trades share a time; within one second the file's order is not the trading order, so seq
 * is the 0-based rank of sequential_id (which Upbit derives from the trade's ms time) among
 * the rows of that second. Rows are not reordered. ask_bid 1 = ASK: the taker sold (side -1);
 * 0 = BID (side 1). id = sequential_id. Symbol from the file name, market "upbit", tz "Asia/Seoul".
 */
export const upbitTradesCsv: Format = {
  name: "upbit-trades-csv",
  description: "Upbit trade ticks CSV: trade_price,trade_volume,ask_bid,sequential_id,timestamp",
  sniff(_file: string, head: Buffer): boolean {
    const index = headerIndex(firstLine(head).split(","));
    return REQUIRED.every((k) => index.has(k));
  },
  read: (file, options = {}) => readUpbitTrades(file, options),
};

async function* readUpbitTrades(
  file: string,
  { market = "upbit", symbol, onRows }: ReadOptions,
): AsyncGenerator<Frame> {
  const buf = await readAll(file);
  const cur = new CsvCursor(buf, file);
  if (!cur.next()) throw new DataError("empty file", { file });
  const index = headerIndex(cur.strings());
  const [iPrice, iAmount, iSide, iId, iTime] = REQUIRED.map((name) => {
    const i = index.get(name);
    if (i === undefined) throw new DataError(`no ${name} column in header`, { file, line: 1 });
    return i;
  });
  const last = Math.max(iPrice, iAmount, iSide, iId, iTime);
  const cap = countLines(buf);
  const time = new Float64Array(cap);
  const price = new Float64Array(cap);
  const amount = new Float64Array(cap);
  const side = new Int8Array(cap);
  const seqId = new Float64Array(cap);
  const id: string[] = [];
  const line = new Int32Array(cap);
  let n = 0;
  while (cur.next()) {
    if (cur.fields <= last)
      throw cur.error(`expected ${REQUIRED.length} fields, got ${cur.fields}`, REQUIRED[cur.fields]);
    const t = parseIsoBytes(buf, cur.starts[iTime], cur.ends[iTime]);
    if (Number.isNaN(t)) throw cur.error(`not a date: '${cur.text(iTime)}'`, "timestamp");
    time[n] = t;
    price[n] = cur.number(iPrice, "trade_price");
    amount[n] = cur.number(iAmount, "trade_volume");
    const ab = cur.number(iSide, "ask_bid");
    if (ab !== 0 && ab !== 1) throw cur.error(`not 0 or 1: '${cur.text(iSide)}'`, "ask_bid");
    side[n] = ab === 1 ? -1 : 1;
    seqId[n] = cur.number(iId, "sequential_id");
    id.push(cur.text(iId));
    line[n] = cur.line;
    n++;
  }
  const seq = rankWithinTime(time, seqId, n);
  const frame = makeFrame({
    kind: "ticks",
    market,
    symbol: symbol ?? upbitSymbolFromName(file) ?? stem(file),
    timeframe: "tick",
    tz: "Asia/Seoul",
    columns: {
      time: trimTo(time, n),
      seq,
      price: trimTo(price, n),
      amount: trimTo(amount, n),
      side: trimTo(side, n),
      id,
    },
  });
  onRows?.(n);
  yield attachSource(frame, { file, line: trimTo(line, n) });
}

/** For each run of rows with the same time, the 0-based rank of each row's key within the run. */
function rankWithinTime(time: Float64Array, key: Float64Array, n: number): Int32Array {
  const seq = new Int32Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && time[end] === time[start]) end++;
    if (end - start > 1) {
      const order = Array.from({ length: end - start }, (_, k) => start + k).sort((a, b) => key[a] - key[b]);
      order.forEach((row, rank) => {
        seq[row] = rank;
      });
    }
    start = end;
  }
  return seq;
}
