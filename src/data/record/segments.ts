import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { StomRow } from "../stom/receiver-events.ts";
import type { Gap } from "./gaps.ts";
import type { MoneytopRun } from "./moneytop.ts";

/**
 * What one commit of `stom record` holds: the snapshot rows and minute bars closed since the
 * previous commit, plus the gaps and interest-list runs of that span. Columns are listed once per
 * symbol and rows are plain number arrays, so a segment of 100 symbols × 5 s stays small JSON.
 */
export interface Segment {
  readonly version: 1;
  readonly seq: number;
  /** tick rows per stored symbol: `columns[0]` is "time" (UTC ms), the rest STOM's columns */
  readonly ticks: Readonly<Record<string, SegmentTable>>;
  /** closed 1-minute bars per stored symbol, same shape ("time" = minute start) */
  readonly bars: Readonly<Record<string, SegmentTable>>;
  readonly gaps: readonly Gap[];
  readonly moneytop: readonly MoneytopRun[];
}

export interface SegmentTable {
  readonly columns: readonly string[];
  /** JSON has no NaN and no -0: NaN is null, -0 the string "-0" (STOM's rounding does give -0) */
  readonly rows: readonly (readonly (number | null | "-0")[])[];
}

const PREFIX = "segment-";
const SUFFIX = ".json";

/**
 * The recorder's journal: one file per commit in `<catalog>/record/<market>/segments/`.
 *
 * A segment is written aside, fsynced and renamed into place, so a reader (or a restart after
 * SIGKILL) sees whole segments or none; a `.tmp` left by a killed writer is deleted on open.
 * Segments are folded into the catalog (Catalog.write, atomic) now and then and deleted after that
 * write commits; folding the same segment twice adds nothing (the catalog keeps the stored row on
 * a duplicate time), so a crash between the two is harmless.
 */
export class SegmentStore {
  private next = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir)) {
      if (name.endsWith(".tmp")) rmSync(join(dir, name), { force: true });
    }
    for (const name of this.names()) this.next = Math.max(this.next, seqOf(name) + 1);
  }

  /** Committed segment file names, oldest first. */
  names(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((n) => n.startsWith(PREFIX) && n.endsWith(SUFFIX))
      .sort((a, b) => seqOf(a) - seqOf(b));
  }

  /** Writes a segment durably; returns its name and size in bytes. */
  write(segment: Omit<Segment, "version" | "seq">): { name: string; bytes: number } {
    const seq = this.next++;
    const name = `${PREFIX}${String(seq).padStart(10, "0")}${SUFFIX}`;
    const text = JSON.stringify({ version: 1, seq, ...segment });
    // the catalog's sweep removes empty directories, this one included
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, `${name}.tmp`);
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, name));
    fsyncDir(this.dir);
    return { name, bytes: Buffer.byteLength(text) };
  }

  read(name: string): Segment {
    const parsed = JSON.parse(readFileSync(join(this.dir, name), "utf8")) as Segment;
    if (parsed.version !== 1) throw new Error(`unknown segment version: ${name}`);
    return parsed;
  }

  remove(names: readonly string[]): void {
    for (const name of names) rmSync(join(this.dir, name), { force: true });
  }
}

function seqOf(name: string): number {
  return Number(name.slice(PREFIX.length, -SUFFIX.length));
}

/** Makes a rename durable across a power loss too (best effort: some filesystems refuse). */
export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not fatal: the rename is still atomic for a crashed process
  }
}

/** Writes a small JSON file atomically (aside, fsync, rename). */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, `${JSON.stringify(value, null, 1)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Rows of one symbol as a segment table: "time" first, then `columns` in order (see SegmentTable). */
export function toTable(
  rows: readonly StomRow[],
  times: readonly number[],
  columns: readonly string[],
): SegmentTable {
  const out: (number | null | "-0")[][] = [];
  for (let i = 0; i < rows.length; i++) {
    const row: (number | null | "-0")[] = [times[i]];
    for (const c of columns) {
      const v = rows[i][c];
      row.push(v === undefined || Number.isNaN(v) ? null : Object.is(v, -0) ? "-0" : v);
    }
    out.push(row);
  }
  return { columns: ["time", ...columns], rows: out };
}
