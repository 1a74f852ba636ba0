/** KST is UTC+9 all year (no daylight saving since 1988): add it to UTC ms to read KST wall time. */
export const KST_OFFSET_MS = 9 * 3_600_000;

/** UTC ms of 00:00 KST (UTC+9, no daylight saving) on the given calendar day; month is 1-based. */
export function kstMidnight(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) - KST_OFFSET_MS;
}
