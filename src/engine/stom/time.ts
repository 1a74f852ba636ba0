// STOM's time stamps: the DB's `index`, yyyymmddhhmmss on tick DBs and yyyymmddhhmm on minute DBs, in
// the zone the collector wrote it in (KST for stocks, UTC for coins).

export { KST_OFFSET_MS } from "../markets/kst.ts";

/** The index as ms of its wall time read as UTC, or NaN when it is not a time. */
export function stomIndexMs(index: number): number {
  let rest = Math.trunc(index);
  let second = 0;
  if (rest >= 1e13 && rest < 1e14) {
    second = rest % 100;
    rest = (rest - second) / 100;
  } else if (!(rest >= 1e11 && rest < 1e12)) return Number.NaN;
  const minute = rest % 100;
  rest = (rest - minute) / 100;
  const hour = rest % 100;
  rest = (rest - hour) / 100;
  const day = rest % 100;
  rest = (rest - day) / 100;
  const month = rest % 100;
  const year = (rest - month) / 100;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return Number.NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/**
 * STOM's `index` as UTC epoch ms. `offsetMs` is the zone the index was written in: KST_OFFSET_MS for
 * stocks, 0 for coins.
 */
export function stomIndexToMs(index: number, offsetMs = 0): number {
  const ms = stomIndexMs(index);
  if (Number.isNaN(ms)) throw new Error(`invalid stom index: ${index}`);
  return ms - offsetMs;
}

/** UTC epoch ms as STOM's `index`: yyyymmddhhmmss when `seconds`, else yyyymmddhhmm. */
export function msToStomIndex(ms: number, offsetMs = 0, seconds = true): number {
  const d = new Date(ms + offsetMs);
  const minutes =
    d.getUTCFullYear() * 1e8 +
    (d.getUTCMonth() + 1) * 1e6 +
    d.getUTCDate() * 1e4 +
    d.getUTCHours() * 100 +
    d.getUTCMinutes();
  return seconds ? minutes * 100 + d.getUTCSeconds() : minutes;
}
