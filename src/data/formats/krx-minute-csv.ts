import { DataError } from "../errors.ts";
import { type Frame, makeFrame } from "../frame.ts";
import { CsvCursor, countLines, firstLine, headerIndex } from "./csv.ts";
import { readAll, trimTo } from "./files.ts";
import type { Format, ReadOptions } from "./format.ts";
import { attachSource, SymbolColumn } from "./source.ts";
import { parseIsoBytes } from "./time.ts";

const REQUIRED = ["datetime", "open", "high", "low", "close", "volume", "symbol"] as const;
const MINUTE = 60_000;

/**
 * Parses one Creon/CYBOS 1-minute CSV (date, datetime, open, high, low, close, volume, symbol)
 * from a buffer. `datetime` is the bar END label in KST ("2019-09-20T09:01:00+0900" covers
 * 09:00:00-09:00:59), so time = label - 1 minute, in UTC ms. Symbol from the symbol column,
 * leading zeros kept ("005930"). The miner's filler rows during the closing auction (15:21-15:29
 * KST, a copy of the previous bar with volume 0) are kept as they are: they are what the file
 * says, and dropping them would open a gap before the 15:30 closing print.
 * Hot path: numbers and times are parsed straight from the bytes; the symbol is decoded only
 * when its bytes differ from the previous row's.
 */
export function parseKrxMinuteCsv(
  buf: Buffer,
  file: string,
  { market = "krx", symbol }: ReadOptions = {},
): Frame {
  const cur = new CsvCursor(buf, file, { maxFields: 16 });
  if (!cur.next()) throw new DataError("empty file", { file });
  const index = headerIndex(cur.strings());
  const [iTime, iOpen, iHigh, iLow, iClose, iVolume, iSymbol] = REQUIRED.map((name) => {
    const i = index.get(name);
    if (i === undefined)
      throw new DataError(`no ${name} column in header: '${cur.strings().join(",")}'`, { file, line: 1 });
    return i;
  });
  const last = Math.max(iTime, iOpen, iHigh, iLow, iClose, iVolume, iSymbol);
  const cap = countLines(buf);
  const time = new Float64Array(cap);
  const open = new Float64Array(cap);
  const high = new Float64Array(cap);
  const low = new Float64Array(cap);
  const close = new Float64Array(cap);
  const volume = new Float64Array(cap);
  const line = new Int32Array(cap);
  const symbols = new SymbolColumn(cap);
  const starts = cur.starts;
  const ends = cur.ends;
  let prevStart = -1;
  let prevLen = -1;
  let code = 0;
  let n = 0;
  while (cur.next()) {
    if (cur.fields <= last)
      throw cur.error(`expected ${last + 1} fields, got ${cur.fields}`, REQUIRED[cur.fields - 1]);
    const t = parseIsoBytes(buf, starts[iTime], ends[iTime]);
    if (Number.isNaN(t)) throw cur.error(`not a date: '${cur.text(iTime)}'`, "datetime");
    time[n] = t - MINUTE;
    open[n] = cur.number(iOpen, "open");
    high[n] = cur.number(iHigh, "high");
    low[n] = cur.number(iLow, "low");
    close[n] = cur.number(iClose, "close");
    volume[n] = cur.number(iVolume, "volume");
    const s = starts[iSymbol];
    const len = ends[iSymbol] - s;
    let same = len === prevLen;
    for (let k = 0; same && k < len; k++) same = buf[s + k] === buf[prevStart + k];
    if (!same) {
      symbols.set(n, cur.text(iSymbol));
      code = symbols.code[n];
      prevStart = s;
      prevLen = len;
    } else symbols.code[n] = code;
    line[n] = cur.line;
    n++;
  }
  if (n === 0) throw new DataError("no rows", { file });
  const codes = trimTo(symbols.code, n);
  const frame = makeFrame({
    kind: "bars",
    market,
    symbol: symbol ?? symbols.names[codes[0]],
    timeframe: "1m",
    tz: "Asia/Seoul",
    columns: {
      time: trimTo(time, n),
      open: trimTo(open, n),
      high: trimTo(high, n),
      low: trimTo(low, n),
      close: trimTo(close, n),
      volume: trimTo(volume, n),
    },
  });
  return attachSource(frame, { file, line: trimTo(line, n), symbols: symbols.names, symbolCode: codes });
}

export function sniffKrxHeader(head: Buffer): boolean {
  const index = headerIndex(firstLine(head).split(","));
  return REQUIRED.every((k) => index.has(k)) && index.has("date");
}

/** Creon/CYBOS Plus 1-minute bars for KRX stocks, one CSV per symbol; see parseKrxMinuteCsv. */
export const krxMinuteCsv: Format = {
  name: "krx-minute-csv",
  description:
    "KRX 1-minute CSV (Creon/CYBOS): date,datetime,open,high,low,close,volume,symbol; datetime = bar end in KST",
  sniff: (_file, head) => sniffKrxHeader(head),
  read: (file, options = {}) => readKrx(file, options),
};

async function* readKrx(file: string, options: ReadOptions): AsyncGenerator<Frame> {
  const frame = parseKrxMinuteCsv(await readAll(file), file, options);
  options.onRows?.(frame.length);
  yield frame;
}
