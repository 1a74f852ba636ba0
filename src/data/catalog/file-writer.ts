import { writeFile } from "node:fs";
import { Worker } from "node:worker_threads";

/**
 * Files a writer writes on the thread pool before it starts its thread: a thread takes ~50 ms to
 * start, longer than a write of a few files takes, so small writes never wait for one.
 */
const START_AFTER = 8;
/** files per message to the writer: one message costs about as much as writing a small file */
const BATCH_FILES = 16;
/**
 * Bytes of the buffer shared with the writer thread, which files are copied into and written from:
 * no buffer is allocated or transferred per batch. (Transferred batch buffers came back as new
 * external memory each time, and the garbage collector ran twice as long.) A file larger than a
 * quarter of it, or one that finds no room, travels in a buffer of its own.
 */
const RING_BYTES = 8 << 20;

/**
 * The writer thread, plain JavaScript so that it starts without a compile step (sources and build
 * alike): each message is a batch of files, [starts[i], ends[i]) of the shared buffer or of the
 * batch's own transferred one, written in order with synchronous calls; the reply names the batch
 * and the first failure, if any.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { closeSync, openSync, writeSync } = require("node:fs");
const ring = new Uint8Array(workerData.ring);
parentPort.postMessage({ ready: true });
parentPort.on("message", ({ id, paths, starts, ends, bytes }) => {
  const all = bytes ? new Uint8Array(bytes) : ring;
  for (let i = 0; i < paths.length; i++) {
    try {
      const fd = openSync(paths[i], "w");
      try {
        let at = starts[i];
        while (at < ends[i]) at += writeSync(fd, all, at, ends[i] - at);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      parentPort.postMessage({ id, failed: i, message: e.message, code: e.code });
      return;
    }
  }
  parentPort.postMessage({ id });
});
`;

interface Batch {
  readonly paths: string[];
  readonly starts: number[];
  readonly ends: number[];
  readonly waiters: { resolve: () => void; reject: (e: unknown) => void }[];
  /** a buffer of its own (one file that did not go into the shared one) */
  readonly own?: Uint8Array;
}

interface Reply {
  readonly ready?: boolean;
  readonly id: number;
  readonly failed?: number;
  readonly message?: string;
  readonly code?: string;
}

/**
 * Writes new files on one worker thread, in batches. The main thread only copies each file's bytes
 * into a buffer shared with that thread: opening, writing and closing 2,190 files through
 * fs/promises cost it three thread-pool round trips a file (each a wake-up that could take its
 * core), and four pool threads creating files in one directory spent twice the kernel time of one
 * thread creating them in turn. Until the thread has started (and if it stops) files go to the
 * thread pool as before. `write` resolves once the file is on disk (not fsynced); `flush` sends a
 * partial batch and must come before waiting on anything written.
 */
export class FileWriter {
  private worker: Worker | undefined;
  private ready = false;
  /** the thread stopped unasked: files go to the thread pool from then on */
  private broken = false;
  private direct = 0;
  private batch: Batch | undefined;
  private readonly sent = new Map<number, Batch>();
  private nextId = 0;
  private readonly ring = new Uint8Array(new SharedArrayBuffer(RING_BYTES));
  /** [start, end) of each file in the shared buffer not yet written, oldest first */
  private readonly used: { start: number; end: number }[] = [];

  /** Writes `bytes` to a new file at `path`; the bytes are copied, so the caller may reuse them. */
  write(path: string, bytes: Uint8Array): Promise<void> {
    if (!this.ready) {
      if (++this.direct >= START_AFTER && !this.broken) this.start();
      // a copy (Buffer's slice would be a view)
      const copy = new Uint8Array(bytes);
      return new Promise((resolve, reject) => writeFile(path, copy, (e) => (e ? reject(e) : resolve())));
    }
    const at = this.room(bytes.length);
    if (at < 0) {
      this.flush();
      const own = new Uint8Array(bytes);
      const b: Batch = { paths: [path], starts: [0], ends: [own.length], waiters: [], own };
      const done = new Promise<void>((resolve, reject) => b.waiters.push({ resolve, reject }));
      this.batch = b;
      this.flush();
      return done;
    }
    this.ring.set(bytes, at);
    this.used.push({ start: at, end: at + bytes.length });
    if (!this.batch) this.batch = { paths: [], starts: [], ends: [], waiters: [] };
    const b = this.batch;
    b.paths.push(path);
    b.starts.push(at);
    b.ends.push(at + bytes.length);
    const done = new Promise<void>((resolve, reject) => b.waiters.push({ resolve, reject }));
    if (b.paths.length >= BATCH_FILES) this.flush();
    return done;
  }

  /** Where n bytes fit in the shared buffer after the files still in it, or -1. */
  private room(n: number): number {
    if (n > RING_BYTES / 4) return -1;
    const used = this.used;
    if (used.length === 0) return 0;
    const tail = used[0].start;
    const head = used[used.length - 1].end;
    if (used[used.length - 1].start >= tail) {
      // in use: [tail, head); free: [head, end) and [0, tail)
      if (head + n <= RING_BYTES) return head;
      return n <= tail ? 0 : -1;
    }
    // wrapped: in use [tail, end) and [0, head); free: [head, tail)
    return head + n <= tail ? head : -1;
  }

  /** Sends the files not yet sent. */
  flush(): void {
    const b = this.batch;
    if (!b) return;
    this.batch = undefined;
    const worker = this.worker;
    if (!worker) {
      // the thread stopped while this batch filled: copies out of the shared buffer to the pool
      const all = b.own ?? this.ring;
      b.paths.forEach((path, i) => {
        const bytes = all.slice(b.starts[i], b.ends[i]);
        writeFile(path, bytes, (e) => (e ? b.waiters[i].reject(e) : b.waiters[i].resolve()));
      });
      if (!b.own) this.used.splice(0, b.paths.length);
      return;
    }
    const id = this.nextId++;
    this.sent.set(id, b);
    // alive while it has work: an idle writer must not keep the process running
    if (this.sent.size === 1) worker.ref();
    const bytes = b.own?.buffer as ArrayBuffer | undefined;
    worker.postMessage({ id, paths: b.paths, starts: b.starts, ends: b.ends, bytes }, bytes ? [bytes] : []);
  }

  /** Stops the thread; files not yet written fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = false;
    if (worker) await worker.terminate();
  }

  private start(): void {
    if (this.worker) return;
    // the parent's flags (--import tsx, --cpu-prof ...) are not all valid in workers, and not needed
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { ring: this.ring.buffer },
    });
    worker.unref();
    worker.on("message", (reply: Reply) => {
      if (reply.ready) this.ready = this.worker === worker;
      else this.settle(reply);
    });
    const down = (error: unknown) => {
      if (this.worker === worker) {
        this.worker = undefined;
        this.ready = false;
        this.broken = true;
      }
      for (const id of [...this.sent.keys()]) this.settle({ id, failed: 0, message: String(error) }, error);
    };
    worker.on("error", down);
    worker.on("exit", (code) => down(new Error(`file writer stopped (exit code ${code})`)));
    this.worker = worker;
  }

  private settle(reply: Reply, cause?: unknown): void {
    const b = this.sent.get(reply.id);
    if (!b) return;
    this.sent.delete(reply.id);
    if (this.sent.size === 0) this.worker?.unref();
    // one thread writes the batches in the order sent: this one's files are the oldest in use
    if (!b.own) this.used.splice(0, b.paths.length);
    const failed = reply.failed;
    if (failed === undefined) {
      for (const w of b.waiters) w.resolve();
      return;
    }
    // as node's own fs error: the message names the call (and, for open, the path)
    const error =
      cause ?? Object.assign(new Error(reply.message), { code: reply.code, path: b.paths[failed] });
    // the files before the failure are on disk; the rest were not written
    b.waiters.forEach((w, i) => {
      if (i < failed) w.resolve();
      else w.reject(error);
    });
  }
}
