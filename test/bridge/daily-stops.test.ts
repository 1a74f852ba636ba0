import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Bridge } from "../../src/bridge/bridge.ts";
import { DailyStops } from "../../src/bridge/daily-stops.ts";
import { Store } from "../../src/bridge/store.ts";
import { openBridge, SMA_PAPER, sineTicks, T0, tempDir } from "../support/bridge.ts";

const HOUR = 3_600_000;
const stores: Store[] = [];
const bridges: Bridge[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) s.close();
  for (const b of bridges.splice(0)) await b.close();
});

function journals(dir: string) {
  const s = {
    paper: new Store(path.join(dir, "paper.sqlite"), { durable: false }),
    live: new Store(path.join(dir, "live.sqlite")),
  };
  stores.push(s.paper, s.live);
  return s;
}

const paperUsdt = { id: "a", mode: "paper", exchange: "binance", symbol: "BTC/USDT" } as const;
const liveUsdt = { id: "b", mode: "live", exchange: "binance", symbol: "BTC/USDT" } as const;
const paperKrw = { id: "c", mode: "paper", exchange: "upbit", symbol: "KRW-BTC" } as const;

describe("DailyStops", () => {
  it("keeps paper and live apart, and each quote currency apart", () => {
    const daily = new DailyStops(journals(tempDir()));
    daily.mark(paperUsdt, T0, 10_000);
    daily.mark(paperUsdt, T0 + HOUR, 9_900);
    daily.mark(liveUsdt, T0, 5_000);
    daily.mark(liveUsdt, T0 + HOUR, 5_200);
    daily.mark(paperKrw, T0, 1_000_000);
    daily.mark(paperKrw, T0 + HOUR, 1_300_000);
    // a live profit does not offset a paper loss; KRW is not added to USDT
    expect(daily.pnl(paperUsdt)).toBe(-100);
    expect(daily.pnl(liveUsdt)).toBe(200);
    expect(daily.pnl(paperKrw)).toBe(300_000);
  });

  it("survives a restart mid-day and starts from zero the next session day", () => {
    const dir = tempDir();
    const first = journals(dir);
    const daily = new DailyStops(first);
    daily.mark(paperUsdt, T0 + HOUR, 10_000);
    daily.mark(paperUsdt, T0 + 2 * HOUR, 9_400);
    first.paper.close();
    first.live.close();
    stores.splice(0);
    // the restarted paper account starts again from its cash: the day's -600 is carried over
    const again = new DailyStops(journals(dir));
    again.mark(paperUsdt, T0 + 3 * HOUR, 10_000);
    expect(again.pnl(paperUsdt)).toBe(-600);
    again.mark(paperUsdt, T0 + 4 * HOUR, 9_900);
    expect(again.pnl(paperUsdt)).toBe(-700);
    again.mark(paperUsdt, T0 + 24 * HOUR, 9_900);
    expect(again.pnl(paperUsdt)).toBe(0);
  });

  it("counts Upbit's day in KST: 14:59 and 15:00 UTC are different days", () => {
    const daily = new DailyStops(journals(tempDir()));
    daily.mark(paperKrw, T0 + 14 * HOUR, 1_000);
    daily.mark(paperKrw, T0 + 14 * HOUR + 59 * 60_000, 900);
    expect(daily.pnl(paperKrw)).toBe(-100);
    daily.mark(paperKrw, T0 + 15 * HOUR, 900);
    expect(daily.pnl(paperKrw)).toBe(0);
  });
});

describe("Bridge daily loss stop", () => {
  it("refuses entries after a journalled paper loss of the day; a live profit does not lift it", async () => {
    const dir = tempDir("stom-daily-");
    const pre = journals(dir);
    // a previous run of the bridge lost 1,000 ETH paper today and made 5,000 ETH live
    pre.paper.saveDailyPnl("2026-01-05", "ETH", "earlier-paper", -1_000);
    pre.live.saveDailyPnl("2026-01-05", "ETH", "earlier-live", 5_000);
    pre.paper.close();
    pre.live.close();
    stores.splice(0);
    const bridge = await openBridge(dir, { limits: { maxDailyLoss: 500 } });
    bridges.push(bridge);
    const p = await bridge.promote({ ...SMA_PAPER });
    for (const t of sineTicks(120)) bridge.tick(p.id, t);
    const refused = bridge.stores.paper.orders({ limit: 10_000 }).filter((o) => o.state === "REJECTED");
    expect(refused.length).toBeGreaterThan(3);
    expect(refused.every((o) => o.reason?.startsWith("daily-loss"))).toBe(true);
    // the next UTC day starts from zero
    const before = refused.length;
    for (const t of sineTicks(120, { from: 1440 })) bridge.tick(p.id, t);
    const later = bridge.stores.paper
      .orders({ limit: 10_000 })
      .filter((o) => o.reason?.startsWith("daily-loss"));
    expect(later.length).toBe(before);
  });
});
