import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Frame } from "../frame.ts";
import { type PackedError, type PackedFrame, unpackError, unpackFrame } from "./frame-transfer.ts";
import { parseKrxMinuteCsv } from "./krx-minute-csv.ts";
import type { ParseBatch, ParsedBatch } from "./krx-minute-worker.ts";
import type { TarEntry } from "./tar-entries.ts";

declare const __STOM_BUNDLED__: boolean | undefined;

/** entries per message: one message costs about as much as parsing a small entry */
const BATCH_ENTRIES = 24;
/** batches a worker holds at once: one to parse, one waiting, so it never idles on a round trip */
const IN_FLIGHT = 2;
/** entries read ahead of the consumer before the archive waits (about 30 MB of a KRX day) */
const MAX_AHEAD = 1024;

/** longest stretch this thread parses without looking at its messages */
const TURN_MS = 4;

const QUEUED = 0;
const SENT = 1;
const DONE = 2;

interface Slot {
  readonly name: string;
  buf: Buffer | undefined;
  state: number;
  owner?: ParseWorker;
  frame?: Frame;
  error?: Error;
}

export interface ParallelOptions {
  readonly market?: string;
  /** worker threads to start */
  readonly workers: number;
  /**
   * whether this thread parses the entries no worker has taken: always (true), only until a worker
   * is ready ("starting": the consumer has its own work, such as writing the catalog), or never
   * while a worker is alive (false: tests make the workers parse)
   */
  readonly here?: boolean | "starting";
  /** counts entries as they are parsed, here and on workers */
  readonly stats?: { here: number; workers: number };
}

interface ParseWorker {
  readonly worker: Worker;
  ready: boolean;
  dead: boolean;
  inFlight: number;
}

/**
 * Parses a tarball's KRX CSV entries on `workers` worker threads and this one, yielding the frames
 * in archive order, so the result (and the first error) is the single-threaded one. Entries are
 * handed out in batches as they come off the archive; whenever the consumer would wait (on a worker
 * still starting, or busy with the next frame) it parses the first entry no worker has taken, so a
 * small archive never waits for a worker to start and this thread never idles while there is work.
 */
export async function* parseKrxParallel(
  archive: string,
  entries: AsyncIterable<TarEntry>,
  { market, workers, here = true, stats }: ParallelOptions,
): AsyncGenerator<Frame> {
  const slots: (Slot | undefined)[] = [];
  let head = 0;
  let nextAssign = 0;
  let finished = false;
  let failure: unknown;
  let batchId = 0;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const wake = () => {
    wakeConsumer?.();
    wakeConsumer = undefined;
  };

  const pool: ParseWorker[] = [];
  const batches = new Map<number, number[]>();

  const dispatch = () => {
    for (const w of pool) {
      while (w.ready && !w.dead && w.inFlight < IN_FLIGHT) {
        const available = slots.length - nextAssign;
        // a partial batch only at the end, or, when this thread does not parse, to a worker with
        // nothing else to do: small messages cost more than they save (a batch of one or two
        // entries per message doubled the CPU time of a parallel KRX day)
        if (available === 0) return;
        if (available < BATCH_ENTRIES && !finished && (mayParseHere() || w.inFlight > 0)) return;
        const take = Math.min(available, BATCH_ENTRIES);
        const indexes: number[] = [];
        const names: string[] = [];
        const ends: number[] = [];
        let bytes = 0;
        for (let i = nextAssign; i < nextAssign + take; i++) bytes += (slots[i] as Slot).buf?.length ?? 0;
        // one fresh buffer per batch, transferred: a Buffer may view a larger (pooled) one
        const packed = new Uint8Array(bytes);
        let pos = 0;
        for (let i = nextAssign; i < nextAssign + take; i++) {
          const s = slots[i] as Slot;
          packed.set(s.buf as Buffer, pos);
          pos += (s.buf as Buffer).length;
          s.state = SENT;
          s.owner = w;
          indexes.push(i);
          names.push(s.name);
          ends.push(pos);
        }
        nextAssign += take;
        const id = batchId++;
        batches.set(id, indexes);
        w.inFlight++;
        const batch: ParseBatch = { id, archive, market, names, ends, bytes: packed.buffer };
        w.worker.postMessage(batch, [packed.buffer]);
      }
    }
  };

  const onBatch = (w: ParseWorker, reply: ParsedBatch) => {
    w.inFlight--;
    const indexes = batches.get(reply.id) ?? [];
    batches.delete(reply.id);
    reply.results.forEach((r, k) => {
      const s = slots[indexes[k]];
      if (!s || s.state === DONE) return;
      s.state = DONE;
      s.buf = undefined;
      if (stats) stats.workers++;
      if ("frame" in r) s.frame = unpackFrame(r.frame as PackedFrame);
      else s.error = unpackError(r.error as PackedError);
    });
    dispatch();
    wake();
  };

  let closed = false;
  let starting = workers;
  // with here = false, this thread still parses once no worker is left to do it
  const mayParseHere = () =>
    here === true ||
    (here === "starting" && !pool.some((w) => w.ready && !w.dead)) ||
    (starting === 0 && pool.every((w) => w.dead));
  const started = Array.from({ length: workers }, () =>
    startWorker().then(
      (worker) => {
        starting--;
        const w: ParseWorker = { worker, ready: false, dead: false, inFlight: 0 };
        if (closed) return worker.terminate();
        worker.unref();
        worker.on("message", (m: ParsedBatch | { ready: boolean }) => {
          if ("ready" in m) {
            w.ready = true;
            dispatch();
          } else onBatch(w, m);
        });
        // a worker that dies leaves its entries to this thread: never a lost frame
        const down = () => {
          w.dead = true;
          wake();
        };
        worker.on("error", down);
        worker.on("exit", down);
        pool.push(w);
      },
      // no worker (no esbuild to compile one): this thread parses everything, as with threads = 1
      () => {
        starting--;
        wake();
      },
    ),
  );

  let stopped = false;
  const pump = (async () => {
    for await (const entry of entries) {
      if (stopped) break;
      slots.push({ name: entry.name, buf: entry.buf, state: QUEUED });
      dispatch();
      wake();
      while (slots.length - head > MAX_AHEAD && !stopped) await new Promise<void>((r) => (wakeProducer = r));
    }
  })()
    .catch((e: unknown) => {
      failure = e;
    })
    .finally(() => {
      finished = true;
      dispatch();
      wake();
    });

  const parseHere = (s: Slot) => {
    if (stats) stats.here++;
    try {
      s.frame = parseKrxMinuteCsv(s.buf as Buffer, `${archive}:${s.name}`, { market });
    } catch (e) {
      s.error = e as Error;
    }
    s.state = DONE;
    s.buf = undefined;
  };

  let lastTurn = performance.now();
  try {
    for (;;) {
      const s = slots[head];
      if (s) {
        if (s.state === SENT && s.owner?.dead) parseHere(s);
        else if (s.state !== DONE && nextAssign < slots.length && mayParseHere()) {
          // no worker has entry nextAssign: the head itself (head === nextAssign), or one further on
          // while the head's worker is still at it (parsed now, yielded in its turn)
          parseHere(slots[nextAssign++] as Slot);
          // frames reach the consumer through promise jobs only: let the event loop deliver worker
          // messages (a worker's start, its results) between entries parsed here
          if (performance.now() - lastTurn > TURN_MS) {
            await new Promise<void>((r) => setImmediate(r));
            lastTurn = performance.now();
          }
          continue;
        }
        if (s.state === DONE) {
          slots[head++] = undefined;
          wakeProducer?.();
          wakeProducer = undefined;
          if (s.error) throw s.error;
          yield s.frame as Frame;
          continue;
        }
      } else if (finished) {
        if (failure !== undefined) throw failure;
        break;
      }
      await new Promise<void>((r) => (wakeConsumer = r));
    }
    await pump;
  } finally {
    stopped = true;
    closed = true;
    wakeProducer?.();
    await Promise.all(pool.map((w) => w.worker.terminate()));
    // workers still compiling are terminated as they arrive; do not wait for them
    void Promise.allSettled(started);
  }
}

const HERE = fileURLToPath(import.meta.url);
let compiled: Promise<string> | undefined;

/**
 * A parse worker. Built (scripts/build.mjs), it is build/krx-minute-worker.js. From the sources,
 * esbuild bundles the worker's few modules into one script, once per process, in its own process
 * (~50 ms, while this thread parses): registering tsx in a worker instead costs ~200 ms of CPU,
 * about what the worker would save on a KRX day.
 */
async function startWorker(): Promise<Worker> {
  // the parent's flags (--import tsx, --cpu-prof ...) are not all valid in workers, and not needed
  const execArgv: string[] = [];
  if (typeof __STOM_BUNDLED__ !== "undefined")
    return new Worker(new URL("../../../build/krx-minute-worker.js", pathToFileURL(HERE)), { execArgv });
  compiled ??= import("esbuild").then(async (esbuild) => {
    const out = await esbuild.build({
      entryPoints: [path.join(path.dirname(HERE), "krx-minute-worker.ts")],
      bundle: true,
      write: false,
      format: "cjs",
      platform: "node",
      target: "node20",
      logLevel: "silent",
    });
    return out.outputFiles[0].text;
  });
  return new Worker(await compiled, { eval: true, execArgv });
}
