/**
 * A minimal Parquet writer for the catalog's column types: one row group, one PLAIN data page per
 * column, uncompressed, every column OPTIONAL (definition levels carry NULLs).
 *
 * Why not DuckDB's COPY: it costs ~2.5 ms per file on this machine, and a whole-market day is
 * 2,190 files; PARTITION_BY took 2-3 s and did not keep the time order inside a partition.
 * This writer does a 390-row file in microseconds. DuckDB reads the result like any Parquet file.
 */

/** What a column holds; `const` is one string repeated on every row (market, symbol, timeframe). */
export type ParquetColumn =
  | { name: string; type: "DOUBLE"; values: Float64Array; nulls?: Uint8Array }
  | { name: string; type: "BIGINT"; values: Float64Array; nulls?: Uint8Array }
  | { name: string; type: "INTEGER"; values: Int32Array; nulls?: Uint8Array }
  | { name: string; type: "TINYINT"; values: Int8Array; nulls?: Uint8Array }
  | { name: string; type: "VARCHAR"; values: readonly (string | null)[] }
  | { name: string; type: "CONST"; value: string };

export const PARQUET_TYPES: ReadonlySet<string> = new Set([
  "DOUBLE",
  "BIGINT",
  "INTEGER",
  "TINYINT",
  "VARCHAR",
]);

// parquet.thrift enums
const T_INT32 = 1;
const T_INT64 = 2;
const T_DOUBLE = 5;
const T_BYTE_ARRAY = 6;
const CT_UTF8 = 0;
const CT_INT_8 = 15;
const E_PLAIN = 0;
const E_RLE = 3;
const E_RLE_DICTIONARY = 8;
const PAGE_DATA = 0;
const PAGE_DICTIONARY = 2;

// thrift compact protocol types
const C_I32 = 5;
const C_I64 = 6;
const C_BINARY = 8;
const C_LIST = 9;
const C_STRUCT = 12;

const encoder = new TextEncoder();
const TWO32 = 2 ** 32;

// Column names and market/symbol/timeframe values repeat in every file of an import: encode each
// string once (a whole-market day spent more time in TextEncoder than in copying its values).
const utf8Cache = new Map<string, Uint8Array>();
function utf8(s: string): Uint8Array {
  let b = utf8Cache.get(s);
  if (b === undefined) {
    b = encoder.encode(s);
    if (utf8Cache.size > 4096) utf8Cache.clear();
    utf8Cache.set(s, b);
  }
  return b;
}

/** Growable little-endian byte buffer. */
class Bytes {
  buf: Uint8Array;
  view: DataView;
  length = 0;

  constructor(capacity = 256) {
    // not zero-filled: every byte up to `length` is written before done() hands it out
    this.buf = Buffer.allocUnsafeSlow(capacity);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  varint(v: number): void {
    // values here stay below 2^53; split to avoid 32-bit bit ops overflowing
    let x = v;
    while (x >= 0x80) {
      this.byte((x % 0x80) | 0x80);
      x = Math.floor(x / 0x80);
    }
    this.byte(x);
  }
  done(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
  /** empties the buffer for reuse, growing it to hold at least n bytes */
  reset(n: number): this {
    this.length = 0;
    this.reserve(n);
    return this;
  }
}

// Reused across calls (encodeParquet is synchronous): a 390-row file otherwise spent more time
// allocating its scratch buffers than encoding.
const scratch = {
  out: new Bytes(1 << 16),
  page: new Bytes(1 << 16),
  levels: new Bytes(1 << 12),
  header: new Bytes(256),
  dict: new Bytes(256),
};

/** Thrift compact-protocol struct writer: fields in increasing id order. */
class Thrift {
  private last: number[] = [0];
  constructor(readonly out: Bytes) {}

  private field(id: number, type: number): void {
    const delta = id - this.last[this.last.length - 1];
    if (delta > 0 && delta <= 15) this.out.byte((delta << 4) | type);
    else {
      this.out.byte(type);
      this.out.varint(zigzag(id));
    }
    this.last[this.last.length - 1] = id;
  }
  i32(id: number, v: number): this {
    this.field(id, C_I32);
    this.out.varint(zigzag(v));
    return this;
  }
  i64(id: number, v: number): this {
    this.field(id, C_I64);
    this.out.varint(zigzag(v));
    return this;
  }
  binary(id: number, v: Uint8Array | string): this {
    const b = typeof v === "string" ? utf8(v) : v;
    this.field(id, C_BINARY);
    this.out.varint(b.length);
    this.out.bytes(b);
    return this;
  }
  begin(id: number): this {
    this.field(id, C_STRUCT);
    this.last.push(0);
    return this;
  }
  end(): this {
    this.out.byte(0);
    this.last.pop();
    return this;
  }
  list(id: number, elemType: number, size: number): this {
    this.field(id, C_LIST);
    if (size < 15) this.out.byte((size << 4) | elemType);
    else {
      this.out.byte(0xf0 | elemType);
      this.out.varint(size);
    }
    return this;
  }
  /** a struct inside a list: no field header */
  beginElement(): this {
    this.last.push(0);
    return this;
  }
  listI32(id: number, values: readonly number[]): this {
    this.list(id, C_I32, values.length);
    for (const v of values) this.out.varint(zigzag(v));
    return this;
  }
  listBinary(id: number, values: readonly string[]): this {
    this.list(id, C_BINARY, values.length);
    for (const v of values) {
      const b = utf8(v);
      this.out.varint(b.length);
      this.out.bytes(b);
    }
    return this;
  }
}

function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/** Definition levels (bit width 1) as an RLE/bit-packed hybrid with its 4-byte length prefix. */
function definitionLevels(out: Bytes, length: number, isNull: ((i: number) => boolean) | undefined): void {
  const body = scratch.levels.reset(16 + Math.ceil(length / 8));
  if (!isNull) {
    body.varint(length * 2); // one RLE run of 1s
    body.byte(1);
  } else {
    const groups = Math.ceil(length / 8);
    body.varint(groups * 2 + 1);
    body.reserve(groups);
    for (let g = 0; g < groups; g++) {
      let b = 0;
      for (let k = 0; k < 8; k++) {
        const i = g * 8 + k;
        if (i < length && !isNull(i)) b |= 1 << k;
      }
      body.buf[body.length++] = b;
    }
  }
  out.u32(body.length);
  out.bytes(body.done());
}

function pageHeader(out: Bytes, type: number, size: number, values: number, encoding: number): void {
  const t = new Thrift(out);
  t.i32(1, type).i32(2, size).i32(3, size);
  if (type === PAGE_DATA) t.begin(5).i32(1, values).i32(2, encoding).i32(3, E_RLE).i32(4, E_RLE).end();
  else t.begin(7).i32(1, values).i32(2, E_PLAIN).end();
  out.byte(0);
}

interface Chunk {
  name: string;
  physical: number;
  converted?: number;
  encodings: number[];
  offset: number;
  dictionaryOffset?: number;
  size: number;
  min?: Uint8Array;
  max?: Uint8Array;
}

let int64Scratch = new Int32Array(1 << 12);
/** A reused scratch of at least 2 * length int32 words. */
function int64Words(length: number): Int32Array {
  if (int64Scratch.length < 2 * length) int64Scratch = new Int32Array(2 * length);
  return int64Scratch;
}

function int64Bytes(v: number): Uint8Array {
  const b = new Uint8Array(8);
  setInt64(new DataView(b.buffer), 0, v);
  return b;
}

/** A little-endian int64, as setBigInt64 writes it, without a BigInt for a safe integer. */
function setInt64(view: DataView, p: number, x: number): void {
  if (Number.isSafeInteger(x)) {
    // two's complement in two words
    const hi = Math.floor(x / TWO32);
    view.setUint32(p, x - hi * TWO32, true);
    view.setInt32(p + 4, hi, true);
  } else view.setBigInt64(p, BigInt(x), true);
}

const MAGIC = encoder.encode("PAR1");

/** Encodes columns of `length` rows as a Parquet file. */
export function encodeParquet(columns: readonly ParquetColumn[], length: number): Uint8Array {
  // a copy (Buffer's slice would be a view of the reused buffer)
  return new Uint8Array(encodeParquetTransient(columns, length));
}

/**
 * encodeParquet into a buffer that the next call reuses: copy the bytes before calling again. A
 * whole-market day's 2,190 files otherwise allocated (and faulted in) 60 MB of fresh buffers.
 */
export function encodeParquetTransient(columns: readonly ParquetColumn[], length: number): Uint8Array {
  const out = scratch.out.reset(1024 + columns.length * 256 + length * 8 * columns.length);
  out.bytes(MAGIC);
  const chunks: Chunk[] = [];
  for (const column of columns) {
    const page = scratch.page.reset(64 + length * 8);
    let physical: number;
    let converted: number | undefined;
    let encoding = E_PLAIN;
    let dictionaryOffset: number | undefined;
    let min: Uint8Array | undefined;
    let max: Uint8Array | undefined;
    if (column.type === "CONST") {
      // dictionary of one value, then a single RLE run of index 0
      physical = T_BYTE_ARRAY;
      converted = CT_UTF8;
      encoding = E_RLE_DICTIONARY;
      const value = utf8(column.value);
      const dict = scratch.dict.reset(4 + value.length);
      dict.u32(value.length);
      dict.bytes(value);
      dictionaryOffset = out.length;
      pageHeader(out, PAGE_DICTIONARY, dict.length, 1, E_PLAIN);
      out.bytes(dict.done());
      definitionLevels(page, length, undefined);
      page.byte(1); // bit width
      page.varint(length * 2);
      page.byte(0);
    } else if (column.type === "VARCHAR") {
      physical = T_BYTE_ARRAY;
      converted = CT_UTF8;
      const values = column.values;
      let anyNull = false;
      for (let i = 0; i < length; i++) if (values[i] === null || values[i] === undefined) anyNull = true;
      definitionLevels(
        page,
        length,
        anyNull ? (i) => values[i] === null || values[i] === undefined : undefined,
      );
      for (let i = 0; i < length; i++) {
        const v = values[i];
        if (v === null || v === undefined) continue;
        const b = encoder.encode(v);
        page.u32(b.length);
        page.bytes(b);
      }
    } else {
      const nulls = column.nulls;
      definitionLevels(page, length, nulls ? (i) => nulls[i] === 1 : undefined);
      const width = column.type === "INTEGER" || column.type === "TINYINT" ? 4 : 8;
      page.reserve(length * width);
      const view = page.view;
      let p = page.length;
      if (column.type === "DOUBLE") {
        physical = T_DOUBLE;
        const v = column.values;
        if (!nulls) {
          // the fast path: a straight copy of the typed array (little-endian machines only)
          page.buf.set(new Uint8Array(v.buffer, v.byteOffset, length * 8), p);
          p += length * 8;
        } else {
          for (let i = 0; i < length; i++) {
            if (nulls[i] === 1) continue;
            view.setFloat64(p, v[i], true);
            p += 8;
          }
        }
      } else if (column.type === "BIGINT") {
        physical = T_INT64;
        const v = column.values;
        let lo = Infinity;
        let hi = -Infinity;
        // the fast path: whole int64s as two int32 words in an aligned scratch, copied at once
        // (little-endian machines only); a value that is not a safe integer takes the loop below
        const words = int64Words(length);
        let fast = !nulls;
        for (let i = 0; fast && i < length; i++) {
          const x = v[i];
          if (!Number.isSafeInteger(x)) fast = false;
          const high = Math.floor(x / TWO32);
          words[2 * i] = x - high * TWO32;
          words[2 * i + 1] = high;
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
        if (fast) {
          page.buf.set(new Uint8Array(words.buffer, 0, length * 8), p);
          p += length * 8;
        } else {
          lo = Infinity;
          hi = -Infinity;
          for (let i = 0; i < length; i++) {
            if (nulls && nulls[i] === 1) continue;
            setInt64(view, p, v[i]);
            p += 8;
            if (v[i] < lo) lo = v[i];
            if (v[i] > hi) hi = v[i];
          }
        }
        // min/max let DuckDB skip files and row groups on time filters
        if (lo <= hi) {
          min = int64Bytes(lo);
          max = int64Bytes(hi);
        }
      } else {
        physical = T_INT32;
        if (column.type === "TINYINT") converted = CT_INT_8;
        const v = column.values;
        for (let i = 0; i < length; i++) {
          if (nulls && nulls[i] === 1) continue;
          view.setInt32(p, v[i], true);
          p += 4;
        }
      }
      page.length = p;
    }
    // pad so that the PLAIN values start 8-byte aligned: parquet-read.ts then views them in place
    const header = scratch.header.reset(64);
    pageHeader(header, PAGE_DATA, page.length, length, encoding);
    const levels = 4 + page.view.getUint32(0, true);
    // (not between a dictionary page and its data page: readers expect them back to back)
    const pad = encoding === E_PLAIN ? (8 - ((out.length + header.length + levels) % 8)) % 8 : 0;
    out.reserve(pad);
    out.buf.fill(0, out.length, out.length + pad);
    out.length += pad;
    const dataOffset = out.length;
    out.bytes(header.done());
    out.bytes(page.done());
    chunks.push({
      name: column.name,
      physical,
      converted,
      encodings: encoding === E_PLAIN ? [E_PLAIN, E_RLE] : [E_PLAIN, E_RLE, E_RLE_DICTIONARY],
      offset: dataOffset,
      dictionaryOffset,
      size: out.length - (dictionaryOffset ?? dataOffset),
      min,
      max,
    });
  }

  const metaStart = out.length;
  const t = new Thrift(out);
  t.i32(1, 1);
  t.list(2, C_STRUCT, chunks.length + 1);
  t.beginElement().binary(4, "schema").i32(5, chunks.length).end();
  for (const c of chunks) {
    t.beginElement().i32(1, c.physical).i32(3, 1).binary(4, c.name);
    if (c.converted !== undefined) t.i32(6, c.converted);
    t.end();
  }
  t.i64(3, length);
  t.list(4, C_STRUCT, 1);
  t.beginElement();
  t.list(1, C_STRUCT, chunks.length);
  let total = 0;
  for (const c of chunks) {
    total += c.size;
    t.beginElement().i64(2, c.dictionaryOffset ?? c.offset);
    t.begin(3).i32(1, c.physical).listI32(2, c.encodings).listBinary(3, [c.name]).i32(4, 0);
    t.i64(5, length).i64(6, c.size).i64(7, c.size).i64(9, c.offset);
    if (c.dictionaryOffset !== undefined) t.i64(11, c.dictionaryOffset);
    if (c.min && c.max) t.begin(12).binary(5, c.max).binary(6, c.min).end();
    t.end().end();
  }
  t.i64(2, total).i64(3, length);
  t.end();
  t.binary(6, "stom");
  out.byte(0);
  out.u32(out.length - metaStart);
  out.bytes(MAGIC);
  return out.done();
}
