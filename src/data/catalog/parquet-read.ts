import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { Column } from "../frame.ts";

/**
 * Reads the Parquet files that ./parquet-write.ts produces (one row group, one PLAIN uncompressed
 * page per column, values 8-byte aligned in the file) straight into typed arrays: a DOUBLE column
 * is a Float64Array view on the file's bytes. Anything else (compression, dictionaries, several
 * pages: files DuckDB wrote) returns undefined and the caller falls back to DuckDB.
 *
 * Why: DuckDB's scan plus result fetch of 1M x 6 DOUBLE costs 150-400 ms here; read(2) plus
 * views is close to the cost of allocating and filling the arrays.
 */

export interface ParquetData {
  readonly length: number;
  /** DuckDB type names: BIGINT, DOUBLE, INTEGER, TINYINT, VARCHAR */
  readonly types: Readonly<Record<string, string>>;
  /** time (BIGINT) comes back as Float64Array; NULL numbers as NaN (DOUBLE) or 0 */
  readonly columns: Record<string, Column>;
  /** 1 = NULL, only for numeric columns that have NULLs */
  readonly nulls: Record<string, Uint8Array>;
}

const decoder = new TextDecoder();

type Value = number | Uint8Array | Value[] | Fields;
type Fields = Map<number, Value>;

/** Thrift compact protocol, just enough to walk FileMetaData and PageHeader. */
class ThriftReader {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
  ) {}

  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
  }
  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }
  value(type: number): Value {
    switch (type) {
      case 1:
        return 1;
      case 2:
        return 0;
      case 3:
        return this.buf[this.pos++];
      case 4:
      case 5:
      case 6:
        return this.zigzag();
      case 7:
        this.pos += 8;
        return 0;
      case 8: {
        const n = this.varint();
        const out = this.buf.subarray(this.pos, this.pos + n);
        this.pos += n;
        return out;
      }
      case 9:
      case 10: {
        const head = this.buf[this.pos++];
        const size = head >> 4 === 15 ? this.varint() : head >> 4;
        const elem = head & 15;
        const out: Value[] = [];
        for (let i = 0; i < size; i++)
          out.push(elem === 1 || elem === 2 ? this.buf[this.pos++] : this.value(elem));
        return out;
      }
      case 12:
        return this.struct();
      default:
        throw new Error(`unsupported thrift type: ${type}`);
    }
  }
  struct(): Fields {
    const fields: Fields = new Map();
    let last = 0;
    for (;;) {
      const head = this.buf[this.pos++];
      if (head === 0) return fields;
      const type = head & 15;
      const delta = head >> 4;
      const id = delta === 0 ? this.zigzag() : last + delta;
      fields.set(id, this.value(type));
      last = id;
    }
  }
}

/** Reads a whole file into an 8-aligned buffer; undefined when it does not exist. */
export function readWhole(path: string): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    // allocUnsafeSlow: its own ArrayBuffer (offset 0, so 8-aligned) and no zero-fill before the read
    const buffer = Buffer.allocUnsafeSlow(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return new Uint8Array(buffer.buffer, 0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * Decodes the requested columns (all when `names` is omitted) of a file written by encodeParquet;
 * undefined when the file uses anything that writer does not.
 */
export function decodeParquet(buf: Uint8Array, names?: readonly string[]): ParquetData | undefined {
  const n = buf.length;
  if (n < 12 || decoder.decode(buf.subarray(n - 4)) !== "PAR1") return undefined;
  const view = new DataView(buf.buffer, buf.byteOffset, n);
  const metaLength = view.getUint32(n - 8, true);
  const meta = new ThriftReader(buf, n - 8 - metaLength).struct();
  const length = meta.get(3) as number;
  const groups = meta.get(4) as Fields[];
  const schema = (meta.get(2) as Fields[]).slice(1);
  if (groups.length > 1) return undefined;
  const chunks = groups.length === 1 ? (groups[0].get(1) as Fields[]) : [];
  const types: Record<string, string> = {};
  const columns: Record<string, Column> = {};
  const nulls: Record<string, Uint8Array> = {};
  for (let c = 0; c < schema.length; c++) {
    const name = decoder.decode(schema[c].get(4) as Uint8Array);
    const physical = schema[c].get(1) as number;
    const converted = schema[c].get(6) as number | undefined;
    const type =
      physical === 5
        ? "DOUBLE"
        : physical === 2
          ? "BIGINT"
          : physical === 1
            ? converted === 15
              ? "TINYINT"
              : converted === undefined
                ? "INTEGER"
                : undefined
            : physical === 6 && converted === 0
              ? "VARCHAR"
              : undefined;
    if (type === undefined) return undefined;
    types[name] = type;
    if (names && !names.includes(name)) continue;
    if (length === 0) {
      columns[name] = emptyColumn(type);
      continue;
    }
    const chunkMeta = chunks[c]?.get(3) as Fields | undefined;
    if (!chunkMeta || (chunkMeta.get(4) as number) !== 0) return undefined;
    const dictionary = chunkMeta.get(11) as number | undefined;
    const pageAt = dictionary ?? (chunkMeta.get(9) as number);
    const decoded = decodeChunk(buf, view, pageAt, type, length, dictionary !== undefined);
    if (!decoded) return undefined;
    columns[name] = decoded.values;
    if (decoded.nulls) nulls[name] = decoded.nulls;
  }
  return { length, types, columns, nulls };
}

function emptyColumn(type: string): Column {
  return type === "VARCHAR"
    ? []
    : type === "INTEGER"
      ? new Int32Array(0)
      : type === "TINYINT"
        ? new Int8Array(0)
        : new Float64Array(0);
}

function decodeChunk(
  buf: Uint8Array,
  view: DataView,
  at: number,
  type: string,
  length: number,
  dictionary: boolean,
): { values: Column; nulls?: Uint8Array } | undefined {
  let dict: string | undefined;
  let reader = new ThriftReader(buf, at);
  let header = reader.struct();
  if (dictionary) {
    // the writer's CONST columns: one PLAIN value, then an RLE run of index 0
    if (header.get(1) !== 2 || type !== "VARCHAR") return undefined;
    const len = view.getUint32(reader.pos, true);
    dict = decoder.decode(buf.subarray(reader.pos + 4, reader.pos + 4 + len));
    reader = new ThriftReader(buf, reader.pos + (header.get(3) as number));
    header = reader.struct();
  }
  const page = header.get(5) as Fields | undefined;
  if (header.get(1) !== 0 || !page || (page.get(1) as number) !== length) return undefined;
  if (header.get(2) !== header.get(3)) return undefined;
  const levelsLength = view.getUint32(reader.pos, true);
  const nulls = definitionNulls(new ThriftReader(buf, reader.pos + 4), length);
  if (nulls === null) return undefined;
  let p = reader.pos + 4 + levelsLength;
  if (dict !== undefined) {
    if (page.get(2) !== 8) return undefined;
    const out = new Array<string>(length);
    for (let i = 0; i < length; i++) out[i] = nulls?.[i] ? (null as unknown as string) : dict;
    return { values: out };
  }
  if (page.get(2) !== 0) return undefined;
  if (type === "VARCHAR") {
    const out = new Array<string>(length);
    for (let i = 0; i < length; i++) {
      if (nulls?.[i]) {
        out[i] = null as unknown as string;
        continue;
      }
      const len = view.getUint32(p, true);
      out[i] = decoder.decode(buf.subarray(p + 4, p + 4 + len));
      p += 4 + len;
    }
    return { values: out };
  }
  const width = type === "DOUBLE" || type === "BIGINT" ? 8 : 4;
  const offset = buf.byteOffset + p;
  if (offset % width !== 0) return undefined;
  const count = nulls ? length - nulls.reduce((s, v) => s + v, 0) : length;
  let values: Column;
  if (type === "DOUBLE") values = new Float64Array(buf.buffer, offset, count);
  else if (type === "BIGINT") {
    // epoch ms fit in 53 bits: hi * 2^32 + lo, no BigInt per value
    const words = new Int32Array(buf.buffer, offset, count * 2);
    const time = new Float64Array(count);
    for (let i = 0; i < count; i++) time[i] = words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0);
    values = time;
  } else {
    const ints = new Int32Array(buf.buffer, offset, count);
    values = type === "TINYINT" ? Int8Array.from(ints) : ints;
  }
  if (!nulls) return { values };
  // spread the non-NULL values out to their rows
  const full =
    values instanceof Int32Array
      ? new Int32Array(length)
      : values instanceof Int8Array
        ? new Int8Array(length)
        : new Float64Array(length);
  for (let i = 0, j = 0; i < length; i++) {
    if (nulls[i]) full[i] = full instanceof Float64Array ? Number.NaN : 0;
    else full[i] = values[j++];
  }
  return { values: full, nulls };
}

/** Bit-width-1 RLE/bit-packed definition levels -> NULL mask (undefined: none; null: unsupported). */
function definitionNulls(r: ThriftReader, length: number): Uint8Array | undefined | null {
  let mask: Uint8Array | undefined;
  let i = 0;
  while (i < length) {
    const head = r.varint();
    if (head % 2 === 0) {
      const count = head / 2;
      const value = r.buf[r.pos++];
      if (value === 0) {
        mask ??= new Uint8Array(length);
        mask.fill(1, i, Math.min(length, i + count));
      } else if (value !== 1) return null;
      i += count;
    } else {
      const groups = (head - 1) / 2;
      for (let g = 0; g < groups; g++) {
        const b = r.buf[r.pos++];
        for (let k = 0; k < 8 && i < length; k++, i++) {
          if (((b >> k) & 1) === 0) {
            mask ??= new Uint8Array(length);
            mask[i] = 1;
          }
        }
      }
    }
  }
  return mask;
}

interface ColumnLayout {
  readonly type: string;
  /** file offset of the first PLAIN value when the page has no NULLs and no dictionary */
  readonly values?: number;
}

/**
 * A catalog Parquet file opened for column reads straight into caller-owned arrays: the footer
 * and page headers are read, then each column is one pread(2) into the destination, so a read
 * costs about what allocating and filling the arrays does.
 *
 *   const file = ParquetFile.open(path);            // undefined: not this writer's layout
 *   const time = file.readTime();                   // Float64Array
 *   file.readInto("close", out, 0, lo, hi);         // rows [lo, hi) into out[0..]
 */
export class ParquetFile {
  private constructor(
    private readonly fd: number,
    readonly path: string,
    readonly length: number,
    private readonly layout: ReadonlyMap<string, ColumnLayout>,
  ) {}

  static open(path: string): ParquetFile | undefined {
    const fd = openSync(path, "r");
    try {
      const file = ParquetFile.parse(fd, path);
      if (file) return file;
    } catch {
      // a footer this reader does not understand: the caller falls back
    }
    closeSync(fd);
    return undefined;
  }

  private static parse(fd: number, path: string): ParquetFile | undefined {
    const size = fstatSync(fd).size;
    if (size < 12) return undefined;
    const tail = Buffer.alloc(8);
    readSync(fd, tail, 0, 8, size - 8);
    if (tail.toString("latin1", 4) !== "PAR1") return undefined;
    const metaLength = tail.readUInt32LE(0);
    const metaBuf = Buffer.alloc(metaLength);
    readSync(fd, metaBuf, 0, metaLength, size - 8 - metaLength);
    const meta = new ThriftReader(metaBuf, 0).struct();
    const length = meta.get(3) as number;
    const groups = meta.get(4) as Fields[];
    if (groups.length !== 1) return undefined;
    const schema = (meta.get(2) as Fields[]).slice(1);
    const chunks = groups[0].get(1) as Fields[];
    const layout = new Map<string, ColumnLayout>();
    const head = Buffer.alloc(256);
    for (let c = 0; c < schema.length; c++) {
      const name = decoder.decode(schema[c].get(4) as Uint8Array);
      const physical = schema[c].get(1) as number;
      const converted = schema[c].get(6) as number | undefined;
      const type =
        physical === 5
          ? "DOUBLE"
          : physical === 2
            ? "BIGINT"
            : physical === 1 && converted === undefined
              ? "INTEGER"
              : "OTHER";
      const chunk = chunks[c].get(3) as Fields;
      if (type === "OTHER" || chunk.get(4) !== 0 || chunk.get(11) !== undefined) {
        layout.set(name, { type });
        continue;
      }
      const at = chunk.get(9) as number;
      const got = readSync(fd, head, 0, head.length, at);
      const r = new ThriftReader(head, 0);
      const header = r.struct();
      const page = header.get(5) as Fields | undefined;
      if (header.get(1) !== 0 || !page || page.get(1) !== length || page.get(2) !== 0 || r.pos + 4 > got) {
        layout.set(name, { type });
        continue;
      }
      const levels = head.readUInt32LE(r.pos);
      const nulls =
        r.pos + 4 + levels <= got ? definitionNulls(new ThriftReader(head, r.pos + 4), length) : null;
      const values = at + r.pos + 4 + levels;
      layout.set(name, nulls === undefined && values % 8 === 0 ? { type, values } : { type });
    }
    return new ParquetFile(fd, path, length, layout);
  }

  /** DuckDB type of a column ("OTHER" for what this reader leaves to decodeParquet), or undefined. */
  typeOf(name: string): string | undefined {
    return this.layout.get(name)?.type;
  }

  /** Whether readInto / readTime can serve this column. */
  direct(name: string): boolean {
    return this.layout.get(name)?.values !== undefined;
  }

  /**
   * The BIGINT time column as Float64Array epoch ms, into `target` from `pos` when given. The raw
   * 64-bit words are read into the result's own bytes and converted where they lie (each value
   * is read before it is overwritten): a scratch column of its own was 8 MB more memory to fault in
   * for 1M rows.
   */
  readTime(target?: Float64Array, pos = 0): Float64Array {
    const at = this.layout.get("time")?.values;
    if (at === undefined) throw new Error(`time is not directly readable in ${this.path}`);
    const n = this.length;
    const time = target ?? new Float64Array(n);
    const offset = time.byteOffset + pos * 8;
    this.pread(new Uint8Array(time.buffer, offset, n * 8), at, n * 8);
    const words = new Int32Array(time.buffer, offset, n * 2);
    for (let i = 0; i < n; i++) time[pos + i] = words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0);
    return time;
  }

  /** Copies rows [lo, hi) of a DOUBLE or INTEGER column into target from index pos. */
  readInto(name: string, target: Float64Array | Int32Array, pos: number, lo: number, hi: number): void {
    const at = this.layout.get(name)?.values;
    if (at === undefined) throw new Error(`column ${name} is not directly readable in ${this.path}`);
    const width = target.BYTES_PER_ELEMENT;
    const bytes = new Uint8Array(target.buffer, target.byteOffset + pos * width, (hi - lo) * width);
    this.pread(bytes, at + lo * width, bytes.length);
  }

  /** The whole file through decodeParquet (NULLs, strings, TINYINT). */
  decode(names?: readonly string[]): ParquetData | undefined {
    const size = fstatSync(this.fd).size;
    const buffer = Buffer.allocUnsafeSlow(size);
    this.pread(buffer, 0, size);
    return decodeParquet(new Uint8Array(buffer.buffer, 0, size), names);
  }

  close(): void {
    closeSync(this.fd);
  }

  private pread(target: Uint8Array, position: number, length: number): void {
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, target, done, length - done, position + done);
      if (n === 0) throw new Error(`unexpected end of ${this.path}`);
      done += n;
    }
  }
}
