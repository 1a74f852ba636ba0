import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
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

  const parser = new Parser({
    strict: true,
    onReadEntry(entry: ReadEntry) {
      const base = path.posix.basename(entry.path);
      if (entry.type !== "File" || !base.toLowerCase().endsWith(".csv") || base.startsWith(".")) {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on("data", (chunk: Buffer) => chunks.push(chunk));
      entry.on("end", () => {
        queue.push({ name: entry.path, buf: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) });
        wake();
      });
    },
  });
  parser.on("error", fail);
  parser.on("end", () => {
    finished = true;
    wake();
  });

  const stream = openArchive(file);
  const pump = (async () => {
    for await (const chunk of stream) {
      if (stopped) break;
      parser.write(chunk as Buffer);
      while (queue.length > maxQueued && !stopped) await new Promise<void>((r) => (wakeProducer = r));
    }
    if (!stopped) parser.end();
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
