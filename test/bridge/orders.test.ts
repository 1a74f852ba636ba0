import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bridge } from "../../src/bridge/bridge.ts";
import type { Mode, OrderRecord } from "../../src/bridge/types.ts";
import { type Client, openBridge, serve, T0, tempDir } from "../support/bridge.ts";

let bridge: Bridge;
let client: Client;
const N = 2_500;
const inserted: OrderRecord[] = [];

function order(i: number, mode: Mode): OrderRecord {
  // seven orders per millisecond, both journals: the page cursor has ties to get right
  const at = T0 + Math.floor(i / 7);
  return {
    clientOrderId: `stomtest${i.toString().padStart(5, "0")}`,
    promotionId: "p",
    mode,
    exchange: "binance",
    symbol: "XRP/ETH",
    side: "buy",
    type: "market",
    amount: 1,
    fraction: 0,
    reduceOnly: false,
    state: "FILLED",
    venueOrderId: `v${i}`,
    filled: 1,
    avgPrice: 1,
    fee: 0,
    reason: null,
    bar: i,
    createdAt: at,
    updatedAt: at,
  };
}

beforeAll(async () => {
  bridge = await openBridge(tempDir("stom-orders-"));
  client = await serve(bridge);
  for (let i = 0; i < N; i++) {
    const o = order(i, i % 3 === 0 ? "live" : "paper");
    bridge.stores[o.mode].insertOrder(o);
    inserted.push(o);
  }
});

afterAll(async () => {
  await client?.server.close();
  await bridge?.close();
});

describe("GET /api/orders", () => {
  it("pages through every order once, newest first, with ?limit= and ?before=", async () => {
    const expected = [...inserted]
      .map((o, i) => ({ o, i }))
      .sort(
        (a, b) =>
          b.o.createdAt - a.o.createdAt || (a.o.mode === b.o.mode ? b.i - a.i : a.o.mode === "live" ? -1 : 1),
      )
      .map(({ o }) => o.clientOrderId);
    const seen: string[] = [];
    let before: string | null = null;
    let pages = 0;
    do {
      const res = await client.api("GET", `/api/orders?limit=100${before ? `&before=${before}` : ""}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as OrderRecord[];
      seen.push(...page.map((o) => o.clientOrderId));
      before = res.headers.get("x-next-before");
      pages++;
    } while (before && pages < 100);
    expect(seen).toEqual(expected);
    expect(pages).toBe(26);
  });

  it("refuses bad parameters with 400 naming them", async () => {
    for (const [query, field] of [
      ["limit=0", "limit"],
      ["limit=5000", "limit"],
      ["limit=ten", "limit"],
      ["before=nope", "before"],
      ["before=a%20b", "before"],
    ]) {
      const res = await client.json<{ error: string }>("GET", `/api/orders?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.startsWith(`${field}:`)).toBe(true);
    }
  });

  it("reads pages and venue-id lookups from indexes, not by scanning and sorting", () => {
    const plan = (sql: string, ...args: unknown[]) =>
      (bridge.stores.live.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[])
        .map((r) => r.detail)
        .join("; ");
    const page = plan(
      "SELECT * FROM orders WHERE created_at <= ? AND (created_at < ? OR rowid < ?) ORDER BY created_at DESC, rowid DESC LIMIT ?",
      T0,
      T0,
      5,
      100,
    );
    expect(page).toMatch(/SEARCH orders USING INDEX orders_created_at/);
    expect(page).not.toMatch(/TEMP B-TREE/);
    expect(plan("SELECT * FROM orders WHERE venue_order_id = ?", "v3")).toMatch(
      /USING INDEX orders_venue_id/,
    );
    expect(bridge.stores.live.orderByVenueId("v3")?.clientOrderId).toBe("stomtest00003");
  });
});
