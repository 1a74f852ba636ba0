import { KST_OFFSET_MS } from "../engine/markets/kst.ts";
import { parseTimeframe } from "../engine/timeframe.ts";
import { type Frame, makeFrame } from "./frame.ts";

/**
 * Resampling on typed arrays (no DuckDB), for ticks -> bars and bars -> coarser bars.
 *
 * Bins: a bar's `time` is the start of its bin. Bins are multiples of the timeframe in UTC epoch ms
 * ("5m" bins start at :00, :05 ...; "1h" at whole UTC hours), except:
 * - days and weeks of `tz: "Asia/Seoul"` series align to the KST day (a "1d" bin starts 00:00 KST = 15:00 UTC);
 * - "1M" bins are calendar months (UTC, or KST for Asia/Seoul).
 *
 * Aggregates: open first, high max, low min, close last, volume sum, quote_volume sum when present
 * (ticks: sum of price * amount), trades = count of ticks (bars: sum of `trades` when present).
 *
 * Empty intervals: with `fill: "none"` (default) no bar is emitted for an interval with no input.
 * With `fill: "previous"` every empty interval between the first and last bar becomes a flat bar at the
 * previous close with volume 0 (quote_volume 0, trades 0) - the zero-volume bars freqtrade writes.
 *
 *   const bars = ticksToBars(ticks, "1m", { fill: "previous" });
 */
export interface ResampleOptions {
  fill?: "none" | "previous";
}

/** The bin-start function for a timeframe and a market zone. */
export function binner(timeframe: string, tz = "UTC"): (time: number) => number {
  const offset = tz === "Asia/Seoul" ? KST_OFFSET_MS : 0;
  const fixed = parseTimeframe(timeframe);
  if (fixed) {
    const step = fixed.ms;
    if (!(step > 0)) throw new Error(`invalid timeframe: ${timeframe}`);
    // Only day-or-longer bins follow the local day; intraday bins stay on UTC multiples (KST is a whole-hour offset).
    const shift = step >= 86_400_000 ? offset : 0;
    // Weeks start Monday: epoch day 0 (1970-01-01) was a Thursday.
    const anchor = fixed.unit === "w" ? 4 * 86_400_000 : 0;
    return (t) => Math.floor((t + shift - anchor) / step) * step + anchor - shift;
  }
  const monthly = /^(\d+)M$/.exec(timeframe);
  if (monthly) {
    const n = Number(monthly[1]);
    if (!(n > 0)) throw new Error(`invalid timeframe: ${timeframe}`);
    return (t) => {
      const d = new Date(t + offset);
      const m = d.getUTCFullYear() * 12 + d.getUTCMonth();
      const start = m - (m % n);
      return Date.UTC(Math.floor(start / 12), start % 12, 1) - offset;
    };
  }
  throw new Error(`invalid timeframe: ${timeframe} (expected e.g. 1m, 5m, 1h, 1d, 1w, 1M)`);
}

/** Aggregates trade ticks into bars. Ticks are taken in (time, seq) order. */
export function ticksToBars(frame: Frame, timeframe: string, { fill = "none" }: ResampleOptions = {}): Frame {
  if (frame.kind !== "ticks") throw new Error(`ticksToBars needs ticks, got ${frame.kind}`);
  const time = frame.columns.time as Float64Array;
  const price = frame.columns.price as Float64Array;
  const amount = frame.columns.amount as Float64Array;
  const order = sortedOrder(time, frame.columns.seq as Int32Array | undefined);
  const quote = new Float64Array(frame.length);
  for (let i = 0; i < frame.length; i++) quote[i] = price[i] * amount[i];
  const ones = new Float64Array(frame.length).fill(1);
  return aggregate(frame, timeframe, fill, order, {
    time,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: amount,
    quote_volume: quote,
    trades: ones,
  });
}

/** Aggregates bars into coarser bars (e.g. 1m -> 5m). */
export function resampleBars(
  frame: Frame,
  timeframe: string,
  { fill = "none" }: ResampleOptions = {},
): Frame {
  if (frame.kind !== "bars") throw new Error(`resampleBars needs bars, got ${frame.kind}`);
  const c = frame.columns as Record<string, Float64Array>;
  const inputs: Inputs = {
    time: c.time,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
  };
  if (c.quote_volume) inputs.quote_volume = toF64(c.quote_volume);
  if (c.trades) inputs.trades = toF64(c.trades);
  return aggregate(frame, timeframe, fill, sortedOrder(c.time), inputs);
}

interface Inputs {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  quote_volume?: Float64Array;
  trades?: Float64Array;
}

function toF64(column: ArrayLike<number>): Float64Array {
  return column instanceof Float64Array ? column : Float64Array.from(column);
}

function sortedOrder(time: Float64Array, seq?: Int32Array): Int32Array | undefined {
  let sorted = true;
  for (let i = 1; i < time.length && sorted; i++) {
    if (time[i] < time[i - 1] || (time[i] === time[i - 1] && seq && seq[i] < seq[i - 1])) sorted = false;
  }
  if (sorted) return undefined;
  const order = Int32Array.from(time, (_, i) => i);
  return order.sort((a, b) => time[a] - time[b] || (seq ? seq[a] - seq[b] : a - b));
}

function aggregate(
  frame: Frame,
  timeframe: string,
  fill: "none" | "previous",
  order: Int32Array | undefined,
  x: Inputs,
): Frame {
  if (fill !== "none" && fill !== "previous")
    throw new Error(`invalid fill: ${fill} (expected none or previous)`);
  const bin = binner(timeframe, frame.tz);
  const n = frame.length;
  // First pass: bin starts, so the output can be allocated once.
  const starts: number[] = [];
  let last = Number.NaN;
  for (let k = 0; k < n; k++) {
    const b = bin(x.time[order ? order[k] : k]);
    if (b !== last) {
      if (fill === "previous" && starts.length > 0) {
        for (let t = nextBin(bin, last); t < b; t = nextBin(bin, t)) starts.push(t);
      }
      starts.push(b);
      last = b;
    }
  }
  const m = starts.length;
  const out = {
    time: Float64Array.from(starts),
    open: new Float64Array(m),
    high: new Float64Array(m),
    low: new Float64Array(m),
    close: new Float64Array(m),
    volume: new Float64Array(m),
    quote_volume: x.quote_volume ? new Float64Array(m) : undefined,
    trades: x.trades ? new Float64Array(m) : undefined,
  };
  let j = -1;
  let prevClose = Number.NaN;
  for (let k = 0; k < n; k++) {
    const i = order ? order[k] : k;
    const b = bin(x.time[i]);
    if (j < 0 || out.time[j] !== b) {
      if (j >= 0) prevClose = out.close[j];
      j++;
      // flat fill bars sit between the previous bar and this one
      while (out.time[j] !== b) {
        out.open[j] = out.high[j] = out.low[j] = out.close[j] = prevClose;
        j++;
      }
      out.open[j] = x.open[i];
      out.high[j] = x.high[i];
      out.low[j] = x.low[i];
    } else {
      if (x.high[i] > out.high[j]) out.high[j] = x.high[i];
      if (x.low[i] < out.low[j]) out.low[j] = x.low[i];
    }
    out.close[j] = x.close[i];
    out.volume[j] += x.volume[i];
    if (out.quote_volume && x.quote_volume) out.quote_volume[j] += x.quote_volume[i];
    if (out.trades && x.trades) out.trades[j] += x.trades[i];
  }
  const columns: Record<string, Float64Array> = {
    time: out.time,
    open: out.open,
    high: out.high,
    low: out.low,
    close: out.close,
    volume: out.volume,
  };
  if (out.quote_volume) columns.quote_volume = out.quote_volume;
  if (out.trades) columns.trades = out.trades;
  return makeFrame({
    kind: "bars",
    market: frame.market,
    symbol: frame.symbol,
    timeframe,
    tz: frame.tz,
    columns,
  });
}

/** The start of the bin after the one starting at `start` (works for fixed and calendar bins). */
function nextBin(bin: (t: number) => number, start: number): number {
  let hi = start + 1000;
  while (bin(hi) === start) hi = start + (hi - start) * 2;
  let lo = start;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (bin(mid) === start) lo = mid;
    else hi = mid;
  }
  return bin(hi);
}
