import { describe, expect, it } from "vitest";
import { makeSampleBars, makeSampleTicks } from "../../src/data/sample.ts";

function bytes(columns: Readonly<Record<string, unknown>>): Buffer {
  return Buffer.concat(
    Object.entries(columns).map(([name, column]) =>
      Buffer.concat([Buffer.from(name), Buffer.from((column as Float64Array).buffer)]),
    ),
  );
}

describe("makeSampleBars", () => {
  it("is deterministic: the same seed gives the same bytes, another seed other bytes", () => {
    const a = makeSampleBars({ bars: 5_000, seed: 7 });
    const b = makeSampleBars({ bars: 5_000, seed: 7 });
    const c = makeSampleBars({ bars: 5_000, seed: 8 });
    expect(bytes(a.columns).equals(bytes(b.columns))).toBe(true);
    expect(bytes(a.columns).equals(bytes(c.columns))).toBe(false);
  });

  it("labels itself synthetic and spaces bars by the timeframe", () => {
    const frame = makeSampleBars({ bars: 100, timeframe: "5m", symbol: "BTC" });
    expect(frame.market).toBe("sample");
    expect(frame.symbol).toBe("SAMPLE-BTC");
    expect(frame.kind).toBe("bars");
    expect(frame.length).toBe(100);
    expect(frame.columns.time[0]).toBe(Date.UTC(2024, 0, 2));
    const time = frame.columns.time as Float64Array;
    expect(time[99] - time[98]).toBe(300_000);
  });

  it("keeps OHLC consistent, volumes positive, and chains each open to the previous close", () => {
    const frame = makeSampleBars();
    const { length } = frame;
    const c = frame.columns as Record<string, Float64Array>;
    expect(length).toBe(10_000);
    let bad = 0;
    for (let i = 0; i < length; i++) {
      if (!(c.high[i] >= Math.max(c.open[i], c.close[i]))) bad++;
      if (!(c.low[i] <= Math.min(c.open[i], c.close[i]))) bad++;
      if (!(c.low[i] > 0 && c.volume[i] > 0)) bad++;
      if (i > 0 && c.open[i] !== c.close[i - 1]) bad++;
    }
    expect(bad).toBe(0);
  });

  it("looks like a market: per-bar moves of a realistic size that vary over time", () => {
    const frame = makeSampleBars({ bars: 10_000 });
    const { length } = frame;
    const c = frame.columns as Record<string, Float64Array>;
    const r: number[] = [];
    for (let i = 1; i < length; i++) r.push(Math.log(c.close[i] / c.close[i - 1]));
    const sd = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
    // one-minute moves of a few basis points, not noise of whole percents
    expect(sd(r)).toBeGreaterThan(0.0002);
    expect(sd(r)).toBeLessThan(0.005);
    // regimes: the quietest 500-bar stretch is clearly calmer than the wildest
    const chunks = Array.from({ length: 19 }, (_, k) => sd(r.slice(k * 500, k * 500 + 500)));
    expect(Math.max(...chunks) / Math.min(...chunks)).toBeGreaterThan(1.5);
  });

  it("rejects bad options with the value in the message", () => {
    expect(() => makeSampleBars({ timeframe: "7m" })).toThrow(/invalid timeframe: 7m/);
    expect(() => makeSampleBars({ bars: 0 })).toThrow(/invalid bars: 0/);
  });
});

describe("makeSampleTicks", () => {
  it("is deterministic and has STOM's coin_tick columns", () => {
    const a = makeSampleTicks({ ticks: 20_000, seed: 3 });
    const b = makeSampleTicks({ ticks: 20_000, seed: 3 });
    expect(bytes(a.columns).equals(bytes(b.columns))).toBe(true);
    expect(a.kind).toBe("ticks");
    expect(a.market).toBe("sample");
    for (const name of [
      "현재가",
      "체결강도",
      "매도호가5",
      "매수호가5",
      "매도잔량1",
      "매수잔량5",
      "매도수5호가잔량합",
      "관심종목",
    ]) {
      expect(a.columns[name]).toBeInstanceOf(Float64Array);
    }
  });

  it("keeps a sane book: asks above bids on the tick grid, sizes positive, sums that add up", () => {
    const frame = makeSampleTicks({ ticks: 50_000 });
    const { length } = frame;
    const c = frame.columns as Record<string, Float64Array>;
    let bad = 0;
    for (let i = 0; i < length; i++) {
      const asks = [5, 4, 3, 2, 1].map((k) => c[`매도호가${k}`][i] as number);
      const bids = [1, 2, 3, 4, 5].map((k) => c[`매수호가${k}`][i] as number);
      for (let k = 0; k < 4; k++) if (!(asks[k] > asks[k + 1] && bids[k] > bids[k + 1])) bad++;
      if (!(asks[4] > bids[0])) bad++;
      if (asks[4] !== c.price[i] && bids[0] !== c.price[i]) bad++;
      let sum = 0;
      for (let k = 1; k <= 5; k++) {
        const ask = c[`매도잔량${k}`][i] as number;
        const bid = c[`매수잔량${k}`][i] as number;
        if (!(ask > 0 && bid > 0)) bad++;
        sum += ask + bid;
      }
      if (Math.abs(sum - (c.매도수5호가잔량합[i] as number)) > 1e-6) bad++;
      if (!(c.amount[i] > 0) || !(c.고가[i] >= c.price[i] && c.저가[i] <= c.price[i])) bad++;
      if (c.price[i] % 1000 !== 0) bad++;
    }
    expect(bad).toBe(0);
  });
});
