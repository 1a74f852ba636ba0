import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  detectFormat,
  freqtradeOhlcvJson,
  freqtradeTradesJson,
  readInputs,
  upbitCandlesJson,
} from "../../../src/data/formats/index.ts";
import type { Frame } from "../../../src/data/frame.ts";
import { needShared, SHARED } from "../../support/paths.ts";

const DATA = `${SHARED}/`;
const { missing } = needShared("freqtrade", "upbit/smtm");
let tmp = "";

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "stom-formats-json-"));
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

const f64 = (frame: Frame, name: string) => frame.columns[name] as Float64Array;

describe.skipIf(missing)("freqtrade-ohlcv-json", () => {
  it.each([
    [
      "freqtrade/ETH_BTC-1m.json",
      "ETH/BTC",
      "1m",
      14397,
      Date.UTC(2018, 0, 20, 4, 53),
      Date.UTC(2018, 0, 30, 4, 50),
    ],
    [
      "freqtrade/UNITTEST_BTC-1m.json",
      "UNITTEST/BTC",
      "1m",
      13681,
      Date.UTC(2017, 10, 4, 23, 2),
      Date.UTC(2017, 10, 14, 22, 59),
    ],
    [
      "freqtrade/XRP_ETH-1m.json",
      "XRP/ETH",
      "1m",
      3560,
      Date.UTC(2019, 9, 11),
      Date.UTC(2019, 9, 13, 11, 19),
    ],
    ["freqtrade/XRP_ETH-5m.json", "XRP/ETH", "5m", 712, Date.UTC(2019, 9, 11), Date.UTC(2019, 9, 13, 11, 15)],
    [
      "binance/justinbomber_BTC_USDT-1m.json",
      "BTC/USDT",
      "1m",
      43199,
      Date.UTC(2023, 3, 5, 7, 37),
      Date.UTC(2023, 4, 5, 7, 35),
    ],
  ])(
    "reads %s: pair and timeframe from the name, README rows and range",
    async (name, symbol, tf, rows, first, last) => {
      const file = `${DATA}${name}`;
      expect((await detectFormat(file)).name).toBe("freqtrade-ohlcv-json");
      const frame = await one(freqtradeOhlcvJson.read(file, {}));
      expect(frame).toMatchObject({
        kind: "bars",
        market: "binance",
        symbol,
        timeframe: tf,
        tz: "UTC",
        length: rows,
      });
      expect(f64(frame, "time")[0]).toBe(first);
      expect(f64(frame, "time")[rows - 1]).toBe(last);
    },
  );

  it("keeps the raw OHLCV values of ETH/BTC 1m rows", async () => {
    const file = `${DATA}freqtrade/ETH_BTC-1m.json`;
    const raw = JSON.parse(await readFile(file, "utf8")) as number[][];
    const frame = await one(freqtradeOhlcvJson.read(file, { market: "bittrex" }));
    expect(frame.market).toBe("bittrex");
    for (const i of [0, 1, 7000, 9999, raw.length - 1]) {
      const got = ["time", "open", "high", "low", "close", "volume"].map((c) => f64(frame, c)[i]);
      expect(got).toEqual(raw[i]);
    }
  });

  it("names the element and field of a bad value", async () => {
    const raw = JSON.parse(await readFile(`${DATA}freqtrade/XRP_ETH-5m.json`, "utf8"));
    raw[9][4] = "abc";
    const file = path.join(tmp, "XRP_ETH-5m.json");
    await writeFile(file, JSON.stringify(raw));
    await expect(one(freqtradeOhlcvJson.read(file, {}))).rejects.toThrow(
      `${file}, line 10, close: not a number: "abc"`,
    );
    await writeFile(file, "[[1, 2, 3");
    await expect(one(freqtradeOhlcvJson.read(file, {}))).rejects.toThrow(/not valid JSON/);
  });
});

describe("freqtrade-trades-json", () => {
  const file = `${DATA}freqtrade/XRP_ETH-trades.json.gz`;

  it.skipIf(missing)("reads the gzip tape: 12,477 ticks, README range, sides and same-ms ranks", async () => {
    expect((await detectFormat(file)).name).toBe("freqtrade-trades-json");
    const frame = await one(freqtradeTradesJson.read(file, {}));
    expect(frame).toMatchObject({
      kind: "ticks",
      market: "binance",
      symbol: "XRP/ETH",
      timeframe: "tick",
      length: 12477,
    });
    const time = f64(frame, "time");
    expect(time[0]).toBe(Date.UTC(2019, 9, 11, 0, 0, 11, 620));
    expect(time[12476]).toBe(Date.UTC(2019, 9, 13, 11, 19, 28, 844));
    const side = frame.columns.side as Int8Array;
    const seq = frame.columns.seq as Int32Array;
    const id = frame.columns.id as string[];
    let buys = 0;
    let sells = 0;
    let ranked = 0;
    for (let i = 0; i < frame.length; i++) {
      if (side[i] === 1) buys++;
      if (side[i] === -1) sells++;
      if (seq[i] > 0) ranked++;
    }
    expect([buys, sells]).toEqual([6524, 5953]); // README
    expect(ranked).toBe(2490); // README: rows sharing the ms of the previous row
    // ids are the contiguous agg ids 13519807..13532283
    expect([id[0], id[12476]]).toEqual(["13519807", "13532283"]);
    const raw = JSON.parse(gunzipSync(await readFile(file)).toString("utf8"));
    for (const i of [0, 5000, 12476]) {
      expect([time[i], f64(frame, "price")[i], f64(frame, "amount")[i], f64(frame, "cost")[i]]).toEqual([
        raw[i][0],
        raw[i][4],
        raw[i][5],
        raw[i][6],
      ]);
    }
  });

  it("names the element of a bad side", async () => {
    const bad = path.join(tmp, "XRP_ETH-trades.json.gz");
    await writeFile(
      bad,
      gzipSync(
        JSON.stringify([
          [1570752011620, "1", null, "sell", 1, 2, 2],
          [1570752011621, "2", null, "hold", 1, 2, 2],
        ]),
      ),
    );
    await expect(one(freqtradeTradesJson.read(bad, {}))).rejects.toThrow(
      `${bad}, line 2, side: not buy or sell: "hold"`,
    );
  });
});

describe.skipIf(missing)("upbit-candles-json", () => {
  const dir = `${DATA}upbit/smtm/`;

  it.each([
    [
      "upbit_1m_20200220_170000-20200220_202000.json",
      "1m",
      200,
      Date.UTC(2020, 1, 20, 8),
      Date.UTC(2020, 1, 20, 11, 19),
    ],
    [
      "upbit_1m_20200220_202000-20200220_210000.json",
      "1m",
      40,
      Date.UTC(2020, 1, 20, 11, 20),
      Date.UTC(2020, 1, 20, 11, 59),
    ],
    [
      "upbit_3m_20200220_000000-20200220_100000.json",
      "3m",
      200,
      Date.UTC(2020, 1, 19, 15),
      Date.UTC(2020, 1, 20, 0, 57),
    ],
    [
      "upbit_3m_20200220_100000-20200220_120000.json",
      "3m",
      40,
      Date.UTC(2020, 1, 20, 1),
      Date.UTC(2020, 1, 20, 2, 57),
    ],
    [
      "upbit_3m_20200220_170000-20200220_200000.json",
      "3m",
      60,
      Date.UTC(2020, 1, 20, 8),
      Date.UTC(2020, 1, 20, 10, 57),
    ],
  ])("reads %s oldest first with README rows and range", async (name, tf, rows, first, last) => {
    const file = dir + name;
    expect((await detectFormat(file)).name).toBe("upbit-candles-json");
    const frame = await one(upbitCandlesJson.read(file, {}));
    expect(frame).toMatchObject({
      kind: "bars",
      market: "upbit",
      symbol: "KRW-BTC",
      timeframe: tf,
      tz: "Asia/Seoul",
      length: rows,
    });
    expect(f64(frame, "time")[0]).toBe(first);
    expect(f64(frame, "time")[rows - 1]).toBe(last);
    const raw = JSON.parse(await readFile(file, "utf8"));
    // newest first in the file: our first bar is the file's last element
    expect(f64(frame, "close")[0]).toBe(raw[rows - 1].trade_price);
    expect(f64(frame, "quote_volume")[0]).toBe(raw[rows - 1].candle_acc_trade_price);
  });

  it("3m candles equal the 1m candles aggregated (README fact, two independent parses)", async () => {
    const m1 = await one(upbitCandlesJson.read(`${dir}upbit_1m_20200220_170000-20200220_202000.json`, {}));
    const m3 = await one(upbitCandlesJson.read(`${dir}upbit_3m_20200220_170000-20200220_200000.json`, {}));
    for (let k = 0; k < m3.length; k++) {
      const a = k * 3;
      expect(f64(m1, "time")[a]).toBe(f64(m3, "time")[k]);
      expect(f64(m1, "open")[a]).toBe(f64(m3, "open")[k]);
      expect(Math.max(...f64(m1, "high").subarray(a, a + 3))).toBe(f64(m3, "high")[k]);
      expect(Math.min(...f64(m1, "low").subarray(a, a + 3))).toBe(f64(m3, "low")[k]);
      expect(f64(m1, "close")[a + 2]).toBe(f64(m3, "close")[k]);
      const v = f64(m1, "volume").subarray(a, a + 3);
      expect(v[0] + v[1] + v[2]).toBeCloseTo(f64(m3, "volume")[k], 6);
    }
  });

  it("reports mixed markets as a validation error naming the line", async () => {
    const raw = JSON.parse(await readFile(`${dir}upbit_1m_20200220_202000-20200220_210000.json`, "utf8"));
    raw[5].market = "KRW-ETH";
    const file = path.join(tmp, "mixed.json");
    await writeFile(file, JSON.stringify(raw, null, 1));
    await expect(one(readInputs([file]))).rejects.toThrow(
      /line 6: mixed-symbols: mixed symbols: KRW-BTC \(39 rows\), KRW-ETH \(1 rows\)/,
    );
  });
});
