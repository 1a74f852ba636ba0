import { timeframeOf } from "../../engine/timeframe.ts";
/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digits(buf: Uint8Array, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[p + i] - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const DAY = 86_400_000;
let lastKey = -1;
let lastDayMs = 0;

/**
 * Parses `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH[:]MM]` from bytes to UTC epoch ms; a time
 * without a zone is UTC. NaN when the bytes are not such a date. Allocation-free for hot loops.
 */
export function parseIsoBytes(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len < 10 || buf[start + 4] !== 45 || buf[start + 7] !== 45) return Number.NaN;
  const y = digits(buf, start, 4);
  const mo = digits(buf, start + 5, 2);
  const d = digits(buf, start + 8, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31) return Number.NaN;
  // rows of one file nearly always share the date: skip the calendar arithmetic then
  const key = y * 10000 + mo * 100 + d;
  if (key !== lastKey) {
    lastKey = key;
    lastDayMs = daysFromCivil(y, mo, d) * DAY;
  }
  let ms = lastDayMs;
  let p = start + 10;
  if (p === end) return ms;
  const sep = buf[p];
  if (sep !== 84 && sep !== 32) return Number.NaN;
  p++;
  if (end - p < 5 || buf[p + 2] !== 58) return Number.NaN;
  const h = digits(buf, p, 2);
  const mi = digits(buf, p + 3, 2);
  if (h < 0 || h > 24 || mi < 0 || mi > 59) return Number.NaN;
  ms += h * 3_600_000 + mi * 60_000;
  p += 5;
  if (p < end && buf[p] === 58) {
    const s = digits(buf, p + 1, 2);
    if (s < 0 || s > 60) return Number.NaN;
    ms += s * 1000;
    p += 3;
    if (p < end && buf[p] === 46) {
      p++;
      let scale = 100;
      while (p < end && buf[p] >= 48 && buf[p] <= 57) {
        ms += (buf[p] - 48) * scale;
        scale /= 10;
        p++;
      }
      ms = Math.round(ms);
    }
  }
  if (p === end) return ms;
  const z = buf[p];
  if (z === 90 && p + 1 === end) return ms;
  if (z !== 43 && z !== 45) return Number.NaN;
  const oh = digits(buf, p + 1, 2);
  const colon = buf[p + 3] === 58 ? 1 : 0;
  const om = digits(buf, p + 3 + colon, 2);
  if (oh < 0 || om < 0 || p + 5 + colon !== end) return Number.NaN;
  const offset = (oh * 60 + om) * 60_000;
  return z === 43 ? ms - offset : ms + offset;
}

/** parseIsoBytes for a string. */
export function parseIso(text: string): number {
  const buf = Buffer.from(text.trim(), "latin1");
  return parseIsoBytes(buf, 0, buf.length);
}

/** Epoch seconds, milliseconds or microseconds told apart by magnitude (2001 onwards). */
export function epochToMs(v: number): number {
  const a = Math.abs(v);
  if (a < 1e11) return v * 1000;
  if (a < 1e14) return v;
  return Math.floor(v / 1000);
}

/** The months since 1970-01 of a UTC time, for monthly bars. */
export function monthIndex(ms: number): number {
  const d = new Date(ms);
  return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
}

/** Guesses a bar timeframe from the most common step between consecutive times. */
export function inferTimeframe(time: Float64Array): string | undefined {
  const counts = new Map<string, number>();
  for (let i = 1; i < time.length; i++) {
    const step = time[i] - time[i - 1];
    let tf: string | undefined;
    if (step >= 28 * DAY && step <= 31 * DAY) tf = "1M";
    else tf = timeframeOf(step);
    if (tf) counts.set(tf, (counts.get(tf) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [tf, n] of counts) {
    if (n > bestCount) {
      best = tf;
      bestCount = n;
    }
  }
  return best;
}
