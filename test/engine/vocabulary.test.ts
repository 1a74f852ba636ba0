import { describe, expect, it } from "vitest";
import { parseSeriesId, seriesId } from "../../src/data/series-id.ts";
import { KST_OFFSET_MS } from "../../src/engine/markets/kst.ts";
import { gaussian, mulberry32, rng } from "../../src/engine/optimize/rng.ts";
import { BACKTESTING_PY_LABELS, STAT_LABELS } from "../../src/engine/stat-labels.ts";
import { KST_OFFSET_MS as STOM_KST } from "../../src/engine/stom/time.ts";
import { isMonthly, parseTimeframe, timeframeMs, timeframeOf } from "../../src/engine/timeframe.ts";

describe("timeframe grammar", () => {
  it("parseTimeframe takes fixed lengths apart and refuses months and ticks", () => {
    expect(parseTimeframe("5m")).toEqual({ count: 5, unit: "m", ms: 300_000 });
    expect(timeframeMs("1w")).toBe(604_800_000);
    expect(timeframeMs("1M")).toBeUndefined();
    expect(timeframeMs("tick")).toBeUndefined();
    expect(isMonthly("3M")).toBe(true);
  });

  it("timeframeOf picks the coarsest whole unit", () => {
    expect(timeframeOf(60_000)).toBe("1m");
    expect(timeframeOf(86_400_000)).toBe("1d");
    expect(timeframeOf(1_209_600_000)).toBe("2w");
    expect(timeframeOf(0)).toBeUndefined();
  });
});

describe("KST offset", () => {
  it("is one value, re-exported for STOM", () => {
    expect(KST_OFFSET_MS).toBe(32_400_000);
    expect(STOM_KST).toBe(KST_OFFSET_MS);
  });
});

describe("seeded random numbers", () => {
  it("rng and mulberry32 draw the same uniform stream", () => {
    const a = rng(7);
    const b = mulberry32(7);
    for (let k = 0; k < 5; k++) expect(a()).toBe(b());
  });

  it("gaussian keeps its spare: two normals per two uniforms", () => {
    const u = mulberry32(1);
    const n = gaussian(mulberry32(1));
    const x = 1 - u();
    const y = u();
    const r = Math.sqrt(-2 * Math.log(x));
    expect(n()).toBe(r * Math.cos(2 * Math.PI * y));
    expect(n()).toBe(r * Math.sin(2 * Math.PI * y));
  });
});

describe("stat labels", () => {
  it("maps backtesting.py's names both ways", () => {
    expect(BACKTESTING_PY_LABELS["Return [%]"]).toBe("returnPct");
    expect(STAT_LABELS.sharpe).toBe("Sharpe Ratio");
  });
});

describe("series id", () => {
  it("round-trips market:symbol:timeframe", () => {
    const id = seriesId({ market: "binance", symbol: "BTC/USDT", timeframe: "1m" });
    expect(id).toBe("binance:BTC/USDT:1m");
    expect(parseSeriesId(id)).toEqual({ market: "binance", symbol: "BTC/USDT", timeframe: "1m" });
    expect(() => parseSeriesId("binance:BTC/USDT")).toThrow("invalid series id: binance:BTC/USDT");
  });
});
