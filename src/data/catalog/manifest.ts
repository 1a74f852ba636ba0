import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Kind } from "../frame.ts";

export const MANIFEST_FILE = "manifest.json";

/** One live Parquet file: a month of one series. */
export interface FileEntry {
  /** relative to the catalog dir, "/"-separated */
  readonly path: string;
  /** the Arrow IPC sidecar (same rows, read-ready columns), relative like `path`; derived when absent */
  readonly arrow?: string;
  readonly kind: Kind;
  readonly market: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly tz: string;
  /** "YYYY-MM", UTC month of every row's time */
  readonly month: string;
  readonly rows: number;
  readonly start: number;
  readonly end: number;
  /** missing bar intervals inside this file (see gaps.ts) */
  readonly gaps: number;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

export interface Manifest {
  readonly version: 1;
  readonly files: readonly FileEntry[];
}

export const EMPTY_MANIFEST: Manifest = { version: 1, files: [] };

export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) return EMPTY_MANIFEST;
  const parsed = JSON.parse(readFileSync(path, "utf8")) as Manifest;
  if (parsed.version !== 1 || !Array.isArray(parsed.files))
    throw new Error(`unknown manifest version: ${path}`);
  return parsed;
}

/** Files in a stable order so the same content always serialises to the same bytes. */
export function sortFiles(files: readonly FileEntry[]): FileEntry[] {
  // each key built once, not twice per comparison (a whole-market day sorts 2,190 files twice a write)
  const keyed = files.map((f) => ({
    f,
    key: [f.kind, f.market, f.symbol, f.timeframe, f.month].join("\u0000"),
  }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.f.path < b.f.path ? -1 : 1));
  return keyed.map((k) => k.f);
}

/** Commits a manifest: write aside, fsync, rename over the old one (atomic on POSIX). */
export function commitManifest(dir: string, manifest: Manifest, tmpName: string): void {
  const tmp = join(dir, tmpName);
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, `${JSON.stringify({ version: 1, files: sortFiles(manifest.files) }, null, 1)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, MANIFEST_FILE));
}
