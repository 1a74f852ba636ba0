// Calendar arithmetic on UTC epoch milliseconds, shared by the stats (pandas-style resampling).

export const DAY_MS = 86_400_000;

/** pandas' `_data_period`: median spacing of the last 100 timestamps. */
export function dataPeriodMs(time: Float64Array): number {
  const from = Math.max(0, time.length - 100);
  const diffs: number[] = [];
  for (let k = from + 1; k < time.length; k++) diffs.push(time[k] - time[k - 1]);
  if (!diffs.length) return Number.NaN;
  diffs.sort((a, b) => a - b);
  const m = diffs.length >> 1;
  return diffs.length % 2 ? diffs[m] : (diffs[m - 1] + diffs[m]) / 2;
}

/** Timedelta.resolution_string: the coarsest unit that divides the period exactly. */
export function resolutionMs(periodMs: number): number {
  for (const unit of [DAY_MS, 3_600_000, 60_000, 1000, 1]) {
    if (periodMs % unit === 0) return unit;
  }
  return 1;
}

/** Ceils a duration to the unit like Timedelta.ceil, tolerating float noise from means. */
export function ceilTo(ms: number, unit: number): number {
  if (!Number.isFinite(ms)) return Number.NaN;
  const q = ms / unit;
  const r = Math.round(q);
  return (Math.abs(q - r) < 1e-9 ? r : Math.ceil(q)) * unit;
}

/** Monday 0 … Sunday 6 (1970-01-01 was a Thursday). */
export function weekday(t: number): number {
  return (((Math.floor(t / DAY_MS) + 3) % 7) + 7) % 7;
}

export type Freq = "D" | "W" | "ME" | "YE";

/** Bucket key of a timestamp for pandas' resample(freq); W is weeks ending Sunday. */
export function bucket(t: number, freq: Freq): number {
  const d = Math.floor(t / DAY_MS);
  switch (freq) {
    case "D":
      return d;
    case "W":
      return Math.floor((d + 3) / 7);
    case "ME": {
      const date = new Date(t);
      return date.getUTCFullYear() * 12 + date.getUTCMonth();
    }
    case "YE":
      return new Date(t).getUTCFullYear();
  }
}

/** `series.resample(freq).last().dropna()` for an ascending time index. */
export function resampleLast(time: Float64Array, values: Float64Array, freq: Freq): Float64Array {
  const out: number[] = [];
  let key = Number.NaN;
  for (let k = 0; k < time.length; k++) {
    const v = values[k];
    if (Number.isNaN(v)) continue;
    const b = bucket(time[k], freq);
    if (b === key) out[out.length - 1] = v;
    else {
      out.push(v);
      key = b;
    }
  }
  return Float64Array.from(out);
}
