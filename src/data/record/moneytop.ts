import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "./segments.ts";

/**
 * STOM's interest list over time. STOM's coin receiver keeps the ten codes with the largest day
 * traded value (`MoneyTopSearch` every 10 s: coin/upbit_receiver_tick.py:149-151 and :313-323 at
 * Py-CI-Park/STOM@63aa7ef; codes enter and leave one by one, :325-335, so the survivors keep their
 * place), stamps every snapshot's 관심종목 with membership (:279), and for each new second stores
 * `';'.join(list)` under that second in its `moneytop` table (:298-300, saved at :354-367). Here consecutive seconds with the
 * same list are one run; `stom data export --stom` expands runs back to one row per second.
 */
export interface MoneytopRun {
  /** first and last second (UTC ms, inclusive) the list was in force */
  readonly start: number;
  readonly end: number;
  /** the codes, joined with ";" as STOM stores them */
  readonly codes: string;
}

const FILE = "moneytop.json";

/** Where a market's interest list lives in a catalog: `<catalog>/record/<market>/moneytop.json`. */
export function moneytopPath(catalogDir: string, market: string): string {
  return join(catalogDir, "record", market, FILE);
}

export function readMoneytop(catalogDir: string, market: string): MoneytopRun[] {
  const path = moneytopPath(catalogDir, market);
  if (!existsSync(path)) return [];
  const parsed = JSON.parse(readFileSync(path, "utf8")) as { version: number; runs: MoneytopRun[] };
  if (parsed.version !== 1 || !Array.isArray(parsed.runs)) throw new Error(`unknown moneytop file: ${path}`);
  return parsed.runs;
}

/** Appends runs after the stored ones; runs at or before the last stored second are already there. */
export function appendMoneytop(catalogDir: string, market: string, runs: readonly MoneytopRun[]): void {
  if (runs.length === 0) return;
  const all = readMoneytop(catalogDir, market);
  let last = all.length ? all[all.length - 1].end : Number.NEGATIVE_INFINITY;
  for (const run of runs) {
    if (run.end <= last) continue;
    const start = Math.max(run.start, last + 1000);
    const prev = all[all.length - 1];
    if (prev && prev.codes === run.codes && prev.end + 1000 === start)
      all[all.length - 1] = { ...prev, end: run.end };
    else all.push({ start, end: run.end, codes: run.codes });
    last = run.end;
  }
  mkdirSync(join(catalogDir, "record", market), { recursive: true });
  writeJsonAtomic(moneytopPath(catalogDir, market), { version: 1, runs: all });
}

/** Adds one second to a list of runs (in memory), extending the last run when the list is unchanged. */
export function addSecond(runs: MoneytopRun[], time: number, codes: string): void {
  const prev = runs[runs.length - 1];
  if (prev && time <= prev.end) return;
  if (prev && prev.codes === codes && prev.end + 1000 === time)
    runs[runs.length - 1] = { ...prev, end: time };
  else runs.push({ start: time, end: time, codes });
}

/**
 * The next interest list, as STOM's MoneyTopSearch moves it: codes that entered the top `n` by day
 * traded value are appended, codes that left are removed, the rest keep their place.
 */
export function nextTopList(
  current: readonly string[],
  value: ReadonlyMap<string, number>,
  n: number,
): string[] {
  const top = [...value]
    .filter(([, v]) => Number.isFinite(v))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([code]) => code);
  const keep = current.filter((c) => top.includes(c));
  for (const c of top) if (!keep.includes(c)) keep.push(c);
  return keep;
}
