import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { DataError } from "../errors.ts";

/** One regular file of an archive, whole. */
export interface TarEntry {
  readonly name: string;
  readonly buf: Buffer;
}

/**
 * The `.csv` files of a tar (or tar.gz) archive, in archive order, streamed: nothing is extracted
 * to disk and at most `maxQueued` entries wait for the consumer. Hidden files and other entries are
 * passed over. A damaged archive is an error naming the file, thrown after the entries before the
 * damage. Stopping early (break) stops the reading.
 */
export async function* tarEntries(file: string, { maxQueued = 64 } = {}): AsyncGenerator<TarEntry> {
  const queue: TarEntry[] = [];
  let finished = false;
  let failure: Error | undefined;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const wake = () => {
    wakeConsumer?.();
    wakeConsumer = undefined;
  };
  const fail = (e: unknown) => {
    failure ??=
      e instanceof DataError
        ? e
        : new DataError(`not a readable tar archive: ${(e as Error).message}`, { file });
    wake();
  };

  const split = new TarSplitter((name, buf) => {
    const base = path.posix.basename(name);
    if (!base.toLowerCase().endsWith(".csv") || base.startsWith(".")) return;
    queue.push({ name, buf });
    wake();
  });

  const stream = openArchive(file);
  const pump = (async () => {
    for await (const chunk of stream) {
      if (stopped) break;
      split.write(chunk as Buffer);
      wake();
      while (queue.length > maxQueued && !stopped) await new Promise<void>((r) => (wakeProducer = r));
    }
    if (!stopped) split.end();
    finished = true;
    wake();
  })().catch(fail);

  try {
    for (;;) {
      const item = queue.shift();
      if (item) {
        wakeProducer?.();
        wakeProducer = undefined;
        yield item;
        continue;
      }
      if (failure) throw failure;
      if (finished) break;
      await new Promise<void>((r) => (wakeConsumer = r));
    }
    await pump;
    if (failure) throw failure;
  } finally {
    stopped = true;
    wakeProducer?.();
    stream.destroy();
  }
}

const BLOCK = 512;

/**
 * Splits a tar stream into its regular files, calling onFile(name, bytes) for each in order: ustar
 * and GNU headers, pax and GNU long names, checksums checked. An entry that lies in one chunk is a
 * view of it, not a copy. (The tar package's parser did the same through a stream and an event
 * per chunk and entry: 60-140 ms of the main thread on a whole-market KRX day.)
 */
class TarSplitter {
  private readonly header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  /** the entry whose body is being read */
  private entry: { name: string; kind: "file" | "pax" | "longname" | "skip"; parts: Buffer[] } | undefined;
  private bodyLeft = 0;
  private padLeft = 0;
  private paxPath: string | undefined;
  private paxSize: number | undefined;
  private longName: string | undefined;
  private zeroBlocks = 0;
  private ended = false;

  constructor(private readonly onFile: (name: string, bytes: Buffer) => void) {}

  write(chunk: Buffer): void {
    let p = 0;
    while (p < chunk.length && !this.ended) {
      if (this.entry) {
        const n = Math.min(this.bodyLeft, chunk.length - p);
        if (this.entry.kind !== "skip") this.entry.parts.push(chunk.subarray(p, p + n));
        p += n;
        this.bodyLeft -= n;
        if (this.bodyLeft === 0) this.finish();
      } else if (this.padLeft > 0) {
        const n = Math.min(this.padLeft, chunk.length - p);
        p += n;
        this.padLeft -= n;
      } else if (this.headerFill === 0 && chunk.length - p >= BLOCK) {
        this.onHeader(chunk.subarray(p, p + BLOCK));
        p += BLOCK;
      } else {
        const n = Math.min(BLOCK - this.headerFill, chunk.length - p);
        chunk.copy(this.header, this.headerFill, p, p + n);
        this.headerFill += n;
        p += n;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.onHeader(this.header);
        }
      }
    }
  }

  /** The stream ended: an error unless it ended between entries. */
  end(): void {
    if (this.ended) return;
    if (this.entry || this.padLeft > 0 || this.headerFill > 0) throw new Error("unexpected end of archive");
  }

  private onHeader(h: Buffer): void {
    if (isZero(h)) {
      // two zero blocks end the archive; what follows (gzip's padding) is not read
      if (++this.zeroBlocks === 2) this.ended = true;
      return;
    }
    this.zeroBlocks = 0;
    const sum = octal(h, 148, 8);
    if (sum !== checksum(h)) throw new Error("invalid header checksum");
    const flag = h[156];
    let name = cString(h, 0, 100);
    if (h.toString("latin1", 257, 262) === "ustar") {
      const prefix = cString(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    const size = this.paxSize ?? headerSize(h);
    if (!(size >= 0)) throw new Error("invalid entry size");
    let kind: "file" | "pax" | "longname" | "skip";
    if (flag === 0x78 /* x */) kind = "pax";
    else if (flag === 0x4c /* L */) kind = "longname";
    else {
      // a regular file ('0', or NUL in old archives, where a trailing / marked a directory)
      const isFile = flag === 0x30 || (flag === 0 && !name.endsWith("/"));
      kind = isFile ? "file" : "skip";
      if (flag !== 0x67 /* g: global pax, applies to no one entry */) {
        name = this.paxPath ?? this.longName ?? name;
        this.paxPath = undefined;
        this.paxSize = undefined;
        this.longName = undefined;
      }
    }
    this.entry = { name, kind, parts: [] };
    this.bodyLeft = size;
    this.padLeft = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size === 0) this.finish();
  }

  private finish(): void {
    const e = this.entry as NonNullable<TarSplitter["entry"]>;
    this.entry = undefined;
    if (e.kind === "skip") return;
    const bytes = e.parts.length === 1 ? e.parts[0] : Buffer.concat(e.parts);
    if (e.kind === "file") this.onFile(e.name, bytes);
    else if (e.kind === "longname") this.longName = cString(bytes, 0, bytes.length);
    else {
      // pax records: "<length> <key>=<value>\n"
      let p = 0;
      while (p < bytes.length) {
        const space = bytes.indexOf(0x20, p);
        const length = Number.parseInt(bytes.toString("latin1", p, space), 10);
        if (space < 0 || !(length > 0)) throw new Error("invalid pax header");
        const record = bytes.toString("utf8", space + 1, p + length - 1);
        const eq = record.indexOf("=");
        const key = record.slice(0, eq);
        if (key === "path") this.paxPath = record.slice(eq + 1);
        else if (key === "size") this.paxSize = Number(record.slice(eq + 1));
        p += length;
      }
    }
  }
}

function isZero(h: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (h[i] !== 0) return false;
  return true;
}

/** The header's byte sum with its checksum field read as spaces. */
function checksum(h: Buffer): number {
  let sum = 8 * 0x20;
  for (let i = 0; i < 148; i++) sum += h[i];
  for (let i = 156; i < BLOCK; i++) sum += h[i];
  return sum;
}

function octal(h: Buffer, at: number, length: number): number {
  const text = h
    .toString("latin1", at, at + length)
    .replace(/[\0 ]+$/, "")
    .trim();
  return text === "" || !/^[0-7]+$/.test(text) ? Number.NaN : Number.parseInt(text, 8);
}

/** The size field: octal, or base-256 (GNU) when its first bit is set. */
function headerSize(h: Buffer): number {
  if ((h[124] & 0x80) === 0) return octal(h, 124, 12);
  let size = 0;
  for (let i = 125; i < 136; i++) size = size * 256 + h[i];
  return size;
}

function cString(b: Buffer, at: number, length: number): string {
  const nul = b.indexOf(0, at);
  return b.toString("utf8", at, nul >= 0 && nul < at + length ? nul : at + length);
}

/**
 * The archive's bytes, gunzipped by node's zlib stream when gzipped: it inflates on libuv's
 * threads while this one parses CSV (tar's own gunzip would run on this thread).
 */
function openArchive(file: string): Readable {
  const head = Buffer.alloc(2);
  const fd = openSync(file, "r");
  try {
    readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  if (head[0] !== 0x1f || head[1] !== 0x8b) return raw;
  const gunzip = createGunzip({ chunkSize: 1 << 18 });
  raw.on("error", (e) => gunzip.destroy(e));
  gunzip.on("close", () => raw.destroy());
  return raw.pipe(gunzip);
}
