// `stom record` end to end: the CLI as a child process against the mock venue's websockets
// (loopback only), events streamed from a synthetic market or the shared trade tapes; what lands in
// the catalog must equal the offline path (rebuildSnapshots over the same events), row for row.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { TRADE_COLUMNS } from "../../src/bridge/kis/messages.ts";
import { Catalog } from "../../src/data/catalog/catalog.ts";
import { BOOK_WIDTH, parseKisBook, parseKisTrade } from "../../src/data/record/kis-feed.ts";
import type {
  BookEvent,
  ReceiverEvent,
  TickerEvent,
  TradeEvent,
} from "../../src/data/stom/receiver-events.ts";
import { startMockKis } from "../support/mock-kis.ts";
import { type MockVenue, startMockVenue, upbitTape } from "../support/mock-venue.ts";
import { needShared, shared } from "../support/paths.ts";
import {
  eight,
  flushWithSentinels,
  futureShift,
  offlineRows,
  type Running,
  readStatusFile,
  startRecord,
  storedRows,
  streamEvents,
  syntheticEvents,
  waitFor,
  waitSubscribed,
  withoutSentinel,
} from "../support/record.ts";

const { missing } = needShared("upbit/trades", "freqtrade/XRP_ETH-trades.json.gz");

let venue: MockVenue | undefined;
let dir: string;
let running: Running | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "stom-record-"));
});
afterEach(async () => {
  if (running && running.child.exitCode === null) running.child.kill("SIGKILL");
  running = undefined;
  await venue?.close();
  venue = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Records `events` per symbol on `market`, stops the recorder with SIGTERM once it took them all,
 * and returns the recorder's exit code.
 */
async function record(
  market: "upbit" | "binance",
  tapes: ReadonlyMap<string, readonly ReceiverEvent[]>,
  extra: string[] = [],
): Promise<number | null> {
  venue = await startMockVenue({ markets: { [market]: extra } });
  const ids = [...tapes.keys()];
  const status = join(dir, "status.json");
  running = startRecord([
    market,
    ...ids,
    "--catalog",
    dir,
    "--url-override",
    venue.url,
    "--commit",
    "200ms",
    "--fold",
    "1s",
    "--status",
    status,
    "--quiet",
  ]);
  await waitSubscribed(venue, market, ids, running);
  for (const [id, events] of tapes) streamEvents(venue, market, id, events);
  const r = running;
  await flushWithSentinels(venue, market, tapes, status, r);
  r.child.kill("SIGTERM");
  return r.exited;
}

describe("stom record (synthetic market, no shared data)", () => {
  test("upbit: trades + book + ticker websockets give the offline builder's rows; minutes and status written", async () => {
    const start = Date.UTC(2026, 0, 1, 0, 0, 0) + futureShift(Date.UTC(2026, 0, 1));
    const tapes = new Map([
      ["KRW-AAA", syntheticEvents({ seed: 1, start, seconds: 150, price: 1000 })],
      ["KRW-BBB", syntheticEvents({ seed: 2, start, seconds: 150, price: 50, firstId: 100_000 })],
    ]);
    const code = await record("upbit", tapes, ["KRW-AAA", "KRW-BBB"]);
    expect(code, running?.stderr()).toBe(0);
    for (const [id, events] of tapes) {
      const want = offlineRows(id, events);
      expect(want.length).toBeGreaterThan(100);
      expect(withoutSentinel(await storedRows(dir, "upbit", id))).toEqual(want);
    }
    const catalog = await Catalog.open(dir, { readOnly: true });
    try {
      const bars = catalog.list().filter((s) => s.kind === "bars");
      // 150 s from a whole minute: two closed minutes each; the third is still open at the stop
      expect(bars.map((s) => [s.symbol, s.timeframe, s.rows])).toEqual([
        ["KRW-AAA", "1m", 2],
        ["KRW-BBB", "1m", 2],
      ]);
      const bar = await catalog.read({ kind: "bars", market: "upbit", symbol: "KRW-AAA", timeframe: "1m" });
      expect(Object.keys(bar.columns)).toEqual(
        expect.arrayContaining(["분봉시가", "분봉고가", "분봉저가", "분당거래대금"]),
      );
    } finally {
      await catalog.close();
    }
    const status = readStatusFile(join(dir, "status.json"));
    expect(status).toMatchObject({
      state: "stopped",
      market: "upbit",
      symbols: ["KRW-AAA", "KRW-BBB"],
      gaps: 0,
      pendingSegments: 0,
    });
  }, 180_000);

  test("binance: trade + depth-diff websockets give the offline builder's rows", async () => {
    const start = Date.UTC(2026, 0, 1, 0, 0, 0) + futureShift(Date.UTC(2026, 0, 1));
    // Binance sends decimal strings of 8 places; the synthetic prices and sizes fit in them exactly
    const events = syntheticEvents({ seed: 3, start, seconds: 90, price: 25, tickers: false });
    const code = await record("binance", new Map([["AAAUSDT", events]]), ["AAAUSDT"]);
    expect(code, running?.stderr()).toBe(0);
    const want = offlineRows("AAA/USDT", events);
    expect(withoutSentinel(await storedRows(dir, "binance", "AAA/USDT"))).toEqual(want);
  }, 180_000);
});

/** A book and (Upbit) a ticker after each second's trades, as a venue would send them beside a tape. */
function withBooks(trades: readonly TradeEvent[], tickers: boolean, tick: number): ReceiverEvent[] {
  const out: ReceiverEvent[] = [];
  let day = Math.floor(trades[0].time / 86_400_000);
  let open = trades[0].price;
  let high = open;
  let low = open;
  let value = 0;
  for (let i = 0; i < trades.length; i++) {
    const t = trades[i];
    out.push(t);
    // Upbit's day values restart at 00:00 UTC
    if (Math.floor(t.time / 86_400_000) !== day) {
      day = Math.floor(t.time / 86_400_000);
      open = t.price;
      high = open;
      low = open;
      value = 0;
    }
    high = Math.max(high, t.price);
    low = Math.min(low, t.price);
    value += t.price * t.amount;
    const next = trades[i + 1];
    if (next && Math.floor(next.time / 1000) === Math.floor(t.time / 1000)) continue;
    const time = t.time + 1;
    if (tickers) {
      const ticker: TickerEvent = {
        type: "ticker",
        time,
        open,
        high,
        low,
        last: t.price,
        quoteVolume: Math.round(value),
      };
      out.push(ticker);
    }
    const asks: [number, number][] = [];
    const bids: [number, number][] = [];
    for (let l = 1; l <= 10; l++) {
      asks.push([eight(t.price + l * tick), eight(0.5 * l)]);
      bids.push([eight(t.price - l * tick), eight(0.25 * l)]);
    }
    const book: BookEvent = { type: "book", time, asks, bids };
    out.push(book);
  }
  return out;
}

describe.skipIf(missing)("stom record (shared trade tapes)", () => {
  test("upbit KRW-BTC tape (three days) through the live path equals the offline rebuild", async () => {
    const tape = upbitTape();
    const shift = futureShift(tape[0].timestamp);
    const trades: TradeEvent[] = tape.map((t) => ({
      type: "trade",
      time: t.timestamp + shift,
      price: t.trade_price,
      amount: t.trade_volume,
      side: t.ask_bid === "ASK" ? "sell" : "buy",
      id: String(t.sequential_id),
    }));
    const events = withBooks(trades, true, 1000);
    const code = await record("upbit", new Map([["KRW-BTC", events]]));
    expect(code, running?.stderr()).toBe(0);
    const want = offlineRows("KRW-BTC", events);
    expect(want.length).toBeGreaterThan(30_000);
    expect(withoutSentinel(await storedRows(dir, "upbit", "KRW-BTC"))).toEqual(want);
  }, 300_000);

  test("binance XRP/ETH aggTrade tape (whole) through the live path equals the offline rebuild", async () => {
    const raw = JSON.parse(
      gunzipSync(readFileSync(shared("freqtrade/XRP_ETH-trades.json.gz"))).toString(),
    ) as [number, string, null, "buy" | "sell", number, number][];
    const shift = futureShift(raw[0][0]);
    const trades: TradeEvent[] = raw.map(([time, id, , side, price, amount]) => ({
      type: "trade",
      time: time + shift,
      price: eight(price),
      amount: eight(amount),
      side,
      id,
    }));
    const events = withBooks(trades, false, 0.00000001);
    const code = await record("binance", new Map([["XRPETH", events]]));
    expect(code, running?.stderr()).toBe(0);
    const want = offlineRows("XRP/ETH", events);
    expect(want.length).toBeGreaterThan(5_000);
    expect(withoutSentinel(await storedRows(dir, "binance", "XRP/ETH"))).toEqual(want);
  }, 300_000);
});

describe("stom record --top (synthetic market)", () => {
  test("records the N largest by day traded value, re-ranks as STOM does, keeps moneytop and 관심종목", async () => {
    venue = await startMockVenue({ markets: { upbit: ["KRW-AAA", "KRW-BBB", "KRW-CCC"] } });
    const start = Date.UTC(2026, 0, 1) + futureShift(Date.UTC(2026, 0, 1));
    const ticker = (time: number, quoteVolume: number) => ({
      time,
      open: 10,
      high: 11,
      low: 9,
      last: 10,
      previousClose: 10,
      quoteVolume,
    });
    // the ranking REST call answers with the last ticker streamed per market
    venue.streamTicker("upbit", "KRW-AAA", ticker(start, 300));
    venue.streamTicker("upbit", "KRW-BBB", ticker(start, 200));
    venue.streamTicker("upbit", "KRW-CCC", ticker(start, 100));
    const status = join(dir, "status.json");
    const args = [
      "upbit",
      "--top",
      "2",
      "--top-refresh",
      "500ms",
      "--catalog",
      dir,
      "--url-override",
      venue.url,
    ];
    running = startRecord([...args, "--commit", "200ms", "--fold", "500ms", "--status", status, "--quiet"]);
    const r = running;
    await waitSubscribed(venue, "upbit", ["KRW-AAA", "KRW-BBB"], r);
    const first = new Map([
      ["KRW-AAA", syntheticEvents({ seed: 21, start, seconds: 20 })],
      ["KRW-BBB", syntheticEvents({ seed: 22, start, seconds: 20, firstId: 10_000 })],
    ]);
    for (const [id, events] of first) streamEvents(venue, "upbit", id, events);
    await flushWithSentinels(venue, "upbit", first, status, r);

    // act: CCC's day value overtakes BBB's; the next ranking swaps them (AAA stays first). CCC's
    // events then carry no ticker: a smaller day value streamed for it would swap them back
    venue.streamTicker("upbit", "KRW-AAA", ticker(start + 30_000, 2e12));
    venue.streamTicker("upbit", "KRW-CCC", ticker(start + 30_000, 1e12));
    await waitFor(
      "CCC on the list",
      () => readStatusFile(status)?.moneytop?.join(";") === "KRW-AAA;KRW-CCC",
      30_000,
      r,
    );
    await waitSubscribed(venue, "upbit", ["KRW-CCC"], r);
    const later = new Map([
      [
        "KRW-CCC",
        syntheticEvents({ seed: 23, start: start + 40_000, seconds: 10, firstId: 20_000, tickers: false }),
      ],
    ]);
    streamEvents(venue, "upbit", "KRW-CCC", later.get("KRW-CCC") ?? []);
    await flushWithSentinels(venue, "upbit", later, status, r);
    r.child.kill("SIGTERM");
    expect(await r.exited, r.stderr()).toBe(0);

    // assert: the interest list over time, as STOM's moneytop table would hold it
    const runs = JSON.parse(readFileSync(join(dir, "record/upbit/moneytop.json"), "utf8")).runs as {
      codes: string;
    }[];
    expect([...new Set(runs.map((run) => run.codes))]).toEqual(["KRW-AAA;KRW-BBB", "KRW-AAA;KRW-CCC"]);
    const ccc = await storedRows(dir, "upbit", "KRW-CCC");
    expect(ccc.length).toBeGreaterThan(5);
    expect(ccc.every((row) => row.관심종목 === 1)).toBe(true);
    expect((await storedRows(dir, "upbit", "KRW-AAA")).every((row) => row.관심종목 === 1)).toBe(true);
  }, 120_000);
});

describe("stom record kis (mock KIS realtime feed)", () => {
  test("H0STCNT0 trades of a KRX stock give the offline builder's stock_tick rows (book: the mock has no H0STASP0)", async () => {
    const kis = await startMockKis();
    try {
      const start = Date.UTC(2026, 0, 5, 0, 0, 0) + futureShift(Date.UTC(2026, 0, 5));
      // whole seconds (H0STCNT0 stamps HHMMSS) and whole shares; CCLD_DVSN is "0" in the mock: buys
      const trades: TradeEvent[] = [];
      let cum = 0;
      for (let s = 0; s < 120; s++) {
        for (let k = 0; k < (s * 7) % 4; k++) {
          const volume = 1 + ((s + k) % 9);
          cum += volume;
          trades.push({
            type: "trade",
            time: start + s * 1000,
            price: 70_000 + 100 * ((s * 3 + k) % 11),
            amount: volume,
            side: "buy",
            id: String(cum),
          });
        }
      }
      const status = join(dir, "status.json");
      running = startRecord(
        [
          "kis",
          "005930",
          "--catalog",
          dir,
          "--url-override",
          kis.url,
          "--commit",
          "200ms",
          "--fold",
          "500ms",
          "--status",
          status,
          "--quiet",
        ],
        {
          KIS_APPKEY: kis.appKey,
          KIS_APPSECRET: kis.appSecret,
          KIS_ACCOUNT: kis.account,
          KIS_ENV: "mock",
        },
      );
      const r = running;
      await waitFor("kis websocket", () => kis.sockets() > 0, 60_000, r);
      // the subscription goes out as the socket opens
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const t of trades) kis.streamTrade("005930", { time: t.time, price: t.price, volume: t.amount });
      // a trade 10 s later closes the tape's last second
      kis.streamTrade("005930", { time: start + 130_000, price: 70_000, volume: 1 });
      await waitFor(
        "last second",
        () => (readStatusFile(status)?.lastRow ?? 0) >= start + 119_000,
        60_000,
        r,
      );
      r.child.kill("SIGTERM");
      expect(await r.exited, r.stderr()).toBe(0);
      const want = offlineRows("005930", trades, "stock_tick");
      expect(want.length).toBeGreaterThan(50);
      expect(withoutSentinel(await storedRows(dir, "krx", "005930", "stock_tick"))).toEqual(want);
    } finally {
      await kis.close();
    }
  }, 120_000);
});

describe("kis realtime records", () => {
  test("parseKisBook reads H0STASP0's ten levels a side and the totals, on today's KST date", () => {
    const f = new Array(BOOK_WIDTH).fill("0");
    f[0] = "005930";
    f[1] = "091500";
    for (let i = 0; i < 10; i++) {
      f[3 + i] = String(70_100 + 100 * i);
      f[13 + i] = String(70_000 - 100 * i);
      f[23 + i] = String(10 + i);
      f[33 + i] = String(20 + i);
    }
    f[43] = "12345";
    f[44] = "23456";
    const now = Date.UTC(2026, 0, 5, 3, 0, 0); // 12:00 KST
    const book = parseKisBook(f, now);
    expect(book.time).toBe(Date.UTC(2026, 0, 5, 0, 15, 0));
    expect(book.asks[0]).toEqual([70_100, 10]);
    expect(book.bids[9]).toEqual([69_100, 29]);
    expect([book.asks.length, book.bids.length, book.totalAskSize, book.totalBidSize]).toEqual([
      10, 10, 12345, 23456,
    ]);
  });

  test("parseKisTrade: CCLD_DVSN 5 is a taker sell; the day view comes with the open, high and low", () => {
    const f = new Array(TRADE_COLUMNS.length).fill("0");
    Object.assign(f, {
      0: "005930",
      1: "093000",
      2: "70000",
      3: "5",
      4: "500",
      7: "70400",
      8: "70600",
      9: "69900",
      12: "7",
      13: "1000",
      14: "123456789",
      21: "5",
      33: "20260105",
    });
    const { trade, ticker } = parseKisTrade(f);
    expect(trade).toEqual({
      type: "trade",
      time: Date.UTC(2026, 0, 5, 0, 30, 0),
      price: 70_000,
      amount: 7,
      side: "sell",
      id: "20260105-1000",
    });
    expect(ticker).toMatchObject({
      open: 70_400,
      high: 70_600,
      low: 69_900,
      last: 70_000,
      previousClose: 70_500,
      quoteVolume: 123456789,
    });
  });
});
