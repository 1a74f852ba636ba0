// Tick strategies promoted to the bridge run on the tick engine's own kernel (TickSession) fed the
// replayed snapshots one at a time: over HTTP, the paper journal's fills equal runTicks' trades on
// the same snapshots, fill for fill (times, prices, sizes), and what is still open at the end
// is exactly what runTicks liquidates at the end of the data.
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadTickStrategy } from "../../src/app/snapshot-strategy.ts";
import { Bridge } from "../../src/bridge/bridge.ts";
import { type BridgeServer, startServer } from "../../src/bridge/server.ts";
import { tickOptions } from "../../src/bridge/snapshot-kernel.ts";
import { SnapshotReplay } from "../../src/bridge/snapshot-source.ts";
import type { Frame } from "../../src/data/frame.ts";
import { makeSampleTicks } from "../../src/data/sample.ts";
import { EXIT_REASONS, runTicks } from "../../src/engine/portfolio/index.ts";
import { tempDir } from "../support/fixtures.ts";

const TOKEN = "5f0c3e9a7b2d48e1a6c9f03b7d5e2a14c8b6f9d0e3a7c5b1d9f2e4a6c8b0d3f5";
const dir = tempDir("stom-snap-replay-");
// makeSampleTicks names them SAMPLE-KRW-AAA and SAMPLE-KRW-BBB
const frames: Frame[] = [
  makeSampleTicks({ symbol: "KRW-AAA", ticks: 4_000, seed: 7 }),
  makeSampleTicks({ symbol: "KRW-BBB", ticks: 4_000, seed: 8, price: 3_000 }),
];
const SETTINGS = { cash: 10_000_000, budget: 1_000_000, maxPositions: 2, costs: "upbit", unit: 1e-8 };

let bridge: Bridge;
let server: BridgeServer;
const ended = new Map<string, Promise<void>>();

beforeAll(async () => {
  bridge = await Bridge.open({
    dataDir: join(dir, "journal"),
    feed: false,
    snapshots: (promotion) => {
      let done = () => {};
      ended.set(promotion.id, new Promise<void>((resolve) => (done = resolve)));
      return SnapshotReplay.of(frames, promotion.symbols ?? [], { onEnd: () => done() });
    },
  });
  server = await startServer(bridge, { token: TOKEN, port: 0, logger: pino({ level: "silent" }) });
});

afterAll(async () => {
  await server?.close();
  await bridge?.close();
});

async function post(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/api/promotions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("tick strategies on the bridge's snapshots", () => {
  test("the journal's fills equal runTicks' trades on the same snapshots", async () => {
    const { status, body } = await post({
      kind: "ticks",
      strategy: "momentum",
      exchange: "upbit",
      symbols: frames.map((f) => f.symbol),
      settings: SETTINGS,
    });
    expect(status, JSON.stringify(body)).toBe(201);
    const id = body.id as string;
    await ended.get(id);

    const { strategy } = await loadTickStrategy("momentum");
    const expected = runTicks(strategy, frames, tickOptions(SETTINGS));
    const t = expected.trades;
    expect(t.length).toBeGreaterThan(5);

    const fills = bridge.stores.paper.promotionFills(id);
    const run = bridge.snapshotRun(id);
    expect(run?.count).toBe(8_000);
    // runTicks closes what is open when its data ends; a live run is still holding it
    const sells = fills.filter((f) => f.side === "sell").length;
    const open = t.length - sells;
    for (let k = sells; k < t.length; k++) {
      expect(["day-end", "end"]).toContain(EXIT_REASONS[t.exitReason[k]]);
    }
    expect(run?.openPositions).toBe(open);

    // each trade's buy, then (if closed) its sell, in the order the kernel made them
    const byTrade: { side: string; time: number; price: number; amount: number }[] = [];
    for (let k = 0; k < t.length; k++) {
      byTrade.push({ side: "buy", time: t.entryTime[k], price: t.entryPrice[k], amount: t.size[k] });
      if (k < sells)
        byTrade.push({ side: "sell", time: t.exitTime[k], price: t.exitPrice[k], amount: t.size[k] });
    }
    const sortedFills = [...fills].sort((a, b) => a.time - b.time || (a.side === "sell" ? -1 : 1));
    const sortedTrades = byTrade.sort((a, b) => a.time - b.time || (a.side === "sell" ? -1 : 1));
    expect(sortedFills.map((f) => [f.side, f.time, f.price, f.amount])).toEqual(
      sortedTrades.map((f) => [f.side, f.time, f.price, f.amount]),
    );
  });

  test("a bad body names the field; an unknown strategy or symbol is a 400 naming it", async () => {
    const noSymbols = await post({ kind: "ticks", strategy: "momentum", exchange: "upbit", symbols: [] });
    expect(noSymbols.status).toBe(400);
    expect(noSymbols.body.error).toMatch(/^symbols/);
    const unknown = await post({
      kind: "ticks",
      strategy: "momentun",
      exchange: "upbit",
      symbols: [frames[0].symbol],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/unknown tick strategy 'momentun', did you mean 'momentum'/);
    const missing = await post({
      kind: "ticks",
      strategy: "momentum",
      exchange: "upbit",
      symbols: ["KRW-ZZZ"],
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/KRW-ZZZ not in the feed/);
    const setting = await post({
      kind: "ticks",
      strategy: "momentum",
      exchange: "upbit",
      symbols: [frames[0].symbol],
      settings: { budgett: 5 },
    });
    expect(setting.status).toBe(400);
    expect(setting.body.error).toMatch(/unknown tick setting: budgett/);
    const live = await post({
      kind: "ticks",
      strategy: "momentum",
      exchange: "upbit",
      symbols: [frames[0].symbol],
      mode: "live",
    });
    // live needs a bridge started with --confirm-live
    expect(live.status).toBe(403);
    expect(live.body.error).toMatch(/live trading is not enabled/);
  });
});
