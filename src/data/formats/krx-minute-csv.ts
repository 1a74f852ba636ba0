import { DataError } from "../errors.ts";
import { type Frame, makeFrame } from "../frame.ts";
import { CsvCursor, countLines, firstLine, headerIndex, utf8 } from "./csv.ts";
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
export function parseKrxMinuteCsv(buf: Buffer, file: string, options: ReadOptions = {}): Frame {
  return parseStandard(buf, file, options) ?? parseGeneral(buf, file, options);
}

/** The header every Creon file has: the fast path takes only this column order. */
const STANDARD_HEADER = "date,datetime,open,high,low,close,volume,symbol";
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * One pass over the bytes for files with the standard header and plain rows (unsigned decimal
 * numbers, no quotes, no blank lines): fields are parsed as they are found instead of being
 * located first and parsed after. Values equal parseNumber's (the same mantissa / power of ten).
 * Undefined at the first row it does not take: parseGeneral then reads the whole file and names
 * any error, so both paths give the same frame or the same error.
 */
function parseStandard(
  buf: Buffer,
  file: string,
  { market = "krx", symbol }: ReadOptions,
): Frame | undefined {
  const n = buf.length;
  let p = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const headerEnd = buf.indexOf(10, p);
  if (headerEnd < 0) return undefined;
  const headerText = buf.toString("latin1", p, buf[headerEnd - 1] === 13 ? headerEnd - 1 : headerEnd);
  if (headerText !== STANDARD_HEADER) return undefined;
  p = headerEnd + 1;
  // rows are about as long as the first one: grow in the rare file where that underestimates
  const next = buf.indexOf(10, p);
  const firstLen = next < 0 ? n - p : next - p + 1;
  let cap = Math.ceil((n - p) / Math.max(24, firstLen * 0.8)) + 8;
  let time = new Float64Array(cap);
  let open = new Float64Array(cap);
  let high = new Float64Array(cap);
  let low = new Float64Array(cap);
  let close = new Float64Array(cap);
  let volume = new Float64Array(cap);
  let line = new Int32Array(cap);
  let symbols = new SymbolColumn(cap);
  let prevStart = -1;
  let prevLen = -1;
  let code = 0;
  let rows = 0;
  let lineNo = 1;
  while (p < n) {
    lineNo++;
    if (rows === cap) {
      cap *= 2;
      time = grow(time, cap);
      open = grow(open, cap);
      high = grow(high, cap);
      low = grow(low, cap);
      close = grow(close, cap);
      volume = grow(volume, cap);
      line = grow(line, cap);
      symbols = symbols.grow(cap);
    }
    // date: not used (datetime carries it)
    while (p < n && buf[p] !== 44 && buf[p] !== 10) p++;
    if (buf[p] !== 44) return undefined;
    const ts = ++p;
    while (p < n && buf[p] !== 44 && buf[p] !== 10) p++;
    if (buf[p] !== 44) return undefined;
    const t = parseIsoBytes(buf, ts, p);
    if (Number.isNaN(t)) return undefined;
    time[rows] = t - MINUTE;
    p++;
    // open, high, low, close, volume: digits with at most one '.', each ended by a comma
    for (let f = 0; f < 5; f++) {
      let m = 0;
      let digits = 0;
      let frac = -1;
      let c = buf[p];
      for (;;) {
        if (c >= 48 && c <= 57) {
          m = m * 10 + (c - 48);
          digits++;
          if (frac >= 0) frac++;
        } else if (c === 46 && frac < 0) frac = 0;
        else break;
        c = buf[++p];
      }
      if (c !== 44 || digits === 0 || digits > 15) return undefined;
      const v = frac > 0 ? m / POW10[frac] : m;
      if (f === 0) open[rows] = v;
      else if (f === 1) high[rows] = v;
      else if (f === 2) low[rows] = v;
      else if (f === 3) close[rows] = v;
      else volume[rows] = v;
      p++;
    }
    const s = p;
    while (p < n && buf[p] !== 10) {
      const c = buf[p];
      if (c === 44 || c === 34) return undefined;
      p++;
    }
    let e = p;
    if (e > s && buf[e - 1] === 13) e--;
    p++;
    const len = e - s;
    let same = len === prevLen;
    for (let k = 0; same && k < len; k++) same = buf[s + k] === buf[prevStart + k];
    if (!same) {
      symbols.set(rows, utf8(buf, s, e));
      code = symbols.code[rows];
      prevStart = s;
      prevLen = len;
    } else symbols.code[rows] = code;
    line[rows] = lineNo;
    rows++;
  }
  if (rows === 0) return undefined;
  return krxFrame(file, market, symbol, rows, { time, open, high, low, close, volume }, line, symbols);
}

function grow<T extends Float64Array | Int32Array>(a: T, size: number): T {
  const out = new (a.constructor as new (n: number) => T)(size);
  out.set(a);
  return out;
}

/** The frame of `rows` parsed rows, with its source lines and symbols attached for validation. */
function krxFrame(
  file: string,
  market: string,
  symbol: string | undefined,
  n: number,
  c: Record<"time" | "open" | "high" | "low" | "close" | "volume", Float64Array>,
  line: Int32Array,
  symbols: SymbolColumn,
): Frame {
  const codes = trimTo(symbols.code, n);
  const frame = makeFrame({
    kind: "bars",
    market,
    symbol: symbol ?? symbols.names[codes[0]],
    timeframe: "1m",
    tz: "Asia/Seoul",
    columns: {
      time: trimTo(c.time, n),
      open: trimTo(c.open, n),
      high: trimTo(c.high, n),
      low: trimTo(c.low, n),
      close: trimTo(c.close, n),
      volume: trimTo(c.volume, n),
    },
  });
  return attachSource(frame, { file, line: trimTo(line, n), symbols: symbols.names, symbolCode: codes });
}

function parseGeneral(buf: Buffer, file: string, { market = "krx", symbol }: ReadOptions): Frame {
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
  return krxFrame(file, market, symbol, n, { time, open, high, low, close, volume }, line, symbols);
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
