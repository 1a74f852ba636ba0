// A promotion starts warm: the venue's last closed bars are fed to the strategy before it trades,
// so the first live bar is decided with the indicators a backtest over the same history would have.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { Bridge } from "../../src/bridge/bridge.ts";
import type { BridgeEvent } from "../../src/bridge/types.ts";
import { startMockVenue } from "../support/mock-venue.ts";
import { needShared } from "../support/paths.ts";

const { missing } = needShared("binance/justinbomber_BTC_USDT-1m.json");
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe.skipIf(missing)("warm-up history", () => {
  test("120 closed bars from the venue, then the first live bar is bar 120", async () => {
    // the mock's clock inside the shared BTC/USDT minutes (2023-04-05..05-05), on a minute boundary
    const now = Date.UTC(2023, 3, 20, 12, 0, 0);
    const venue = await startMockVenue({ binanceNow: now });
    cleanups.push(() => venue.close());
    const bridge = await Bridge.open({
      dataDir: mkdtempSync(path.join(os.tmpdir(), "stom-warmup-")),
      warmupBars: 120,
      paper: { cash: 100_000 },
      venue: { urlOverride: venue.url, timeout: 5000 },
    });
    cleanups.push(() => bridge.close());
    const events: BridgeEvent[] = [];
    bridge.on((e) => events.push(e));
    const promotion = await bridge.promote({
      strategy: "sma-cross",
      params: {},
      exchange: "binance",
      symbol: "BTC/USDT",
      timeframe: "1m",
      mode: "paper",
    });
    const audit = events.find((e) => e.type === "audit" && e.message.includes("warmed up"));
    expect(audit && "message" in audit ? audit.message : "").toMatch(
      /warmed up on 120 closed 1m bars up to 2023-04-20T1[12]:[05]/,
    );
    // two trades a minute apart after the history close the first live bar
    const last = Date.UTC(2023, 3, 20, 12, 1, 0);
    bridge.tick(promotion.id, { time: last + 5_000, price: 31_000, amount: 1, id: "a" });
    bridge.tick(promotion.id, { time: last + 65_000, price: 31_010, amount: 1, id: "b" });
    const bar = events.find((e) => e.type === "bar");
    expect(bar && "index" in bar ? bar.index : -1).toBe(120);
  });
});
