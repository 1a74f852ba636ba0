import { type KisClient, kstToUtc, PATHS, TR, utcToKst } from "../../bridge/kis/index.ts";
import { type Frame, makeFrame } from "../frame.ts";

export interface KisMinuteOptions {
  /** stock code, 6 digits: "005930" */
  code: string;
  /** newest minute to ask for, "HHMMSS" KST (default: now, capped at 15:30) */
  until?: string;
  /** bars that started less than a minute before `now` are still open and dropped */
  now?: number;
  /** pages of 30 bars at most (a full day is 13) */
  maxPages?: number;
}

interface ChartRow {
  stck_bsop_date: string;
  stck_cntg_hour: string;
  stck_oprc: string;
  stck_hgpr: string;
  stck_lwpr: string;
  stck_prpr: string;
  cntg_vol: string;
}

/**
 * Today's 1-minute bars of a KRX stock through inquire-time-itemchartprice (FHKST03010200), which
 * answers 30 bars at or before FID_INPUT_HOUR_1, newest first; pages backwards from `until` to the
 * open. `stck_cntg_hour` is taken as the bar's start minute. Returns a "krx" frame in Asia/Seoul.
 *
 * @example const frame = await fetchKisMinutes(client, { code: "005930" }); await catalog.write([frame]);
 */
export async function fetchKisMinutes(
  client: KisClient,
  { code, until, now = Date.now(), maxPages = 20 }: KisMinuteOptions,
): Promise<Frame> {
  if (!/^\d{6}$/.test(code)) throw new Error(`invalid stock code: ${code} (expected 6 digits, e.g. 005930)`);
  let hour = until ?? minHour(utcToKst(now).time, "153000");
  if (!/^\d{6}$/.test(hour)) throw new Error(`invalid until: ${hour} (expected HHMMSS)`);
  const byTime = new Map<number, ChartRow>();
  for (let page = 0; page < maxPages; page++) {
    const body = await client.get(PATHS.minuteChart, TR.minuteChart[client.env], {
      FID_ETC_CLS_CODE: "",
      FID_COND_MRKT_DIV_CODE: "J",
      FID_INPUT_ISCD: code,
      FID_INPUT_HOUR_1: hour,
      FID_PW_DATA_INCU_YN: "Y",
    });
    const rows = ((body.output2 ?? []) as ChartRow[]).filter((r) => r.stck_bsop_date && r.stck_cntg_hour);
    if (!rows.length) break;
    let oldest = Number.POSITIVE_INFINITY;
    for (const r of rows) {
      const t = kstToUtc(r.stck_bsop_date, r.stck_cntg_hour);
      oldest = Math.min(oldest, t);
      if (t + 60_000 <= now) byTime.set(t, r);
    }
    const next = utcToKst(oldest - 60_000).time;
    if (next < "090000" || next >= hour) break;
    hour = next;
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const col = () => new Float64Array(times.length);
  const columns = { time: col(), open: col(), high: col(), low: col(), close: col(), volume: col() };
  times.forEach((t, i) => {
    const r = byTime.get(t) as ChartRow;
    columns.time[i] = t;
    columns.open[i] = Number(r.stck_oprc);
    columns.high[i] = Number(r.stck_hgpr);
    columns.low[i] = Number(r.stck_lwpr);
    columns.close[i] = Number(r.stck_prpr);
    columns.volume[i] = Number(r.cntg_vol);
  });
  return makeFrame({ kind: "bars", market: "krx", symbol: code, timeframe: "1m", tz: "Asia/Seoul", columns });
}

const minHour = (a: string, b: string) => (a < b ? a : b);
