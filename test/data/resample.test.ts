import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { makeFrame } from "../../src/data/frame.ts";
import { binner, resampleBars, ticksToBars } from "../../src/data/resample.ts";
import { needShared, SHARED } from "../support/paths.ts";

const DATA = `${SHARED}/`;
const { missing } = needShared("freqtrade", "upbit/smtm");
const json = (file: string) => JSON.parse(readFileSync(join(DATA, file), "utf8"));

function freqtradeBars(file: string) {
  const raw = json(file) as number[][];
  const names = ["time", "open", "high", "low", "close", "volume"];
  const columns = Object.fromEntries(names.map((n, j) => [n, Float64Array.from(raw, (r) => r[j])]));
  return makeFrame({
    kind: "bars",
    market: "binance",
    symbol: "XRP/ETH",
    timeframe: "1m",
    tz: "UTC",
    columns,
  });
}

function xrpTicks() {
  const raw = JSON.parse(
    gunzipSync(readFileSync(join(DATA, "freqtrade/XRP_ETH-trades.json.gz"))).toString(),
  ) as [number, string, null, string, number, number, number][];
  return {
    raw,
    frame: makeFrame({
      kind: "ticks",
      market: "binance",
      symbol: "XRP/ETH",
      timeframe: "tick",
      tz: "UTC",
      columns: {
        time: Float64Array.from(raw, (r) => r[0]),
        seq: Int32Array.from(raw, (_, i) => i),
        price: Float64Array.from(raw, (r) => r[4]),
        amount: Float64Array.from(raw, (r) => r[5]),
      },
    }),
  };
}

interface UpbitCandle {
  candle_date_time_utc: string;
  opening_price: number;
  high_price: number;
  low_price: number;
  trade_price: number;
  candle_acc_trade_price: number;
  candle_acc_trade_volume: number;
}

function upbitBars(files: string[], timeframe: string) {
  const rows = files
    .flatMap((f) => json(`upbit/smtm/${f}`) as UpbitCandle[])
    .sort((a, b) => (a.candle_date_time_utc < b.candle_date_time_utc ? -1 : 1));
  return makeFrame({
    kind: "bars",
    market: "upbit",
    symbol: "KRW-BTC",
    timeframe,
    tz: "Asia/Seoul",
    columns: {
      time: Float64Array.from(rows, (r) => Date.parse(`${r.candle_date_time_utc}Z`)),
      open: Float64Array.from(rows, (r) => r.opening_price),
      high: Float64Array.from(rows, (r) => r.high_price),
      low: Float64Array.from(rows, (r) => r.low_price),
      close: Float64Array.from(rows, (r) => r.trade_price),
      volume: Float64Array.from(rows, (r) => r.candle_acc_trade_volume),
      quote_volume: Float64Array.from(rows, (r) => r.candle_acc_trade_price),
    },
  });
}

function expectRelClose(actual: number, expected: number, rel: number) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-15);
}

describe("ticksToBars", () => {
  it.skipIf(missing)("rebuilds every traded freqtrade XRP/ETH 1m bar from the trade tape", () => {
    const { frame, raw } = xrpTicks();
    const bars = ticksToBars(frame, "1m");
    const ref = freqtradeBars("freqtrade/XRP_ETH-1m.json");
    const refTime = ref.columns.time as Float64Array;
    const traded = [...refTime.keys()].filter((i) => (ref.columns.volume as Float64Array)[i] > 0);
    expect(bars.length).toBe(traded.length);
    const t = bars.columns.time as Float64Array;
    for (let j = 0; j < traded.length; j++) {
      const i = traded[j];
      expect(t[j]).toBe(refTime[i]);
      for (const c of ["open", "high", "low", "close"]) {
        expect((bars.columns[c] as Float64Array)[j]).toBe((ref.columns[c] as Float64Array)[i]);
      }
      expectRelClose((bars.columns.volume as Float64Array)[j], (ref.columns.volume as Float64Array)[i], 1e-9);
    }
    expect((bars.columns.trades as Float64Array).reduce((a, b) => a + b)).toBe(12477);
    // quote volume equals the tape's own cost column summed
    const cost = raw.reduce((s, r) => s + r[6], 0);
    expectRelClose(
      (bars.columns.quote_volume as Float64Array).reduce((a, b) => a + b),
      cost,
      1e-9,
    );
  });

  it.skipIf(missing)("with fill previous also matches the zero-volume bars", () => {
    const bars = ticksToBars(xrpTicks().frame, "1m", { fill: "previous" });
    const ref = freqtradeBars("freqtrade/XRP_ETH-1m.json");
    expect(bars.length).toBe(3560);
    expect(bars.columns.time).toEqual(ref.columns.time);
    for (const c of ["open", "high", "low", "close"]) expect(bars.columns[c]).toEqual(ref.columns[c]);
    const v = bars.columns.volume as Float64Array;
    const rv = ref.columns.volume as Float64Array;
    for (let i = 0; i < v.length; i++) expectRelClose(v[i], rv[i], 1e-9);
    expect(rv.some((x) => x === 0)).toBe(true);
  });
});

describe("resampleBars", () => {
  it.skipIf(missing)("aggregates Upbit 1m to the Upbit 3m candles of 08:00-10:57 UTC", () => {
    const one = upbitBars(
      ["upbit_1m_20200220_170000-20200220_202000.json", "upbit_1m_20200220_202000-20200220_210000.json"],
      "1m",
    );
    const three = upbitBars(["upbit_3m_20200220_170000-20200220_200000.json"], "3m");
    const out = resampleBars(one, "3m");
    const t = out.columns.time as Float64Array;
    const first = t.indexOf((three.columns.time as Float64Array)[0]);
    expect(first).toBeGreaterThanOrEqual(0);
    for (const c of ["time", "open", "high", "low", "close"]) {
      expect((out.columns[c] as Float64Array).slice(first, first + 60)).toEqual(three.columns[c]);
    }
    for (const c of ["volume", "quote_volume"]) {
      for (let i = 0; i < 60; i++) {
        expectRelClose(
          (out.columns[c] as Float64Array)[first + i],
          (three.columns[c] as Float64Array)[i],
          1e-9,
        );
      }
    }
  });

  it.skipIf(missing)(
    "aggregates freqtrade XRP/ETH 1m to the 5m file, once the 1m flat fills are dropped",
    () => {
      // freqtrade builds both files from trades: a 5m open is the first *traded* minute, not a 1m fill bar.
      const all = freqtradeBars("freqtrade/XRP_ETH-1m.json");
      const vol = all.columns.volume as Float64Array;
      const traded = Object.fromEntries(
        Object.entries(all.columns).map(([k, c]) => [k, (c as Float64Array).filter((_, i) => vol[i] > 0)]),
      );
      const one = makeFrame({ ...all, length: traded.time.length, columns: traded });
      const ref = freqtradeBars("freqtrade/XRP_ETH-5m.json");
      const fromBars = resampleBars(one, "5m", { fill: "previous" });
      const fromTicks = ticksToBars(xrpTicks().frame, "5m", { fill: "previous" });
      for (const out of [fromBars, fromTicks]) {
        expect(out.length).toBe(712);
        for (const c of ["time", "open", "high", "low", "close"])
          expect(out.columns[c]).toEqual(ref.columns[c]);
        const v = out.columns.volume as Float64Array;
        for (let i = 0; i < v.length; i++)
          expectRelClose(v[i], (ref.columns.volume as Float64Array)[i], 1e-9);
      }
    },
  );

  it("emits no bar for an empty interval unless fill is previous", () => {
    const frame = makeFrame({
      kind: "bars",
      market: "custom",
      symbol: "X",
      timeframe: "1m",
      tz: "UTC",
      columns: {
        time: Float64Array.of(0, 60_000, 600_000),
        open: Float64Array.of(1, 2, 5),
        high: Float64Array.of(1, 3, 6),
        low: Float64Array.of(1, 2, 4),
        close: Float64Array.of(1, 2.5, 5),
        volume: Float64Array.of(1, 1, 1),
      },
    });
    expect(resampleBars(frame, "5m").columns.time).toEqual(Float64Array.of(0, 600_000));
    const filled = resampleBars(frame, "5m", { fill: "previous" });
    expect(filled.columns.time).toEqual(Float64Array.of(0, 300_000, 600_000));
    expect([...filled.columns.open].slice(1, 2)).toEqual([2.5]);
    expect(filled.columns.volume).toEqual(Float64Array.of(2, 0, 1));
    expect(() => resampleBars(frame, "7x")).toThrow("invalid timeframe: 7x");
  });
});

describe("binner", () => {
  it("aligns 1d to the KST day for Asia/Seoul and months to the calendar", () => {
    const t = Date.parse("2019-09-20T05:00:00Z");
    expect(new Date(binner("1d", "Asia/Seoul")(t)).toISOString()).toBe("2019-09-19T15:00:00.000Z");
    expect(new Date(binner("1d")(t)).toISOString()).toBe("2019-09-20T00:00:00.000Z");
    expect(new Date(binner("1M")(t)).toISOString()).toBe("2019-09-01T00:00:00.000Z");
    expect(new Date(binner("1w")(t)).toISOString()).toBe("2019-09-16T00:00:00.000Z");
  });
});
