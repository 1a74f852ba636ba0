/**
 * Bars are the engine's view of market data: equal-length Float64Array columns, `time` in UTC
 * epoch milliseconds (bar start). Any object with `length` and `columns` holding at least
 * time/open/high/low/close fits, so the data layer's Frame is accepted without importing it.
 */
export interface Bars {
  readonly length: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** every numeric column by name, OHLCV included */
  readonly columns: Readonly<Record<string, Float64Array>>;
}

/** The structural shape of a data-layer Frame (kind "bars"); only what the engine reads. */
export interface FrameLike {
  readonly length?: number;
  readonly columns: Readonly<Record<string, ArrayLike<unknown>>>;
}

const REQUIRED = ["time", "open", "high", "low", "close"] as const;

// Bars this module built and checked: passing them again (every backtest of an optimization does)
// skips the O(n) NaN scan. Bars are immutable by contract, their columns included.
const checked = new WeakSet<object>();

/** Normalizes a Frame, a Bars or a plain `{columns}` object into Bars, checking lengths and NaNs. */
export function toBars(input: FrameLike | Bars): Bars {
  if (checked.has(input)) return input as Bars;
  const src = input.columns;
  for (const name of REQUIRED) {
    if (!(name in src)) throw new Error(`missing column: ${name}`);
  }
  const length = input.length ?? src.time.length;
  const columns: Record<string, Float64Array> = {};
  for (const [name, col] of Object.entries(src)) {
    if (col.length !== length) throw new Error(`column ${name} has ${col.length} rows, expected ${length}`);
    if (col instanceof Float64Array) columns[name] = col;
    else if (ArrayBuffer.isView(col)) {
      // set() converts in a builtin (Float64Array.from walks an iterator); shared input stays shared
      const out =
        typeof SharedArrayBuffer !== "undefined" && col.buffer instanceof SharedArrayBuffer
          ? new Float64Array(new SharedArrayBuffer(8 * length))
          : new Float64Array(length);
      out.set(col as unknown as ArrayLike<number>);
      columns[name] = out;
    } else if (Array.isArray(col) && (col.length === 0 || typeof col[0] === "number"))
      columns[name] = Float64Array.from(col as number[]);
    // string columns (ids, names) are not usable by strategies; skip them
  }
  if (length === 0) throw new Error("bars are empty");
  for (const name of ["open", "high", "low", "close"]) {
    const col = columns[name];
    // includes() is a builtin scan (SameValueZero finds NaN): a JS loop here runs once per load,
    // mostly before the JIT compiles it (40 ms for 1M bars against ~4)
    if (col.includes(Number.NaN))
      throw new Error(`column ${name} has NaN at row ${col.findIndex(Number.isNaN)}`);
  }
  columns.volume ??= new Float64Array(length).fill(Number.NaN);
  const bars: Bars = Object.freeze({
    length,
    time: columns.time,
    open: columns.open,
    high: columns.high,
    low: columns.low,
    close: columns.close,
    volume: columns.volume,
    columns: Object.freeze(columns),
  });
  checked.add(bars);
  return bars;
}

/** The first `n` bars as zero-copy views (used by the look-ahead check). */
export function sliceBars(bars: Bars, n: number): Bars {
  const columns: Record<string, Float64Array> = {};
  for (const [name, col] of Object.entries(bars.columns)) columns[name] = col.subarray(0, n);
  return toBars({ length: n, columns });
}
