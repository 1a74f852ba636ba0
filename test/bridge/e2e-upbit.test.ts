import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadResolvedStrategy } from "../../src/app/strategy-loader.ts";
import { Bridge } from "../../src/bridge/bridge.ts";
import { CcxtVenue } from "../../src/bridge/ccxt-venue.ts";
import { type BridgeServer, startServer } from "../../src/bridge/server.ts";
import { type Bar, type BridgeEvent, FINAL_STATES, type OrderRecord } from "../../src/bridge/types.ts";
import { RejectedError } from "../../src/bridge/venue.ts";
import { type MockVenue, startMockVenue, upbitTape } from "../support/mock-venue.ts";
import { needShared, SHARED_URL, sharedOr } from "../support/paths.ts";

const DATA = SHARED_URL;
const { missing } = needShared("upbit/trades");
// random, as `openssl rand -hex 32` makes one: the bridge refuses weak tokens
const TOKEN = "288f65174a6a946d50844e3b4779a205a0785eb140a55f568797ecb581b079ba";
const TAPE = sharedOr(missing, upbitTape);
const MINUTE = 60_000;
const N = 6000;

/** 1m bars of the first CSV day, aggregated here from the file itself (quiet minutes: flat at the last close). */
function referenceBars(): Bar[] {
  const rows = readFileSync(new URL("upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-25.csv", DATA), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(",").map(Number))
    .sort((a, b) => a[3] - b[3]);
  // the README's row count for the day
  expect(rows.length).toBe(27828);
  const bars: Bar[] = [];
  for (const [price, volume, , seq] of rows) {
    const t = Math.floor(Math.floor(seq / 1000) / MINUTE) * MINUTE;
    let last = bars[bars.length - 1];
    while (last && last.time + MINUTE < t) {
      last = {
        time: last.time + MINUTE,
        open: last.close,
        high: last.close,
        low: last.close,
        close: last.close,
        volume: 0,
      };
      bars.push(last);
    }
    if (!last || last.time < t)
      bars.push({ time: t, open: price, high: price, low: price, close: price, volume });
    else
      bars[bars.length - 1] = {
        ...last,
        high: Math.max(last.high, price),
        low: Math.min(last.low, price),
        close: price,
        volume: last.volume + volume,
      };
  }
  return bars;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const until = async (what: () => boolean, ms = 20_000, label = "condition") => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

async function open(venue: MockVenue, dataDir: string, resolveAttempts = 5) {
  const bridge = await Bridge.open({
    dataDir,
    allowLive: true,
    liveCash: 1_000_000,
    venue: {
      apiKey: "mock-api-key",
      secret: "mock-api-secret",
      urlOverride: venue.url,
      timeout: 1500,
      pollMs: 50,
    },
    resolveDelayMs: 50,
    resolveAttempts,
  });
  const events: BridgeEvent[] = [];
  bridge.on((e) => events.push(e));
  const server = await startServer(bridge, { token: TOKEN, port: 0, logger: pino({ level: "silent" }) });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await server.close();
    await bridge.close();
  };
  cleanups.push(close);
  return { bridge, server, events, close };
}

async function promote(server: BridgeServer) {
  const params = { fast: 3, slow: 8 };
  const { fingerprint } = await loadResolvedStrategy("sma-cross", params);
  const res = await fetch(`${server.url}/api/promotions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      strategy: "sma-cross",
      params,
      exchange: "upbit",
      symbol: "KRW-BTC",
      timeframe: "1m",
      mode: "live",
      fingerprint,
    }),
  });
  expect(res.status).toBe(201);
}

/** Streams tape trades [from, to) over the venue's websocket. */
/** Streams tape trades [from, to); with `settled`, each new minute first waits until it holds (see e2e-venue). */
async function stream(venue: MockVenue, from: number, to: number, settled?: () => boolean) {
  let minute = Number.NaN;
  for (let k = from; k < to; k++) {
    const t = TAPE[k];
    if (settled && Math.floor(t.timestamp / 60_000) !== minute) {
      minute = Math.floor(t.timestamp / 60_000);
      await until(settled, 20_000, "orders of the last bar final");
    }
    venue.streamTrade("upbit", "KRW-BTC", {
      time: t.timestamp,
      id: t.sequential_id,
      price: t.trade_price,
      amount: t.trade_volume,
      side: t.ask_bid === "ASK" ? "sell" : "buy",
    });
    if (k % 25 === 0) await new Promise((r) => setTimeout(r, 2));
  }
}

const ordersOf = (events: BridgeEvent[]) =>
  events.filter((e): e is Extract<BridgeEvent, { type: "order" }> => e.type === "order").map((e) => e.order);
const barsOf = (events: BridgeEvent[]) =>
  events.filter((e) => e.type === "bar").map((e) => (e as { bar: Bar }).bar);

describe("bridge end to end against the mock Upbit (real ccxt, JWT, binary websocket frames)", () => {
  it.skipIf(missing)(
    "a live KRW-BTC promotion trades from websocket bars, each order sent once and followed to its fill",
    async () => {
      const venue = await startMockVenue();
      cleanups.push(() => venue.close());
      const dataDir = mkdtempSync(path.join(os.tmpdir(), "stom-upbit-"));
      const { bridge, server, events } = await open(venue, dataDir);
      const krw0 = venue.balances.get("KRW") as number;
      const btc0 = venue.balances.get("BTC") as number;
      await promote(server);
      await until(() => venue.subscribers("upbit") > 0, 20_000, "subscription");
      await stream(venue, 0, N, () => bridge.orders().every((o) => FINAL_STATES.has(o.state)));
      const reference = referenceBars();
      const expected = reference.findIndex((b) => b.time > TAPE[N - 1].timestamp) - 1;
      await until(() => barsOf(events).length >= expected, 20_000, "bars");
      // every order the strategy placed has reached a final state (Upbit answered "wait" first)
      await until(() => bridge.orders().every((o) => FINAL_STATES.has(o.state)), 20_000, "orders final");
      const bars = barsOf(events);
      expect(bars.length).toBe(expected);
      expect(bars).toEqual(
        reference
          .slice(0, expected)
          .map((b) => expect.objectContaining({ ...b, volume: expect.closeTo(b.volume, 9) })),
      );

      const journal = bridge.orders();
      const filled = journal.filter((o) => o.state === "FILLED");
      expect(filled.length).toBeGreaterThan(3);
      for (const o of journal.filter((o) => o.state !== "REJECTED"))
        expect(venue.orderRequests.get(o.clientOrderId)).toBe(1);
      expect(venue.count("POST /v1/orders")).toBe(venue.orderRequests.size);
      expect(new Set(filled.map((o) => o.clientOrderId))).toEqual(new Set(venue.orders.keys()));
      // the answer said "wait"; the fill came from following the order up by identifier
      const first = filled[filled.length - 1];
      expect(bridge.stores.live.events(first.clientOrderId).map((e) => e.to)).toEqual([
        "NEW",
        "SUBMITTED",
        "ACCEPTED",
        "FILLED",
      ]);
      expect(
        venue.requests.some((r) => r.path === "/v1/order" && r.query.identifier === first.clientOrderId),
      ).toBe(true);
      // journal fills equal the venue's executions, and the balances moved by exactly them
      let btc = 0;
      let krw = 0;
      for (const o of filled) {
        const v = venue.orders.get(o.clientOrderId) as NonNullable<ReturnType<typeof venue.orders.get>>;
        expect(o.filled).toBeCloseTo(v.executedQty, 12);
        expect(o.avgPrice).toBeCloseTo(v.price, 6);
        expect(o.fee).toBeCloseTo(v.fee as number, 6);
        btc += o.side === "buy" ? o.filled : -o.filled;
        krw += o.side === "buy" ? -o.filled * o.avgPrice - o.fee : o.filled * o.avgPrice - o.fee;
      }
      expect((venue.balances.get("BTC") as number) - btc0).toBeCloseTo(btc, 9);
      expect((venue.balances.get("KRW") as number) - krw0).toBeCloseTo(krw, 2);
      // the promotion's position is what it bought minus what it sold
      const position = bridge.positions()[0] as { size: number };
      expect(position.size).toBeCloseTo(btc, 12);
    },
  );

  it.skipIf(missing)(
    "a timed-out order goes UNKNOWN, survives a restart and is reconciled by identifier, never resent",
    async () => {
      const venue = await startMockVenue();
      cleanups.push(() => venue.close());
      const dataDir = mkdtempSync(path.join(os.tmpdir(), "stom-upbit-"));
      const first = await open(venue, dataDir, 0);
      await promote(first.server);
      await until(() => venue.subscribers("upbit") > 0, 20_000, "subscription");
      venue.inject({ kind: "timeout", match: "POST /v1/orders" });
      let k = 0;
      while (!ordersOf(first.events).some((o) => o.state === "UNKNOWN") && k < N) {
        await stream(venue, k, k + 50);
        k += 50;
        await new Promise((r) => setTimeout(r, 20));
      }
      await until(() => ordersOf(first.events).some((o) => o.state === "UNKNOWN"), 20_000, "UNKNOWN");
      const unknown = ordersOf(first.events).find((o) => o.state === "UNKNOWN") as OrderRecord;
      expect(venue.orders.get(unknown.clientOrderId)?.status).toBe("FILLED");
      // nothing looked it up yet (resolveAttempts 0): the restart has to
      expect(venue.requests.some((r) => r.query.identifier === unknown.clientOrderId)).toBe(false);
      await first.close();
      const foreign = venue.addForeignOrder("KRW-BTC", "SELL", 0.1, 30_000_000);

      const reopened = await open(venue, dataDir, 0);
      const after = reopened.bridge.stores.live.order(unknown.clientOrderId) as OrderRecord;
      expect(after.state).toBe("FILLED");
      expect(after.filled).toBe(venue.orders.get(unknown.clientOrderId)?.executedQty);
      expect(venue.orderRequests.get(unknown.clientOrderId)).toBe(1);
      expect(
        venue.requests.filter(
          (r) => r.method === "GET" && r.path === "/v1/order" && r.query.identifier === unknown.clientOrderId,
        ).length,
      ).toBe(1);
      expect(reopened.bridge.stores.live.events(unknown.clientOrderId).map((e) => e.to)).toEqual([
        "NEW",
        "SUBMITTED",
        "UNKNOWN",
        "ACCEPTED",
        "FILLED",
      ]);
      const audit = reopened.bridge.stores.live.audits();
      expect(audit.some((a) => a.kind === "foreign" && a.message.includes(foreign.uuid as string))).toBe(
        true,
      );
      expect(reopened.bridge.stores.live.openOrders()).toEqual([]);
      expect(reopened.bridge.positions().length).toBe(1);
    },
  );
});

describe("the mock Upbit's private endpoints, through ccxt", () => {
  it("refuses a JWT signed with another secret, and lists open orders on both routes", async () => {
    const venue = await startMockVenue();
    cleanups.push(() => venue.close());
    const bad = await CcxtVenue.create("upbit", {
      apiKey: "mock-api-key",
      secret: "wrong",
      urlOverride: venue.url,
    });
    cleanups.push(() => bad.close());
    venue.setPrice("KRW-BTC", 22_000_000);
    await expect(
      bad.createMarketOrder({
        symbol: "BTC/KRW",
        side: "buy",
        amount: 0.01,
        clientOrderId: "stomx1",
        refPrice: 22_000_000,
      }),
    ).rejects.toBeInstanceOf(RejectedError);
    expect(venue.orders.size).toBe(0);
    expect(venue.requests.find((r) => r.path === "/v1/orders")?.status).toBe(401);

    const good = await CcxtVenue.create("upbit", {
      apiKey: "mock-api-key",
      secret: "mock-api-secret",
      urlOverride: venue.url,
    });
    cleanups.push(() => good.close());
    const foreign = venue.addForeignOrder("KRW-BTC", "SELL", 0.1, 30_000_000);
    const open = await good.openOrders("BTC/KRW");
    expect(open.map((o) => [o.venueOrderId, o.side, o.state])).toEqual([[foreign.uuid, "sell", "ACCEPTED"]]);
    const legacy = (await good.exchange.request("orders", "private", "GET", {
      market: "KRW-BTC",
      state: "wait",
    })) as {
      uuid: string;
    }[];
    expect(legacy.map((o) => o.uuid)).toEqual([foreign.uuid]);
    // a buy without a reference price cannot be sized in KRW and never leaves
    await expect(
      good.createMarketOrder({ symbol: "BTC/KRW", side: "buy", amount: 0.01, clientOrderId: "stomx2" }),
    ).rejects.toBeInstanceOf(RejectedError);
    expect(venue.count("POST /v1/orders")).toBe(1);
  });
});
