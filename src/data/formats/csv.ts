import { DataError } from "../errors.ts";

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];

/**
 * Parses a decimal number from bytes without allocating; NaN when the bytes are not a number.
 * Up to 15 significant digits the result is exact: mantissa and power of ten are both exact
 * doubles, so their correctly rounded quotient is the nearest double to the decimal.
 * Anything longer or with an exponent goes through Number().
 */
export function parseNumber(buf: Uint8Array, start: number, end: number): number {
  if (start >= end) return Number.NaN;
  let p = start;
  let neg = false;
  if (buf[p] === 45) {
    neg = true;
    p++;
  } else if (buf[p] === 43) p++;
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; p < end; p++) {
    const c = buf[p];
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 46 && frac < 0) frac = 0;
    else break;
  }
  if (p < end || digits === 0 || digits > 15) return slowNumber(buf, start, end);
  const v = frac > 0 ? m / POW10[frac] : m;
  return neg ? -v : v;
}

function slowNumber(buf: Uint8Array, start: number, end: number): number {
  const text = latin1(buf, start, end).trim();
  // Number("") is 0 and Number("0x10") is 16: neither is a decimal number in a data file
  if (text === "" || /^[+-]?0[xob]/i.test(text)) return Number.NaN;
  return Number(text);
}

export function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString("latin1");
}

export function utf8(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString("utf8");
}

/** Counts lines (an upper bound on rows) with memchr, so columns can be allocated once. */
export function countLines(buf: Buffer): number {
  let n = 0;
  let p = buf.indexOf(10);
  while (p !== -1) {
    n++;
    p = buf.indexOf(10, p + 1);
  }
  return buf.length > 0 && buf[buf.length - 1] !== 10 ? n + 1 : n;
}

/**
 * Walks a CSV buffer one line at a time, exposing each field as byte offsets so that hot
 * loops parse numbers straight from the buffer. Blank lines are skipped, CRLF and a UTF-8
 * BOM are accepted. Quoted fields are unquoted but may not contain commas: no source writes them.
 */
export class CsvCursor {
  readonly buf: Buffer;
  readonly file: string;
  /** 1-based line number of the current row */
  line = 0;
  /** number of fields on the current row */
  fields = 0;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  private pos = 0;

  constructor(buf: Buffer, file: string, { maxFields = 64 }: { maxFields?: number } = {}) {
    this.buf = buf;
    this.file = file;
    this.starts = new Int32Array(maxFields);
    this.ends = new Int32Array(maxFields);
    if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) this.pos = 3;
  }

  /** Advances to the next non-blank line; false at the end. */
  next(): boolean {
    const buf = this.buf;
    const n = buf.length;
    const starts = this.starts;
    const ends = this.ends;
    const max = starts.length;
    while (this.pos < n) {
      let p = this.pos;
      this.line++;
      let start = p;
      let f = 0;
      while (p < n) {
        const c = buf[p];
        if (c === 10) break;
        if (c === 44) {
          if (f < max) {
            starts[f] = start;
            ends[f] = p;
          }
          f++;
          start = p + 1;
        }
        p++;
      }
      this.pos = p + 1;
      let end = p;
      if (end > start && buf[end - 1] === 13) end--;
      if (f === 0 && end === start) continue;
      if (f < max) {
        starts[f] = start;
        ends[f] = end;
      }
      this.fields = Math.min(f + 1, max);
      for (let i = 0; i < this.fields; i++) {
        if (buf[starts[i]] === 34 && ends[i] - starts[i] >= 2 && buf[ends[i] - 1] === 34) {
          starts[i]++;
          ends[i]--;
        }
      }
      return true;
    }
    return false;
  }

  /** The current line's fields as strings, for headers and error messages. */
  strings(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.fields; i++) out.push(this.text(i));
    return out;
  }

  text(i: number): string {
    if (i >= this.fields) return "";
    return utf8(this.buf, this.starts[i], this.ends[i]);
  }

  error(message: string, field?: string): DataError {
    return new DataError(message, { file: this.file, line: this.line, field });
  }

  /** Field i as a number; throws DataError naming the field when it is missing or not a number. */
  number(i: number, field: string): number {
    if (i >= this.fields) throw this.error("missing field", field);
    const v = parseNumber(this.buf, this.starts[i], this.ends[i]);
    if (Number.isNaN(v)) throw this.error(`not a number: '${this.text(i)}'`, field);
    return v;
  }

  /** Like number(), but an empty field is NaN (for optional columns such as volume). */
  numberOrNaN(i: number, field: string): number {
    if (i >= this.fields || this.starts[i] === this.ends[i]) return Number.NaN;
    return this.number(i, field);
  }
}

/** Lowercased, trimmed header names mapped to their index. */
export function headerIndex(names: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  names.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    if (!map.has(key)) map.set(key, i);
  });
  return map;
}

/** The first line of `head` (for sniffing), without CR and BOM. */
export function firstLine(head: Buffer): string {
  let end = head.indexOf(10);
  if (end === -1) end = head.length;
  let text = head.subarray(0, end).toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.replace(/\r$/, "");
}
