import { writeFile } from "node:fs";
import { Worker } from "node:worker_threads";

/**
 * Files a writer writes on the thread pool before it starts its thread: a thread takes ~50 ms to
 * start, longer than a write of a few files takes, so small writes never wait for one.
 */
const START_AFTER = 8;
/** files per message to the writer: one message costs about as much as writing a small file */
const BATCH_FILES = 16;
/** bytes per batch buffer before it is sent whatever its file count */
const BATCH_BYTES = 1 << 20;

/**
 * The writer thread, plain JavaScript so that it starts without a compile step (sources and build
 * alike): each message is a batch of files packed into one transferred buffer, written in order
 * with synchronous calls; the reply names the batch and the first failure, if any.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { closeSync, openSync, writeSync } = require("node:fs");
parentPort.postMessage({ ready: true });
parentPort.on("message", ({ id, paths, ends, bytes }) => {
  const all = new Uint8Array(bytes);
  let start = 0;
  for (let i = 0; i < paths.length; i++) {
    try {
      const fd = openSync(paths[i], "w");
      try {
        let at = start;
        while (at < ends[i]) at += writeSync(fd, all, at, ends[i] - at);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      parentPort.postMessage({ id, failed: i, message: e.message, code: e.code, bytes }, [bytes]);
      return;
    }
    start = ends[i];
  }
  // the buffer goes back to be filled again: its pages are already mapped
  parentPort.postMessage({ id, bytes }, [bytes]);
});
`;

interface Batch {
  readonly paths: string[];
  readonly ends: number[];
  readonly waiters: { resolve: () => void; reject: (e: unknown) => void }[];
  bytes: Uint8Array;
  length: number;
}

interface Reply {
  readonly ready?: boolean;
  readonly id: number;
  readonly failed?: number;
  readonly message?: string;
  readonly code?: string;
  readonly bytes?: ArrayBuffer;
}

/**
 * Writes new files on one worker thread, in batches. The main thread only copies each file's bytes
 * into a batch buffer: opening, writing and closing 2,190 files through fs/promises cost it three
 * thread-pool round trips a file (each a wake-up that could take its core), and four pool threads
 * creating files in one directory spent twice the kernel time of one thread creating them in turn.
 * Until the thread has started (and if it stops) files go to the thread pool as before. `write`
 * resolves once the file is on disk (not fsynced); `flush` sends a partial batch and must come
 * before waiting on anything written.
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
  /** batch buffers the thread has sent back */
  private readonly spare: Uint8Array[] = [];

  /** Writes `bytes` to a new file at `path`; the bytes are copied, so the caller may reuse them. */
  write(path: string, bytes: Uint8Array): Promise<void> {
    if (!this.ready) {
      if (++this.direct >= START_AFTER && !this.broken) this.start();
      // a copy (Buffer's slice would be a view)
      const copy = new Uint8Array(bytes);
      return new Promise((resolve, reject) => writeFile(path, copy, (e) => (e ? reject(e) : resolve())));
    }
    let b = this.batch;
    if (b && b.length + bytes.length > b.bytes.length) {
      this.flush();
      b = undefined;
    }
    if (!b) {
      b = {
        paths: [],
        ends: [],
        waiters: [],
        bytes: this.buffer(bytes.length),
        length: 0,
      };
      this.batch = b;
    }
    b.bytes.set(bytes, b.length);
    b.length += bytes.length;
    b.paths.push(path);
    b.ends.push(b.length);
    const done = new Promise<void>((resolve, reject) => b.waiters.push({ resolve, reject }));
    if (b.paths.length >= BATCH_FILES) this.flush();
    return done;
  }

  private buffer(atLeast: number): Uint8Array {
    const spare = this.spare.pop();
    if (spare && spare.length >= atLeast) return spare;
    // not zero-filled (every byte sent is written first), and its own ArrayBuffer, to transfer
    return Buffer.allocUnsafeSlow(Math.max(BATCH_BYTES, atLeast));
  }

  /** Sends the files not yet sent. */
  flush(): void {
    const b = this.batch;
    if (!b) return;
    this.batch = undefined;
    const worker = this.worker;
    if (!worker) {
      // the thread stopped while this batch filled
      let start = 0;
      b.paths.forEach((path, i) => {
        const bytes = b.bytes.subarray(start, b.ends[i]);
        start = b.ends[i];
        writeFile(path, bytes, (e) => (e ? b.waiters[i].reject(e) : b.waiters[i].resolve()));
      });
      return;
    }
    const id = this.nextId++;
    this.sent.set(id, b);
    // alive while it has work: an idle writer must not keep the process running
    if (this.sent.size === 1) worker.ref();
    const bytes = b.bytes.buffer as ArrayBuffer;
    worker.postMessage({ id, paths: b.paths, ends: b.ends, bytes }, [bytes]);
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
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
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
    if (reply.bytes) this.spare.push(new Uint8Array(reply.bytes));
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
