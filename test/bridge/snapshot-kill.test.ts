// The kill switch on snapshot promotions: while killed a tick strategy sees no snapshot (no
// decision, no order, however many rows arrive); resumed, it trades again; a flatten sells what it
// holds and stops it. The rows come from a source the test steps by hand.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Bridge } from "../../src/bridge/bridge.ts";
import type { SnapshotListener, SnapshotRow, SnapshotSource } from "../../src/bridge/snapshot-source.ts";
import type { Frame } from "../../src/data/frame.ts";
import { makeSampleTicks } from "../../src/data/sample.ts";
import { tempDir } from "../support/fixtures.ts";

const frame: Frame = makeSampleTicks({ symbol: "KRW-AAA", ticks: 4_000, seed: 7 });
const SETTINGS = { cash: 10_000_000, budget: 1_000_000, maxPositions: 1, costs: "upbit", unit: 1e-8 };

/** Hands rows over when the test says so. */
class SteppedSource implements SnapshotSource {
  readonly symbols = [frame.symbol];
  #listener: SnapshotListener | null = null;
  #next = 0;

  run(onRow: SnapshotListener, signal: AbortSignal): Promise<void> {
    this.#listener = onRow;
    return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }

  /** plays `n` more rows (or until `until` holds) */
  play(n: number, until: () => boolean = () => false): void {
    for (let k = 0; k < n && this.#next < frame.length && !until(); k++) {
      const row: Record<string, number> = {};
      for (const [name, col] of Object.entries(frame.columns))
        row[name] = Number((col as ArrayLike<number>)[this.#next]);
      this.#next++;
      this.#listener?.(frame.symbol, row as SnapshotRow);
    }
  }
}

let bridge: Bridge;
const sources = new Map<string, SteppedSource>();

beforeAll(async () => {
  bridge = await Bridge.open({
    dataDir: join(tempDir("stom-snap-kill-"), "journal"),
    feed: false,
    snapshots: (promotion) => {
      const source = new SteppedSource();
      sources.set(promotion.id, source);
      return source;
    },
  });
});

afterAll(async () => {
  await bridge?.close();
});

const promote = () =>
  bridge.promote(
    {
      kind: "ticks",
      strategy: "momentum",
      params: {},
      exchange: "upbit",
      symbol: "",
      symbols: [frame.symbol],
      timeframe: "tick",
      mode: "paper",
      settings: SETTINGS,
    },
    { allowDuplicate: true },
  );

const ordersOf = (id: string) =>
  bridge.stores.paper.orders({ limit: 10_000 }).filter((o) => o.promotionId === id);

describe("the kill switch on snapshot promotions", () => {
  test("killed: rows arrive, nothing is decided; resumed: it trades again", async () => {
    const p = await promote();
    const source = sources.get(p.id) as SteppedSource;
    const run = bridge.snapshotRun(p.id);
    source.play(4_000, () => ordersOf(p.id).length > 0);
    expect(ordersOf(p.id).length).toBeGreaterThan(0);
    await bridge.kill();
    const before = ordersOf(p.id).length;
    const count = run?.count;
    source.play(1_500);
    expect(ordersOf(p.id).length).toBe(before);
    expect(run?.count).toBe(count);
    bridge.resume();
    source.play(2_500);
    expect(run?.count).toBeGreaterThan(count as number);
    expect(ordersOf(p.id).length).toBeGreaterThan(before);
    await bridge.stop(p.id);
  });

  test("a flatten sells what the promotion holds and stops it", async () => {
    const p = await promote();
    const source = sources.get(p.id) as SteppedSource;
    const run = bridge.snapshotRun(p.id);
    source.play(4_000, () => (run?.openPositions ?? 0) > 0);
    expect(run?.openPositions).toBe(1);
    const held = run?.positions.get(frame.symbol)?.qty;
    await bridge.kill({ flatten: true });
    bridge.resume();
    const last = ordersOf(p.id)[0];
    expect(last.side).toBe("sell");
    expect(last.reason).toBe("kill");
    expect(last.filled).toBe(held);
    expect(run?.openPositions).toBe(0);
    expect(bridge.promotions().find((x) => x.id === p.id)?.status).toBe("stopped");
    const after = ordersOf(p.id).length;
    source.play(1_000);
    expect(ordersOf(p.id).length).toBe(after);
  });
});
