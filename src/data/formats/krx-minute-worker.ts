// Worker thread entry for parallel KRX tarball imports (./krx-minute-parallel.ts): parses batches
// of CSV entries into frames and posts each back with its columns transferred, in batch order.
import { parentPort } from "node:worker_threads";
import { type PackedError, type PackedFrame, packError, packFrame } from "./frame-transfer.ts";
import { parseKrxMinuteCsv } from "./krx-minute-csv.ts";

/** A batch of entries packed into one transferred buffer: entry i is bytes [ends[i-1], ends[i]). */
export interface ParseBatch {
  readonly id: number;
  readonly archive: string;
  readonly market?: string;
  readonly names: readonly string[];
  readonly ends: readonly number[];
  readonly bytes: ArrayBuffer;
}

export interface ParsedBatch {
  readonly id: number;
  readonly results: readonly ({ frame: PackedFrame } | { error: PackedError })[];
}

const port = parentPort;
if (!port) throw new Error("krx-minute-worker.ts must run in a worker thread");

port.on("message", (batch: ParseBatch) => {
  const transfer: ArrayBuffer[] = [];
  const results: ParsedBatch["results"][number][] = [];
  let start = 0;
  batch.names.forEach((name, i) => {
    const buf = Buffer.from(batch.bytes, start, batch.ends[i] - start);
    start = batch.ends[i];
    try {
      const { packed, transfer: t } = packFrame(
        parseKrxMinuteCsv(buf, `${batch.archive}:${name}`, { market: batch.market }),
      );
      results.push({ frame: packed });
      transfer.push(...t);
    } catch (e) {
      results.push({ error: packError(e) });
    }
  });
  const reply: ParsedBatch = { id: batch.id, results };
  port.postMessage(reply, transfer);
});
port.postMessage({ ready: true });
