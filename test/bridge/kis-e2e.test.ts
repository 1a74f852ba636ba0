import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadResolvedStrategy } from "../../src/app/strategy-loader.ts";
import { Bridge } from "../../src/bridge/bridge.ts";
import { parseAccount } from "../../src/bridge/kis/index.ts";
import type { BridgeEvent, OrderRecord } from "../../src/bridge/types.ts";
import { type CsvBar, loadKrxBars, type MockKis, startMockKis } from "../support/mock-kis.ts";
import { needShared, sharedOr } from "../support/paths.ts";

const { missing } = needShared("krx/creon_1m_20190920/005930.csv");
const BARS = sharedOr(missing, () => loadKrxBars("005930"));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const until = async (what: () => boolean, ms = 8000, label = "condition") => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** the replay clock: the time of the last streamed trade (the KRX session check reads it) */
let marketTime = missing ? 0 : BARS[0].time;

async function open(kis: MockKis, dataDir: string, extra: { resolveAttempts?: number } = {}) {
  const bridge = await Bridge.open({
    dataDir,
    allowLive: true,
    liveCash: 5_000_000,
    resolveDelayMs: 50,
    ...extra,
    kis: {
      credentials: {
        appKey: kis.appKey,
        appSecret: kis.appSecret,
        account: parseAccount(kis.account),
        htsId: kis.htsId,
      },
      baseUrl: kis.url,
      wsUrl: kis.wsUrl,
      rate: 50,
      // short, so an injected lost answer resolves within the replay (token requests wait longer)
      timeout: 400,
      busyDelayMs: 50,
      clock: () => marketTime,
    },
  });
  const events: BridgeEvent[] = [];
  bridge.on((e) => events.push(e));
  let closed = false;
  const close = async () => {
    if (!closed) await bridge.close();
    closed = true;
  };
  cleanups.push(close);
  return { bridge, events, close };
}

/** four prints per real minute bar: open, high, low, close */
async function stream(kis: MockKis, bars: readonly CsvBar[]) {
  for (const b of bars) {
    const q = Math.max(1, Math.round(b.volume / 4));
    for (const [k, price] of [b.open, b.high, b.low, b.close].entries()) {
      marketTime = b.time + k * 15_000;
      kis.streamTrade("005930", { time: marketTime, price, volume: q });
    }
    await new Promise((r) => setTimeout(r, 15));
  }
}

async function promote(bridge: Bridge) {
  const params = { fast: 3, slow: 8 };
  const { fingerprint } = await loadResolvedStrategy("sma-cross", params);
  return bridge.promote({
    strategy: "sma-cross",
    params,
    exchange: "kis",
    symbol: "005930",
    timeframe: "1m",
    mode: "live",
    fingerprint,
  });
}

const sent = (orders: OrderRecord[]) => orders.filter((o) => o.state !== "REJECTED" || o.venueOrderId);

describe.skipIf(missing)("bridge end to end against the mock KIS server", () => {
  it("trades 005930 from websocket trades: orders sent once, fills from encrypted notices, a lost answer resolved", async () => {
    const kis = await startMockKis({ rate: 50 });
    cleanups.push(() => kis.close());
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "stom-kis-"));
    const { bridge, events } = await open(kis, dataDir);
    await promote(bridge);
    await until(() => kis.sockets() > 0, 3000, "websocket");
    await new Promise((r) => setTimeout(r, 100));
    // the second order's answer is lost although KIS takes the order
    let timeoutArmed = false;
    bridge.on((e) => {
      if (!timeoutArmed && e.type === "fill") {
        timeoutArmed = true;
        kis.inject({ kind: "timeout", path: "/trading/order-cash" });
      }
    });
    await stream(kis, BARS.slice(0, 150));
    await until(() => bridge.stores.live.openOrders().length === 0, 8000, "orders settled");

    const orders = bridge.stores.live.orders({ limit: 1000 });
    const placed = sent(orders);
    if (process.env.KIS_DEBUG) console.log(`placed ${placed.length}, kis ${kis.orders.length}`);
    expect(placed.length).toBeGreaterThanOrEqual(3);
    // each journal order reached KIS exactly once, and every KIS order belongs to one journal order
    expect(kis.orders).toHaveLength(placed.length);
    expect(new Set(placed.map((o) => o.venueOrderId)).size).toBe(placed.length);
    for (const o of placed) {
      const k = kis.orders.find((x) => x.odno === o.venueOrderId);
      expect(k, o.clientOrderId).toBeDefined();
      expect(o.state).toBe("FILLED");
      expect(o.filled).toBe(k?.qty);
      expect(o.avgPrice).toBe(k?.avg);
      expect(Number.isInteger(o.amount)).toBe(true);
    }
    // the timed-out one went UNKNOWN and was matched through the daily inquiry
    const unknown = orders.filter((o) =>
      bridge.stores.live.events(o.clientOrderId).some((e) => e.to === "UNKNOWN"),
    );
    expect(unknown).toHaveLength(1);
    expect(unknown[0].state).toBe("FILLED");
    // fills applied: the bridge's position equals the shares KIS holds
    const pos = bridge.positions()[0];
    expect(pos.size).toBe(kis.holdings.get("005930") ?? 0);
    expect(events.filter((e) => e.type === "fill")).toHaveLength(placed.length);
    // fees: 0.015% on buys, plus the sell tax on sells (2019: 0.30%)
    const buy = placed.find((o) => o.side === "buy") as OrderRecord;
    expect(buy.fee).toBeCloseTo(buy.filled * buy.avgPrice * 0.00015, 6);
  }, 30_000);

  it("reconciles an unanswered order on restart, flags foreign orders, and the kill switch stops orders", async () => {
    const kis = await startMockKis({ rate: 50 });
    cleanups.push(() => kis.close());
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "stom-kis-"));
    const first = await open(kis, dataDir, { resolveAttempts: 0 });
    await promote(first.bridge);
    await until(() => kis.sockets() > 0, 3000, "websocket");
    await new Promise((r) => setTimeout(r, 100));
    kis.inject({ kind: "timeout", path: "/trading/order-cash" });
    let i = 0;
    while (!first.bridge.stores.live.orders().some((o) => o.state === "UNKNOWN") && i < 200) {
      await stream(kis, BARS.slice(i, i + 5));
      i += 5;
    }
    const lost = first.bridge.stores.live.orders().find((o) => o.state === "UNKNOWN") as OrderRecord;
    expect(lost).toBeDefined();
    expect(lost.venueOrderId).toBeNull();
    await first.close();
    const foreign = kis.placeForeign("005930", "buy", 7);

    const second = await open(kis, dataDir);
    const resolved = second.bridge.stores.live.order(lost.clientOrderId) as OrderRecord;
    expect(resolved.state).toBe("FILLED");
    const k = kis.orders.find((o) => o.odno === resolved.venueOrderId);
    expect(k).toMatchObject({ side: lost.side, qty: lost.amount });
    expect(k?.odno).not.toBe(foreign.odno);
    expect(
      second.bridge.audit().some((a) => a.kind === "foreign" && String(a.message).includes(foreign.odno)),
    ).toBe(true);

    await second.bridge.kill();
    const before = kis.orders.length;
    await stream(kis, BARS.slice(i, i + 60));
    await new Promise((r) => setTimeout(r, 200));
    expect(kis.orders.length).toBe(before);
    const refused = second.bridge.stores.live.orders().filter((o) => o.reason?.startsWith("kill"));
    expect(refused.length).toBeGreaterThan(0);
  }, 30_000);
});
