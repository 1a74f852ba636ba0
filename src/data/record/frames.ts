import type { Column, Frame } from "../frame.ts";
import { makeFrame } from "../frame.ts";
import { STOM_COLUMNS } from "../stom/columns.ts";
import type { ReceiverKind, StomRow } from "../stom/receiver-events.ts";
import { KST_OFFSET_MS, stomIndexToMs } from "../stom/time.ts";
import type { SegmentTable } from "./segments.ts";

/** STOM's columns of a tick row without `index` (the catalog keeps `time` instead). */
export function tickColumns(kind: ReceiverKind): readonly string[] {
  return STOM_COLUMNS[kind].filter((c) => c !== "index");
}

/** STOM's columns of a minute row without `index`. */
export function minuteColumns(kind: ReceiverKind): readonly string[] {
  return STOM_COLUMNS[kind === "coin_tick" ? "coin_min" : "stock_min"].filter((c) => c !== "index");
}

/** The zone STOM writes `index` in: UTC for coins, KST for stocks (the receiver's default too). */
export function indexOffset(kind: ReceiverKind): number {
  return kind === "stock_tick" ? KST_OFFSET_MS : 0;
}

/** A snapshot row's second as UTC ms. */
export function rowTime(row: StomRow, kind: ReceiverKind): number {
  return stomIndexToMs(row.index, indexOffset(kind));
}

/**
 * One minute's bar from its snapshot rows, in STOM's minute layout: 분봉시가/고가/저가 and OHLC
 * from the seconds' 현재가, the 분당 columns summed from the 초당 ones, everything else as the
 * minute's last snapshot left it. (STOM's minute receivers see every trade; a snapshot per second
 * misses a high or low that lived less than a second, which the tick rows could not show either.)
 */
export function minuteBar(rows: readonly StomRow[], kind: ReceiverKind): Record<string, number> {
  const last = rows[rows.length - 1];
  let high = Number.NEGATIVE_INFINITY;
  let low = Number.POSITIVE_INFINITY;
  let buy = 0;
  let sell = 0;
  let value = 0;
  for (const r of rows) {
    if (r.현재가 > high) high = r.현재가;
    if (r.현재가 < low) low = r.현재가;
    buy += r.초당매수수량;
    sell += r.초당매도수량;
    value += r.초당거래대금;
  }
  const bar: Record<string, number> = {};
  for (const c of minuteColumns(kind)) bar[c] = last[c] ?? 0;
  bar.분당매수수량 = buy;
  bar.분당매도수량 = sell;
  bar.분당거래대금 = value;
  bar.분봉시가 = rows[0].현재가;
  bar.분봉고가 = high;
  bar.분봉저가 = low;
  bar.open = rows[0].현재가;
  bar.high = high;
  bar.low = low;
  bar.close = last.현재가;
  bar.volume = buy + sell;
  return bar;
}

interface Series {
  readonly market: string;
  readonly symbol: string;
  readonly tz: string;
}

/**
 * Segment tables of one symbol as a catalog frame, laid out as `stom data import` stores a STOM
 * DB's tables (formats/stom-sqlite.ts): ticks get `seq` 0, price = 현재가 and amount = 초당 buy +
 * sell quantity; bars get time/open/high/low/close/volume; every STOM column keeps its Korean name.
 */
export function tableFrame(
  kindOf: "ticks" | "bars",
  series: Series,
  tables: readonly SegmentTable[],
): Frame | undefined {
  let n = 0;
  for (const t of tables) n += t.rows.length;
  if (n === 0) return undefined;
  const names = tables[0].columns;
  const data: Record<string, Float64Array> = {};
  for (const name of names) data[name] = new Float64Array(n);
  let i = 0;
  for (const t of tables) {
    const at = t.columns.map((c) => data[c]);
    for (const row of t.rows) {
      for (let c = 0; c < at.length; c++) {
        const v = row[c];
        if (at[c]) at[c][i] = v === null ? Number.NaN : v === "-0" ? -0 : v;
      }
      i++;
    }
  }
  const columns: Record<string, Column> = {};
  if (kindOf === "ticks") {
    const amount = new Float64Array(n);
    const buy = data.초당매수수량;
    const sell = data.초당매도수량;
    for (let r = 0; r < n; r++) amount[r] = buy[r] + sell[r];
    columns.time = data.time;
    columns.seq = new Int32Array(n);
    columns.price = data.현재가;
    columns.amount = amount;
  } else {
    for (const name of ["time", "open", "high", "low", "close", "volume"]) columns[name] = data[name];
  }
  for (const name of names) if (!(name in columns)) columns[name] = data[name];
  return makeFrame({
    kind: kindOf,
    market: series.market,
    symbol: series.symbol,
    timeframe: kindOf === "ticks" ? "tick" : "1m",
    tz: series.tz,
    columns,
  });
}

/** Catalog tick rows back as snapshot rows (for finishing a minute after a restart). */
export function frameRows(frame: Frame, kind: ReceiverKind): StomRow[] {
  const names = tickColumns(kind).filter((c) => c in frame.columns);
  const rows: StomRow[] = [];
  for (let i = 0; i < frame.length; i++) {
    const row: StomRow = { index: 0 };
    for (const c of names) row[c] = (frame.columns[c] as Float64Array)[i];
    rows.push(row);
  }
  return rows;
}
