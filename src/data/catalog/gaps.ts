import { KST_OFFSET_MS } from "../../engine/markets/kst.ts";
import { isMonthly, timeframeMs } from "../../engine/timeframe.ts";
import type { Frame } from "../frame.ts";

/**
 * The gap rule, one place for SQL and JS:
 * - a gap is one missing bar interval between two consecutive stored bars;
 *   `1M` bars step by calendar month, every other timeframe by its fixed length;
 * - for KRX (market "krx" or tz "Asia/Seoul" stock days) only gaps inside one KST trading day count:
 *   the overnight, weekend and holiday breaks are not gaps;
 * - ticks have no gaps.
 */
export function countsGapsInDayOnly(market: string): boolean {
  return market === "krx";
}

/** Missing intervals between two consecutive bar times a < b. */
export function gapBetween(a: number, b: number, key: Pick<Frame, "market" | "timeframe">): number {
  if (
    countsGapsInDayOnly(key.market) &&
    Math.floor((a + KST_OFFSET_MS) / 86_400_000) !== Math.floor((b + KST_OFFSET_MS) / 86_400_000)
  ) {
    return 0;
  }
  if (isMonthly(key.timeframe)) {
    const step = Number.parseInt(key.timeframe, 10);
    const da = new Date(a);
    const db = new Date(b);
    const months = (db.getUTCFullYear() - da.getUTCFullYear()) * 12 + db.getUTCMonth() - da.getUTCMonth();
    return Math.max(0, Math.round(months / step) - 1);
  }
  const step = timeframeMs(key.timeframe);
  if (step === undefined) return 0;
  return Math.max(0, Math.round((b - a) / step) - 1);
}

/** SQL expression summing gaps over a relation with a BIGINT `time` column (consistent with gapBetween). */
export function gapSql(key: Pick<Frame, "kind" | "market" | "timeframe">, relation: string): string {
  if (key.kind !== "bars") return "select 0::BIGINT as gaps";
  let gap: string;
  if (isMonthly(key.timeframe)) {
    const step = Number.parseInt(key.timeframe, 10);
    gap = `greatest(0, round(date_diff('month', epoch_ms(p), epoch_ms(time)) / ${step}) - 1)`;
  } else {
    const step = timeframeMs(key.timeframe);
    if (step === undefined) return "select 0::BIGINT as gaps";
    gap = `greatest(0, round((time - p) / ${step}) - 1)`;
  }
  const sameDay = countsGapsInDayOnly(key.market)
    ? `and (p + ${KST_OFFSET_MS}) // 86400000 = (time + ${KST_OFFSET_MS}) // 86400000`
    : "";
  return `select coalesce(sum(${gap}), 0)::BIGINT as gaps from (select time, lag(time) over (order by time) as p from ${relation}) where p is not null ${sameDay}`;
}

/** Sum of gapBetween over consecutive times of a sorted column, with the rule looked up once. */
export function countGaps(time: Float64Array, key: Pick<Frame, "market" | "timeframe">): number {
  const step = timeframeMs(key.timeframe);
  if (step === undefined) {
    let gaps = 0;
    for (let i = 1; i < time.length; i++) gaps += gapBetween(time[i - 1], time[i], key);
    return gaps;
  }
  const dayOnly = countsGapsInDayOnly(key.market);
  let gaps = 0;
  for (let i = 1; i < time.length; i++) {
    const a = time[i - 1];
    const b = time[i];
    if (
      dayOnly &&
      Math.floor((a + KST_OFFSET_MS) / 86_400_000) !== Math.floor((b + KST_OFFSET_MS) / 86_400_000)
    )
      continue;
    const g = Math.round((b - a) / step) - 1;
    if (g > 0) gaps += g;
  }
  return gaps;
}
