import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "./segments.ts";

/**
 * A span `stom record` has no complete data for: the connection was down, the recorder was not
 * running (a restart), or a REST backfill was refused. Times are UTC ms; `end` is the first moment
 * data flowed again.
 */
export interface Gap {
  readonly market: string;
  readonly symbol: string;
  readonly start: number;
  readonly end: number;
  readonly reason: "disconnect" | "restart";
  /**
   * what became of the trades of the span: the trades stream never dropped (complete), they were
   * fetched over REST (backfilled), partly fetched (the venue's page did not reach back), or lost
   */
  readonly trades: "complete" | "backfilled" | "partial" | "missing";
  /** a book cannot be fetched after the fact: its columns are 0 until the next book arrives */
  readonly book: "missing";
}

const FILE = "gaps.json";

/** `<catalog>/record`: the recorder's own corner of the catalog (sidecars, journal, status). */
export function recordDir(catalogDir: string): string {
  return join(catalogDir, "record");
}

/** Recording gaps stored in a catalog (none when nothing was ever recorded). */
export function readGaps(catalogDir: string): Gap[] {
  const path = join(recordDir(catalogDir), FILE);
  if (!existsSync(path)) return [];
  const parsed = JSON.parse(readFileSync(path, "utf8")) as { version: number; gaps: Gap[] };
  if (parsed.version !== 1 || !Array.isArray(parsed.gaps)) throw new Error(`unknown gaps file: ${path}`);
  return parsed.gaps;
}

/** Adds gaps to the catalog's list; a gap already there (same market, symbol, start, reason) is kept once. */
export function appendGaps(catalogDir: string, gaps: readonly Gap[]): void {
  if (gaps.length === 0) return;
  const dir = recordDir(catalogDir);
  mkdirSync(dir, { recursive: true });
  const all = readGaps(catalogDir);
  const key = (g: Gap) => `${g.market}\u0000${g.symbol}\u0000${g.start}\u0000${g.reason}`;
  const seen = new Set(all.map(key));
  for (const g of gaps) {
    if (seen.has(key(g))) continue;
    seen.add(key(g));
    all.push(g);
  }
  all.sort((a, b) => a.start - b.start || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  writeJsonAtomic(join(dir, FILE), { version: 1, gaps: all });
}
