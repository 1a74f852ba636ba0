import { tableFromIPC } from "apache-arrow";

/**
 * Decodes a loader's Arrow IPC bytes into series: one entry per `series` value, each holding
 * zero-copy Float64Array views of its rows (the loaders write each series as one contiguous run).
 */
export function decodeSeries(bytes) {
  const table = tableFromIPC(new Uint8Array(bytes));
  const keys = table.getChild("series");
  const names = table.schema.fields.map((f) => f.name).filter((n) => n !== "series");
  const full = Object.fromEntries(names.map((n) => [n, table.getChild(n).toArray()]));
  const out = new Map();
  let from = 0;
  const n = table.numRows;
  for (let i = 1; i <= n; i++) {
    if (i < n && keys.get(i) === keys.get(from)) continue;
    const columns = {};
    for (const name of names) columns[name] = full[name].subarray(from, i);
    out.set(keys.get(from), { id: keys.get(from), length: i - from, columns });
    from = i;
  }
  return out;
}

/** Rows [from, to) of every column, as views. */
export function sliceColumns(columns, from, to) {
  const out = {};
  for (const [k, v] of Object.entries(columns)) out[k] = v.subarray(from, to);
  return out;
}

/** First index whose time is >= t (time sorted ascending). */
export function bisectTime(time, t) {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
