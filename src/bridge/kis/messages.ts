import { KST_OFFSET_MS } from "../../engine/markets/kst.ts";
import type { Side } from "../types.ts";

/** H0STCNT0 (국내주식 실시간체결가) fields, in order (open-trading-api ccnl_krx.py). */
export const TRADE_COLUMNS = [
  "MKSC_SHRN_ISCD", "STCK_CNTG_HOUR", "STCK_PRPR", "PRDY_VRSS_SIGN", "PRDY_VRSS", "PRDY_CTRT",
  "WGHN_AVRG_STCK_PRC", "STCK_OPRC", "STCK_HGPR", "STCK_LWPR", "ASKP1", "BIDP1", "CNTG_VOL", "ACML_VOL",
  "ACML_TR_PBMN", "SELN_CNTG_CSNU", "SHNU_CNTG_CSNU", "NTBY_CNTG_CSNU", "CTTR", "SELN_CNTG_SMTN",
  "SHNU_CNTG_SMTN", "CCLD_DVSN", "SHNU_RATE", "PRDY_VOL_VRSS_ACML_VOL_RATE", "OPRC_HOUR",
  "OPRC_VRSS_PRPR_SIGN", "OPRC_VRSS_PRPR", "HGPR_HOUR", "HGPR_VRSS_PRPR_SIGN", "HGPR_VRSS_PRPR",
  "LWPR_HOUR", "LWPR_VRSS_PRPR_SIGN", "LWPR_VRSS_PRPR", "BSOP_DATE", "NEW_MKOP_CLS_CODE", "TRHT_YN",
  "ASKP_RSQN1", "BIDP_RSQN1", "TOTAL_ASKP_RSQN", "TOTAL_BIDP_RSQN", "VOL_TNRT",
  "PRDY_SMNS_HOUR_ACML_VOL", "PRDY_SMNS_HOUR_ACML_VOL_RATE", "HOUR_CLS_CODE", "MRKT_TRTM_CLS_CODE",
  "VI_STND_PRC",
] as const; // biome-ignore format: one row per few fields reads better than one per line

/** H0STCNI0/H0STCNI9 (주식체결통보) fields, in order (open-trading-api ccnl_notice.py). */
export const NOTICE_COLUMNS = [
  "CUST_ID", "ACNT_NO", "ODER_NO", "ODER_QTY", "SELN_BYOV_CLS", "RCTF_CLS", "ODER_KIND", "ODER_COND",
  "STCK_SHRN_ISCD", "CNTG_QTY", "CNTG_UNPR", "STCK_CNTG_HOUR", "RFUS_YN", "CNTG_YN", "ACPT_YN",
  "BRNC_NO", "ACNT_NO2", "ACNT_NAME", "ORD_COND_PRC", "ORD_EXG_GB", "POPUP_YN", "FILLER", "CRDT_CLS",
  "CRDT_LOAN_DATE", "CNTG_ISNM40", "ODER_PRC",
] as const; // biome-ignore format: as above

/** UTC ms of a KST date "YYYYMMDD" and time "HHMMSS". */
export function kstToUtc(date: string, time: string): number {
  const d = /^(\d{4})(\d\d)(\d\d)$/.exec(date);
  const t = /^(\d\d)(\d\d)(\d\d)/.exec(time);
  if (!d || !t) throw new Error(`invalid kst date/time: ${date} ${time}`);
  return Date.UTC(+d[1], +d[2] - 1, +d[3], +t[1], +t[2], +t[3]) - KST_OFFSET_MS;
}

/** "YYYYMMDD" and "HHMMSS" of a UTC ms in KST. */
export function utcToKst(time: number): { date: string; time: string } {
  const iso = new Date(time + KST_OFFSET_MS).toISOString();
  return { date: iso.slice(0, 10).replaceAll("-", ""), time: iso.slice(11, 19).replaceAll(":", "") };
}

export interface KisTrade {
  readonly code: string;
  /** UTC ms */
  readonly time: number;
  readonly price: number;
  readonly volume: number;
  /** the day's cumulative volume, which makes a print unique within its day */
  readonly cumVolume: number;
}

export interface KisNotice {
  readonly odno: string;
  readonly code: string;
  readonly side: Side;
  readonly orderQty: number;
  /** true for a fill (CNTG_YN 2), false for an acceptance/cancel/refusal notice */
  readonly fill: boolean;
  readonly refused: boolean;
  readonly qty: number;
  readonly price: number;
  /** "HHMMSS" KST */
  readonly hour: string;
}

/** Splits a caret-separated body into records of `width` fields (a message may carry several). */
export function records(body: string, count: number, width: number): string[][] {
  const fields = body.split("^");
  const n = Math.max(1, Math.min(count, Math.floor(fields.length / width)));
  const out: string[][] = [];
  for (let i = 0; i < n; i++) out.push(fields.slice(i * width, (i + 1) * width));
  return out;
}

export function parseTrade(f: readonly string[]): KisTrade {
  return {
    code: f[0],
    time: kstToUtc(f[33], f[1]),
    price: Number(f[2]),
    volume: Number(f[12]),
    cumVolume: Number(f[13]),
  };
}

export function parseNotice(f: readonly string[]): KisNotice {
  return {
    odno: f[2],
    orderQty: Number(f[3]),
    side: f[4] === "01" ? "sell" : "buy",
    code: f[8],
    qty: Number(f[9]),
    price: Number(f[10]),
    hour: f[11],
    refused: f[12] === "Y",
    fill: f[13] === "2",
  };
}
