/**
 * Columns whose contents nobody reads any more, kept to be written again: on this machine most of
 * a fresh 1M-bar column's cost is faulting in its 8 MB (an SMA: ~30 of ~37 ms), so an
 * optimization that recomputes an indicator into a column it freed pays ~7 ms, not ~37. An
 * indicator memo fills it with the results it drops (optimize/memo.ts); nans() and a search's run
 * buffers take from it.
 */
export class FreeColumns {
  readonly #free: Float64Array[] = [];

  /** `max`: columns kept at most (the others are left to the garbage collector) */
  constructor(readonly max = 8) {}

  /** A freed column of `length` values (in shared memory when `shared`), or undefined. */
  take(length: number, shared: boolean): Float64Array | undefined {
    for (let k = this.#free.length - 1; k >= 0; k--) {
      const c = this.#free[k];
      if (c.length === length && inShared(c) === shared) {
        this.#free.splice(k, 1);
        return c;
      }
    }
    return undefined;
  }

  /**
   * Keeps `column` for a later take(); only a column that is its whole buffer (a view of part of
   * one may not own the rest).
   */
  give(column: Float64Array): void {
    if (column.byteOffset !== 0 || column.byteLength !== column.buffer.byteLength) return;
    if (this.#free.length >= this.max) this.#free.shift();
    this.#free.push(column);
  }

  get length(): number {
    return this.#free.length;
  }

  clear(): void {
    this.#free.length = 0;
  }
}

/** In a SharedArrayBuffer (a page that is not cross-origin isolated has no such constructor). */
const inShared = (c: Float64Array): boolean =>
  typeof SharedArrayBuffer !== "undefined" && c.buffer instanceof SharedArrayBuffer;
