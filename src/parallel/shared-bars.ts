import type { Bars } from "../engine/bars.ts";
import { toBars } from "../engine/bars.ts";

/** Bars as SharedArrayBuffers: posted to a worker, they are shared, not copied. */
export interface SharedBars {
  readonly length: number;
  readonly columns: Readonly<Record<string, SharedArrayBuffer>>;
}

/** Copies each column once into shared memory (columns already shared are reused as they are). */
export function shareBars(bars: Bars): SharedBars {
  const columns: Record<string, SharedArrayBuffer> = {};
  for (const [name, col] of Object.entries(bars.columns)) {
    if (col.buffer instanceof SharedArrayBuffer && col.byteOffset === 0 && col.length === bars.length) {
      columns[name] = col.buffer;
      continue;
    }
    const sab = new SharedArrayBuffer(col.byteLength);
    new Float64Array(sab).set(col);
    columns[name] = sab;
  }
  return { length: bars.length, columns };
}

/** Bars viewing shared columns (no copy). */
export function sharedToBars(shared: SharedBars): Bars {
  const columns: Record<string, Float64Array> = {};
  for (const [name, sab] of Object.entries(shared.columns)) columns[name] = new Float64Array(sab);
  return toBars({ length: shared.length, columns });
}

/** Numeric columns in shared memory (string columns stay behind: the engines read numbers). */
export function shareColumns(
  columns: Readonly<Record<string, ArrayLike<unknown>>>,
): Record<string, SharedArrayBuffer> {
  const out: Record<string, SharedArrayBuffer> = {};
  for (const [name, col] of Object.entries(columns)) {
    if (!ArrayBuffer.isView(col) && !(Array.isArray(col) && typeof col[0] === "number")) continue;
    const values = col as ArrayLike<number>;
    const sab = new SharedArrayBuffer(values.length * 8);
    const view = new Float64Array(sab);
    for (let r = 0; r < values.length; r++) view[r] = Number(values[r]);
    out[name] = sab;
  }
  return out;
}
