import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Bridge, BridgeOptions } from "../../src/bridge/bridge.ts";
import type { Promotion } from "../../src/bridge/types.ts";
import { type Client, openBridge, SMA_PAPER, serve, tempDir } from "../support/bridge.ts";

const open: { bridge: Bridge; client: Client }[] = [];
afterEach(async () => {
  for (const { bridge, client } of open.splice(0)) {
    await client.server.close();
    await bridge.close();
  }
});

async function start(extra: Partial<BridgeOptions> = {}) {
  const bridge = await openBridge(tempDir("stom-promo-"), extra);
  const client = await serve(bridge);
  open.push({ bridge, client });
  return { bridge, client };
}

/** A loopback port nothing listens on: connections to it are refused at once. */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("POST /api/promotions", () => {
  it("starts one of 10 identical promotions (8 at once); the others get 409 naming it", async () => {
    const { bridge, client } = await start();
    const first8 = await Promise.all(
      Array.from({ length: 8 }, () =>
        client.json<Promotion & { error: string }>("POST", "/api/promotions", SMA_PAPER),
      ),
    );
    const last2 = [
      await client.json<Promotion & { error: string }>("POST", "/api/promotions", SMA_PAPER),
      await client.json<Promotion & { error: string }>("POST", "/api/promotions", SMA_PAPER),
    ];
    const all = [...first8, ...last2];
    const created = all.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    const id = created[0].body.id;
    const refused = all.filter((r) => r.status === 409);
    expect(refused).toHaveLength(9);
    for (const r of refused) expect(r.body.error).toContain(id);
    expect(bridge.promotions().filter((p) => p.status === "running")).toHaveLength(1);
    expect(bridge.positions()).toHaveLength(1);

    // asked for, a duplicate starts; another symbol or mode is not a duplicate
    expect(
      (await client.json("POST", "/api/promotions", { ...SMA_PAPER, allowDuplicate: true })).status,
    ).toBe(201);
    expect((await client.json("POST", "/api/promotions", { ...SMA_PAPER, symbol: "BTC/USDT" })).status).toBe(
      201,
    );
    // once stopped, it may start again
    await client.json("DELETE", `/api/promotions/${id}`);
    const dup = await client.json<{ error: string }>("POST", "/api/promotions", SMA_PAPER);
    // the allowDuplicate one still runs
    expect(dup.status).toBe(409);
    expect(bridge.promotions().filter((p) => p.status === "running")).toHaveLength(2);
  });

  it("answers 502 naming the venue and the call when the venue is unreachable, and leaves nothing running", async () => {
    const port = await deadPort();
    const { bridge, client } = await start({
      feed: true,
      venue: { urlOverride: `http://127.0.0.1:${port}`, timeout: 2_000 },
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await client.json<{ error: string }>("POST", "/api/promotions", SMA_PAPER);
      expect(res.status).toBe(502);
      expect(res.body.error).toMatch(/^binance loadMarkets failed: /);
    }
    expect(bridge.promotions()).toEqual([]);
    expect(bridge.positions()).toEqual([]);
    expect((await client.json<unknown[]>("GET", "/api/promotions")).body).toEqual([]);
  });
});
