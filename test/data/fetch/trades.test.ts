import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Catalog } from "../../../src/data/catalog/index.ts";
import { createExchange, fetchTrades } from "../../../src/data/fetch/index.ts";
import { DATA_DIR, type MockVenue, startMockVenue } from "../../support/mock-venue.ts";
import { needShared, sharedOr } from "../../support/paths.ts";

const { missing } = needShared(
  "upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-27.csv",
  "freqtrade/XRP_ETH-trades.json.gz",
);
const HOUR = 3_600_000;
const fast = { baseDelayMs: 5 };

let venue: MockVenue;
let catalog: Catalog;
let dir: string;

beforeEach(async () => {
  venue = await startMockVenue({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), "stom-fetch-trades-"));
  catalog = await Catalog.open(dir);
});
afterEach(async () => {
  await venue.close();
  await catalog.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing)("fetchTrades from upbit (pages backward by cursor)", () => {
  // price, volume, ask_bid (1 = ASK: the taker sold), sequential_id (= trade ms * 1000 + counter)
  const tape = sharedOr(missing, () =>
    readFileSync(new URL("upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-27.csv", DATA_DIR), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(","))
      .map(([price, volume, askBid, seq]) => ({
        price: Number(price),
        amount: Number(volume),
        side: askBid === "1" ? -1 : 1,
        seq: Number(seq),
        time: Math.floor(Number(seq) / 1000),
      })),
  );
  const since = Date.parse("2022-11-27T05:00:00Z");
  const expected = (a: number, b: number) =>
    tape.filter((t) => t.time >= a && t.time < b).sort((x, y) => x.time - y.time || x.seq - y.seq);
  const key = { kind: "ticks", market: "upbit", symbol: "KRW-BTC", timeframe: "tick" } as const;

  it("fetches one hour of KRW-BTC ticks through a 429 and a drop, each trade once", async () => {
    venue.inject({ kind: "429", match: "/v1/trades/ticks", skip: 1, retryAfter: 0 });
    venue.inject({ kind: "drop", match: "/v1/trades/ticks", skip: 2 });
    const result = await fetchTrades(createExchange("upbit", { urlOverride: venue.url }), catalog, {
      symbol: "KRW-BTC",
      since,
      until: since + HOUR,
      batchPages: 2,
      retry: fast,
    });
    const want = expected(since, since + HOUR);
    expect(want.length).toBeGreaterThan(1000);
    expect(result.rows).toBe(want.length);
    expect(venue.requests.filter((r) => r.fault).length).toBe(2);

    const frame = await catalog.read({ ...key, columns: ["seq", "price", "amount", "side", "id"] });
    expect(frame.tz).toBe("Asia/Seoul");
    expect(frame.length).toBe(want.length);
    const ids = frame.columns.id as string[];
    expect(new Set(ids).size).toBe(want.length);
    expect([...ids].sort()).toEqual(want.map((t) => String(t.seq)).sort());
    const bySeq = new Map(want.map((t) => [String(t.seq), t]));
    for (let i = 0; i < frame.length; i += 97) {
      const t = bySeq.get(ids[i])!;
      expect(frame.columns.time[i]).toBe(t.time);
      expect(frame.columns.price[i]).toBe(t.price);
      expect(frame.columns.amount[i]).toBe(t.amount);
      expect(frame.columns.side[i]).toBe(t.side);
      expect(frame.columns.seq[i]).toBe(t.seq);
    }
  });

  it("resumes from the last stored trade", async () => {
    const exchange = createExchange("upbit", { urlOverride: venue.url });
    await fetchTrades(exchange, catalog, { symbol: "BTC/KRW", since, until: since + HOUR / 2, retry: fast });
    const second = await fetchTrades(exchange, catalog, {
      symbol: "BTC/KRW",
      since,
      until: since + HOUR,
      retry: fast,
    });
    expect(second.from).toBe(expected(since, since + HOUR / 2).at(-1)!.time);
    expect(second.rowsAdded).toBe(expected(since + HOUR / 2, since + HOUR).length);
    const frame = await catalog.read({ ...key, columns: ["id"] });
    expect(frame.length).toBe(expected(since, since + HOUR).length);
  });
});

describe.skipIf(missing)("fetchTrades from binance (aggTrades, forward by time)", () => {
  // [timestamp, agg id, type, taker side, price, amount, cost]
  const tape: [number, string, null, string, number, number, number][] = sharedOr(missing, () =>
    JSON.parse(
      gunzipSync(readFileSync(new URL("freqtrade/XRP_ETH-trades.json.gz", DATA_DIR))).toString("utf8"),
    ),
  );
  const since = Date.parse("2019-10-11T00:00:00Z");

  it("fetches 12 hours of XRP/ETH aggregate trades equal to the tape", async () => {
    venue.inject({ kind: "drop", match: "/api/v3/aggTrades", skip: 3 });
    const result = await fetchTrades(createExchange("binance", { urlOverride: venue.url }), catalog, {
      symbol: "XRPETH",
      since,
      until: since + 12 * HOUR,
      retry: fast,
    });
    const want = tape.filter((t) => t[0] >= since && t[0] < since + 12 * HOUR);
    expect(result.rows).toBe(want.length);
    // one request per hour-long window, plus the dropped one
    expect(venue.count("/api/v3/aggTrades")).toBe(13);

    const frame = await catalog.read({
      kind: "ticks",
      market: "binance",
      symbol: "XRP/ETH",
      timeframe: "tick",
      columns: ["seq", "price", "amount", "side", "id"],
    });
    expect(frame.length).toBe(want.length);
    expect(frame.columns.id).toEqual(want.map((t) => t[1]));
    expect(Array.from(frame.columns.time as Float64Array)).toEqual(want.map((t) => t[0]));
    expect(Array.from(frame.columns.price as Float64Array)).toEqual(want.map((t) => t[4]));
    expect(Array.from(frame.columns.amount as Float64Array)).toEqual(want.map((t) => t[5]));
    expect(Array.from(frame.columns.side as Int8Array)).toEqual(want.map((t) => (t[3] === "buy" ? 1 : -1)));
  });
});
