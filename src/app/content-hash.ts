import { createHash, type Hash } from "node:crypto";

/**
 * sha256 of a value's content, hex: typed arrays by their bytes, arrays in order, objects by sorted
 * keys. Two machines that loaded the same series (from a file, a catalog or a synced copy) get the
 * same hash; one changed price gives another.
 *
 *     contentHash(bars.columns) // "9c1e..."
 */
export function contentHash(value: unknown): string {
  const hash = createHash("sha256");
  feed(hash, value);
  return hash.digest("hex");
}

function feed(hash: Hash, value: unknown): void {
  if (ArrayBuffer.isView(value)) {
    hash.update(`<${value.constructor.name}:${value.byteLength}>`);
    hash.update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  } else if (Array.isArray(value)) {
    hash.update(`[${value.length}:`);
    for (const item of value) feed(hash, item);
    hash.update("]");
  } else if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    hash.update(`{${keys.length}:`);
    for (const key of keys) {
      hash.update(JSON.stringify(key));
      feed(hash, (value as Record<string, unknown>)[key]);
    }
    hash.update("}");
  } else {
    // NaN and Infinity by name (JSON would make them null)
    hash.update(typeof value === "number" ? `n${value}` : `${typeof value}:${JSON.stringify(value)}`);
  }
}
