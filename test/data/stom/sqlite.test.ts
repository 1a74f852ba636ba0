import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCodenames, readMoneytop, stomSqlite } from "../../../src/data/formats/stom-sqlite.ts";
import type { Frame } from "../../../src/data/frame.ts";
import { writeStomFixture } from "../../../src/data/stom/fixture.ts";
import { needShared, SHARED } from "../../support/paths.ts";

const DATA = SHARED;
const { missing } = needShared(
  "upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-26.csv",
  "krx/creon_1m_20190920",
);
const TRADES = join(DATA, "upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-26.csv");
const CREON = join(DATA, "krx/creon_1m_20190920");

// STOM's layouts written out from ARCHITECTURE.md, independently of src/data/stom/columns.ts
const BOOK = [
  ...[5, 4, 3, 2, 1].map((i) => `매도호가${i}`),
  ...[1, 2, 3, 4, 5].map((i) => `매수호가${i}`),
  ...[5, 4, 3, 2, 1].map((i) => `매도잔량${i}`),
  ...[1, 2, 3, 4, 5].map((i) => `매수잔량${i}`),
];
const STOCK_HEAD =
  "index 현재가 시가 고가 저가 등락율 당일거래대금 체결강도 거래대금증감 전일비 회전율 전일동시간비 시가총액 라운드피겨위5호가이내".split(
    " ",
  );
const TAIL = ["매도총잔량", "매수총잔량", ...BOOK, "매도수5호가잔량합", "관심종목"];
const EXPECTED = {
  stock_tick: [
    ...STOCK_HEAD,
    "초당매수수량",
    "초당매도수량",
    "VI해제시간",
    "VI가격",
    "VI호가단위",
    "초당거래대금",
    "고저평균대비등락율",
    ...TAIL,
  ],
  stock_min: [
    ...STOCK_HEAD,
    ..."분당매수수량 분당매도수량 VI해제시간 VI가격 VI호가단위 분봉시가 분봉고가 분봉저가 분당거래대금 고저평균대비등락율".split(
      " ",
    ),
    ...TAIL,
  ],
  coin_tick: [
    ..."index 현재가 시가 고가 저가 등락율 당일거래대금 체결강도 초당매수수량 초당매도수량 초당거래대금 고저평균대비등락율".split(
      " ",
    ),
    ...TAIL,
  ],
  coin_min: [
    ..."index 현재가 시가 고가 저가 등락율 당일거래대금 체결강도 분당매수수량 분당매도수량 분봉시가 분봉고가 분봉저가 분당거래대금 고저평균대비등락율".split(
      " ",
    ),
    ...TAIL,
  ],
};

/** the trades CSV read the plain way: per UTC second (or minute), last trade by sequential_id */
function tradesBy(periodMs: number, minutes: number) {
  const lines = readFileSync(TRADES, "utf8").trim().split("\n").slice(1);
  const rows = lines.map((line) => {
    const [price, volume, askBid, seq, ts] = line.split(",");
    return {
      price: +price,
      volume: +volume,
      sell: askBid === "1",
      seq: +seq,
      t: Date.parse(`${ts.replace(" ", "T")}Z`),
    };
  });
  const end = Date.UTC(2022, 10, 26) + minutes * 60_000;
  const periods = new Map<
    number,
    { last: number; lastSeq: number; volume: number; high: number; low: number }
  >();
  for (const r of rows) {
    if (r.t >= end) continue;
    const key = Math.floor(r.t / periodMs) * periodMs;
    const p = periods.get(key) ?? { last: 0, lastSeq: -1, volume: 0, high: -Infinity, low: Infinity };
    if (r.seq > p.lastSeq) {
      p.last = r.price;
      p.lastSeq = r.seq;
    }
    p.volume += r.volume;
    p.high = Math.max(p.high, r.price);
    p.low = Math.min(p.low, r.price);
    periods.set(key, p);
  }
  const first = rows.filter((r) => r.t === rows[0].t).sort((a, b) => a.seq - b.seq)[0];
  return { periods, firstPrice: first.price };
}

function creonRows(code: string) {
  return readFileSync(join(CREON, `${code}.csv`), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(","))
    .map((f) => ({ label: f[1], open: +f[2], high: +f[3], low: +f[4], close: +f[5], volume: +f[6] }));
}

async function readAll(file: string, options = {}): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of stomSqlite.read(file, options)) frames.push(frame);
  return frames;
}

let dir: string;
const db = (kind: string) => join(dir, `${kind}.db`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stom-sqlite-"));
  if (missing) return;
  writeStomFixture(db("coin_tick"), { kind: "coin_tick", source: TRADES, minutes: 60 });
  writeStomFixture(db("coin_min"), { kind: "coin_min", source: TRADES, minutes: 180 });
  writeStomFixture(db("stock_min"), { kind: "stock_min", source: CREON });
  writeStomFixture(db("stock_tick"), {
    kind: "stock_tick",
    source: CREON,
    symbols: ["005930", "091990"],
    minutes: 20,
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeStomFixture", () => {
  it.skipIf(missing)("writes STOM's exact column lists, types and index formats for all four kinds", () => {
    for (const kind of ["stock_tick", "stock_min", "coin_tick", "coin_min"] as const) {
      const sqlite = new Database(db(kind), { readonly: true });
      const tables = (
        sqlite.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]
      ).map((t) => t.name);
      const symbols = tables.filter((t) => t !== "moneytop" && t !== "codename");
      expect(tables).toContain("moneytop");
      expect(tables.includes("codename")).toBe(kind.startsWith("stock"));
      for (const table of symbols) {
        const info = sqlite.prepare(`pragma table_info("${table}")`).all() as {
          name: string;
          type: string;
        }[];
        expect(info.map((c) => c.name)).toEqual(EXPECTED[kind]);
        for (const c of info) {
          // pandas to_sql of STOM's float64 arrays: only the int64-cast index is INTEGER
          expect(c.type).toBe(c.name === "index" ? "INTEGER" : "REAL");
        }
        const indexes = (sqlite.prepare(`select "index" from "${table}"`).raw(true).all() as number[][]).map(
          (r) => r[0],
        );
        const digits = kind.endsWith("tick") ? 14 : 12;
        for (const index of indexes) {
          expect(Number.isInteger(index)).toBe(true);
          expect(String(index)).toHaveLength(digits);
        }
      }
      const top = sqlite.prepare(`pragma table_info("moneytop")`).all() as { name: string }[];
      expect(top.map((c) => c.name)).toEqual(["index", "거래대금순위"]);
      sqlite.close();
    }
  });

  it.skipIf(missing)("names coin tables by market code and stock tables by the six-digit code", () => {
    const coin = new Database(db("coin_tick"), { readonly: true });
    expect(coin.prepare("select name from sqlite_master where type = 'table' order by name").all()).toEqual([
      { name: "KRW-BTC" },
      { name: "moneytop" },
    ]);
    coin.close();
    expect([...readCodenames(db("stock_min")).keys()].sort()).toEqual([
      "000660",
      "005380",
      "005930",
      "035420",
      "035720",
      "068270",
      "091990",
      "247540",
    ]);
    expect(readCodenames(db("stock_min")).get("005930")).toBe("삼성전자");
    expect(readCodenames(db("coin_tick")).size).toBe(0);
  });

  it("rejects an unknown kind", () => {
    expect(() => writeStomFixture(join(dir, "x.db"), { kind: "stock_day" as never })).toThrow(
      /invalid kind: stock_day/,
    );
  });
});

describe("stomSqlite.sniff", () => {
  it.skipIf(missing)("recognises the SQLite header and nothing else", () => {
    expect(stomSqlite.sniff(db("coin_tick"), readFileSync(db("coin_tick")).subarray(0, 65536))).toBe(true);
    expect(stomSqlite.sniff(TRADES, readFileSync(TRADES).subarray(0, 65536))).toBe(false);
  });
});

describe("stomSqlite.read coin_tick", () => {
  it.skipIf(missing)("gives one tick frame whose 현재가 is the last real trade of each second", async () => {
    const { periods, firstPrice } = tradesBy(1000, 60);
    const [frame, ...rest] = await readAll(db("coin_tick"));
    expect(rest).toHaveLength(0);
    expect(frame.kind).toBe("ticks");
    expect(frame.timeframe).toBe("tick");
    expect(frame.market).toBe("upbit");
    expect(frame.symbol).toBe("KRW-BTC");
    expect(frame.tz).toBe("Asia/Seoul");
    expect(frame.length).toBe(periods.size);
    // 20221126000001 is UTC for coins
    expect(frame.columns.time[0]).toBe(Date.UTC(2022, 10, 26, 0, 0, 1));
    for (const name of EXPECTED.coin_tick.slice(1)) expect(frame.columns[name]).toBeInstanceOf(Float64Array);
    const time = frame.columns.time as Float64Array;
    const price = frame.columns.price as Float64Array;
    const amount = frame.columns.amount as Float64Array;
    const change = frame.columns.등락율 as Float64Array;
    const expected = [...periods.entries()].sort((a, b) => a[0] - b[0]);
    expect(Array.from(time)).toEqual(expected.map(([t]) => t));
    expect(Array.from(price)).toEqual(expected.map(([, p]) => p.last));
    expect(expected.filter(([, p], i) => Math.abs(amount[i] - p.volume) > 1e-7)).toEqual([]);
    expect(Array.from(change)).toEqual(
      expected.map(([, p]) => Math.round((p.last / firstPrice - 1) * 10000) / 100 + 0),
    );
  });

  it.skipIf(missing)(
    "keeps the snapshot consistent: day range, book around the price, 체결강도 within 0..500",
    async () => {
      const [frame] = await readAll(db("coin_tick"));
      const c = frame.columns as Record<string, Float64Array>;
      const bad: number[] = [];
      for (let i = 0; i < frame.length; i++) {
        const ok =
          c.고가[i] >= c.현재가[i] &&
          c.저가[i] <= c.현재가[i] &&
          c.매도호가1[i] - c.매수호가1[i] === 1000 &&
          (c.매도호가1[i] === c.현재가[i] || c.매수호가1[i] === c.현재가[i]) &&
          c.체결강도[i] >= 0 &&
          c.체결강도[i] <= 500 &&
          (i === 0 || c.당일거래대금[i] >= c.당일거래대금[i - 1]);
        if (!ok) bad.push(i);
      }
      expect(bad).toEqual([]);
    },
  );
});

describe("stomSqlite.read coin_min", () => {
  it.skipIf(missing)(
    "gives 1m bars whose close and high are the real trades' last and highest price of the minute",
    async () => {
      const { periods } = tradesBy(60_000, 180);
      const [frame] = await readAll(db("coin_min"), { market: "custom" });
      expect(frame.kind).toBe("bars");
      expect(frame.timeframe).toBe("1m");
      expect(frame.market).toBe("custom");
      expect(frame.length).toBe(periods.size);
      const expected = [...periods.entries()].sort((a, b) => a[0] - b[0]);
      const rows = (f: Frame) =>
        Array.from({ length: f.length }, (_, i) => [
          f.columns.time[i],
          f.columns.close[i],
          f.columns.high[i],
          f.columns.low[i],
        ]);
      expect(rows(frame)).toEqual(expected.map(([t, p]) => [t, p.last, p.high, p.low]));
    },
  );
});

describe("stomSqlite.read stock_min", () => {
  it.skipIf(missing)(
    "gives one 1m bar frame per symbol with the real Creon bars, KST index -> UTC",
    async () => {
      const frames = await readAll(db("stock_min"));
      expect(frames.map((f) => f.symbol).sort()).toEqual([
        "000660",
        "005380",
        "005930",
        "035420",
        "035720",
        "068270",
        "091990",
        "247540",
      ]);
      for (const frame of frames) {
        expect(frame.kind).toBe("bars");
        expect(frame.market).toBe("krx");
        expect(frame.tz).toBe("Asia/Seoul");
        // the closing-auction filler rows (volume 0) had no trades and are not STOM rows
        const csv = creonRows(frame.symbol).filter((r) => r.volume > 0);
        expect(frame.length).toBe(csv.length);
        for (const name of EXPECTED.stock_min.slice(1))
          expect(frame.columns[name]).toBeInstanceOf(Float64Array);
        const got = Array.from({ length: frame.length }, (_, i) =>
          ["time", "open", "high", "low", "close", "volume"].map((name) => frame.columns[name][i]),
        );
        // Creon labels the bar end in +0900; STOM's index is the bar start
        expect(got).toEqual(
          csv.map((r) => [
            Date.parse(r.label.replace("+0900", "+09:00")) - 60_000,
            r.open,
            r.high,
            r.low,
            r.close,
            r.volume,
          ]),
        );
      }
      const samsung = frames.find((f) => f.symbol === "005930")!;
      // 201909200900 KST = 2019-09-20 00:00 UTC
      expect(samsung.columns.time[0]).toBe(Date.UTC(2019, 8, 20, 0, 0));
      expect(samsung.columns.시가[samsung.length - 1]).toBe(creonRows("005930")[0].open);
    },
  );

  it.skipIf(missing)("marks 관심종목 exactly where moneytop lists the code", async () => {
    const frames = await readAll(db("stock_min"));
    const top = readMoneytop(db("stock_min"));
    expect(top.time[0]).toBe(Date.UTC(2019, 8, 20, 0, 0));
    const at = new Map<number, string[]>();
    top.time.forEach((t, i) => {
      at.set(t, top.codes[i]);
    });
    let flagged = 0;
    let mismatches = 0;
    for (const frame of frames) {
      for (let i = 0; i < frame.length; i++) {
        const listed = at.get(frame.columns.time[i] as number)?.includes(frame.symbol) ?? false;
        if (frame.columns.관심종목[i] !== (listed ? 1 : 0)) mismatches++;
        flagged += listed ? 1 : 0;
      }
    }
    expect(mismatches).toBe(0);
    expect(flagged).toBeGreaterThan(0);
    for (const codes of top.codes) expect(codes.length).toBeLessThanOrEqual(3);
  });
});

describe("stomSqlite.read stock_tick", () => {
  it.skipIf(missing)(
    "converts the KST second index to UTC and stays inside each real minute bar",
    async () => {
      const frames = await readAll(db("stock_tick"));
      expect(frames.map((f) => f.symbol).sort()).toEqual(["005930", "091990"]);
      const sqlite = new Database(db("stock_tick"), { readonly: true });
      const first = sqlite
        .prepare(`select "index" from "005930" order by "index" limit 1`)
        .raw(true)
        .get() as number[];
      sqlite.close();
      const samsung = frames.find((f) => f.symbol === "005930")!;
      expect(samsung.kind).toBe("ticks");
      const s = String(first[0]);
      // by hand: yyyymmddhhmmss in KST minus nine hours
      expect(samsung.columns.time[0]).toBe(
        Date.UTC(
          +s.slice(0, 4),
          +s.slice(4, 6) - 1,
          +s.slice(6, 8),
          +s.slice(8, 10) - 9,
          +s.slice(10, 12),
          +s.slice(12, 14),
        ),
      );
      const bars = creonRows("005930");
      const byStart = new Map(bars.map((b) => [Date.parse(b.label.replace("+0900", "+09:00")) - 60_000, b]));
      const outside: number[] = [];
      for (let i = 0; i < samsung.length; i++) {
        const t = samsung.columns.time[i] as number;
        const bar = byStart.get(Math.floor(t / 60_000) * 60_000);
        const p = samsung.columns.price[i] as number;
        if (!bar || p < bar.low || p > bar.high) outside.push(i);
      }
      expect(outside).toEqual([]);
    },
  );
});

describe("stomSqlite.read errors", () => {
  it("names the table and the missing columns of an unknown layout", async () => {
    const file = join(dir, "unknown.db");
    const sqlite = new Database(file);
    sqlite.exec(`create table "005930" ("index" INTEGER, "현재가" REAL, "foo" REAL)`);
    sqlite.exec(`create table moneytop ("index" INTEGER, "거래대금순위" TEXT)`);
    sqlite.close();
    await expect(readAll(file)).rejects.toThrow(
      /unknown stom layout in table 005930 \(tables: 005930, moneytop\).*missing 시가, 고가/,
    );
  });

  it.skipIf(missing)("refuses a symbol override on a many-table db", async () => {
    await expect(readAll(db("stock_min"), { symbol: "X" })).rejects.toThrow(/symbol override/);
  });
});
