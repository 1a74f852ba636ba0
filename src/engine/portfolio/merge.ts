/** Above this many elements a shift goes through copyWithin; below, a loop is cheaper than the call. */
const COPY_AT = 32;
/** Free slots past the heads: appending compacts to the front once per this many rows, not once per k. */
const SLACK = 1024;

/**
 * A k-way merge over per-symbol time columns, each sorted ascending: yields (symbol, row) pairs in
 * global time order without materialising rows, in chunks. Ties go to the lower symbol index, so the
 * order is deterministic; a column that goes back in time throws.
 *
 * The symbols' head times are kept sorted in an array, not a heap: after a symbol's row is taken its
 * next time is usually the latest of all heads (clocks of one or more snapshots a second interleave
 * round robin), so it is appended after one comparison; otherwise a binary search places it and the
 * shorter side shifts by one. A heap pays ~2 log k comparisons for every row instead. The price is a
 * shift of up to k/2 heads (a memmove) when one dense clock runs among many sparse ones: fine for the
 * few thousand symbols of a market, not for a million.
 *
 *     const m = new TimeMerge([timesA, timesB]);
 *     for (let n; (n = m.take(symbols, rows)) > 0; ) for (let j = 0; j < n; j++) use(symbols[j], rows[j]);
 */
export class TimeMerge {
  readonly #times: readonly ArrayLike<number>[];
  readonly #cursor: Int32Array;
  // the heads in [lo, hi), sorted by (time, symbol); room on both sides so a shift never reallocates
  readonly #sym: Int32Array;
  readonly #key: Float64Array;
  #lo = 0;
  #hi = 0;

  constructor(times: readonly ArrayLike<number>[]) {
    const k = times.length;
    this.#times = times;
    this.#cursor = new Int32Array(k);
    this.#sym = new Int32Array(2 * k + SLACK);
    this.#key = new Float64Array(2 * k + SLACK);
    const live: number[] = [];
    for (let s = 0; s < k; s++) if (times[s].length > 0) live.push(s);
    live.sort((a, b) => {
      const ta = times[a][0];
      const tb = times[b][0];
      return ta < tb ? -1 : ta > tb ? 1 : a - b;
    });
    for (const s of live) {
      this.#sym[this.#hi] = s;
      this.#key[this.#hi++] = times[s][0];
    }
  }

  /** Fills `symbol` and `row` with the next rows in time order; returns how many (0 when done). */
  take(symbol: Int32Array, row: Int32Array): number {
    const times = this.#times;
    const cursor = this.#cursor;
    const sym = this.#sym;
    const key = this.#key;
    const cap = sym.length;
    const max = Math.min(symbol.length, row.length);
    let lo = this.#lo;
    let hi = this.#hi;
    // the latest head, kept in locals: the common case compares against it and replaces it
    let lastKey = hi > lo ? key[hi - 1] : Number.NaN;
    let lastSym = hi > lo ? sym[hi - 1] : -1;
    let n = 0;
    while (n < max && lo < hi) {
      const s = sym[lo];
      lo++;
      const c = cursor[s];
      symbol[n] = s;
      row[n] = c;
      n++;
      const t = times[s];
      const c1 = c + 1;
      cursor[s] = c1;
      if (c1 >= t.length) continue;
      const tn = t[c1];
      // after the latest head means after this symbol's previous time too (it was a head; when it
      // was the only one, the latest is its own): the sortedness check is needed only off this path,
      // and a NaN always leaves it
      if (lo === hi ? tn >= lastKey : tn > lastKey || (tn === lastKey && s > lastSym)) {
        // the common case: the latest head; append (compacting to the front when the end is reached)
        if (hi === cap) {
          shift(sym, key, lo, hi, -lo);
          hi -= lo;
          lo = 0;
        }
        sym[hi] = s;
        key[hi] = tn;
        hi++;
        lastKey = tn;
        lastSym = s;
        continue;
      }
      const prev = key[lo - 1];
      if (!(tn >= prev)) throw new Error(`times of symbol ${s} not sorted at row ${c1}: ${tn}`);
      // first position p in [lo, hi - 1] whose head sorts after (tn, s)
      let a = lo;
      let b = hi - 1;
      while (a < b) {
        const m = (a + b) >> 1;
        if (key[m] > tn || (key[m] === tn && sym[m] > s)) b = m;
        else a = m + 1;
      }
      if (a - lo <= hi - a) {
        // shift [lo, a) down into the slot the taken head left (lo >= 1 here)
        shift(sym, key, lo, a, -1);
        lo--;
        sym[a - 1] = s;
        key[a - 1] = tn;
      } else {
        if (hi === cap) {
          shift(sym, key, lo, hi, -lo);
          a -= lo;
          hi -= lo;
          lo = 0;
        }
        shift(sym, key, a, hi, 1);
        hi++;
        sym[a] = s;
        key[a] = tn;
      }
    }
    this.#lo = lo;
    this.#hi = hi;
    return n;
  }
}

/** Moves elements [from, to) of both arrays by `by` (up by 1, or down by any amount). */
function shift(sym: Int32Array, key: Float64Array, from: number, to: number, by: number): void {
  if (to - from > COPY_AT) {
    sym.copyWithin(from + by, from, to);
    key.copyWithin(from + by, from, to);
  } else if (by < 0) {
    for (let j = from; j < to; j++) {
      sym[j + by] = sym[j];
      key[j + by] = key[j];
    }
  } else {
    for (let j = to - 1; j >= from; j--) {
      sym[j + 1] = sym[j];
      key[j + 1] = key[j];
    }
  }
}

/** The whole global order as an Int32Array pair (symbol, row): replays and tests. */
export function mergeOrder(times: readonly ArrayLike<number>[]): { symbol: Int32Array; row: Int32Array } {
  let n = 0;
  for (const t of times) n += t.length;
  const symbol = new Int32Array(n);
  const row = new Int32Array(n);
  new TimeMerge(times).take(symbol, row);
  return { symbol, row };
}
