import { afterEach, describe, expect, it } from "vitest";
import type { Bridge } from "../../src/bridge/bridge.ts";
import type { Promotion } from "../../src/bridge/types.ts";
import { RejectedError } from "../../src/bridge/venue.ts";
import {
  type Client,
  FakeVenue,
  fingerprintOf,
  openBridge,
  SMA_PAPER,
  serve,
  sineTicks,
  tempDir,
  until,
} from "../support/bridge.ts";

const open: { bridge: Bridge; client: Client }[] = [];
afterEach(async () => {
  for (const { bridge, client } of open.splice(0)) {
    await client.server.close();
    await bridge.close();
  }
});

async function start(dir: string) {
  const bridge = await openBridge(dir);
  const client = await serve(bridge);
  open.push({ bridge, client });
  return { bridge, client };
}

async function stop() {
  const last = open.pop();
  await last?.client.server.close();
  await last?.bridge.close();
}

describe("the kill switch", () => {
  it("is journalled with its flatten intent and honoured after a restart; refusals journalled once", async () => {
    const dir = tempDir("stom-kill-");
    const { bridge, client } = await start(dir);
    expect((await client.json("GET", "/api/kill")).body).toEqual({
      killed: false,
      flatten: false,
      since: null,
    });
    const { body: promotion } = await client.json<Promotion>("POST", "/api/promotions", SMA_PAPER);
    for (const t of sineTicks(60)) bridge.tick(promotion.id, t);
    const filledBefore = bridge.stores.paper.orders().filter((o) => o.state === "FILLED").length;
    expect(filledBefore).toBeGreaterThan(3);

    const kill = await client.json<{ killed: boolean; flatten: boolean; since: number }>(
      "POST",
      "/api/kill",
      {
        flatten: true,
      },
    );
    expect(kill.body).toMatchObject({ killed: true, flatten: true });
    expect(typeof kill.body.since).toBe("number");
    // 200 more bars: the strategy decides ~20 times, one refusal is journalled
    for (const t of sineTicks(200, { from: 60 })) bridge.tick(promotion.id, t);
    const orders = bridge.stores.paper.orders({ limit: 10_000 });
    const refused = orders.filter((o) => o.state === "REJECTED" && o.reason?.startsWith("kill"));
    expect(refused).toHaveLength(1);
    expect(
      bridge.stores.paper.audits().filter((a) => (a.detail as { rule?: string })?.rule === "kill"),
    ).toHaveLength(1);
    const filledKilled = orders.filter((o) => o.state === "FILLED").length;
    // only the flattening order may have filled since the kill
    expect(filledKilled - filledBefore).toBeLessThanOrEqual(1);
    expect(bridge.positions().every((p) => p.size === 0)).toBe(true);

    // restart: killed from the journal, the promotion resumes but does not trade
    await stop();
    const again = await start(dir);
    expect((await again.client.json("GET", "/api/kill")).body).toMatchObject({
      killed: true,
      flatten: true,
      since: kill.body.since,
    });
    expect(again.bridge.risk.killed).toBe(true);
    expect(again.bridge.promotions().find((p) => p.id === promotion.id)?.status).toBe("running");
    const rowsBefore = again.bridge.stores.paper.orders({ limit: 10_000 }).length;
    for (const t of sineTicks(200, { from: 260 })) again.bridge.tick(promotion.id, t);
    const after = again.bridge.stores.paper.orders({ limit: 10_000 });
    expect(after.filter((o) => o.state === "FILLED").length).toBe(filledKilled);
    expect(after.length - rowsBefore).toBe(1);
    expect(again.bridge.stores.live.audits().some((a) => /restored from the journal/.test(a.message))).toBe(
      true,
    );

    // off, and off after the next restart too
    expect((await again.client.json("DELETE", "/api/kill")).body).toMatchObject({ killed: false });
    await stop();
    const third = await start(dir);
    expect((await third.client.json("GET", "/api/kill")).body).toMatchObject({ killed: false });
    for (const t of sineTicks(60, { from: 460 })) third.bridge.tick(promotion.id, t);
    expect(
      third.bridge.stores.paper.orders({ limit: 10_000 }).filter((o) => o.state === "FILLED").length,
    ).toBeGreaterThan(filledKilled);
  });
});

describe("the kill switch's flatten intent", () => {
  it("closes a live position after a restart when the flattening sell failed before it", async () => {
    const dir = tempDir("stom-kill-live-");
    const venue = new FakeVenue();
    const options = { allowLive: true, liveCash: 1_000, venueFactory: async () => venue, resolveDelayMs: 1 };
    const first = await openBridge(dir, options);
    const fingerprint = await fingerprintOf("sma-cross", SMA_PAPER.params);
    const p = await first.promote({ ...SMA_PAPER, mode: "live", fingerprint });
    for (const t of sineTicks(20)) first.tick(p.id, t);
    await until(() => first.positions()[0]?.size > 0, "a position");
    const held = first.positions()[0].size;
    // the venue refuses the flattening sell (maintenance): the position stays
    venue.onCreate = (order) => {
      venue.held.delete(order.clientOrderId as string);
      venue.holdings.XRP += order.amount;
      throw new RejectedError("binance -1013 market is closed");
    };
    await first.kill({ flatten: true });
    expect(first.positions()[0].size).toBe(held);
    await first.close();

    venue.onCreate = undefined;
    const again = await openBridge(dir, options);
    try {
      expect(again.killState()).toMatchObject({ killed: true, flatten: true });
      await until(() => again.positions()[0]?.size === 0, "flat after the restart");
      const sells = again.stores.live.orders().filter((o) => o.side === "sell" && o.state === "FILLED");
      expect(sells).toHaveLength(1);
      expect(sells[0].filled).toBe(held);
      // and nothing else trades while killed
      for (const t of sineTicks(40, { from: 20 })) again.tick(p.id, t);
      expect(again.stores.live.orders().filter((o) => o.state === "FILLED" && o.side === "buy")).toHaveLength(
        1,
      );
    } finally {
      await again.close();
    }
  });
});
