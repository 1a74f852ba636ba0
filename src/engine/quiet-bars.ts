// The signal path's quiet bars: the stretches between one action and the next, where no order
// fills, so every bar's equity is the cash plus the open trade's P/L at the close. Broker.runSignals
// hands them to the two loops here, which are nearly all of a signal run's time.
//
// They are small functions of their own, their numbers read from and written back to a
// Float64Array: inside runSignals' long body, TurboFan now and then compiled the bar loop with its
// numbers boxed, a fresh HeapNumber per bar and sum (80 MB a run on 1M bars, 5-6x slower), in one
// worker thread of two or three, depending on the type feedback it had gathered when it compiled.

/** Slots of the state the quiet loops read (the position) and carry on (the returns). */
export const QUIET = Object.freeze({
  cash: 0,
  /** lots × unit of the open trade, 0 with none */
  size: 1,
  entry: 2,
  /** the previous bar's equity */
  prev: 3,
  /** returns' shift and power sums about it (ReturnSums'), and how many were summed */
  shift: 4,
  s1: 5,
  s2: 6,
  summed: 7,
  /** the sum of the opens sumBars and markBars read, kept so that the reads are not dropped (see sumBars) */
  touched: 8,
} as const);

/** A state for sumBars and markBars. */
export const quietState = (): Float64Array => new Float64Array(9);

/**
 * Marks bars from `from` on as next() would (equity = cash + size × (close - entry)) and adds each
 * one's return on the previous bar to the shifted power sums in `k`, with ReturnSums' arithmetic.
 * Stops at the first bar with an action (marked and summed), at the first whose equity is not
 * above 0 (left to the caller: not summed), or at `to` (not marked), and returns that bar.
 *
 * It reads each bar's open too, for nothing but the cache: the fill after an action reads the next
 * bar's open, and that read, alone in a column of 8 MB, missed the caches and the TLB every time
 * (two thirds of a fill's time; 3.3 ms of a 1M-bar run with 28k trades). Read in step with the
 * closes, the opens stream in with them, and the fills cost less than half (measured).
 */
export function sumBars(
  close: Float64Array,
  open: Float64Array,
  actions: Int8Array,
  from: number,
  to: number,
  k: Float64Array,
): number {
  const cash = k[QUIET.cash];
  const size = k[QUIET.size];
  const entry = k[QUIET.entry];
  const shift = k[QUIET.shift];
  let prev = k[QUIET.prev];
  let s1 = k[QUIET.s1];
  let s2 = k[QUIET.s2];
  let summed = 0;
  let touched = 0;
  let i = from;
  for (; i < to; i++) {
    const value = cash + size * (close[i] - entry);
    if (value <= 0) break;
    const d = value / prev - 1 - shift;
    prev = value;
    s1 += d;
    s2 += d * d;
    summed++;
    touched += open[i];
    if (actions[i] !== 0) break;
  }
  k[QUIET.summed] += summed;
  k[QUIET.touched] += touched;
  k[QUIET.prev] = prev;
  k[QUIET.s1] = s1;
  k[QUIET.s2] = s2;
  return i;
}

/**
 * Marks bars from `from` on into `equity` as next() would. Stops at the first bar with an action
 * or whose equity is not above 0 (both marked), or at `to` (not marked), and returns that bar.
 */
export function markBars(
  close: Float64Array,
  open: Float64Array,
  actions: Int8Array,
  from: number,
  to: number,
  k: Float64Array,
  equity: Float64Array,
): number {
  const cash = k[QUIET.cash];
  const size = k[QUIET.size];
  const entry = k[QUIET.entry];
  // the opens read in step, as sumBars does: the fill after the action reads one
  let touched = 0;
  let i = from;
  for (; i < to; i++) {
    const value = cash + size * (close[i] - entry);
    equity[i] = value;
    touched += open[i];
    if (value <= 0 || actions[i] !== 0) break;
  }
  k[QUIET.touched] += touched;
  return i;
}
