// TaskResults cross Redis as V8's structured-clone bytes: NaN and Infinity in stats, Float64Array
// equity and nested objects come back exactly, which JSON would not do (NaN -> null), and the
// distributed study must equal the in-process one cell for cell.
import { deserialize, serialize } from "node:v8";
import type { TaskResult } from "../engine/optimize/runner.ts";

export function encodeResult(result: TaskResult): Buffer {
  return serialize(result);
}

/** The stored result, carrying the asking task's id (the same content may have had another id). */
export function decodeResult(bytes: Buffer, id: number): TaskResult {
  return { ...(deserialize(bytes) as TaskResult), id };
}
