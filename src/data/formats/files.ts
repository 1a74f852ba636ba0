import { open, readFile } from "node:fs/promises";
import path from "node:path";
import { createGunzip, gunzipSync } from "node:zlib";
import { DataError } from "../errors.ts";
import type { Column } from "../frame.ts";

export const HEAD_BYTES = 64 * 1024;

export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** The whole file, gunzipped when it is gzip (by magic bytes, whatever its name). */
export async function readAll(file: string): Promise<Buffer> {
  const buf = await readFile(file);
  if (!isGzip(buf)) return buf;
  try {
    return gunzipSync(buf);
  } catch (e) {
    throw new DataError(`not valid gzip: ${(e as Error).message}`, { file });
  }
}

/** The first 64 KiB of a file, decompressed for gzip files (as much as the first bytes give). */
export async function readHead(file: string, bytes = HEAD_BYTES): Promise<Buffer> {
  const handle = await open(file, "r");
  let raw: Buffer;
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    raw = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (!isGzip(raw)) return raw;
  return await gunzipPrefix(raw, bytes);
}

/** Decompresses what a truncated gzip prefix yields, up to `limit` bytes. */
function gunzipPrefix(raw: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    let size = 0;
    const z = createGunzip();
    const done = () => resolve(Buffer.concat(out).subarray(0, limit));
    z.on("data", (chunk: Buffer) => {
      out.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        z.removeAllListeners("data");
        z.destroy();
        done();
      }
    });
    // a truncated stream ends with "unexpected end of file": keep what was decoded
    z.on("error", done);
    z.on("end", done);
    z.end(raw);
  });
}

/** File name without directories and without its extensions (.csv, .json, .json.gz). */
export function stem(file: string): string {
  return path.basename(file).replace(/(\.(csv|json|txt|tsv|gz|zip|tar|tgz))+$/i, "");
}

/**
 * A typed column cut to its filled length. Capacities come from line counts, so the spare is
 * a header or blank lines and a view is kept; a column less than half full is copied.
 */
export function trimTo<T extends Float64Array | Int32Array | Int8Array>(column: T, length: number): T {
  if (length === column.length) return column;
  return (length * 2 < column.length ? column.slice(0, length) : column.subarray(0, length)) as T;
}

/** Reverses every column in place: for sources written newest first. */
export function reverseColumns(
  columns: Record<string, Column>,
  line: Int32Array,
  symbolCode?: Int32Array,
): void {
  for (const c of Object.values(columns)) c.reverse();
  line.reverse();
  symbolCode?.reverse();
}

/** True when times run newest first (first row later than last). */
export function newestFirst(time: Float64Array): boolean {
  return time.length > 1 && time[0] > time[time.length - 1];
}
