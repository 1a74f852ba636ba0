import { afterEach, describe, expect, it } from "vitest";
import type { Bridge, BridgeOptions } from "../../src/bridge/bridge.ts";
import { FINAL_STATES } from "../../src/bridge/types.ts";
import { AmbiguousError } from "../../src/bridge/venue.ts";
import {
  FakeVenue,
  fingerprintOf,
  openBridge,
  SMA_PAPER,
  sineTicks,
  tempDir,
  until,
} from "../support/bridge.ts";

const bridges: Bridge[] = [];
afterEach(async () => {
  for (const b of bridges.splice(0)) await b.close();
});

const rateLimited = () => new Error('binance 429 Too Many Requests {"code":-1003}');

async function live(venue: FakeVenue, dir: string, extra: Partial<BridgeOptions> = {}) {
  const bridge = await openBridge(dir, {
    allowLive: true,
    liveCash: 1_000,
    venueFactory: async () => venue,
    resolveDelayMs: 1,
    ...extra,
  });
  bridges.push(bridge);
  return bridge;
}

async function promoteLive(bridge: Bridge) {
  const fingerprint = await fingerprintOf("sma-cross", SMA_PAPER.params);
  return bridge.promote({ ...SMA_PAPER, mode: "live", fingerprint });
}

const settled = (bridge: Bridge) => () =>
  bridge.stores.live.orders({ limit: 10_000 }).every((o) => FINAL_STATES.has(o.state));

describe("UNKNOWN orders", () => {
  it("are looked up with backoff until the venue answers, past the old 5-lookup cap, never resent", async () => {
    const venue = new FakeVenue();
    venue.onCreate = () => {
      throw new AmbiguousError("binance POST /api/v3/order request timed out (5000 ms)");
    };
    // the venue answers lookups with 429 seven times per order before it tells
    venue.onLookup = (_id, attempt) => {
      if (attempt <= 7) throw rateLimited();
    };
    const bridge = await live(venue, tempDir("stom-recon-"));
    const p = await promoteLive(bridge);
    for (const t of sineTicks(20)) bridge.tick(p.id, t);
    await until(() => venue.created.length > 0, "an order");
    await until(settled(bridge), "every order final");
    const orders = bridge.stores.live.orders();
    expect(orders.length).toBeGreaterThan(0);
    for (const o of orders.filter((x) => venue.created.includes(x.clientOrderId))) {
      expect(o.state).toBe("FILLED");
      expect(bridge.stores.live.events(o.clientOrderId).map((e) => e.to)).toEqual([
        "NEW",
        "SUBMITTED",
        "UNKNOWN",
        "ACCEPTED",
        "FILLED",
      ]);
      expect(venue.lookups.filter((id) => id === o.clientOrderId)).toHaveLength(8);
    }
    expect(new Set(venue.created).size).toBe(venue.created.length);
  });

  it("are not REJECTED on the first 'not found': an order the venue lists late ends FILLED", async () => {
    const venue = new FakeVenue();
    const late = new Map<string, ReturnType<FakeVenue["held"]["get"]>>();
    venue.onCreate = (held) => {
      // taken, but not listed by the venue for two lookups
      const id = held.clientOrderId as string;
      late.set(id, held);
      venue.held.delete(id);
      throw new AmbiguousError("binance POST /api/v3/order request timed out (5000 ms)");
    };
    venue.onLookup = (id, attempt) => {
      const held = late.get(id);
      if (attempt === 3 && held) venue.held.set(id, held);
    };
    const bridge = await live(venue, tempDir("stom-recon-"));
    const p = await promoteLive(bridge);
    for (const t of sineTicks(20)) bridge.tick(p.id, t);
    await until(() => venue.created.length > 0, "an order");
    await until(settled(bridge), "every order final");
    const sent = bridge.stores.live.orders().filter((o) => venue.created.includes(o.clientOrderId));
    expect(sent.length).toBeGreaterThan(0);
    for (const o of sent) expect(o.state).toBe("FILLED");
  });

  it("that the venue never took are REJECTED after notFoundChecks lookups", async () => {
    const venue = new FakeVenue();
    venue.onCreate = (held) => {
      venue.held.delete(held.clientOrderId as string);
      throw new AmbiguousError("socket hang up");
    };
    const bridge = await live(venue, tempDir("stom-recon-"), { notFoundChecks: 4 });
    const p = await promoteLive(bridge);
    for (const t of sineTicks(20)) bridge.tick(p.id, t);
    await until(() => venue.created.length > 0, "an order");
    await until(settled(bridge), "every order final");
    const [o] = bridge.stores.live.orders().filter((x) => venue.created.includes(x.clientOrderId));
    expect(o.state).toBe("REJECTED");
    expect(venue.lookups.filter((id) => id === o.clientOrderId)).toHaveLength(4);
  });
});

describe("restart reconciliation", () => {
  it("waits out 429s on lookups and open orders instead of failing to start", async () => {
    const dir = tempDir("stom-recon-");
    const venue = new FakeVenue();
    venue.onCreate = () => {
      throw new AmbiguousError("binance POST /api/v3/order request timed out (5000 ms)");
    };
    // nothing looks the order up in this process: the restart has to
    const first = await live(venue, dir, { resolveAttempts: 0 });
    const p = await promoteLive(first);
    for (const t of sineTicks(20)) first.tick(p.id, t);
    await until(() => venue.created.length > 0, "an order");
    const id = venue.created[0];
    await until(() => first.stores.live.order(id)?.state === "UNKNOWN", "UNKNOWN");
    await first.close();
    bridges.splice(0);

    venue.onLookup = (_id, attempt) => {
      if (attempt <= 2) throw rateLimited();
    };
    let openCalls = 0;
    const openOrders = venue.openOrders.bind(venue);
    venue.openOrders = async () => {
      if (++openCalls <= 2) throw rateLimited();
      return openOrders();
    };
    const again = await live(venue, dir);
    expect(again.stores.live.order(id)?.state).toBe("FILLED");
    expect(venue.created.filter((c) => c === id)).toHaveLength(1);
    const audit = again.stores.live.audits().filter((a) => a.kind === "reconcile");
    expect(audit.filter((a) => /retrying/.test(a.message))).toHaveLength(4);
    expect(again.positions()).toHaveLength(1);
  });
});

describe("live positions after a restart", () => {
  it("resume from the journal's fills; a venue holding less is a risk event and its amount is adopted", async () => {
    const dir = tempDir("stom-recon-");
    const venue = new FakeVenue();
    const first = await live(venue, dir);
    const p = await promoteLive(first);
    for (const t of sineTicks(20)) first.tick(p.id, t);
    await until(() => venue.created.length > 0, "an order");
    await until(settled(first), "every order final");
    const [before] = first.positions();
    expect(before.size).toBeGreaterThan(0);
    await first.close();
    bridges.splice(0);

    const again = await live(venue, dir);
    const [after] = again.positions();
    expect(after.size).toBe(before.size);
    expect(after.avgPrice).toBe(before.avgPrice);
    expect(again.stores.live.audits().some((a) => a.kind === "restore")).toBe(true);
    expect(await again.checkBalances()).toEqual([]);

    // half of it sold outside the bridge
    venue.holdings.XRP -= before.size / 2;
    const risks: string[] = [];
    again.on((e) => {
      if (e.type === "risk") risks.push(e.rule);
    });
    expect(await again.checkBalances()).toEqual([
      { exchange: "binance", asset: "XRP", journal: before.size, venue: before.size / 2 },
    ]);
    expect(risks).toEqual(["position-mismatch"]);
    // the policy: the promotion's position becomes what the venue holds, journalled, so its exits
    // and closes never try to sell what is not there; the quote budget stays
    const [adopted] = again.positions();
    expect(adopted.size).toBeCloseTo(before.size / 2, 12);
    expect(again.stores.live.audits().find((a) => a.kind === "adopt")?.message).toContain(
      `binance holds ${before.size / 2} XRP, the journal ${before.size}`,
    );
    expect(await again.checkBalances()).toEqual([]);
    // and it holds after a restart: the correction is replayed after the fills
    await again.close();
    bridges.splice(0);
    const third = await live(venue, dir);
    expect(third.positions()[0].size).toBeCloseTo(before.size / 2, 12);
    expect(await third.checkBalances()).toEqual([]);
  });

  it("adopts nothing while an order is in flight: the venue may already hold what its fill will book", async () => {
    const venue = new FakeVenue();
    // answers lost from here on, lookups a minute away: a sell stays UNKNOWN
    const bridge = await live(venue, tempDir("stom-recon-"), { resolveDelayMs: 60_000 });
    const p = await promoteLive(bridge);
    for (const t of sineTicks(20)) bridge.tick(p.id, t);
    await until(settled(bridge), "the buy final");
    const [held] = bridge.positions();
    expect(held.size).toBeGreaterThan(0);
    venue.onCreate = () => {
      throw new AmbiguousError("binance POST /api/v3/order request timed out (5000 ms)");
    };
    for (const t of sineTicks(15, { from: 20 })) bridge.tick(p.id, t);
    await until(() => bridge.stores.live.orders().some((o) => o.state === "UNKNOWN"), "an UNKNOWN sell");
    // the venue sold (its holdings moved), the journal does not know yet
    expect(venue.holdings.XRP).toBeLessThan(held.size);
    const mismatches = await bridge.checkBalances();
    expect(mismatches).toHaveLength(1);
    expect(bridge.positions()[0].size).toBe(held.size);
    expect(bridge.stores.live.audits().find((a) => a.kind === "adopt")?.message).toContain("in flight");
  });
});
