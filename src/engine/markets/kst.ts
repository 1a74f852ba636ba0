const HOUR = 3_600_000;

/** UTC ms of 00:00 KST (UTC+9, no daylight saving) on the given calendar day; month is 1-based. */
export function kstMidnight(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) - 9 * HOUR;
}
