import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import smaCross from "../../notebooks/strategies/sma-cross.ts";
import { loadBars } from "../../src/app/load-bars.ts";
import { Catalog } from "../../src/data/catalog/catalog.ts";
import type { SeriesInfo } from "../../src/data/catalog/types.ts";
import { readInputs } from "../../src/data/formats/index.ts";
import { looksLikeSelector, matchSeries, parseSelector } from "../../src/data/selector.ts";
import { backtest } from "../../src/engine/index.ts";
import { needShared, shared } from "../support/paths.ts";

const GOOG = shared("backtesting-py/GOOG.csv");
const { missing } = needShared("backtesting-py/GOOG.csv");

describe("parseSelector", () => {
  it("splits market, symbol and timeframe on colons, keeping slashes in symbols", () => {
    expect(parseSelector("binance:BTC/USDT:1m")).toEqual({
      market: "binance",
      symbol: "BTC/USDT",
      timeframe: "1m",
      start: undefined,
      end: undefined,
    });
    expect(parseSelector("krx")).toMatchObject({ market: "krx", symbol: undefined });
  });

  it("reads a UTC date range, end exclusive, either side optional", () => {
    const s = parseSelector("upbit:KRW-BTC:1m@2023-04-10..2023-04-20T12:00");
    expect(s.start).toBe(Date.UTC(2023, 3, 10));
    expect(s.end).toBe(Date.UTC(2023, 3, 20, 12));
    expect(parseSelector("upbit:KRW-BTC@..2023-01-01")).toMatchObject({
      start: undefined,
      end: Date.UTC(2023, 0, 1),
    });
  });

  it("rejects malformed selectors with the value", () => {
    expect(() => parseSelector("a:b:c:d")).toThrow(/invalid selector: a:b:c:d/);
    expect(() => parseSelector("a::1m")).toThrow(/invalid selector/);
    expect(() => parseSelector("a:b@2023-01-01")).toThrow(/expected start\.\.end/);
    expect(() => parseSelector("a:b@tomorrow..")).toThrow(
      /invalid date in selector a:b@tomorrow\.\.: tomorrow/,
    );
  });

  it("tells selectors from file names", () => {
    expect(looksLikeSelector("binance:BTC/USDT:1m")).toBe(true);
    expect(looksLikeSelector("krx")).toBe(true);
    expect(looksLikeSelector("GOOG.csv")).toBe(false);
    expect(looksLikeSelector("./data/x.json")).toBe(false);
  });
});

describe("matchSeries", () => {
  const info = (market: string, symbol: string, timeframe: string, kind: "bars" | "ticks" = "bars") =>
    ({ kind, market, symbol, timeframe }) as SeriesInfo;
  const list = [
    info("krx", "005930", "1m"),
    info("krx", "005930", "1d"),
    info("krx", "000660", "1m"),
    info("upbit", "KRW-BTC", "tick", "ticks"),
  ];

  it("narrows by every given part and by kind", () => {
    expect(matchSeries(list, parseSelector("krx"))).toHaveLength(3);
    expect(matchSeries(list, parseSelector("krx:005930"))).toHaveLength(2);
    expect(matchSeries(list, parseSelector("krx:005930:1d"))).toEqual([list[1]]);
    expect(matchSeries(list, parseSelector("upbit"), "bars")).toEqual([]);
  });
});

describe("loadBars with a catalog selector", () => {
  it.skipIf(missing)(
    "reads the same bars from the catalog as from the file, and the backtest agrees",
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "stom-selector-"));
      const catalog = await Catalog.open(dir);
      await catalog.write(readInputs([GOOG]));
      const [series] = catalog.list();
      await catalog.close();
      const fromFile = await loadBars(GOOG);
      const fromCatalog = await loadBars(`${series.market}:${series.symbol}:${series.timeframe}`, dir);
      expect(fromCatalog.bars.length).toBe(2148);
      expect([...fromCatalog.bars.close]).toEqual([...fromFile.bars.close]);
      const a = backtest(smaCross, fromFile.bars, { finalizeTrades: true });
      const b = backtest(smaCross, fromCatalog.bars, { finalizeTrades: true });
      expect(b.stats).toEqual(a.stats);
      const ranged = await loadBars(`${series.market}:${series.symbol}@2005-01-01..2006-01-01`, dir);
      expect(ranged.bars.length).toBe(252);
      await expect(loadBars("nowhere:X", dir)).rejects.toThrow(
        /no bars in .* match nowhere:X \(there: custom:GOOG:1d\)/,
      );
    },
  );
});
