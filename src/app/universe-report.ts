// The table a universe backtest gathers into: one row per member, in the members' order (series id,
// then range), and an aggregate over them. Built from results alone, whichever runner produced them
// (this thread, the thread pool, `stom worker` processes), so every runner prints the same bytes.
import type { Stats } from "../engine/stats.ts";
import type { UniverseMember, UniverseResult } from "./universe.ts";

/** The stats a row shows, in this order (the Shared vocabulary's names). */
export const UNIVERSE_STATS = [
  "trades",
  "returnPct",
  "buyHoldReturnPct",
  "sharpe",
  "maxDrawdownPct",
  "winRatePct",
  "profitFactor",
  "sqn",
  "exposurePct",
  "equityFinal",
] as const satisfies readonly (keyof Stats)[];

export type UniverseRow = {
  readonly series: string;
  /** the selector's range, ISO, when it gave one */
  readonly from?: string;
  readonly to?: string;
  readonly bars: number;
  readonly error: string | null;
} & { readonly [K in (typeof UNIVERSE_STATS)[number]]: number | null };

export interface UniverseAggregate {
  readonly series: number;
  /** members whose backtest failed (or had no bars) */
  readonly failed: number;
  /** members with at least one trade */
  readonly traded: number;
  readonly trades: number;
  /** the equal-cash portfolio's return: the mean of the members' returns */
  readonly meanReturnPct: number | null;
  readonly medianReturnPct: number | null;
  /** share of members that ended above their cash */
  readonly positivePct: number | null;
  /** over members with a finite Sharpe ratio */
  readonly meanSharpe: number | null;
  readonly meanMaxDrawdownPct: number | null;
  readonly worstMaxDrawdownPct: number | null;
  /** winning trades over all trades */
  readonly winRatePct: number | null;
  readonly best: { readonly series: string; readonly returnPct: number } | null;
  readonly worst: { readonly series: string; readonly returnPct: number } | null;
}

export interface UniverseReport {
  readonly strategy: string;
  readonly universe: string;
  readonly params: Readonly<Record<string, string>>;
  readonly rows: readonly UniverseRow[];
  readonly aggregate: UniverseAggregate;
  /** true when the run was cancelled: the rows are the members that reported */
  readonly cancelled: boolean;
}

const finite = (x: number | undefined | null): x is number => typeof x === "number" && Number.isFinite(x);
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

/** One member's row; stats that are not finite (no trades, no Sharpe) show as null, as in JSON. */
export function universeRow(member: UniverseMember, result: UniverseResult): UniverseRow {
  const stats = result.stats;
  const values = Object.fromEntries(
    UNIVERSE_STATS.map((k) => [k, stats && finite(stats[k]) ? stats[k] : null]),
  ) as { [K in (typeof UNIVERSE_STATS)[number]]: number | null };
  return {
    series: member.series,
    ...(member.from !== undefined ? { from: iso(member.from) } : {}),
    ...(member.to !== undefined ? { to: iso(member.to) } : {}),
    bars: result.bars,
    ...values,
    error: stats ? null : (result.error ?? "failed"),
  };
}

/** The aggregate over rows (in their order, so sums add up the same way every run). */
export function universeAggregate(rows: readonly UniverseRow[]): UniverseAggregate {
  const ok = rows.filter((r) => r.error === null);
  const returns = ok.map((r) => r.returnPct).filter(finite);
  const drawdowns = ok.map((r) => r.maxDrawdownPct).filter(finite);
  const trades = ok.reduce((s, r) => s + (r.trades ?? 0), 0);
  const wins = ok.reduce((s, r) => s + ((r.winRatePct ?? 0) * (r.trades ?? 0)) / 100, 0);
  let best: UniverseRow | null = null;
  let worst: UniverseRow | null = null;
  for (const r of ok) {
    if (!finite(r.returnPct)) continue;
    if (!best || r.returnPct > (best.returnPct as number)) best = r;
    if (!worst || r.returnPct < (worst.returnPct as number)) worst = r;
  }
  const pick = (r: UniverseRow | null) => (r ? { series: r.series, returnPct: r.returnPct as number } : null);
  return {
    series: rows.length,
    failed: rows.length - ok.length,
    traded: ok.filter((r) => (r.trades ?? 0) > 0).length,
    trades,
    meanReturnPct: mean(returns),
    medianReturnPct: median(returns),
    positivePct: returns.length ? (returns.filter((x) => x > 0).length / returns.length) * 100 : null,
    meanSharpe: mean(ok.map((r) => r.sharpe).filter(finite)),
    meanMaxDrawdownPct: mean(drawdowns),
    worstMaxDrawdownPct: drawdowns.length ? Math.min(...drawdowns) : null,
    winRatePct: trades ? (wins / trades) * 100 : null,
    best: pick(best),
    worst: pick(worst),
  };
}

/**
 * The report from the members and the results that came back (any order, keyed by task id =
 * the member's index). Members without a result (a cancelled run) are left out.
 */
export function universeReport({
  strategy,
  universe,
  params,
  members,
  results,
  cancelled = false,
}: {
  strategy: string;
  universe: string;
  params: Readonly<Record<string, string>>;
  members: readonly UniverseMember[];
  results: ReadonlyMap<number, UniverseResult>;
  cancelled?: boolean;
}): UniverseReport {
  const rows = members.flatMap((m, id) => {
    const r = results.get(id);
    return r ? [universeRow(m, r)] : [];
  });
  return { strategy, universe, params, rows, aggregate: universeAggregate(rows), cancelled };
}
