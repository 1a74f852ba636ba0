import { checkPeriod, nans } from "./validate.ts";

/**
 * True range: max(high - low, |high - prevClose|, |low - prevClose|); NaN at bar 0 (no previous close),
 * as TA-Lib's TRANGE.
 */
export function trueRange(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
): Float64Array {
  checkLengths(high, low, close);
  const len = high.length;
  const out = nans(len);
  for (let i = 1; i < len; i++) {
    const pc = close[i - 1];
    const hl = high[i] - low[i];
    const hc = Math.abs(high[i] - pc);
    const lc = Math.abs(low[i] - pc);
    out[i] = hl >= hc ? Math.max(hl, lc) : Math.max(hc, lc);
  }
  return out;
}

/**
 * Average true range with Wilder's smoothing, as TA-Lib's ATR: the first value (bar n) is the mean of the
 * true ranges of bars 1..n, then atr = (atr·(n - 1) + tr) / n. A NaN propagates.
 */
export function atr(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  n = 14,
): Float64Array {
  checkPeriod(n);
  const tr = trueRange(high, low, close);
  const len = tr.length;
  const out = nans(len);
  if (n >= len) return out;
  let a = 0;
  for (let i = 1; i <= n; i++) a += tr[i];
  a /= n;
  out[n] = a;
  for (let i = n + 1; i < len; i++) {
    a = (a * (n - 1) + tr[i]) / n;
    out[i] = a;
  }
  return out;
}

export function checkLengths(...columns: ArrayLike<number>[]): void {
  for (const c of columns) {
    if (c.length !== columns[0].length)
      throw new Error(`invalid length: ${c.length} (expected ${columns[0].length})`);
  }
}
