// The orders a live account holds (held-orders.ts): they trigger by the engine's rule, brackets
// cancel each other, trailing stops and `trade.sl = …` move them, `order.cancel()` and partial
// closes are honoured, and a journal restores them after a restart without triggering twice.
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { type HeldOrder, triggers } from "../../src/bridge/held-orders.ts";
import { LiveAccount } from "../../src/bridge/live-account.ts";
import { Store } from "../../src/bridge/store.ts";
import type { OrderRecord, Side } from "../../src/bridge/types.ts";
import { Broker, type Order, toBars } from "../../src/engine/index.ts";
import { tempDir } from "../support/fixtures.ts";

/** mulberry32: a seeded RNG, so a failure names a case that can be run again */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("triggers", () => {
  test("fires on the trade where the engine's broker fills the same order on one-trade bars", () => {
    const random = rng(7);
    let fired = 0;
    for (let c = 0; c < 2_000; c++) {
      const prices = [100];
      for (let k = 1; k < 40; k++)
        prices.push(Math.round(100 * (prices[k - 1] + 4 * (random() - 0.5))) / 100);
      const side: Side = random() < 0.5 ? "buy" : "sell";
      const kind = Math.floor(random() * 3);
      const level = () => Math.round(100 * (100 + 8 * (random() - 0.5))) / 100;
      const stop = kind !== 1 ? level() : null;
      const limit = kind !== 0 ? level() : null;
      // the engine, fed bars of one trade each (open = high = low = close)
      const columns = Object.fromEntries(
        ["open", "high", "low", "close"].map((k) => [k, Float64Array.from(prices)]),
      );
      const bars = toBars({
        columns: {
          ...columns,
          time: Float64Array.from(prices, (_, i) => i * 60_000),
          volume: new Float64Array(40),
        },
      });
      const broker = new Broker(bars, { cash: 1e9 });
      broker.next(0);
      let engineAt = -1;
      let order: Order;
      try {
        order = broker.place(side === "buy" ? 1 : -1, {
          size: 1,
          limit: limit ?? undefined,
          stop: stop ?? undefined,
        });
      } catch {
        continue;
      }
      for (let i = 1; i < prices.length && engineAt < 0; i++) {
        broker.next(i);
        if (!broker.orders.includes(order)) engineAt = i;
      }
      const held = { side, limit, stop };
      let heldAt = -1;
      for (let i = 1; i < prices.length && heldAt < 0; i++) if (triggers(held, prices[i])) heldAt = i;
      expect(heldAt, `case ${c}: ${side} stop ${stop} limit ${limit} on ${prices.join(" ")}`).toBe(engineAt);
      if (heldAt > 0) fired++;
    }
    expect(fired).toBeGreaterThan(500);
  });
});

/**
 * A live account whose orders fill at once at `price` (as a venue answering a market order), its
 * held orders journalled in a real Store.
 */
function account(store = new Store(join(tempDir("stom-held-"), "live.sqlite")), promotionId = "p1") {
  const sent: OrderRecord[] = [];
  const venue = { price: 100 };
  const run = Math.random().toString(36).slice(2, 8);
  let seq = 0;
  // set when the process "dies": the venue's answers are never booked; `rejectSells`: the venue
  // refuses sells after taking them (REJECTED, nothing filled)
  const state = { dead: false, rejectSells: false };
  const refusals: string[] = [];
  const acct: LiveAccount = new LiveAccount(
    (o) => {
      const now = Date.now();
      const order: OrderRecord = {
        clientOrderId: `stom-${run}-${++seq}`,
        promotionId,
        mode: "live",
        exchange: "binance",
        symbol: "X/USDT",
        side: o.side,
        type: "market",
        amount: o.amount,
        fraction: 0,
        reduceOnly: o.reduceOnly,
        state: "FILLED",
        venueOrderId: null,
        filled: o.amount,
        avgPrice: venue.price,
        fee: 0,
        reason: null,
        bar: o.bar,
        createdAt: now,
        updatedAt: now,
      };
      sent.push(order);
      store.insertOrder(order);
      store.addFill({
        clientOrderId: order.clientOrderId,
        price: venue.price,
        amount: o.amount,
        fee: 0,
        time: now,
      });
      // the answer is booked after the call returns, as the OMS books a venue's answer
      queueMicrotask(() => {
        if (state.dead) return;
        if (state.rejectSells && o.side === "sell") {
          order.state = "REJECTED";
          order.filled = 0;
          acct.settle(order);
          return;
        }
        acct.settle(order);
        acct.applyFill(order, { price: venue.price, amount: o.amount, fee: 0, time: now });
      });
      return order;
    },
    (message) => refusals.push(message),
    { cash: 10_000, promotionId, journal: store },
  );
  const bar = (close: number, i: number) =>
    acct.onBar({ time: i * 60_000, open: close, high: close, low: close, close, volume: 0 }, i);
  /** a trade at `price`, and the microtasks it causes */
  const trade = async (price: number) => {
    venue.price = price;
    acct.onTrade(price);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { acct, sent, store, bar, trade, state, refusals };
}

const sides = (sent: OrderRecord[]) => sent.map((o) => `${o.side} ${o.avgPrice}`);

describe("a live account's held orders", () => {
  test("a bracket: SL and TP armed on the entry's fill; the first to trigger cancels the other", async () => {
    const { acct, sent, store, bar, trade } = account();
    bar(100, 0);
    acct.place(1, { size: 10, sl: 95, tp: 110 }, 0);
    await trade(100);
    expect(acct.amount).toBe(10);
    expect(acct.pending.map((o) => [o.size, o.stop, o.limit])).toEqual([
      [-10, 95, null],
      [-10, null, 110],
    ]);
    await trade(96);
    await trade(94.5);
    await trade(120);
    expect(sides(sent)).toEqual(["buy 100", "sell 94.5"]);
    expect(acct.amount).toBe(0);
    expect(acct.pending).toEqual([]);
    const rows = store.heldOrders<HeldOrder>("p1");
    expect(rows.map((h) => [h.role, h.state])).toEqual([
      ["entry", "done"],
      ["sl", "done"],
      ["tp", "canceled"],
    ]);
  });

  test("an exit whose sell the venue refuses is not sent again, and says the position is unprotected", async () => {
    const { acct, sent, store, bar, trade, state, refusals } = account();
    bar(100, 0);
    acct.place(1, { size: 2, sl: 95, tp: 110 }, 0);
    await trade(100);
    state.rejectSells = true;
    await trade(94);
    await trade(93);
    expect(sides(sent)).toEqual(["buy 100", "sell 94"]);
    expect(acct.amount).toBe(2);
    expect(refusals).toEqual([
      expect.stringMatching(
        /^held sl .* its sell did not fill \(its order ended REJECTED\): the position has no sl now$/,
      ),
    ]);
    const sl = store.heldOrders<HeldOrder>("p1").find((h) => h.role === "sl") as HeldOrder;
    expect(store.heldEvents(sl.id).map((e) => e.event)).toEqual(["armed", "triggered", "unfilled"]);
  });

  test("a stop-limit entry waits as a limit once its stop is touched; a limit entry fills at or below it", async () => {
    const { acct, sent, bar, trade } = account();
    bar(100, 0);
    acct.place(1, { size: 2, stop: 105, limit: 106 }, 0);
    await trade(104);
    await trade(107); // stop touched, above the limit: it waits as a limit at 106
    expect(acct.pending.map((o) => [o.stop, o.limit])).toEqual([[null, 106]]);
    await trade(105.5);
    acct.place(1, { size: 1, limit: 99 }, 0);
    await trade(99.5);
    await trade(98);
    expect(sides(sent)).toEqual(["buy 105.5", "buy 98"]);
    expect(acct.amount).toBe(3);
  });

  test("order.cancel() takes a held order away, journalled", async () => {
    const { acct, sent, store, bar, trade } = account();
    bar(100, 0);
    const order = acct.place(1, { size: 1, limit: 90 }, 0);
    order.cancel();
    await trade(80);
    expect(sent).toEqual([]);
    expect(store.heldOrders<HeldOrder>("p1").map((h) => [h.state, h.reason])).toEqual([
      ["canceled", "canceled by the strategy"],
    ]);
  });

  test("trade.sl = … protects a plain market entry; a partial close leaves the SL the rest", async () => {
    const { acct, sent, bar, trade } = account();
    bar(100, 0);
    acct.place(1, { size: 4 }, 0);
    await trade(100);
    const [leg] = acct.openLegs;
    leg.sl = 97;
    expect(acct.openLegs[0].sl).toBe(97);
    leg.close(0.5);
    await trade(99);
    expect(acct.amount).toBe(2);
    await trade(96);
    // the close goes at once, at the venue's price then (the last trade)
    expect(sides(sent)).toEqual(["buy 100", "sell 100", "sell 96"]);
    expect(sent.map((o) => o.amount)).toEqual([4, 2, 2]);
    expect(acct.amount).toBe(0);
  });

  test("a trailing stop follows the closes up, never down, and sells once", async () => {
    const { acct, sent, bar, trade } = account();
    bar(100, 0);
    acct.place(1, { size: 1, trailPct: 5 }, 0);
    await trade(100);
    for (const [i, close] of [100, 110, 104, 120].entries()) {
      bar(close, i + 1);
      acct.trail();
    }
    expect(acct.openLegs[0].sl).toBeCloseTo(114, 9);
    await trade(115);
    await trade(113.5);
    await trade(100);
    expect(sides(sent)).toEqual(["buy 100", "sell 113.5"]);
  });

  test("restored after a restart: the entry's fill during the outage arms its bracket, which triggers once", async () => {
    const dir = tempDir("stom-held-restart-");
    const first = account(new Store(join(dir, "live.sqlite")));
    first.bar(100, 0);
    first.acct.place(1, { size: 3, limit: 98, sl: 90, tp: 120 }, 0);
    await first.trade(99);
    // the limit entry triggers, and the process dies before the venue's answer is booked
    first.acct.onTrade(97.5);
    first.state.dead = true;
    first.store.close();

    const store = new Store(join(dir, "live.sqlite"));
    const again = account(store);
    again.bar(97, 1);
    const restored = again.acct.restore(store, "p1");
    expect(restored).toEqual({ fills: 1, held: 1 });
    expect(again.acct.amount).toBe(3);
    expect(again.acct.pending.map((o) => [o.size, o.stop, o.limit])).toEqual([
      [-3, 90, null],
      [-3, null, 120],
    ]);
    await again.trade(121);
    await again.trade(85);
    expect(sides(again.sent)).toEqual(["sell 121"]);
    // a third start finds nothing left to hold
    const third = account(new Store(join(dir, "live.sqlite")));
    expect(third.acct.restore(third.store, "p1").held).toBe(0);
  });

  test("a venue holding less is adopted: the exits sell what is there", async () => {
    const { acct, sent, bar, trade } = account();
    bar(100, 0);
    acct.place(1, { size: 10, sl: 95 }, 0);
    await trade(100);
    expect(acct.adopt(4)).toBe(-6);
    expect(acct.adopt(8)).toBe(0); // more at the venue is not ours
    await trade(94);
    expect(sent.map((o) => [o.side, o.amount])).toEqual([
      ["buy", 10],
      ["sell", 4],
    ]);
  });

  test("a native limit buy rests at the venue; canceled, it leaves the orders at once, and comes back if the venue kept it", async () => {
    const resting: OrderRecord[] = [];
    let venueTakesCancels = false;
    const acct = new LiveAccount(
      (o) => {
        const order = {
          clientOrderId: `stom-native-${resting.length}`,
          promotionId: "p1",
          mode: "live",
          exchange: "binance",
          symbol: "X/USDT",
          side: o.side,
          type: o.limit ? "limit" : "market",
          price: o.limit ?? null,
          amount: o.amount,
          fraction: 0,
          reduceOnly: o.reduceOnly,
          state: "ACCEPTED",
          venueOrderId: `v${resting.length}`,
          filled: 0,
          avgPrice: 0,
          fee: 0,
          reason: null,
          bar: o.bar,
          createdAt: 0,
          updatedAt: 0,
        } satisfies OrderRecord as OrderRecord;
        resting.push(order);
        return order;
      },
      () => {},
      {
        cash: 1_000,
        nativeLimit: true,
        cancel: async (order) => {
          if (venueTakesCancels) order.state = "CANCELED";
        },
      },
    );
    acct.onBar({ time: 0, open: 100, high: 100, low: 100, close: 100, volume: 0 }, 0);
    const order = acct.place(1, { size: 0.5, limit: 98 }, 0);
    expect([resting[0].type, resting[0].price, resting[0].amount]).toEqual(["limit", 98, (1_000 * 0.5) / 98]);
    // the held book has nothing: the venue holds it
    expect(acct.held.rows).toEqual([]);
    expect(acct.pending.map((o) => o.limit)).toEqual([98]);
    order.cancel();
    expect(acct.pending).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    // the venue refused the cancel: the order is still working, and the strategy sees it again
    expect(acct.pending.map((o) => o.clientOrderId)).toEqual([resting[0].clientOrderId]);
    venueTakesCancels = true;
    acct.pending[0].cancel();
    await new Promise((resolve) => setImmediate(resolve));
    expect(acct.pending).toEqual([]);
  });
});
