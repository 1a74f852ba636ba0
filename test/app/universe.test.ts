import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseUniverseSelector, universeMembers } from "../../src/app/universe.ts";
import { type UniverseRow, universeAggregate } from "../../src/app/universe-report.ts";
import type { SeriesInfo } from "../../src/data/catalog/types.ts";
import { tempDir } from "../support/fixtures.ts";

const info = (market: string, symbol: string, timeframe: string, kind: "bars" | "ticks" = "bars") =>
  ({ kind, market, symbol, timeframe }) as SeriesInfo;
const LIST = [
  info("krx", "000020", "1m"),
  info("krx", "000020", "1d"),
  info("krx", "005930", "1m"),
  info("krx", "005930", "tick", "ticks"),
  info("upbit", "KRW-BTC", "1m"),
];

describe("parseUniverseSelector", () => {
  test("* stands for any symbol or timeframe; the range stays", () => {
    expect(parseUniverseSelector("krx:*:1m@2019-09-20..")).toEqual({
      market: "krx",
      symbol: undefined,
      timeframe: "1m",
      start: Date.UTC(2019, 8, 20),
      end: undefined,
    });
    expect(parseUniverseSelector("krx:005930:*").timeframe).toBeUndefined();
  });
});

describe("universeMembers", () => {
  test("a wildcard selector: the bar series it matches, sorted by id", () => {
    expect(universeMembers(LIST, "krx:*:1m")).toEqual([
      { series: "krx:000020:1m" },
      { series: "krx:005930:1m" },
    ]);
    expect(universeMembers(LIST, "krx").map((m) => m.series)).toEqual([
      "krx:000020:1d",
      "krx:000020:1m",
      "krx:005930:1m",
    ]);
  });

  test("a file: one selector per line with its own range, comments skipped, duplicates once", () => {
    const file = join(tempDir("stom-universe-unit-"), "u.txt");
    writeFileSync(file, "upbit:KRW-BTC:1m  # coin\n\nkrx:005930:1m@2019-09-20..\nupbit:KRW-BTC:1m\n");
    expect(universeMembers(LIST, file)).toEqual([
      { series: "krx:005930:1m", from: Date.UTC(2019, 8, 20) },
      { series: "upbit:KRW-BTC:1m" },
    ]);
  });

  test("a selector that matches no bar series is refused by name", () => {
    expect(() => universeMembers(LIST, "krx:*:tick")).toThrow(
      "no bar series in the catalog match krx:*:tick",
    );
  });
});

describe("universeAggregate", () => {
  const row = (
    series: string,
    returnPct: number,
    trades: number,
    winRatePct: number | null,
  ): UniverseRow => ({
    series,
    bars: 10,
    trades,
    returnPct,
    buyHoldReturnPct: 0,
    sharpe: null,
    maxDrawdownPct: -returnPct * 2 - 1,
    winRatePct,
    profitFactor: null,
    sqn: null,
    exposurePct: 0,
    equityFinal: 100 + returnPct,
    error: null,
  });

  test("mean and median return, pooled win rate, best and worst; failed rows count apart", () => {
    const failed = { ...row("c", 0, 0, null), trades: null, returnPct: null, error: "no bars in that range" };
    const a = universeAggregate([row("a", 4, 2, 50), row("b", -2, 6, 0), row("d", 1, 0, null), failed]);
    expect(a).toMatchObject({
      series: 4,
      failed: 1,
      traded: 2,
      trades: 8,
      meanReturnPct: 1,
      medianReturnPct: 1,
      winRatePct: 12.5,
      meanSharpe: null,
      worstMaxDrawdownPct: -9,
      best: { series: "a", returnPct: 4 },
      worst: { series: "b", returnPct: -2 },
    });
    expect(a.positivePct).toBeCloseTo(200 / 3, 12);
  });
});
