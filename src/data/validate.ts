import { isMonthly, timeframeMs } from "../engine/timeframe.ts";
import { attachSource, type Source, sourceOf } from "./formats/source.ts";
import { monthIndex } from "./formats/time.ts";
import { type Column, type Frame, makeFrame } from "./frame.ts";

export type IssueKind = "mixed-symbols" | "unsorted" | "duplicates" | "gaps";

/** A finding about a frame; errors stop an import, warnings are reported. */
export interface Issue {
  readonly level: "error" | "warning";
  readonly kind: IssueKind;
  readonly file: string;
  /** what is wrong, without the file name */
  readonly message: string;
  /** the first source line concerned, when known */
  readonly line?: number;
  /** how many rows (duplicates) or places (gaps) */
  readonly count?: number;
}

const SHOW = 3;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/**
 * Checks a freshly read frame: one symbol, times in order, unique natural keys (bars: time;
 * ticks: id when present, else time + seq), and, for bars, gaps. Rows that repeat a key with
 * identical values are dropped and reported; repeats with different values are an error.
 * Unsorted times are an error naming the first line out of order: nothing is sorted here.
 * Gaps are a warning with a count and the first few. Line numbers come from the parser's
 * Source; the returned frame carries none.
 *
 *   const { frame: clean, issues } = validateFrame(frame, "GOOG.csv");
 */
export function validateFrame(frame: Frame, file: string): { frame: Frame; issues: Issue[] } {
  const source = sourceOf(frame);
  const lineOf = (row: number): number | undefined => (source ? source.line[row] : undefined);
  const at = (row: number): string => (source ? `line ${source.line[row]}` : `row ${row + 1}`);
  const issues: Issue[] = [];

  const mixed = mixedSymbols(frame, file, source, at);
  if (mixed) issues.push(mixed);

  const time = frame.columns.time as Float64Array;
  const n = frame.length;
  for (let i = 1; i < n; i++) {
    if (time[i] < time[i - 1]) {
      issues.push({
        level: "error",
        kind: "unsorted",
        file,
        line: lineOf(i),
        message: `timestamps out of order: ${at(i)} (${iso(time[i])}) is earlier than ${at(i - 1)} (${iso(time[i - 1])})`,
      });
      return { frame, issues };
    }
  }

  const dupes =
    frame.kind === "bars" ? duplicateRuns(frame, (i) => time[i] === time[i - 1]) : tickDuplicates(frame);
  let out = frame;
  if (dupes.length > 0) {
    const differing = dupes.find(([a, b]) => !sameRow(frame, a, b));
    if (differing) {
      const [a, b] = differing;
      issues.push({
        level: "error",
        kind: "duplicates",
        file,
        line: lineOf(b),
        count: dupes.length,
        message: `${dupes.length} duplicate key(s); ${at(b)} repeats the key of ${at(a)} (${iso(time[a])}) with different values`,
      });
      return { frame, issues };
    }
    const drop = new Uint8Array(n);
    for (const [, b] of dupes) drop[b] = 1;
    out = dropRows(frame, drop, source);
    const [a, b] = dupes[0];
    issues.push({
      level: "warning",
      kind: "duplicates",
      file,
      line: lineOf(b),
      count: dupes.length,
      message: `dropped ${dupes.length} identical duplicate row(s), first ${at(b)} (same as ${at(a)}, ${iso(time[a])})`,
    });
  }

  if (out.kind === "bars") {
    const gaps = findGaps(out);
    if (gaps) issues.push({ ...gaps, file });
  }
  return { frame: out, issues };
}

function mixedSymbols(
  frame: Frame,
  file: string,
  source: Source | undefined,
  at: (row: number) => string,
): Issue | undefined {
  if (!source?.symbols || !source.symbolCode || source.symbols.length < 2) return undefined;
  const code = source.symbolCode;
  const counts = new Map<number, number>();
  let first = -1;
  for (let i = 0; i < frame.length; i++) {
    counts.set(code[i], (counts.get(code[i]) ?? 0) + 1);
    if (first < 0 && code[i] !== code[0]) first = i;
  }
  if (first < 0) return undefined;
  const list = [...counts].map(([c, k]) => `${source.symbols?.[c]} (${k} rows)`).join(", ");
  return {
    level: "error",
    kind: "mixed-symbols",
    file,
    line: source.line[first],
    message: `mixed symbols: ${list}; first change at ${at(first)}`,
  };
}

/** Pairs [kept, repeat] of adjacent rows with the same key (times are sorted by then). */
function duplicateRuns(frame: Frame, same: (i: number) => boolean): [number, number][] {
  const out: [number, number][] = [];
  let keep = 0;
  for (let i = 1; i < frame.length; i++) {
    if (same(i)) out.push([keep, i]);
    else keep = i;
  }
  return out;
}

function tickDuplicates(frame: Frame): [number, number][] {
  const id = frame.columns.id as string[] | undefined;
  if (!id) {
    const time = frame.columns.time as Float64Array;
    const seq = frame.columns.seq as Int32Array;
    const out: [number, number][] = [];
    // rows with the same time may have their seq in any order, so compare within each run
    let start = 0;
    for (let i = 1; i <= frame.length; i++) {
      if (i < frame.length && time[i] === time[start]) continue;
      if (i - start > 1) {
        const seen = new Map<number, number>();
        for (let k = start; k < i; k++) {
          const prev = seen.get(seq[k]);
          if (prev === undefined) seen.set(seq[k], k);
          else out.push([prev, k]);
        }
      }
      start = i;
    }
    return out;
  }
  const seen = new Map<string, number>();
  const out: [number, number][] = [];
  for (let i = 0; i < id.length; i++) {
    if (id[i] === "") continue;
    const prev = seen.get(id[i]);
    if (prev === undefined) seen.set(id[i], i);
    else out.push([prev, i]);
  }
  return out;
}

function sameRow(frame: Frame, a: number, b: number): boolean {
  for (const [name, col] of Object.entries(frame.columns)) {
    if (name === "seq") continue;
    const x = col[a];
    const y = col[b];
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return false;
  }
  return true;
}

function dropRows(frame: Frame, drop: Uint8Array, source: Source | undefined): Frame {
  const keep: number[] = [];
  for (let i = 0; i < frame.length; i++) if (!drop[i]) keep.push(i);
  const pick = <T extends Column>(col: T): T => {
    if (Array.isArray(col)) return keep.map((i) => col[i]) as T;
    const ctor = col.constructor as new (n: number) => Float64Array | Int32Array | Int8Array;
    const out = new ctor(keep.length);
    for (let k = 0; k < keep.length; k++) out[k] = col[keep[k]];
    return out as T;
  };
  const columns: Record<string, Column> = {};
  for (const [name, col] of Object.entries(frame.columns)) columns[name] = pick(col);
  const out = makeFrame({ ...frame, length: keep.length, columns });
  if (source) {
    attachSource(out, {
      file: source.file,
      line: pick(source.line),
      symbols: source.symbols,
      symbolCode: source.symbolCode ? pick(source.symbolCode) : undefined,
    });
  }
  return out;
}

/** Missing bar intervals between consecutive bars: a count and the first few, as a warning. */
function findGaps(frame: Frame): Omit<Issue, "file"> | undefined {
  const time = frame.columns.time as Float64Array;
  const step = timeframeMs(frame.timeframe);
  const monthly = isMonthly(frame.timeframe) ? Number.parseInt(frame.timeframe, 10) : 0;
  if (!step && !monthly) return undefined;
  let places = 0;
  let missing = 0;
  const first: string[] = [];
  for (let i = 1; i < frame.length; i++) {
    const k = monthly
      ? (monthIndex(time[i]) - monthIndex(time[i - 1])) / monthly - 1
      : Math.round((time[i] - time[i - 1]) / (step as number)) - 1;
    if (k >= 1) {
      places++;
      missing += Math.floor(k);
      if (first.length < SHOW)
        first.push(`${iso(time[i - 1])} -> ${iso(time[i])} (${Math.floor(k)} missing)`);
    }
  }
  if (places === 0) return undefined;
  return {
    level: "warning",
    kind: "gaps",
    count: places,
    message: `${places} gap(s), ${missing} missing ${frame.timeframe} bar(s); first: ${first.join(", ")}`,
  };
}
