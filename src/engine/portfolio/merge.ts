/**
 * A k-way merge over per-symbol time columns, each sorted ascending: yields (symbol, row) pairs in
 * global time order without materialising rows. Ties go to the lower symbol index, so the order is
 * deterministic. A binary heap keyed by each symbol's head time: O(log k) per row.
 *
 *     const m = new TimeMerge([timesA, timesB]);
 *     while (m.next()) use(m.symbol, m.row);
 */
export class TimeMerge {
  readonly #times: readonly ArrayLike<number>[];
  readonly #heap: Int32Array;
  readonly #cursor: Int32Array;
  #size = 0;
  #started = false;
  /** symbol of the current row (-1 before the first next()) */
  symbol = -1;
  /** row of the current symbol */
  row = -1;

  constructor(times: readonly ArrayLike<number>[]) {
    this.#times = times;
    this.#heap = new Int32Array(times.length);
    this.#cursor = new Int32Array(times.length);
    for (let s = 0; s < times.length; s++) {
      const t = times[s];
      for (let k = 1; k < t.length; k++) {
        if (!(t[k] >= t[k - 1])) throw new Error(`times of symbol ${s} not sorted at row ${k}: ${t[k]}`);
      }
      if (t.length > 0) this.#heap[this.#size++] = s;
    }
    for (let k = (this.#size >> 1) - 1; k >= 0; k--) this.#down(k);
  }

  /** Moves to the next row in time order; false when every column is exhausted. */
  next(): boolean {
    if (this.#started) {
      // the previous top advances one row and sinks back into place (or leaves the heap)
      const s = this.#heap[0];
      const c = ++this.#cursor[s];
      if (c >= this.#times[s].length) {
        this.#heap[0] = this.#heap[--this.#size];
      }
      if (this.#size > 1) this.#down(0);
    }
    this.#started = true;
    if (this.#size === 0) {
      this.symbol = -1;
      this.row = -1;
      return false;
    }
    this.symbol = this.#heap[0];
    this.row = this.#cursor[this.symbol];
    return true;
  }

  #less(a: number, b: number): boolean {
    const ta = this.#times[a][this.#cursor[a]];
    const tb = this.#times[b][this.#cursor[b]];
    return ta < tb || (ta === tb && a < b);
  }

  #down(k: number): void {
    const heap = this.#heap;
    const n = this.#size;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && this.#less(heap[r], heap[l]) ? r : l;
      if (!this.#less(heap[m], heap[k])) return;
      const tmp = heap[k];
      heap[k] = heap[m];
      heap[m] = tmp;
      k = m;
    }
  }
}

/** The whole global order as an Int32Array pair (symbol, row); for inspection and tests. */
export function mergeOrder(times: readonly ArrayLike<number>[]): { symbol: Int32Array; row: Int32Array } {
  let n = 0;
  for (const t of times) n += t.length;
  const symbol = new Int32Array(n);
  const row = new Int32Array(n);
  const m = new TimeMerge(times);
  for (let k = 0; m.next(); k++) {
    symbol[k] = m.symbol;
    row[k] = m.row;
  }
  return { symbol, row };
}
