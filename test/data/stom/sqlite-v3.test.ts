import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectStomKind, readMoneytop, stomSqlite } from "../../../src/data/formats/stom-sqlite.ts";
import type { Frame } from "../../../src/data/frame.ts";
import { STOM_COLUMNS } from "../../../src/data/stom/columns.ts";
import { detectStomLayout } from "../../../src/data/stom/versions.ts";

// STOM_V3's DB layouts copied from c-guevara/STOM_V3@c215f0c utility/settings/setting_market.py
// (LIST_STOCK_TICK ... up to 관심종목, which trade/base_strategy.py:1615 saves), independently of
// src/data/stom/versions.ts
const BOOK = [
  "매도호가1 매도호가2 매도호가3 매도호가4 매도호가5 매수호가1 매수호가2 매수호가3 매수호가4 매수호가5",
  "매도잔량1 매도잔량2 매도잔량3 매도잔량4 매도잔량5 매수잔량1 매수잔량2 매수잔량3 매수잔량4 매수잔량5",
  "매도총잔량 매수총잔량 매도수5호가잔량합 관심종목",
].join(" ");
const MONEY = "당일매수금액 최고매수금액 최고매수가격 당일매도금액 최고매도금액 최고매도가격";
const V3 = {
  stock_tick: `index 현재가 시가 고가 저가 등락율 당일거래대금 체결강도 초당매수수량 초당매도수량 시가총액 VI해제시간 VI가격 VI호가단위 초당거래대금 고저평균대비등락율 저가대비고가등락율 초당매수금액 초당매도금액 ${MONEY} ${BOOK}`,
  stock_min: `index 현재가 시가 고가 저가 등락율 당일거래대금 체결강도 분당매수수량 분당매도수량 시가총액 VI해제시간 VI가격 VI호가단위 분봉시가 분봉고가 분봉저가 분당거래대금 고저평균대비등락율 저가대비고가등락율 분당매수금액 분당매도금액 ${MONEY} ${BOOK}`,
  coin_tick: `index 현재가 시가 고가 저가 등락율 당일거래대금 체결강도 초당매수수량 초당매도수량 초당거래대금 고저평균대비등락율 저가대비고가등락율 초당매수금액 초당매도금액 ${MONEY} ${BOOK}`,
  coin_min: `index 현재가 시가 고가 저가 등락율 당일거래대금 체결강도 분당매수수량 분당매도수량 분봉시가 분봉고가 분봉저가 분당거래대금 고저평균대비등락율 저가대비고가등락율 분당매수금액 분당매도금액 ${MONEY} ${BOOK}`,
} as const;
type V3Kind = keyof typeof V3;

/** the V2.42 coin tick of STOM_V3's first commit (utility/update_db_20260211.py): V1's far-to-near book */
const V2_COIN_TICK = `index 현재가 시가 고가 저가 등락율 당일거래대금 체결강도 초당매수수량 초당매도수량 초당거래대금 고저평균대비등락율 저가대비고가등락율 초당매수금액 초당매도금액 ${MONEY} 매도호가5 매도호가4 매도호가3 매도호가2 매도호가1 매수호가1 매수호가2 매수호가3 매수호가4 매수호가5 매도잔량5 매도잔량4 매도잔량3 매도잔량2 매도잔량1 매수잔량1 매수잔량2 매수잔량3 매수잔량4 매수잔량5 매도총잔량 매수총잔량 매도수5호가잔량합 관심종목`;

const columnsOf = (kind: V3Kind) => V3[kind].split(" ");

/**
 * A DB as STOM_V3 writes it: `df.to_sql(code, con, index=False)` (an ordinary "index" INTEGER
 * column, every factor REAL from the float array, no ix_ index) and moneytop with its pandas index.
 */
function writeV3(file: string, kind: V3Kind, table: string, indexes: number[], moneytop: number[]): void {
  const names = columnsOf(kind);
  const db = new Database(file);
  db.exec(
    `CREATE TABLE "${table}" (${names.map((n) => `"${n}" ${n === "index" ? "INTEGER" : "REAL"}`).join(", ")})`,
  );
  const insert = db.prepare(`INSERT INTO "${table}" VALUES (${names.map(() => "?").join(", ")})`);
  indexes.forEach((index, i) => {
    const row = names.map((name) => {
      if (name === "index") return index;
      if (name === "VI해제시간") return Math.floor(indexes[0] / 1e6) * 1e6 + 80000;
      if (name === "현재가" || name.startsWith("분봉")) return 1000 + i;
      if (name.endsWith("매수수량")) return 3 + i;
      if (name.endsWith("매도수량")) return 2;
      if (name === "저가대비고가등락율") return 0.5 + i;
      if (name === "당일매수금액") return 1e6 * (i + 1);
      return i;
    });
    insert.run(row);
  });
  db.exec(`CREATE TABLE "moneytop" ("index" INTEGER, "거래대금순위" TEXT)`);
  db.exec(`CREATE INDEX "ix_moneytop_index" ON "moneytop" ("index")`);
  for (const index of moneytop) db.prepare(`INSERT INTO moneytop VALUES (?, ?)`).run(index, table);
  db.close();
}

async function readAll(file: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of stomSqlite.read(file, {})) frames.push(frame);
  return frames;
}

let dir: string;
const db = (name: string) => join(dir, `${name}.db`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stom-v3-"));
  // a KRX morning in KST and an Upbit day start in UTC (STOM_V3 writes coin times in UTC)
  writeV3(
    db("stock_tick"),
    "stock_tick",
    "005930",
    [20260420090001, 20260420090002, 20260420090005],
    [20260420090001],
  );
  writeV3(db("stock_min"), "stock_min", "005930", [202604200900, 202604200901], [202604200900]);
  writeV3(db("coin_tick"), "coin_tick", "KRW-BTC", [20260420000001, 20260420000002], [20260420000001]);
  writeV3(db("coin_min"), "coin_min", "KRW-BTC", [202604200000, 202604200001], [202604200000]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("detectStomLayout", () => {
  it("recognises each STOM_V3 layout, V1's, and V2.42's by its column order", () => {
    for (const kind of Object.keys(V3) as V3Kind[]) {
      expect(detectStomLayout(columnsOf(kind))).toMatchObject({ kind, version: 3 });
      expect(detectStomKind(columnsOf(kind))).toBe(kind);
      expect(detectStomLayout(STOM_COLUMNS[kind])).toMatchObject({ kind, version: 1 });
    }
    expect(detectStomLayout(V2_COIN_TICK.split(" "))).toMatchObject({ kind: "coin_tick", version: 2 });
    // a V3 stock table has every column of V1's coin layout: the larger stock layout must win
    expect(STOM_COLUMNS.coin_tick.every((name) => columnsOf("stock_tick").includes(name))).toBe(true);
    expect(detectStomLayout([...columnsOf("stock_tick")].reverse())).toMatchObject({ kind: "stock_tick" });
  });
});

describe("stomSqlite.read STOM_V3 DBs", () => {
  it("reads a V3 stock_tick DB as KRX ticks in KST, every V3 column kept", async () => {
    const [frame, ...rest] = await readAll(db("stock_tick"));
    expect(rest).toHaveLength(0);
    expect(frame).toMatchObject({ kind: "ticks", market: "krx", symbol: "005930", tz: "Asia/Seoul" });
    // 09:00:01 KST is 00:00:01 UTC
    expect(Array.from(frame.columns.time as Float64Array)).toEqual([
      Date.UTC(2026, 3, 20, 0, 0, 1),
      Date.UTC(2026, 3, 20, 0, 0, 2),
      Date.UTC(2026, 3, 20, 0, 0, 5),
    ]);
    for (const name of columnsOf("stock_tick").slice(1))
      expect(frame.columns[name]).toBeInstanceOf(Float64Array);
    expect(Array.from(frame.columns.price as Float64Array)).toEqual([1000, 1001, 1002]);
    expect(Array.from(frame.columns.amount as Float64Array)).toEqual([5, 6, 7]);
    expect(Array.from(frame.columns.저가대비고가등락율 as Float64Array)).toEqual([0.5, 1.5, 2.5]);
    expect(Array.from(frame.columns.VI해제시간 as Float64Array)).toEqual([
      20260420080000, 20260420080000, 20260420080000,
    ]);
    expect(frame.columns.전일비).toBeUndefined();
  });

  it("reads a V3 stock_min DB as KRX 1m bars in KST", async () => {
    const [frame] = await readAll(db("stock_min"));
    expect(frame).toMatchObject({ kind: "bars", timeframe: "1m", market: "krx", symbol: "005930" });
    expect(Array.from(frame.columns.time as Float64Array)).toEqual([
      Date.UTC(2026, 3, 20, 0, 0),
      Date.UTC(2026, 3, 20, 0, 1),
    ]);
    expect(Array.from(frame.columns.open as Float64Array)).toEqual([1000, 1001]);
    expect(frame.columns.분당매수금액).toBeInstanceOf(Float64Array);
  });

  it("reads V3 coin DBs as Upbit in UTC", async () => {
    const [tick] = await readAll(db("coin_tick"));
    expect(tick).toMatchObject({ kind: "ticks", market: "upbit", symbol: "KRW-BTC" });
    expect(tick.columns.time[0]).toBe(Date.UTC(2026, 3, 20, 0, 0, 1));
    expect(tick.columns.최고매도가격).toBeInstanceOf(Float64Array);
    const [bars] = await readAll(db("coin_min"));
    expect(bars).toMatchObject({ kind: "bars", market: "upbit", symbol: "KRW-BTC" });
    expect(bars.columns.time[1]).toBe(Date.UTC(2026, 3, 20, 0, 1));
  });

  it("reads moneytop in the DB's zone: KST for a V3 stock DB (no codename table), UTC for coins", () => {
    expect(readMoneytop(db("stock_tick"))).toEqual({
      time: new Float64Array([Date.UTC(2026, 3, 20, 0, 0, 1)]),
      codes: [["005930"]],
    });
    expect(readMoneytop(db("stock_min")).time[0]).toBe(Date.UTC(2026, 3, 20, 0, 0));
    expect(readMoneytop(db("coin_tick")).time[0]).toBe(Date.UTC(2026, 3, 20, 0, 0, 1));
  });
});
