import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadResolvedStrategy } from "../../src/app/strategy-loader.ts";
import { Bridge, type BridgeOptions } from "../../src/bridge/bridge.ts";
import { type BridgeServer, startServer } from "../../src/bridge/server.ts";
import { type Bar, type BridgeEvent, FINAL_STATES, type OrderRecord } from "../../src/bridge/types.ts";
import { type MockVenue, startMockVenue } from "../support/mock-venue.ts";
import { needShared, SHARED_URL, sharedOr } from "../support/paths.ts";

const DATA = SHARED_URL;
const { missing } = needShared("freqtrade/XRP_ETH-trades.json.gz", "freqtrade/XRP_ETH-1m.json");
// random, as `openssl rand -hex 32` makes one: the bridge refuses weak tokens
const TOKEN = "27b273b19b3ddca4d0efc8188fbfc7120c8d3948cb3522ae6276378b826becd8";
const TAPE = sharedOr(missing, () =>
  JSON.parse(gunzipSync(readFileSync(new URL("freqtrade/XRP_ETH-trades.json.gz", DATA))).toString("utf8")),
) as [number, string, null, "buy" | "sell", number, number, number][];
const BARS = sharedOr(
  missing,
  () => JSON.parse(readFileSync(new URL("freqtrade/XRP_ETH-1m.json", DATA), "utf8")) as number[][],
);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// Generous limits: `until` returns as soon as the condition holds, so they only matter when the
// machine is loaded (the worker shares 2 cores with other suites), where tight ones made this flaky.
const WAIT = 30_000;
const until = async (what: () => boolean, ms = WAIT, label = "condition") => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

async function setup(
  extra: Partial<BridgeOptions> = {},
  timeout = 5000,
  dataDir = mkdtempSync(path.join(os.tmpdir(), "stom-e2e-")),
) {
  const venue = await startMockVenue({ binanceNow: TAPE[0][0] });
  cleanups.push(() => venue.close());
  return { venue, dataDir, ...(await open(venue, dataDir, extra, timeout)) };
}

/** `timeout`: ms before ccxt gives up on a request (the answer is then lost: UNKNOWN) */
async function open(venue: MockVenue, dataDir: string, extra: Partial<BridgeOptions> = {}, timeout = 5000) {
  const bridge = await Bridge.open({
    dataDir,
    allowLive: true,
    liveCash: 50,
    venue: {
      apiKey: "mock-api-key",
      secret: "mock-api-secret",
      urlOverride: venue.url,
      // a lost answer is simulated by the venue never answering; everything else must not time out
      // under load, or a spurious UNKNOWN changes what is checked
      timeout,
      pollMs: 50,
    },
    resolveDelayMs: 50,
    ...extra,
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

async function promoteLive(server: BridgeServer) {
  const params = { fast: 5, slow: 20 };
  const { fingerprint } = await loadResolvedStrategy("sma-cross", params);
  const res = await fetch(`${server.url}/api/promotions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      strategy: "sma-cross",
      params,
      exchange: "binance",
      symbol: "XRP/ETH",
      timeframe: "1m",
      mode: "live",
      fingerprint,
    }),
  });
  expect(res.status).toBe(201);
  return (await res.json()).id as string;
}

/**
 * Streams tape trades [from, to) over the venue's websocket, advancing its clock. With `settled`,
 * each new minute waits until it holds: the tape compresses minutes into milliseconds, and a real
 * minute leaves the venue ample time to fill the orders of the bar that just closed.
 */
async function stream(venue: MockVenue, from: number, to: number, settled?: () => boolean) {
  let minute = Number.NaN;
  for (let k = from; k < to; k++) {
    const [time, id, , side, price, amount] = TAPE[k];
    if (settled && Math.floor(time / 60_000) !== minute) {
      minute = Math.floor(time / 60_000);
      await until(settled, WAIT, "orders of the last bar final");
    }
    venue.setNow("binance", time);
    venue.streamTrade("binance", "XRPETH", { time, id: Number(id), price, amount, side });
    if (k % 25 === 0) await new Promise((r) => setTimeout(r, 2));
  }
}

function expectBarsMatchFile(bars: Bar[]) {
  expect(bars.length).toBeGreaterThan(100);
  const start = BARS.findIndex((b) => b[0] === bars[0].time);
  expect(start).toBeGreaterThanOrEqual(0);
  bars.forEach((bar, k) => {
    const [t, o, h, l, c] = BARS[start + k];
    expect([bar.time, bar.open, bar.high, bar.low, bar.close]).toEqual([t, o, h, l, c]);
  });
}

const ordersOf = (events: BridgeEvent[]) =>
  events.filter((e): e is Extract<BridgeEvent, { type: "order" }> => e.type === "order").map((e) => e.order);

describe.skipIf(missing)("bridge end to end against the mock venue (real ccxt, loopback)", () => {
  it("a live promotion trades from bars built over the websocket, each order sent exactly once", async () => {
    const { venue, server, events, bridge } = await setup();
    await promoteLive(server);
    await until(() => venue.subscribers("binance") > 0, WAIT, "subscription");
    await stream(venue, 0, 1500, () => bridge.orders().every((o) => FINAL_STATES.has(o.state)));
    await until(
      () => events.filter((e) => e.type === "bar").length >= BARS.findIndex((b) => b[0] > TAPE[1499][0]) - 1,
      WAIT,
      "bars",
    );
    await until(() => bridge.orders().every((o) => FINAL_STATES.has(o.state)), WAIT, "orders final");
    const bars = events.filter((e) => e.type === "bar").map((e) => (e as { bar: Bar }).bar);
    expectBarsMatchFile(bars);
    const journal = bridge.orders();
    const filled = journal.filter((o) => o.state === "FILLED");
    expect(filled.length).toBeGreaterThan(3);
    // every order the bridge sent reached the venue once; the venue holds exactly our filled orders
    for (const o of journal.filter((o) => o.state !== "REJECTED"))
      expect(venue.orderRequests.get(o.clientOrderId)).toBe(1);
    expect(venue.count("POST /api/v3/order")).toBe(venue.orderRequests.size);
    expect(venue.orders.size).toBe(venue.orderRequests.size);
    expect(new Set(filled.map((o) => o.clientOrderId))).toEqual(new Set(venue.orders.keys()));
    // spot: sell signals while flat are refused, never sent
    expect(events.some((e) => e.type === "risk" && e.rule === "spot")).toBe(true);
    // the journal saw NEW and SUBMITTED before the venue answered
    const first = filled[filled.length - 1];
    expect(bridge.stores.live.events(first.clientOrderId).map((e) => e.to)).toEqual([
      "NEW",
      "SUBMITTED",
      "ACCEPTED",
      "FILLED",
    ]);
    // the venue balance moved by exactly the journalled fills
    let xrp = 0;
    for (const o of filled) xrp += o.side === "buy" ? o.filled : -o.filled;
    expect(venue.balances.get("XRP")).toBeCloseTo(xrp, 9);
  });

  it("a timed-out order goes UNKNOWN, survives a restart and is reconciled by client order id, never resent", async () => {
    const { venue, server, events, close, dataDir } = await setup({ resolveAttempts: 0 }, 1500);
    await promoteLive(server);
    await until(() => venue.subscribers("binance") > 0, WAIT, "subscription");
    venue.inject({ kind: "timeout", match: "POST /api/v3/order" });
    let k = 0;
    while (!ordersOf(events).some((o) => o.state === "UNKNOWN") && k < 3000) {
      await stream(venue, k, k + 50);
      k += 50;
      await new Promise((r) => setTimeout(r, 20));
    }
    await until(() => ordersOf(events).some((o) => o.state === "UNKNOWN"), WAIT, "UNKNOWN");
    const unknown = ordersOf(events).find((o) => o.state === "UNKNOWN") as OrderRecord;
    // the venue did take it
    expect(venue.orders.get(unknown.clientOrderId)?.status).toBe("FILLED");
    await close();
    const foreign = venue.addForeignOrder("XRPETH", "SELL", 10, 0.001);

    const reopened = await open(venue, dataDir, { resolveAttempts: 0 });
    const after = reopened.bridge.stores.live.order(unknown.clientOrderId) as OrderRecord;
    expect(after.state).toBe("FILLED");
    expect(after.filled).toBe(venue.orders.get(unknown.clientOrderId)?.executedQty);
    expect(venue.orderRequests.get(unknown.clientOrderId)).toBe(1);
    const trail = reopened.bridge.stores.live.events(unknown.clientOrderId).map((e) => e.to);
    expect(trail).toEqual(["NEW", "SUBMITTED", "UNKNOWN", "ACCEPTED", "FILLED"]);
    const audit = reopened.bridge.stores.live.audits();
    expect(audit.some((a) => a.kind === "foreign" && a.message.includes(String(foreign.orderId)))).toBe(true);
    expect(reopened.bridge.stores.live.openOrders()).toEqual([]);
    // the promotion resumed after reconciliation
    expect(reopened.bridge.positions().length).toBe(1);
  });

  it("survives a 429 on an order and a dropped websocket without holes or duplicates", async () => {
    const { venue, server, events, bridge } = await setup();
    await promoteLive(server);
    await until(() => venue.subscribers("binance") > 0, WAIT, "subscription");
    venue.inject({ kind: "429", match: "POST /api/v3/order" });
    await stream(venue, 0, 600);
    venue.dropWebsockets();
    await until(() => venue.subscribers("binance") === 0, WAIT, "drop");
    // trades while the socket is down reach the bridge only through REST
    await stream(venue, 600, 640);
    await until(() => venue.subscribers("binance") > 0, WAIT, "resubscription");
    await stream(venue, 640, 1500);
    const expected = BARS.findIndex((b) => b[0] > TAPE[1499][0]) - 1;
    await until(() => events.filter((e) => e.type === "bar").length >= expected, WAIT, "bars");
    await until(() => bridge.orders().every((o) => FINAL_STATES.has(o.state)), WAIT, "orders final");
    const bars = events.filter((e) => e.type === "bar").map((e) => (e as { bar: Bar }).bar);
    expectBarsMatchFile(bars);
    const journal = bridge.orders();
    const limited = venue.requests.find((r) => r.fault === "429");
    expect(limited).toBeDefined();
    const rejected = journal.filter(
      (o) => o.state === "REJECTED" && o.reason?.includes("not found at the venue"),
    );
    expect(rejected.length).toBe(1);
    // trading went on after the refused order
    const filledAfter = journal.filter((o) => o.state === "FILLED" && o.createdAt >= rejected[0].createdAt);
    expect(filledAfter.length).toBeGreaterThan(0);
    for (const [id, n] of venue.orderRequests) expect([id, n]).toEqual([id, 1]);
    expect(venue.count("GET /api/v3/aggTrades")).toBeGreaterThan(0);
    expect(journal.every((o) => ["FILLED", "REJECTED"].includes(o.state))).toBe(true);
  });
});
