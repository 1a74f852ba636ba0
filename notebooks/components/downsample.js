/**
 * OHLCV buckets: at most `buckets` bars, each merging a run of consecutive bars (first open, max
 * high, min low, last close, summed volume), so a chart of 1M bars draws a few hundred marks.
 */
export function bucketOhlc({ time, open, high, low, close, volume }, { buckets = 400 } = {}) {
  const n = time.length;
  const size = Math.max(1, Math.ceil(n / buckets));
  const m = Math.ceil(n / size);
  const out = {
    time: new Float64Array(m),
    end: new Float64Array(m),
    open: new Float64Array(m),
    high: new Float64Array(m),
    low: new Float64Array(m),
    close: new Float64Array(m),
    volume: new Float64Array(m),
  };
  for (let b = 0; b < m; b++) {
    const from = b * size;
    const to = Math.min(n, from + size);
    let hi = -Infinity;
    let lo = Infinity;
    let v = 0;
    for (let i = from; i < to; i++) {
      if (high[i] > hi) hi = high[i];
      if (low[i] < lo) lo = low[i];
      if (volume && !Number.isNaN(volume[i])) v += volume[i];
    }
    out.time[b] = time[from];
    out.end[b] = to < n ? time[to] : time[to - 1] + (time[to - 1] - time[Math.max(0, to - 2)] || 1);
    out.open[b] = open[from];
    out.close[b] = close[to - 1];
    out.high[b] = hi;
    out.low[b] = lo;
    out.volume[b] = v;
  }
  return out;
}

/**
 * Indices of a line's min and max in each of `buckets` runs (plus the last point): the drawn
 * line keeps every peak and trough of the full series.
 */
export function minMaxIndex(values, { buckets = 800 } = {}) {
  const n = values.length;
  if (n <= buckets * 2) return Uint32Array.from({ length: n }, (_, i) => i);
  const size = Math.ceil(n / buckets);
  const out = [];
  for (let from = 0; from < n; from += size) {
    const to = Math.min(n, from + size);
    let lo = from;
    let hi = from;
    for (let i = from + 1; i < to; i++) {
      if (values[i] < values[lo]) lo = i;
      if (values[i] > values[hi]) hi = i;
    }
    if (lo < hi) out.push(lo, hi);
    else if (hi < lo) out.push(hi, lo);
    else out.push(lo);
  }
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return Uint32Array.from(out);
}
