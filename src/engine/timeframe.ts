// The timeframe grammar, one place for the engine, the data layer and the bridge: `<n><unit>` with
// unit s, m, h, d or w ("1m", "5m", "1h", "1d", "1w") is a fixed length; `<n>M` is calendar months.

/** ms of each fixed unit, coarsest first (the order `timeframeOf` tries them in). */
export const TIMEFRAME_UNIT_MS: Readonly<Record<"w" | "d" | "h" | "m" | "s", number>> = Object.freeze({
  w: 604_800_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
});

export type TimeframeUnit = keyof typeof TIMEFRAME_UNIT_MS;

/** A fixed-length timeframe taken apart: "5m" -> { count: 5, unit: "m", ms: 300000 }. */
export interface FixedTimeframe {
  readonly count: number;
  readonly unit: TimeframeUnit;
  readonly ms: number;
}

/** "5m" -> { count: 5, unit: "m", ms: 300000 }; undefined for "1M" (calendar), "tick" or anything else. */
export function parseTimeframe(timeframe: string): FixedTimeframe | undefined {
  const m = /^(\d+)([smhdw])$/.exec(timeframe);
  if (!m) return undefined;
  const unit = m[2] as TimeframeUnit;
  const count = Number(m[1]);
  return { count, unit, ms: count * TIMEFRAME_UNIT_MS[unit] };
}

/** "5m" -> 300000; months ("1M") have no fixed length and return undefined, like "tick". */
export function timeframeMs(timeframe: string): number | undefined {
  return parseTimeframe(timeframe)?.ms;
}

/** 60000 -> "1m", 3600000 -> "1h", 86400000 -> "1d"; undefined when not a whole unit. */
export function timeframeOf(ms: number): string | undefined {
  if (!(ms > 0)) return undefined;
  for (const [unit, size] of Object.entries(TIMEFRAME_UNIT_MS)) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return undefined;
}

/** "1M", "3M": calendar-month bars. */
export function isMonthly(timeframe: string): boolean {
  return /^\d+M$/.test(timeframe);
}
