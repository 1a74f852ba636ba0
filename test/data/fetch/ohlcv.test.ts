import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Catalog } from "../../../src/data/catalog/index.ts";
import { createExchange, fetchOhlcv } from "../../../src/data/fetch/index.ts";
import { DATA_DIR, type MockVenue, startMockVenue } from "../../support/mock-venue.ts";
import { needShared, sharedOr } from "../../support/paths.ts";

const MIN = 60_000;
const DAY = 86_400_000;
const since = Date.parse("2023-04-06T00:00:00Z");
const { missing } = needShared("binance/justinbomber_BTC_USDT-1m.json", "upbit/smtm");
const source: number[][] = sharedOr(missing, () =>
  JSON.parse(readFileSync(new URL("binance/justinbomber_BTC_USDT-1m.json", DATA_DIR), "utf8")),
);
const inRange = (a: number, b: number) => source.filter((r) => r[0] >= a && r[0] < b);
const fast = { baseDelayMs: 5 };

let venue: MockVenue;
let catalog: Catalog;
let dir: string;

beforeEach(async () => {
  venue = await startMockVenue({ port: 0, binanceNow: Date.parse("2023-05-06T00:00:00Z") });
  dir = mkdtempSync(join(tmpdir(), "stom-fetch-"));
  catalog = await Catalog.open(dir);
});
afterEach(async () => {
  await venue.close();
  await catalog.close();
  rmSync(dir, { recursive: true, force: true });
});

const bars = { kind: "bars", market: "binance", symbol: "BTC/USDT", timeframe: "1m" } as const;

describe.skipIf(missing)("fetchOhlcv from binance", () => {
  it("fetches 3 days of 1m candles equal to the source file", async () => {
    const exchange = createExchange("binance", { urlOverride: venue.url });
    const result = await fetchOhlcv(exchange, catalog, {
      symbol: "BTCUSDT",
      since,
      until: since + 3 * DAY,
      retry: fast,
    });
    const expected = inRange(since, since + 3 * DAY);
    expect(expected.length).toBe(3 * 1440); // the README says the file has no gaps
    expect(result.rows).toBe(expected.length);
    expect(venue.count("/api/v3/klines")).toBe(Math.ceil(expected.length / 1000));

    const frame = await catalog.read(bars);
    expect(frame.length).toBe(expected.length);
    expect(frame.tz).toBe("UTC");
    for (const i of [0, 1234, expected.length - 1]) {
      expect(frame.columns.time[i]).toBe(expected[i][0]);
      expect(
        [1, 2, 3, 4, 5].map(
          (j) => (frame.columns[["", "open", "high", "low", "close", "volume"][j]] as Float64Array)[i],
        ),
      ).toEqual(expected[i].slice(1, 6));
    }
  });

  it("survives a 429 and a dropped connection with every bar exactly once", async () => {
    venue.inject({ kind: "429", match: "/api/v3/klines", skip: 1, retryAfter: 1 });
    venue.inject({ kind: "drop", match: "/api/v3/klines", skip: 2 });
    const exchange = createExchange("binance", { urlOverride: venue.url });
    const retries: number[] = [];
    const started = Date.now();
    const result = await fetchOhlcv(exchange, catalog, {
      symbol: "BTC/USDT",
      since,
      until: since + 3 * DAY,
      batchPages: 2,
      retry: { ...fast, onRetry: ({ delayMs }) => retries.push(delayMs) },
    });
    expect(venue.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual(["429", "drop"]);
    expect(retries.length).toBe(2);
    expect(retries[0]).toBeGreaterThanOrEqual(1000); // Retry-After honoured
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result.rows).toBe(3 * 1440);

    const frame = await catalog.read(bars);
    const times = Array.from(frame.columns.time as Float64Array);
    expect(new Set(times).size).toBe(times.length);
    expect(times).toEqual(inRange(since, since + 3 * DAY).map((r) => r[0]));
  });

  it("resumes where the catalog ends: a later --until fetches only the rest", async () => {
    const exchange = createExchange("binance", { urlOverride: venue.url });
    await fetchOhlcv(exchange, catalog, { symbol: "BTC/USDT", since, until: since + 2 * DAY, retry: fast });
    const firstRun = venue.count("/api/v3/klines");
    expect(firstRun).toBe(3); // 2880 bars, 1000 a page

    const second = await fetchOhlcv(createExchange("binance", { urlOverride: venue.url }), catalog, {
      symbol: "BTC/USDT",
      since,
      until: since + 3 * DAY,
      retry: fast,
    });
    // from the last stored bar (refetched) to the end: 1441 bars in 2 pages
    expect(second.from).toBe(since + 2 * DAY - MIN);
    expect(venue.count("/api/v3/klines") - firstRun).toBe(2);
    const startTimes = venue.requests
      .filter((r) => r.path === "/api/v3/klines")
      .map((r) => Number(r.query.startTime));
    expect(startTimes[firstRun]).toBe(since + 2 * DAY - MIN);

    const frame = await catalog.read(bars);
    expect(frame.length).toBe(3 * 1440);
    expect(Array.from(frame.columns.time as Float64Array)).toEqual(
      inRange(since, since + 3 * DAY).map((r) => r[0]),
    );
  });

  it("keeps the finished batches when retries run out, and the rerun fetches only the rest", async () => {
    for (let i = 0; i < 5; i++) venue.inject({ kind: "drop", match: "/api/v3/klines", skip: 2 });
    const exchange = createExchange("binance", { urlOverride: venue.url });
    const options = {
      symbol: "BTC/USDT",
      since,
      until: since + 3 * DAY,
      batchPages: 1,
      retry: { baseDelayMs: 1 },
    };
    await expect(fetchOhlcv(exchange, catalog, options)).rejects.toThrow("other side closed");
    // 2 good pages, then 5 attempts at the third: the bound on retries
    expect(venue.count("/api/v3/klines")).toBe(7);
    expect(catalog.lastTime(bars)).toBe(since + 1999 * MIN);
    expect((await catalog.read(bars)).length).toBe(2000);

    const rerun = await fetchOhlcv(exchange, catalog, options);
    expect(rerun.from).toBe(since + 1999 * MIN);
    expect(venue.count("/api/v3/klines")).toBe(7 + 3); // 2321 bars left, 1000 a page
    const frame = await catalog.read(bars);
    expect(Array.from(frame.columns.time as Float64Array)).toEqual(
      inRange(since, since + 3 * DAY).map((r) => r[0]),
    );
  });

  it("does not store the candle still open at the venue's server time", async () => {
    await venue.close();
    venue = await startMockVenue({ port: 0, binanceNow: since + 90 * MIN + 30_000 });
    const exchange = createExchange("binance", { urlOverride: venue.url });
    const result = await fetchOhlcv(exchange, catalog, { symbol: "BTC/USDT", since, retry: fast });
    expect(venue.count("/api/v3/time")).toBe(1);
    expect(result.rows).toBe(90);
    const frame = await catalog.read(bars);
    expect(frame.columns.time[frame.length - 1]).toBe(since + 89 * MIN);
  });
});

describe.skipIf(missing)("fetchOhlcv from upbit", () => {
  const upbitSource = sharedOr(missing, () =>
    ["upbit_1m_20200220_170000-20200220_202000.json", "upbit_1m_20200220_202000-20200220_210000.json"]
      .flatMap((f) => JSON.parse(readFileSync(new URL(`upbit/smtm/${f}`, DATA_DIR), "utf8")))
      .map((c) => ({ ...c, time: Date.parse(`${c.candle_date_time_utc}Z`) }))
      .sort((a, b) => a.time - b.time),
  );
  const start = Date.parse("2020-02-20T08:00:00Z");

  it("fetches KRW-BTC 1m candles through a 429 and a drop, stored as KRW-BTC in Asia/Seoul", async () => {
    venue.inject({ kind: "429", match: "/v1/candles", retryAfter: 0 });
    venue.inject({ kind: "drop", match: "/v1/candles", skip: 1 });
    const exchange = createExchange("upbit", { urlOverride: venue.url });
    const result = await fetchOhlcv(exchange, catalog, {
      symbol: "BTC/KRW",
      since: start,
      until: start + 4 * 60 * MIN,
      retry: fast,
    });
    expect(upbitSource.length).toBe(240);
    expect(result.rows).toBe(240);
    // 240 bars, 200 a page: 2 pages plus the two failed attempts
    expect(venue.count("/v1/candles/minutes/1")).toBe(4);
    const frame = await catalog.read({ kind: "bars", market: "upbit", symbol: "KRW-BTC", timeframe: "1m" });
    expect(frame.tz).toBe("Asia/Seoul");
    expect(Array.from(frame.columns.time as Float64Array)).toEqual(upbitSource.map((c) => c.time));
    for (const i of [0, 100, 239]) {
      expect(frame.columns.open[i]).toBe(upbitSource[i].opening_price);
      expect(frame.columns.high[i]).toBe(upbitSource[i].high_price);
      expect(frame.columns.low[i]).toBe(upbitSource[i].low_price);
      expect(frame.columns.close[i]).toBe(upbitSource[i].trade_price);
      expect(frame.columns.volume[i]).toBe(upbitSource[i].candle_acc_trade_volume);
    }
  });
});

describe("createExchange", () => {
  it("names close matches for an unknown exchange id, and rejects venues without candles", () => {
    expect(() => createExchange("binanse")).toThrow("unknown exchange: binanse (did you mean binance");
    expect(() => createExchange("upbt")).toThrow("did you mean upbit");
    expect(() => createExchange("coinone", { need: "fetchOHLCV" })).toThrow("coinone has no fetchOHLCV");
  });
});
