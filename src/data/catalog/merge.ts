import type { Column } from "../frame.ts";

/** Columns of one source of rows, sorted by key (time, or time then seq) without repeats. */
export interface Rows {
  readonly length: number;
  readonly columns: Readonly<Record<string, Column>>;
  /** 1 = NULL, for numeric columns */
  readonly nulls: Readonly<Record<string, Uint8Array>>;
}

/**
 * Merges sorted sources into one sorted result; on equal keys the earlier source wins (pass the
 * stored rows first, then frames in arrival order). A column a source lacks is NULL for its rows.
 * Undefined when one column has different types in different sources: the caller lets SQL decide.
 *
 * This is the whole write path for sorted input: no staging, no SQL, O(rows).
 */
export function mergeSorted(sources: readonly Rows[], bySeq: boolean): Rows | undefined {
  let acc: Rows | undefined = sources[0];
  for (let k = 1; k < sources.length && acc; k++) acc = mergeTwo(acc, sources[k], bySeq);
  return acc;
}

/** Whether rows are strictly increasing by key, the precondition of mergeSorted. */
export function isStrictlySorted(time: Float64Array, seq: Int32Array | undefined, length: number): boolean {
  for (let i = 1; i < length; i++) {
    if (time[i] > time[i - 1]) continue;
    if (time[i] < time[i - 1] || !seq || seq[i] <= seq[i - 1]) return false;
  }
  return true;
}

function mergeTwo(a: Rows, b: Rows, bySeq: boolean): Rows | undefined {
  for (const name of Object.keys(b.columns)) {
    const x = a.columns[name];
    const y = b.columns[name];
    if (x && (Array.isArray(x) ? !Array.isArray(y) : x.constructor !== y.constructor)) return undefined;
  }
  if (a.length === 0 && Object.keys(a.columns).every((n) => n in b.columns)) return b;
  if (b.length === 0 && Object.keys(b.columns).every((n) => n in a.columns)) return a;
  const ta = a.columns.time as Float64Array;
  const tb = b.columns.time as Float64Array;
  const sa = bySeq ? (a.columns.seq as Int32Array) : undefined;
  const sb = bySeq ? (b.columns.seq as Int32Array) : undefined;
  // which source (0 a, 1 b) and row each output row comes from
  const from = new Uint8Array(a.length + b.length);
  const row = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const c = ta[i] - tb[j] || (sa && sb ? sa[i] - sb[j] : 0);
    if (c <= 0) {
      row[n++] = i++;
      if (c === 0) j++; // b's twin loses
    } else {
      from[n] = 1;
      row[n++] = j++;
    }
  }
  while (i < a.length) row[n++] = i++;
  while (j < b.length) {
    from[n] = 1;
    row[n++] = j++;
  }
  const columns: Record<string, Column> = {};
  const nulls: Record<string, Uint8Array> = {};
  for (const name of new Set([...Object.keys(a.columns), ...Object.keys(b.columns)])) {
    const x = a.columns[name];
    const y = b.columns[name];
    const xn = a.nulls[name];
    const yn = b.nulls[name];
    const like = x ?? y;
    if (Array.isArray(like)) {
      const out = new Array<string>(n);
      const xs = x as string[] | undefined;
      const ys = y as string[] | undefined;
      for (let k = 0; k < n; k++) {
        const src = from[k] === 0 ? xs : ys;
        out[k] = src ? src[row[k]] : (null as unknown as string);
      }
      columns[name] = out;
      continue;
    }
    const out = new (like.constructor as Float64ArrayConstructor)(n);
    const xv = x as Float64Array | undefined;
    const yv = y as Float64Array | undefined;
    const missing = out instanceof Float64Array ? Number.NaN : 0;
    let mask: Uint8Array | undefined;
    const needMask = !xv || !yv || xn || yn;
    if (needMask) mask = new Uint8Array(n);
    let anyNull = false;
    for (let k = 0; k < n; k++) {
      const r = row[k];
      const src = from[k] === 0 ? xv : yv;
      if (!src) {
        out[k] = missing;
        (mask as Uint8Array)[k] = 1;
        anyNull = true;
        continue;
      }
      out[k] = src[r];
      const m = from[k] === 0 ? xn : yn;
      if (m?.[r]) {
        (mask as Uint8Array)[k] = 1;
        anyNull = true;
      }
    }
    columns[name] = out;
    if (mask && anyNull) nulls[name] = mask;
  }
  return { length: n, columns, nulls };
}
