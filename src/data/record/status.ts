import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { writeJsonAtomic } from "./segments.ts";

/**
 * What a running `stom record` says about itself, rewritten atomically at every commit (and at
 * start and stop) so the bridge and the notebooks can read it at any moment. Times are UTC ms.
 */
export interface RecorderStatus {
  readonly version: 1;
  readonly pid: number;
  readonly state: "starting" | "recording" | "stopped";
  readonly market: string;
  readonly kind: string;
  readonly catalog: string;
  /** symbols being recorded (catalog names: "KRW-BTC", "BTC/USDT") */
  readonly symbols: readonly string[];
  /** the interest list, with --top */
  readonly moneytop?: readonly string[];
  readonly startedAt: number;
  readonly updatedAt: number;
  /** snapshot rows taken since start, and their rate over the last 10 s */
  readonly snapshots: number;
  readonly snapshotsPerSecond: number;
  /** the latest second a row was taken for (UTC ms), any symbol */
  readonly lastRow?: number;
  /** of those, rows committed to a segment (safe from a crash) */
  readonly committed: number;
  /** rows dropped because their second was already stored (a restart's overlap) */
  readonly duplicates: number;
  /** committed segments not yet folded into the catalog's Parquet files */
  readonly pendingSegments: number;
  /** gaps recorded since start, open ones included */
  readonly gaps: number;
  /** symbols with a stream down right now */
  readonly down: readonly string[];
  readonly warnings: number;
  /** commit latency over this run (ms): what a crash-safe second costs */
  readonly commitLatency?: {
    readonly count: number;
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
  };
  readonly lastCommit?: {
    readonly at: number;
    readonly rows: number;
    readonly ms: number;
    readonly segment: string;
  };
  readonly lastFold?: {
    readonly at: number;
    readonly segments: number;
    readonly rowsAdded: number;
    readonly ms: number;
  };
}

export function writeStatus(path: string, status: RecorderStatus): void {
  mkdirSync(dirname(path), { recursive: true });
  writeJsonAtomic(path, status);
}

export function readStatus(path: string): RecorderStatus | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, "utf8")) as RecorderStatus;
}

/** The progress line: "upbit 3 symbols · 3.0 snapshots/s · last write 12:00:05 (4 ms) · gaps 1". */
export function progressLine(s: RecorderStatus, tz = "UTC"): string {
  const at = s.lastCommit
    ? `${new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(s.lastCommit.at)} (${s.lastCommit.ms} ms)`
    : "none yet";
  const down = s.down.length ? ` · down ${s.down.join(",")}` : "";
  return `${s.market} ${s.symbols.length} symbols · ${s.snapshotsPerSecond.toFixed(1)} snapshots/s · ${s.snapshots} rows · last write ${at} · gaps ${s.gaps}${down}`;
}
