import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../../../src/data/errors.ts";
import {
  binanceKlineCsv,
  detectFormat,
  ohlcvCsv,
  readInputs,
  sourceOf,
  upbitLegacyCandlesCsv,
  upbitTradesCsv,
} from "../../../src/data/formats/index.ts";
import type { Frame } from "../../../src/data/frame.ts";
import { needShared, SHARED } from "../../support/paths.ts";

const DATA = `${SHARED}/`;
const { missing } = needShared(
  "backtesting-py",
  "binance/isda_LINKUSDT-1m-2023-02.csv",
  "upbit/gyusu_run180129_KRW-BTC_1m_raw.csv",
  "upbit/trades",
);
let tmp = "";

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "stom-formats-csv-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function one(iter: AsyncIterable<Frame>): Promise<Frame> {
  const frames: Frame[] = [];
  for await (const f of iter) frames.push(f);
  expect(frames).toHaveLength(1);
  return frames[0];
}

function col(frame: Frame, name: string): Float64Array {
  return frame.columns[name] as Float64Array;
}

/** Names of the columns whose values differ between two frames (vitest's deep equal is slow on 40k rows). */
function differingColumns(a: Frame, b: Frame): string[] {
  const names = new Set([...Object.keys(a.columns), ...Object.keys(b.columns)]);
  return [...names].filter((name) => {
    const x = a.columns[name];
    const y = b.columns[name];
    if (!x || !y || x.length !== y.length) return true;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return true;
    return false;
  });
}

/** Raw CSV lines of a file, header included, split on commas (independent of the parser). */
async function rawLines(file: string): Promise<string[][]> {
  return (await readFile(file, "utf8"))
    .trim()
    .split("\n")
    .map((l) => l.replace(/\r$/, "").split(","));
}

describe("ohlcv-csv", () => {
  it.skipIf(missing).each([
    ["GOOG.csv", "GOOG", 2148, "1d", Date.UTC(2004, 7, 19), Date.UTC(2013, 2, 1)],
    ["EURUSD.csv", "EURUSD", 5000, "1h", Date.UTC(2017, 3, 19, 9), Date.UTC(2018, 1, 7, 15)],
    ["BTCUSD.csv", "BTCUSD", 156, "1M", Date.UTC(2012, 0, 31), Date.UTC(2024, 11, 31)],
  ])(
    "reads %s: symbol from the name, row count and range from the README",
    async (name, symbol, rows, tf, first, last) => {
      const file = `${DATA}backtesting-py/${name}`;
      expect((await detectFormat(file)).name).toBe("ohlcv-csv");
      const frame = await one(ohlcvCsv.read(file, {}));
      expect(frame).toMatchObject({
        kind: "bars",
        market: "custom",
        symbol,
        timeframe: tf,
        tz: "UTC",
        length: rows,
      });
      expect(col(frame, "time")[0]).toBe(first);
      expect(col(frame, "time")[rows - 1]).toBe(last);
      const raw = await rawLines(file);
      for (const i of [0, 17, rows - 1]) {
        expect([...["open", "high", "low", "close", "volume"].map((c) => col(frame, c)[i])]).toEqual(
          raw[i + 1].slice(1, 6).map(Number),
        );
      }
    },
  );

  it("takes options.market and options.symbol, reads a Date header and no Volume column as volume 0", async () => {
    const file = path.join(tmp, "x.csv");
    await writeFile(file, "Date,Open,High,Low,Close\n2020-01-01,1,2,0.5,1.5\n2020-01-02,1.5,2,1,2\n");
    const frame = await one(ohlcvCsv.read(file, { market: "krx", symbol: "005930" }));
    expect(frame).toMatchObject({ market: "krx", symbol: "005930", timeframe: "1d", length: 2 });
    expect([...col(frame, "volume")]).toEqual([0, 0]);
  });

  it.skipIf(missing)("names file, line and field for a malformed row", async () => {
    const raw = (await readFile(`${DATA}backtesting-py/GOOG.csv`, "utf8")).split("\n");
    const cells = raw[16].split(",");
    cells[4] = "abc";
    raw[16] = cells.join(",");
    const file = path.join(tmp, "GOOG.csv");
    await writeFile(file, raw.join("\n"));
    await expect(one(ohlcvCsv.read(file, {}))).rejects.toThrow(
      `${file}, line 17, close: not a number: 'abc'`,
    );
    raw[16] = `2005-13-01,${cells.slice(1, 4).join(",")},1,2`;
    await writeFile(file, raw.join("\n"));
    await expect(one(ohlcvCsv.read(file, {}))).rejects.toThrow(
      `${file}, line 17, time: not a date: '2005-13-01'`,
    );
  });
});

describe.skipIf(missing)("binance-kline-csv", () => {
  const file = `${DATA}binance/isda_LINKUSDT-1m-2023-02.csv`;

  it("reads the LINKUSDT month with header: 40,320 rows, Feb 2023, extra columns", async () => {
    expect((await detectFormat(file)).name).toBe("binance-kline-csv");
    const frame = await one(binanceKlineCsv.read(file, {}));
    expect(frame).toMatchObject({
      kind: "bars",
      market: "binance",
      symbol: "LINKUSDT",
      timeframe: "1m",
      tz: "UTC",
      length: 40320,
    });
    expect(col(frame, "time")[0]).toBe(Date.UTC(2023, 1, 1));
    expect(col(frame, "time")[40319]).toBe(Date.UTC(2023, 1, 28, 23, 59));
    let trades = 0;
    for (const v of col(frame, "trades")) trades += v;
    expect(trades).toBe(17_362_393); // README
    const raw = await rawLines(file);
    expect(col(frame, "taker_buy_quote_volume")[5]).toBe(Number(raw[6][10]));
    expect(col(frame, "quote_volume")[40319]).toBe(Number(raw[40320][7]));
  });

  it("reads the headerless variant and microsecond archives the same", async () => {
    const raw = (await readFile(file, "utf8")).split("\n");
    const headerless = path.join(tmp, "LINKUSDT-1m-2023-02.csv");
    await writeFile(headerless, raw.slice(1).join("\n"));
    expect((await detectFormat(headerless)).name).toBe("binance-kline-csv");
    const a = await one(binanceKlineCsv.read(file, {}));
    const b = await one(binanceKlineCsv.read(headerless, {}));
    expect(b.length).toBe(40320);
    expect(differingColumns(a, b)).toEqual([]);

    const micro = path.join(tmp, "LINKUSDT-1m-2025-02.csv");
    const rows = raw.slice(1, 101).map((l) => {
      const f = l.split(",");
      f[0] = `${f[0]}000`;
      f[6] = `${f[6]}999`;
      return f.join(",");
    });
    await writeFile(micro, rows.join("\n"));
    const c = await one(binanceKlineCsv.read(micro, {}));
    expect(c.timeframe).toBe("1m");
    expect([...col(c, "time")]).toEqual([...col(a, "time").subarray(0, 100)]);
  });

  it("names line and field for a malformed row", async () => {
    const raw = (await readFile(file, "utf8")).split("\n").slice(0, 10);
    raw[4] = raw[4].replace(/^(\d+),([\d.]+),([\d.]+)/, "$1,$2,x");
    const bad = path.join(tmp, "LINKUSDT-1m-2023-03.csv");
    await writeFile(bad, raw.join("\n"));
    await expect(one(binanceKlineCsv.read(bad, {}))).rejects.toThrow(
      `${bad}, line 5, high: not a number: 'x'`,
    );
  });
});

describe.skipIf(missing)("upbit-legacy-candles-csv", () => {
  const file = `${DATA}upbit/gyusu_run180129_KRW-BTC_1m_raw.csv`;

  it("reads 10,000 rows oldest first, and validation drops the one identical duplicate minute", async () => {
    expect((await detectFormat(file)).name).toBe("upbit-legacy-candles-csv");
    const frame = await one(upbitLegacyCandlesCsv.read(file, {}));
    expect(frame).toMatchObject({
      kind: "bars",
      market: "upbit",
      symbol: "KRW-BTC",
      timeframe: "1m",
      tz: "Asia/Seoul",
      length: 10000,
    });
    const time = col(frame, "time");
    expect(time[0]).toBe(Date.UTC(2018, 0, 22, 14, 8));
    expect(time[9999]).toBe(Date.UTC(2018, 0, 29, 12, 46));
    // the oldest bar is the file's last line
    const raw = await rawLines(file);
    expect(col(frame, "close")[0]).toBe(Number(raw[10000][9]));
    expect(col(frame, "quote_volume")[0]).toBe(Number(raw[10000][1]));
    expect(sourceOf(frame)?.line[0]).toBe(10001);

    const issues: string[] = [];
    const clean = await one(
      readInputs([file], { onIssues: (_f, _fr, list) => issues.push(...list.map((i) => i.kind)) }),
    );
    expect(clean.length).toBe(9999); // README: 9,999 unique minutes
    expect(issues).toEqual(["duplicates"]);
  });
});

describe("upbit-trades-csv", () => {
  it.skipIf(missing).each([
    ["2022-11-25", 27828, Date.UTC(2022, 10, 25, 9, 30, 41), Date.UTC(2022, 10, 25, 23, 59, 58)],
    ["2022-11-26", 47130, Date.UTC(2022, 10, 26, 0, 0, 1), Date.UTC(2022, 10, 26, 23, 59, 59)],
    ["2022-11-27", 11954, Date.UTC(2022, 10, 27), Date.UTC(2022, 10, 27, 6, 6, 21)],
  ])(
    "reads %s: README rows and range, side from ask_bid, seq by sequential_id within a second",
    async (day, rows, first, last) => {
      const file = `${DATA}upbit/trades/wannacrypto_KRW-BTC_trades_${day}.csv`;
      expect((await detectFormat(file)).name).toBe("upbit-trades-csv");
      const frame = await one(upbitTradesCsv.read(file, {}));
      expect(frame).toMatchObject({
        kind: "ticks",
        market: "upbit",
        symbol: "KRW-BTC",
        timeframe: "tick",
        tz: "Asia/Seoul",
        length: rows,
      });
      const time = col(frame, "time");
      expect(time[0]).toBe(first);
      expect(time[rows - 1]).toBe(last);
      const raw = await rawLines(file);
      const side = frame.columns.side as Int8Array;
      const seq = frame.columns.seq as Int32Array;
      const id = frame.columns.id as string[];
      let badSide = 0;
      let badId = 0;
      for (let i = 0; i < rows; i++) {
        if (side[i] !== (raw[i + 1][2] === "1" ? -1 : 1)) badSide++;
        if (id[i] !== raw[i + 1][3]) badId++;
      }
      expect([badSide, badId]).toEqual([0, 0]);
      // within each second, seq is a permutation of 0..k-1 that follows sequential_id
      const perSecond = new Map<number, number>();
      const keys = new Set<string>();
      let misordered = 0;
      for (let i = 0; i < rows; i++) {
        perSecond.set(time[i], (perSecond.get(time[i]) ?? 0) + 1);
        keys.add(`${time[i]}:${seq[i]}`);
        if (
          i > 0 &&
          time[i] === time[i - 1] &&
          Math.sign(seq[i] - seq[i - 1]) !== Math.sign(Number(id[i]) - Number(id[i - 1]))
        )
          misordered++;
      }
      expect(keys.size).toBe(rows);
      expect(misordered).toBe(0);
      let outOfRange = 0;
      for (let i = 0; i < rows; i++) if (seq[i] >= (perSecond.get(time[i]) ?? 0)) outOfRange++;
      expect(outOfRange).toBe(0);
    },
  );

  it("names the field of a bad ask_bid", async () => {
    const file = path.join(tmp, "KRW-ETH_trades.csv");
    await writeFile(
      file,
      "trade_price,trade_volume,ask_bid,sequential_id,timestamp\n1,2,0,1000,2022-11-25 09:30:41\n1,2,2,1001,2022-11-25 09:30:41\n",
    );
    await expect(one(upbitTradesCsv.read(file, {}))).rejects.toThrow(
      `${file}, line 3, ask_bid: not 0 or 1: '2'`,
    );
    await expect(one(upbitTradesCsv.read(file, {}))).rejects.toBeInstanceOf(DataError);
  });
});
