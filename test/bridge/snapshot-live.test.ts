// A tick strategy promoted live: the same TickSession, in executor mode, hands each buy and sell to
// the venue (a real ccxt client against the mock Binance on 127.0.0.1) through the OMS, and books
// the venue's fill when the order ends. Every decision is one order, sent once, filled once; a
// symbol never has two orders at once; what the kernel holds is what the venue holds.
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadSnapshotStrategy } from "../../src/app/snapshot-strategy.ts";
import { Bridge } from "../../src/bridge/bridge.ts";
import { type BridgeServer, startServer } from "../../src/bridge/server.ts";
import { SnapshotReplay, type SnapshotSource } from "../../src/bridge/snapshot-source.ts";
import { FINAL_STATES } from "../../src/bridge/types.ts";
import type { Frame } from "../../src/data/frame.ts";
import { makeSampleTicks } from "../../src/data/sample.ts";
import { tempDir } from "../support/fixtures.ts";
import { type MockVenue, startMockVenue } from "../support/mock-venue.ts";

const TOKEN = "3e8b1d6f0a9c4e2b7d5f1a8c3e6b0d9f2a4c7e1b5d8f0a3c6e9b2d4f7a1c5e8b";
const dir = tempDir("stom-snap-live-");
const named = (f: Frame, symbol: string): Frame => ({ ...f, symbol });
const frames: Frame[] = [
  named(makeSampleTicks({ ticks: 4_000, seed: 7 }), "AAA/USDT"),
  named(makeSampleTicks({ ticks: 4_000, seed: 8, price: 3_000 }), "BBB/USDT"),
];
const SETTINGS = { cash: 1_000_000, budget: 100_000, maxPositions: 2, unit: 1e-8 };

let venue: MockVenue;
let bridge: Bridge;
let server: BridgeServer;
let ended: Promise<void>;

/** The replay, with the venue's price moved to each snapshot's 현재가 before the bridge sees it. */
function priced(source: SnapshotReplay): SnapshotSource {
  return {
    symbols: source.symbols,
    run: (onRow, signal) =>
      source.run((symbol, row) => {
        venue.setPrice(symbol.replace("/", ""), row.현재가);
        onRow(symbol, row);
      }, signal),
  };
}

beforeAll(async () => {
  venue = await startMockVenue({
    markets: { binance: ["AAAUSDT", "BBBUSDT"] },
    balances: { USDT: 10_000_000 },
  });
  bridge = await Bridge.open({
    dataDir: join(dir, "journal"),
    feed: false,
    allowLive: true,
    venue: {
      apiKey: "mock-api-key",
      secret: "mock-api-secret",
      urlOverride: venue.url,
      timeout: 10_000,
      pollMs: 50,
    },
    resolveDelayMs: 50,
    snapshots: (promotion) => {
      let done = () => {};
      ended = new Promise<void>((resolve) => (done = resolve));
      // a few hundred snapshots a second: each order is answered before many more arrive
      return priced(
        SnapshotReplay.of(frames, promotion.symbols ?? [], { speed: "max", batch: 5, onEnd: () => done() }),
      );
    },
  });
  server = await startServer(bridge, { token: TOKEN, port: 0, logger: pino({ level: "silent" }) });
});

afterAll(async () => {
  await server?.close();
  await bridge?.close();
  await venue?.close();
});

describe("a tick strategy live on the venue", () => {
  test("each decision is one order sent once; the kernel holds what the venue holds", async () => {
    const loaded = await loadSnapshotStrategy("ticks", "momentum", {}, { settings: SETTINGS });
    const res = await fetch(`${server.url}/api/promotions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        kind: "ticks",
        strategy: "momentum",
        exchange: "binance",
        symbols: frames.map((f) => f.symbol),
        mode: "live",
        fingerprint: loaded.fingerprint,
        settings: SETTINGS,
      }),
    });
    const body = (await res.json()) as { id: string; error?: string };
    expect(res.status, body.error).toBe(201);
    await ended;
    const orders = () =>
      bridge.stores.live.orders({ limit: 10_000 }).filter((o) => o.promotionId === body.id);
    const deadline = Date.now() + 30_000;
    while (orders().some((o) => !FINAL_STATES.has(o.state)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));

    const all = orders().sort((a, b) => a.createdAt - b.createdAt);
    const filled = all.filter((o) => o.state === "FILLED");
    expect(filled.length).toBeGreaterThan(4);
    expect(all.filter((o) => o.state !== "FILLED" && o.state !== "REJECTED")).toEqual([]);
    // sent once each: the venue saw one request per order, and holds exactly the journal's orders
    for (const o of filled) expect(venue.orderRequests.get(o.clientOrderId)).toBe(1);
    expect(venue.orders.size).toBe(filled.length);
    // a symbol alternates buy, sell, buy ...: the kernel waits for each fill before deciding again
    for (const f of frames) {
      const sides = filled.filter((o) => o.symbol === f.symbol).map((o) => o.side);
      for (const [k, side] of sides.entries())
        expect(side, `${f.symbol} order ${k}`).toBe(k % 2 === 0 ? "buy" : "sell");
    }
    // the run holds what the venue filled, symbol by symbol
    const run = bridge.snapshotRun(body.id);
    for (const f of frames) {
      let held = 0;
      for (const o of filled) if (o.symbol === f.symbol) held += o.side === "buy" ? o.filled : -o.filled;
      expect(run?.positions.get(f.symbol)?.qty ?? 0).toBeCloseTo(held, 9);
    }
  });
});
