import { afterEach, describe, expect, it } from "vitest";
import type { Bridge, BridgeOptions } from "../../src/bridge/bridge.ts";
import type { BridgeEvent } from "../../src/bridge/types.ts";
import { openBridge, SMA_PAPER, sineTicks, T0, tempDir } from "../support/bridge.ts";

const MIN = 60_000;
const bridges: Bridge[] = [];
afterEach(async () => {
  for (const b of bridges.splice(0)) await b.close();
});

async function start(extra: Partial<BridgeOptions> = {}) {
  const bridge = await openBridge(tempDir("stom-ticks-"), extra);
  bridges.push(bridge);
  const events: BridgeEvent[] = [];
  bridge.on((e) => events.push(e));
  const p = await bridge.promote({ ...SMA_PAPER });
  const bars = () => events.filter((e) => e.type === "bar").length;
  const risks = (rule: string) => events.filter((e) => e.type === "risk" && e.rule === rule);
  return { bridge, id: p.id, bars, risks };
}

describe("Bridge.tick refuses trades far from the clock or in the wrong unit", () => {
  it("refuses a trade a day ahead without filling a day of bars, and keeps trading after it", async () => {
    let now = T0 + 30 * MIN;
    const { bridge, id, bars, risks } = await start({ clock: () => now });
    for (const t of sineTicks(30)) bridge.tick(id, t);
    expect(bars()).toBe(29);
    bridge.tick(id, { time: T0 + 24 * 60 * MIN, price: 100, amount: 1 });
    // not one flat bar was built for the day-long hole
    expect(bars()).toBe(29);
    expect(risks("tick-future")).toHaveLength(1);
    expect(risks("tick-future")[0]).toMatchObject({ promotionId: id });
    // the promotion is not frozen: the next trades in time close bars again
    now = T0 + 40 * MIN;
    for (const t of sineTicks(10, { from: 30 })) bridge.tick(id, t);
    expect(bars()).toBe(39);
  });

  it("refuses seconds and microseconds at once (no hang), and logs the 1st, 10th, 100th refusal only", async () => {
    const now = T0 + 5 * MIN;
    const { bridge, id, bars, risks } = await start({ clock: () => now });
    bridge.tick(id, { time: T0, price: 100, amount: 1 });
    for (let i = 0; i < 150; i++) bridge.tick(id, { time: (T0 + i * 1000) / 1000, price: 100, amount: 1 });
    for (let i = 0; i < 150; i++) bridge.tick(id, { time: (T0 + i * 1000) * 1000, price: 100, amount: 1 });
    bridge.tick(id, { time: T0 + MIN, price: Number.NaN, amount: 1 });
    expect(bars()).toBe(0);
    const unit = risks("tick-unit");
    // 1st, 10th and 100th of the seconds, then the same of the microseconds (one counter per rule)
    expect(unit.map((e) => (e as { message: string }).message.match(/refused: (\d+)/)?.[1])).toEqual([
      "1",
      "10",
      "100",
    ]);
    expect((unit[0] as { message: string }).message).toMatch(/seconds\?/);
    expect(risks("tick-value")).toHaveLength(1);
    const audits = bridge.stores.paper.audits().filter((a) => a.kind === "tick");
    expect(audits).toHaveLength(4);
    bridge.tick(id, { time: T0 + MIN, price: 101, amount: 1 });
    expect(bars()).toBe(1);
  });

  it("refuses stale trades beyond the bound", async () => {
    const now = T0 + 3 * 60 * MIN;
    const { bridge, id, risks } = await start({ clock: () => now, ticks: { maxAgeMs: 60 * MIN } });
    bridge.tick(id, { time: T0, price: 100, amount: 1 });
    expect(risks("tick-stale")).toHaveLength(1);
    expect((risks("tick-stale")[0] as { message: string }).message).toMatch(/10800 s behind the clock/);
  });

  it("with a clock, a trade after a quiet weekend is no gap: it goes through", async () => {
    let now = T0;
    const { bridge, id, bars, risks } = await start({ clock: () => now, ticks: { maxGapBars: 100 } });
    bridge.tick(id, { time: T0, price: 100, amount: 1 });
    // 65 hours without a trade (Friday 15:30 to Monday 09:00 on KRX), the clock moving with them
    now = T0 + 65 * 60 * MIN;
    bridge.tick(id, { time: now, price: 101, amount: 1 });
    expect(risks("tick-gap")).toHaveLength(0);
    // the Friday bar and the flat bars of the weekend (the wall-clock flush makes them as time passes)
    expect(bars()).toBe(65 * 60);
  });

  it("bounds gap filling without a clock: a jump of more than maxGapBars is refused", async () => {
    const { bridge, id, bars, risks } = await start({ ticks: { maxGapBars: 100 } });
    bridge.tick(id, { time: T0, price: 100, amount: 1 });
    bridge.tick(id, { time: T0 + 2 * 24 * 60 * MIN, price: 100, amount: 1 });
    expect(bars()).toBe(0);
    expect(risks("tick-gap")).toHaveLength(1);
    bridge.tick(id, { time: T0 + 100 * MIN, price: 100, amount: 1 });
    expect(bars()).toBe(100);
  });
});
