// `stom record` under failure: SIGKILL mid-recording then a restart, and a dropped connection that
// stays refused for a while with a 429 on the REST backfill. Child processes against the mock
// venue over loopback; the events are synthetic (no shared data needed).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { Catalog } from "../../src/data/catalog/catalog.ts";
import { readGaps } from "../../src/data/record/gaps.ts";
import type { StomRow, TradeEvent } from "../../src/data/stom/receiver-events.ts";
import { stomIndexToMs } from "../../src/data/stom/time.ts";
import { type MockVenue, startMockVenue } from "../support/mock-venue.ts";
import { ROOT } from "../support/paths.ts";
import {
  flushWithSentinels,
  futureShift,
  offlineRows,
  type Running,
  readStatusFile,
  startRecord,
  storedRows,
  streamEvents,
  syntheticEvents,
  waitFor,
  waitSubscribed,
  withoutSentinel,
} from "../support/record.ts";

let venue: MockVenue | undefined;
let dir: string;
const children: Running[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stom-record-crash-"));
});
afterEach(async () => {
  for (const r of children.splice(0))
    if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
  await venue?.close();
  venue = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function files(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(root, join(d, e.name)));
    }
  };
  walk(root);
  return out.sort();
}

function record(status: string, market = "upbit", id = "KRW-AAA"): Running {
  const r = startRecord([
    market,
    id,
    "--catalog",
    dir,
    "--url-override",
    (venue as MockVenue).url,
    "--commit",
    "200ms",
    "--fold",
    "500ms",
    "--status",
    status,
    "--quiet",
  ]);
  children.push(r);
  return r;
}

const time = (row: StomRow) => stomIndexToMs(row.index, 0);
const START = Date.UTC(2026, 0, 1) + futureShift(Date.UTC(2026, 0, 1));

describe("stom record crash safety", () => {
  test("SIGKILL mid-recording, then a restart: no torn file, no duplicate row, the restart recorded as a gap", async () => {
    venue = await startMockVenue({ markets: { upbit: ["KRW-AAA"] } });
    const all = syntheticEvents({ seed: 7, start: START, seconds: 200, price: 500 });
    const before = all.filter((e) => e.time < START + 100_000);
    const during = all.filter((e) => e.time >= START + 100_000 && e.time < START + 130_000);
    const after = all.filter((e) => e.time >= START + 140_000);
    const status = join(dir, "status.json");

    // arrange: a first run that has committed and folded the first 100 s
    const first = record(status);
    await waitSubscribed(venue, "upbit", ["KRW-AAA"], first);
    streamEvents(venue, "upbit", "KRW-AAA", before);
    const wantBefore = offlineRows("KRW-AAA", before).length;
    await waitFor(
      "first rows folded",
      () =>
        (readStatusFile(status)?.lastFold?.rowsAdded ?? 0) > 0 &&
        (readStatusFile(status)?.committed ?? 0) >= wantBefore - 1,
      60_000,
      first,
    );
    // act: more events in flight, then SIGKILL (no flush, no final commit)
    streamEvents(venue, "upbit", "KRW-AAA", during);
    first.child.kill("SIGKILL");
    await first.exited;

    // assert: the catalog opens and every file the manifest names is whole
    const killed = await Catalog.open(dir, { readOnly: true });
    const ticks = killed.list().find((s) => s.kind === "ticks");
    expect(ticks?.symbol).toBe("KRW-AAA");
    const frame = await killed.read({ kind: "ticks", market: "upbit", symbol: "KRW-AAA", timeframe: "tick" });
    expect(frame.length).toBe(ticks?.rows);
    await killed.close();

    // a restart continues after the last stored second
    const second = record(status);
    await waitSubscribed(venue, "upbit", ["KRW-AAA"], second);
    // (the running recorder's own status file may be mid-rename)
    const own = `status.json.tmp-${second.child.pid}`;
    expect(files(dir).filter((f) => (f.endsWith(".tmp") || f.includes(".tmp-")) && f !== own)).toEqual([]);
    streamEvents(venue, "upbit", "KRW-AAA", after);
    const wantAfter = offlineRows("KRW-AAA", after);
    await flushWithSentinels(venue, "upbit", new Map([["KRW-AAA", after]]), status, second);
    second.child.kill("SIGTERM");
    expect(await second.exited, second.stderr()).toBe(0);

    const rows = withoutSentinel(await storedRows(dir, "upbit", "KRW-AAA"));
    const times = rows.map(time);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
    // before the kill: a prefix of what the offline builder makes of everything sent to the first run
    const offlineFirst = offlineRows("KRW-AAA", [...before, ...during]);
    const kept = rows.filter((r) => time(r) < START + 140_000);
    expect(kept.length).toBeGreaterThanOrEqual(wantBefore - 1);
    expect(kept).toEqual(offlineFirst.slice(0, kept.length));
    // after the restart: a fresh receiver over the new events
    expect(rows.filter((r) => time(r) >= START + 140_000)).toEqual(wantAfter);

    const gaps = readGaps(dir);
    expect(gaps).toEqual([
      {
        market: "upbit",
        symbol: "KRW-AAA",
        start: time(kept[kept.length - 1]) + 1000,
        end: time(wantAfter[0]),
        reason: "restart",
        trades: "missing",
        book: "missing",
      },
    ]);
    const ls = execFileSync(process.execPath, [join(ROOT, "bin/stom.js"), "data", "ls", "--catalog", dir], {
      encoding: "utf8",
      env: { ...process.env, TZ: "UTC" },
    });
    expect(ls).toMatch(/recording gap[\s\S]*restart\s+upbit\s+KRW-AAA/);
  }, 180_000);

  const venues = [
    { market: "upbit", id: "KRW-AAA", stored: "KRW-AAA", rest: "/v1/trades/ticks", tickers: true },
    { market: "binance", id: "AAAUSDT", stored: "AAA/USDT", rest: "/api/v3/aggTrades", tickers: false },
  ] as const;
  test.each(venues)(
    "$market: a dropped connection refused for a while and a 429: reconnect, trades backfilled over REST, book missing, gap recorded",
    async ({ market, id, stored, rest, tickers }) => {
      venue = await startMockVenue({ markets: { [market]: [id] }, tradesFromStream: true });
      const v = venue;
      const all = syntheticEvents({ seed: 11, start: START, seconds: 100, price: 200, tickers });
      const before = all.filter((e) => e.time < START + 60_000);
      // while the connection is down the venue still trades (REST sees it); books and tickers are lost
      const outage = all.filter(
        (e): e is TradeEvent => e.type === "trade" && e.time >= START + 60_000 && e.time < START + 70_000,
      );
      const after = all.filter((e) => e.time >= START + 70_000);
      const status = join(dir, "status.json");

      const r = record(status, market, id);
      await waitSubscribed(v, market, [id], r);
      streamEvents(v, market, id, before);
      const wantBefore = offlineRows(stored, before).length;
      await waitFor(
        "first rows",
        () => (readStatusFile(status)?.committed ?? 0) >= wantBefore - 1,
        60_000,
        r,
      );

      // act: the venue cuts the socket and refuses new ones; its REST answers the first backfill with 429
      v.inject({ kind: "429", match: rest });
      v.refuseWebsockets(true);
      v.dropWebsockets();
      await waitFor("drop noticed", () => (readStatusFile(status)?.down ?? []).includes(stored), 30_000, r);
      streamEvents(v, market, id, outage);
      await new Promise((resolve) => setTimeout(resolve, 300));
      v.refuseWebsockets(false);
      await waitSubscribed(v, market, [id], r);
      streamEvents(v, market, id, after);
      await waitFor(
        "back up",
        () =>
          (readStatusFile(status)?.down ?? ["x"]).length === 0 && (readStatusFile(status)?.gaps ?? 0) === 1,
        30_000,
        r,
      );
      await flushWithSentinels(v, market, new Map([[id, after]]), status, r);
      r.child.kill("SIGTERM");
      expect(await r.exited, r.stderr()).toBe(0);

      // assert: the 429 was answered, then the backfill went through
      const backfills = v.requests.filter((q) => q.path === rest);
      expect(backfills.map((q) => q.status)).toEqual([429, 200]);
      const [gap, ...more] = readGaps(dir);
      expect(more).toEqual([]);
      expect(gap).toMatchObject({
        market,
        symbol: stored,
        reason: "disconnect",
        trades: "backfilled",
        book: "missing",
      });
      expect(gap.end).toBeGreaterThan(gap.start);
      // every trade is in the rows exactly once: the outage's from REST, none twice
      const rows = withoutSentinel(await storedRows(dir, market, stored));
      const traded = all.filter((e): e is TradeEvent => e.type === "trade").reduce((n, t) => n + t.amount, 0);
      const recorded = rows.reduce((n, row) => n + row.초당매수수량 + row.초당매도수량, 0);
      expect(recorded).toBeCloseTo(traded, 6);
      // the outage's seconds have rows (from the backfilled trades) with the book missing, never invented
      const outageRows = rows.filter((row) => time(row) >= START + 63_000 && time(row) < START + 70_000);
      expect(outageRows.length).toBeGreaterThan(0);
      for (const row of outageRows) expect([row.매도호가1, row.매수호가1, row.매도총잔량]).toEqual([0, 0, 0]);
      const times = rows.map(time);
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
    },
    180_000,
  );
});
