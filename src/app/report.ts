// The saved backtest: `stom backtest --out` writes it, the Report page renders it and `stom promote
// --report` sends its fingerprint. One schema for all three, so a report one of them accepts the
// others accept too. (Imported only where a report is written or read: zod costs ~70 ms to load.)
import { readFile, rename, writeFile } from "node:fs/promises";
import { z } from "zod";
import type { BacktestResult } from "../engine/index.ts";
import { COST_PRESETS } from "../engine/markets/index.ts";

export const REPORT_VERSION = 1;

/** JSON has no NaN or Infinity: JSON.stringify writes them as null */
const num = z.number().nullable();

/** A run's broker settings, as `stom backtest --out` records them and a promotion carries them. */
export const RunSettings = z.object({
  cash: z.number().positive(),
  /** relative, or [fixed, relative]; absent when `costs` names a preset */
  commission: z.union([z.number(), z.tuple([z.number(), z.number()])]).optional(),
  costs: z.enum(COST_PRESETS as [string, ...string[]]).optional(),
  spread: z.number(),
  slippage: z.number(),
  margin: z.number(),
  unit: z.number(),
  tradeOnClose: z.boolean(),
  finalizeTrades: z.boolean(),
  hedging: z.boolean(),
  exclusiveOrders: z.boolean(),
  /** "cash": a spot account (long only), what a spot venue can trade; reports before it: margin */
  account: z.enum(["margin", "cash"]).default("margin"),
});
export type RunSettings = z.infer<typeof RunSettings>;

const Trade = z.object({
  size: z.number(),
  entryBar: z.int().nonnegative(),
  exitBar: z.int().nullable(),
  entryPrice: z.number(),
  exitPrice: num,
  sl: num,
  tp: num,
  pnl: num,
  commission: num,
  returnPct: num,
  entryTime: z.string(),
  exitTime: z.string().nullable(),
  tag: z.unknown(),
  indicators: z.record(z.string(), z.tuple([num, num])),
});

export const BacktestReport = z.object({
  version: z.literal(REPORT_VERSION),
  strategy: z.object({
    /** what was given on the command line: a bundled name or a path */
    ref: z.string(),
    file: z.string(),
    fingerprint: z.string().regex(/^[0-9a-f]{64}$/, "a sha256 in hex"),
  }),
  params: z.record(z.string(), z.number()),
  data: z.object({
    file: z.string(),
    symbol: z.string(),
    timeframe: z.string(),
    rows: z.int().nonnegative(),
    start: z.string(),
    end: z.string(),
  }),
  /** the broker settings of the run: what a promotion must trade with to trade the same */
  settings: RunSettings,
  stats: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  trades: z.array(Trade),
  /** per bar, for the Report page's charts */
  curves: z.object({ time: z.array(z.number()), equity: z.array(num), drawdown: z.array(num) }).optional(),
});
export type BacktestReport = z.infer<typeof BacktestReport>;

const iso = (t: number) => new Date(t).toISOString();

/** Trades as JSON rows (the columns stay the engine's names). */
export function tradeRows(result: BacktestResult): BacktestReport["trades"] {
  const t = result.trades;
  const rows: BacktestReport["trades"] = [];
  for (let k = 0; k < t.length; k++) {
    const indicators: Record<string, [number, number]> = {};
    for (const [name, v] of Object.entries(t.indicators)) indicators[name] = [v.entry[k], v.exit[k]];
    rows.push({
      size: t.size[k],
      entryBar: t.entryBar[k],
      exitBar: t.exitBar[k],
      entryPrice: t.entryPrice[k],
      exitPrice: t.exitPrice[k],
      sl: Number.isNaN(t.sl[k]) ? null : t.sl[k],
      tp: Number.isNaN(t.tp[k]) ? null : t.tp[k],
      pnl: t.pnl[k],
      commission: t.commission[k],
      returnPct: t.returnPct[k],
      entryTime: iso(t.entryTime[k]),
      exitTime: iso(t.exitTime[k]),
      tag: t.tag[k],
      indicators,
    });
  }
  return rows;
}

/** The first problem zod found, as `field.path: message`. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.length ? issue.path.join(".") : "(top level)"}: ${issue.message}`;
}

/** Checks a parsed value against the schema; the error names the file and the first bad field. */
export function parseReport(value: unknown, where = "report"): BacktestReport {
  const parsed = BacktestReport.safeParse(value);
  if (!parsed.success) {
    const old = typeof value === "object" && value !== null && !("version" in value);
    throw new Error(
      `${where}: not a stom backtest report (${firstIssue(parsed.error)})${old ? "; made by an older stom? run the backtest again with --out" : ""}`,
    );
  }
  return parsed.data;
}

export async function readReport(file: string): Promise<BacktestReport> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: ${e instanceof SyntaxError ? "not JSON" : (e as Error).message}`);
  }
  return parseReport(value, file);
}

/**
 * Validates and writes the report, with each per-bar curve on one line (2-space JSON would put every
 * number of a long run on its own line). Written to a temp file and renamed: never half a report.
 */
export async function writeReport(file: string, report: BacktestReport): Promise<void> {
  // checked as it will be read back: JSON has written NaN and Infinity as null by then
  const { curves, ...rest } = parseReport(JSON.parse(JSON.stringify(report)), "the report to write");
  let text = JSON.stringify(rest, null, 2);
  if (curves) {
    const line = (xs: ArrayLike<number | null>) => JSON.stringify(Array.from(xs));
    text = `${text.slice(0, -2)},\n  "curves": {\n    "time": ${line(curves.time)},\n    "equity": ${line(curves.equity)},\n    "drawdown": ${line(curves.drawdown)}\n  }\n}`;
  }
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${text}\n`);
  await rename(tmp, file);
}
