import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KisClient, parseAccount } from "../../src/bridge/kis/index.ts";
import { Catalog } from "../../src/data/catalog/catalog.ts";
import { fetchKisMinutes } from "../../src/data/fetch/kis.ts";
import { loadKrxBars, startMockKis } from "../support/mock-kis.ts";
import { needShared } from "../support/paths.ts";

const { missing } = needShared("krx/creon_1m_20190920/005930.csv");
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(missing)("fetchKisMinutes", () => {
  it("pages the minute chart back to the open and stores a krx frame", async () => {
    const kis = await startMockKis({ rate: 100 });
    cleanups.push(() => kis.close());
    const client = new KisClient(
      { appKey: kis.appKey, appSecret: kis.appSecret, account: parseAccount(kis.account) },
      { baseUrl: kis.url, rate: 100 },
    );
    const csv = loadKrxBars("005930");
    // asked at 15:31 KST that day: every bar of the day is closed
    const frame = await fetchKisMinutes(client, { code: "005930", now: Date.UTC(2019, 8, 20, 6, 31) });
    expect(frame).toMatchObject({
      kind: "bars",
      market: "krx",
      symbol: "005930",
      timeframe: "1m",
      tz: "Asia/Seoul",
    });
    // the data README: 390 rows, 09:00-15:29 bar starts
    expect(frame.length).toBe(390);
    const c = frame.columns as Record<string, Float64Array>;
    for (let i = 0; i < csv.length; i++) {
      expect([c.time[i], c.open[i], c.high[i], c.low[i], c.close[i], c.volume[i]]).toEqual([
        csv[i].time,
        csv[i].open,
        csv[i].high,
        csv[i].low,
        csv[i].close,
        csv[i].volume,
      ]);
    }
    // 13 pages of 30
    expect(kis.requests.filter((r) => r.path.endsWith("inquire-time-itemchartprice"))).toHaveLength(13);
    const dir = mkdtempSync(path.join(os.tmpdir(), "stom-kis-cat-"));
    const catalog = await Catalog.open(dir);
    cleanups.push(() => catalog.close());
    expect((await catalog.write([frame])).rowsAdded).toBe(390);
    expect((await catalog.write([frame])).rowsAdded).toBe(0);
  });

  it("drops the minute still open", async () => {
    const kis = await startMockKis({ rate: 100 });
    cleanups.push(() => kis.close());
    const client = new KisClient(
      { appKey: kis.appKey, appSecret: kis.appSecret, account: parseAccount(kis.account) },
      { baseUrl: kis.url, rate: 100 },
    );
    // 10:00:30 KST: the 10:00 bar is open, 09:00-09:59 are closed
    const frame = await fetchKisMinutes(client, { code: "005930", now: Date.UTC(2019, 8, 20, 1, 0, 30) });
    expect(frame.length).toBe(60);
    await expect(fetchKisMinutes(client, { code: "5930" })).rejects.toThrow(/invalid stock code/);
  });
});
