import { statSync } from "node:fs";
import os from "node:os";
import type { Frame } from "../frame.ts";
import type { Format, ReadOptions } from "./format.ts";
import { parseKrxMinuteCsv } from "./krx-minute-csv.ts";
import { parseKrxParallel } from "./krx-minute-parallel.ts";
import { tarEntries } from "./tar-entries.ts";

/**
 * Archives at least this large parse on worker threads by default. A worker starts in ~30 ms built
 * (~100 ms from the sources, bundled by esbuild) while this thread parses, so a small archive loses
 * little either way; the KRX day is 4.4 MiB.
 */
export const PARALLEL_MIN_BYTES = 1 << 20;

/**
 * At most this many threads by default: the main thread writes the catalog, and beyond a few
 * parsers it is the bottleneck (the KRX day parses in about the time its 2,190 files take to write).
 */
const MAX_DEFAULT_THREADS = 4;

/**
 * A tar (or tar.gz) of Creon 1-minute CSVs, one per symbol, read as a stream: nothing is
 * extracted to disk and at most a few dozen entries are held in memory. One Frame per CSV
 * entry, in archive order; each entry's errors name "archive:entry". options.symbol is
 * ignored (every entry has its own symbol column). Large archives parse on worker threads
 * (options.threads), with the same frames in the same order.
 */
export const krxMinuteTarball: Format = {
  name: "krx-minute-tarball",
  description: "tar(.gz) of KRX 1-minute CSVs (Creon/CYBOS), one per symbol, streamed without extraction",
  sniff(_file: string, head: Buffer): boolean {
    const isTar = head.length > 262 && head.toString("latin1", 257, 262) === "ustar";
    return isTar && head.includes("date,datetime,open,high,low,close,volume,symbol");
  },
  read: (file, options = {}) => readTarball(file, options),
};

/**
 * Threads that parse: options.threads, else one for a small archive and, for a large one, the idle
 * cores but one (cores minus the 1-minute load average, rounded, minus one; at most 4, at least 1).
 * The core left over is the catalog's: its main thread encodes while its file writer thread creates
 * the files (./catalog/file-writer.ts) and zlib inflates. A worker on a core that other processes
 * keep busy only takes time from those: on 2 cores at load 9 the KRX day took 0.8x as long with one
 * thread as with two, and on 2 idle cores two threads were 0.90x as fast as one.
 */
export function parseThreads(
  file: string,
  threads?: number,
  { cores = os.availableParallelism(), load = os.loadavg()[0] } = {},
): number {
  if (threads !== undefined) {
    if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`invalid threads: ${threads}`);
    return threads;
  }
  if (statSync(file).size < PARALLEL_MIN_BYTES) return 1;
  return Math.max(1, Math.min(cores, MAX_DEFAULT_THREADS, Math.round(cores - load) - 1));
}

async function* readTarball(file: string, { market, onRows, threads }: ReadOptions): AsyncGenerator<Frame> {
  const n = parseThreads(file, threads);
  // this thread parses too: n threads are n - 1 workers
  const frames =
    n > 1
      ? parseKrxParallel(file, tarEntries(file, { maxQueued: 256 }), {
          market,
          workers: n - 1,
          here: "starting",
        })
      : parseHere(file, market);
  let rows = 0;
  for await (const frame of frames) {
    rows += frame.length;
    onRows?.(rows);
    yield frame;
  }
}

async function* parseHere(file: string, market: string | undefined): AsyncGenerator<Frame> {
  for await (const { name, buf } of tarEntries(file))
    yield parseKrxMinuteCsv(buf, `${file}:${name}`, { market });
}
