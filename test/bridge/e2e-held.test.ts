// Held orders through the real adapter: breakout-trail promoted live against the mock Binance with a
// real ccxt client over loopback, on the XRP/ETH trade tape. Its trailing stops are held by the bridge
// and become market orders when a streamed trade crosses them; each is sent once, the venue holds
// exactly the journal's filled orders, and its balance moved by exactly the journalled fills.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadResolvedStrategy } from "../../src/app/strategy-loader.ts";
import { Bridge } from "../../src/bridge/bridge.ts";
import type { HeldOrder } from "../../src/bridge/held-orders.ts";
import { startServer } from "../../src/bridge/server.ts";
import { FINAL_STATES } from "../../src/bridge/types.ts";
import { startMockVenue } from "../support/mock-venue.ts";
import { needShared, SHARED_URL, sharedOr } from "../support/paths.ts";

const { missing } = needShared("freqtrade/XRP_ETH-trades.json.gz");
// random, as `openssl rand -hex 32` makes one: the bridge refuses weak tokens
const TOKEN = "e1c47a09b3f85d26c7a1e40f9b2d86c35a7e1f04c9b8d2a6e3f57c10b4d9a82e";
const TAPE = sharedOr(missing, () =>
  JSON.parse(
    gunzipSync(readFileSync(new URL("freqtrade/XRP_ETH-trades.json.gz", SHARED_URL))).toString("utf8"),
  ),
) as [number, string, null, "buy" | "sell", number, number, number][];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const until = async (what: () => boolean, label: string, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe.skipIf(missing)("held orders against the mock Binance (real ccxt, loopback)", () => {
  it("trailing stops held by the bridge go out as market sells, each once, when a trade crosses them", async () => {
    const venue = await startMockVenue({ binanceNow: TAPE[0][0] });
    cleanups.push(() => venue.close());
    const bridge = await Bridge.open({
      dataDir: mkdtempSync(path.join(os.tmpdir(), "stom-e2e-held-")),
      allowLive: true,
      liveCash: 50,
      venue: {
        apiKey: "mock-api-key",
        secret: "mock-api-secret",
        urlOverride: venue.url,
        timeout: 5000,
        pollMs: 50,
      },
      resolveDelayMs: 50,
    });
    const server = await startServer(bridge, { token: TOKEN, port: 0, logger: pino({ level: "silent" }) });
    cleanups.push(async () => {
      await server.close();
      await bridge.close();
    });
    const params = { n: 20, trailPct: 0.5 };
    const settings = {
      cash: 50,
      commission: 0,
      spread: 0,
      slippage: 0,
      margin: 1,
      unit: 1,
      tradeOnClose: false,
      finalizeTrades: false,
      hedging: false,
      exclusiveOrders: false,
      account: "cash" as const,
    };
    const { fingerprint } = await loadResolvedStrategy("breakout-trail", params, { settings });
    const res = await fetch(`${server.url}/api/promotions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        strategy: "breakout-trail",
        params,
        exchange: "binance",
        symbol: "XRP/ETH",
        timeframe: "1m",
        mode: "live",
        fingerprint,
        settings,
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await until(() => venue.subscribers("binance") > 0, "subscription");

    // the tape, a minute at a time: each minute waits until every order is final (a real minute
    // leaves the venue ample time), trades inside a minute go out as they come
    const settled = () => bridge.orders().every((o) => FINAL_STATES.has(o.state));
    let minute = Number.NaN;
    for (let k = 0; k < 4000; k++) {
      const [time, tradeId, , side, price, amount] = TAPE[k];
      if (Math.floor(time / 60_000) !== minute) {
        minute = Math.floor(time / 60_000);
        await until(settled, "orders of the last minute final");
      }
      venue.setNow("binance", time);
      venue.streamTrade("binance", "XRPETH", { time, id: Number(tradeId), price, amount, side });
      if (k % 25 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await until(settled, "every order final");

    const journal = bridge.orders().filter((o) => o.promotionId === id);
    const filled = journal.filter((o) => o.state === "FILLED");
    const held = bridge.stores.live.heldOrders<HeldOrder>(id);
    const exits = held.filter((h) => h.role === "sl" && h.state === "done");
    expect(exits.length).toBeGreaterThan(2);
    // every sell the venue took is a held trailing stop that triggered once; nothing else sold
    const sells = filled.filter((o) => o.side === "sell");
    expect(new Set(sells.map((o) => o.clientOrderId))).toEqual(new Set(exits.map((h) => h.clientOrderId)));
    for (const h of held)
      expect(
        bridge.stores.live.heldEvents(h.id).filter((e) => e.event === "triggered").length,
      ).toBeLessThanOrEqual(1);
    // every trailing stop moved only up while it was held
    for (const h of exits) {
      const levels = bridge.stores.live
        .heldEvents(h.id)
        .filter((e) => e.event === "trailed")
        .map((e) => (e.detail as { level: number }).level);
      for (let k = 1; k < levels.length; k++) expect(levels[k]).toBeGreaterThan(levels[k - 1]);
    }
    // sent once each; the venue holds exactly the journal's filled orders, its balance their sum
    for (const o of journal.filter((x) => x.state !== "REJECTED"))
      expect(venue.orderRequests.get(o.clientOrderId)).toBe(1);
    expect(new Set(filled.map((o) => o.clientOrderId))).toEqual(new Set(venue.orders.keys()));
    let xrp = 0;
    for (const o of filled) xrp += o.side === "buy" ? o.filled : -o.filled;
    expect(venue.balances.get("XRP")).toBeCloseTo(xrp, 9);
  }, 120_000);
});
