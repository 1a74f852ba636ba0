import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  atr,
  bollinger,
  crossover,
  crossovers,
  crossunder,
  crossunders,
  ema,
  lag,
  macd,
  rollingMax,
  rollingMean,
  rollingMin,
  rollingStd,
  rollingSum,
  rsi,
  shift,
  sma,
  stochastic,
  wma,
} from "../../../src/engine/indicators/index.ts";
import { Series } from "../../../src/engine/series.ts";
import { needShared, SHARED_URL, sharedOr } from "../../support/paths.ts";

const DATA = SHARED_URL;
const { missing } = needShared(
  "backtesting-py/GOOG.csv",
  "backtesting-py/expected_smacross_goog_trades.csv",
  "binance/justinbomber_BTC_USDT-1m.json",
);

function readCsv(name: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(new URL(name, DATA), "utf8").trim().split("\n");
  return { header: lines[0].split(","), rows: lines.slice(1).map((l) => l.split(",")) };
}

function googColumn(column: string): Float64Array {
  const { header, rows } = readCsv("backtesting-py/GOOG.csv");
  const c = header.indexOf(column);
  return Float64Array.from(rows, (r) => Number(r[c]));
}

function btc(): { high: Float64Array; low: Float64Array; close: Float64Array } {
  const bars = JSON.parse(
    readFileSync(new URL("binance/justinbomber_BTC_USDT-1m.json", DATA), "utf8"),
  ) as number[][];
  return {
    high: Float64Array.from(bars, (b) => b[2]),
    low: Float64Array.from(bars, (b) => b[3]),
    close: Float64Array.from(bars, (b) => b[4]),
  };
}

const goog = sharedOr(missing, () => googColumn("Close"));
const btcBars = sharedOr(missing, btc);

// naive references: one full pass per window
function naive(x: Float64Array, n: number, f: (w: Float64Array) => number): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  for (let i = n - 1; i < x.length; i++) out[i] = f(x.subarray(i - n + 1, i + 1));
  return out;
}
const mean = (w: Float64Array) => w.reduce((a, b) => a + b, 0) / w.length;
const std = (ddof: number) => (w: Float64Array) => {
  const m = mean(w);
  return Math.sqrt(w.reduce((a, b) => a + (b - m) ** 2, 0) / (w.length - ddof));
};

function expectClose(actual: Float64Array, expected: Float64Array, rel: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) throw new Error(`index ${i}: expected NaN, got ${a}`);
      continue;
    }
    const err = Math.abs(a - e) / Math.max(Math.abs(e), 1e-300);
    if (!(err <= rel)) throw new Error(`index ${i}: ${a} vs ${e} (relative error ${err})`);
    worst = Math.max(worst, err);
  }
  expect(worst).toBeLessThanOrEqual(rel);
}

describe("sma", () => {
  it.skipIf(missing)("matches a per-window sum on GOOG and BTC closes to 1e-12 relative", () => {
    expect(goog.length).toBe(2148); // data README
    expect(btcBars.close.length).toBe(43199);
    for (const n of [1, 2, 10, 30, 200]) {
      expectClose(sma(goog, n), naive(goog, n, mean), 1e-12);
    }
    for (const n of [5, 60, 600]) {
      expectClose(sma(btcBars.close, n), naive(btcBars.close, n, mean), 1e-12);
    }
  });

  it.skipIf(missing)(
    "reproduces pandas' SMA values that backtesting.py recorded in the golden GOOG trades",
    () => {
      // expected_smacross_goog_trades.csv carries pandas' rolling(n).mean() at every entry and exit bar
      const { header, rows } = readCsv("backtesting-py/expected_smacross_goog_trades.csv");
      const col = (name: string) => header.indexOf(name);
      // the four quoted indicator columns ("Entry_SMA(C,10)", ...) follow Tag; their commas break a plain split
      const tag = col("Tag");
      const fast = sma(goog, 10);
      const slow = sma(goog, 30);
      let compared = 0;
      for (const r of rows) {
        const entry = Number(r[col("EntryBar")]);
        const exit = Number(r[col("ExitBar")]);
        // pandas' values printed with repr, which round-trips: demand bit equality
        expect(fast[entry]).toBe(Number(r[tag + 1]));
        expect(fast[exit]).toBe(Number(r[tag + 2]));
        expect(slow[entry]).toBe(Number(r[tag + 3]));
        expect(slow[exit]).toBe(Number(r[tag + 4]));
        compared++;
      }
      expect(compared).toBe(66);
    },
  );

  it.skipIf(missing)(
    "finds every SmaCross(10, 30) signal of the golden GOOG run: entries are signal bar + 1",
    () => {
      const { header, rows } = readCsv("backtesting-py/expected_smacross_goog_trades.csv");
      const fast = sma(goog, 10);
      const slow = sma(goog, 30);
      const up = crossovers(fast, slow);
      const down = crossovers(slow, fast);
      const signals: number[] = [];
      // backtesting.py calls next() from bar 30 on (first bar after the warm-up of 29)
      for (let i = 30; i < goog.length - 1; i++) if (up[i] || down[i]) signals.push(i + 1);
      const entries = rows.map((r) => Number(r[header.indexOf("EntryBar")]));
      expect(signals).toEqual(entries);
      const sides = rows.map((r) => Math.sign(Number(r[header.indexOf("Size")])));
      expect(signals.map((s) => (up[s - 1] ? 1 : -1))).toEqual(sides);
    },
  );

  it("gives a run of identical values exactly that value, and NaN for windows holding a NaN", () => {
    const x = Float64Array.of(0.1, 0.7, 0.3, 0.3, 0.3, Number.NaN, 4, 5, 6);
    const s = sma(x, 3);
    expect(s[4]).toBe(0.3);
    expect([s[5], s[6], s[7]].every(Number.isNaN)).toBe(true);
    expect(s[8]).toBe(5);
  });
});

describe("rolling windows", () => {
  it.skipIf(missing)(
    "rollingSum, rollingStd, rollingMax and rollingMin match naive windows on BTC closes",
    () => {
      const x = btcBars.close.subarray(0, 5000);
      for (const n of [1, 7, 100]) {
        expectClose(
          rollingSum(x, n),
          naive(x, n, (w) => w.reduce((a, b) => a + b, 0)),
          1e-12,
        );
        expectClose(
          rollingMax(x, n),
          naive(x, n, (w) => w.reduce((a, b) => Math.max(a, b))),
          0,
        );
        expectClose(
          rollingMin(x, n),
          naive(x, n, (w) => w.reduce((a, b) => Math.min(a, b))),
          0,
        );
        if (n > 1) {
          expectClose(rollingStd(x, n), naive(x, n, std(1)), 1e-9);
          expectClose(rollingStd(x, n, { ddof: 0 }), naive(x, n, std(0)), 1e-9);
        }
      }
    },
  );

  it("rolling extremes skip NaN-holding windows and resume after them", () => {
    const x = Float64Array.of(3, 1, Number.NaN, 2, 5, 4, 0);
    expect(Array.from(rollingMax(x, 2))).toEqual([Number.NaN, 3, Number.NaN, Number.NaN, 5, 5, 4]);
    expect(Array.from(rollingMin(x, 2))).toEqual([Number.NaN, 1, Number.NaN, Number.NaN, 2, 4, 0]);
  });

  it("a constant window has a standard deviation of exactly 0", () => {
    expect(rollingStd(Float64Array.of(0.1, 0.1, 0.1, 0.1), 3)[3]).toBe(0);
  });

  it("rollingMean honours minPeriods like pandas", () => {
    const r = rollingMean(Float64Array.of(1, Number.NaN, 3, 5), 3, { minPeriods: 2 });
    expect(Array.from(r)).toEqual([Number.NaN, Number.NaN, 2, 4]);
  });
});

describe("ema", () => {
  it.skipIf(missing)("seeds with the SMA of the first n values, then e += alpha (x - e) (TA-Lib)", () => {
    const x = goog.subarray(0, 300);
    const e = ema(x, 20);
    const alpha = 2 / 21;
    let ref = mean(x.subarray(0, 20));
    expect(Number.isNaN(e[18])).toBe(true);
    expect(e[19]).toBeCloseTo(ref, 10);
    for (let i = 20; i < x.length; i++) {
      ref = ref + alpha * (x[i] - ref);
      expect(e[i]).toBeCloseTo(ref, 9);
    }
  });

  it.skipIf(missing)("seed 'first' and adjust follow pandas' ewm definitions", () => {
    const x = btcBars.close.subarray(0, 500);
    const n = 10;
    const a = 2 / (n + 1);
    const first = ema(x, n, { seed: "first" });
    const adjusted = ema(x, n, { adjust: true });
    let rec = x[0];
    for (let i = 1; i < x.length; i++) {
      rec = (1 - a) * rec + a * x[i];
      let num = 0;
      let den = 0;
      for (let j = 0; j <= i; j++) {
        num += (1 - a) ** (i - j) * x[j];
        den += (1 - a) ** (i - j);
      }
      if (i < n - 1) {
        expect(Number.isNaN(first[i]) && Number.isNaN(adjusted[i])).toBe(true);
        continue;
      }
      expect(first[i]).toBeCloseTo(rec, 8);
      expect(adjusted[i]).toBeCloseTo(num / den, 8);
    }
  });

  it("skips leading NaNs so it can smooth another indicator", () => {
    const e = ema(Float64Array.of(Number.NaN, Number.NaN, 1, 2, 3, 4), 2);
    // seed (1 + 2) / 2 = 1.5, then alpha = 2/3: 1.5 + 2/3 * (3 - 1.5) = 2.5, 2.5 + 2/3 * (4 - 2.5) = 3.5
    expect(Array.from(e)).toEqual([Number.NaN, Number.NaN, Number.NaN, 1.5, 2.5, 3.5]);
  });
});

describe("wma", () => {
  it.skipIf(missing)("matches the weighted mean of each window on GOOG closes", () => {
    const ref = naive(goog, 14, (w) => w.reduce((a, b, j) => a + b * (j + 1), 0) / ((14 * 15) / 2));
    expectClose(wma(goog, 14), ref, 1e-11);
  });
});

describe("rsi", () => {
  // Wilder's worked example as published by StockCharts ChartSchool ("Relative Strength Index (RSI)",
  // cs-rsi.xls). Their table shows 70.53, 66.32, 66.55, 69.41, 66.36, 57.97 because it rounds the averages
  // to two places; unrounded, the first value is 100 * 3.34 / (3.34 + 1.40) = 70.4641 (the gains of the 14
  // changes sum to 3.34 and the losses to 1.40).
  const closes = Float64Array.of(
    44.34,
    44.09,
    44.15,
    43.61,
    44.33,
    44.83,
    45.1,
    45.42,
    45.84,
    46.08,
    45.89,
    46.03,
    45.61,
    46.28,
    46.28,
    46.0,
    46.03,
    46.41,
    46.22,
    45.64,
  );

  it("reproduces Wilder's worked example", () => {
    const r = rsi(closes, 14);
    expect(Number.isNaN(r[13])).toBe(true);
    expect(r[14]).toBeCloseTo((100 * 3.34) / (3.34 + 1.4), 9);
    const published = [66.32, 66.55, 69.41, 66.36, 57.97];
    for (const [j, p] of published.entries()) expect(Math.abs(r[15 + j] - p)).toBeLessThan(0.15);
  });

  it.skipIf(missing)("matches a plain-loop Wilder RSI on BTC closes; 100 on a pure rise, 0 when flat", () => {
    const x = btcBars.close.subarray(0, 3000);
    const n = 14;
    const r = rsi(x, n);
    let g = 0;
    let l = 0;
    for (let i = 1; i <= n; i++) {
      g += Math.max(x[i] - x[i - 1], 0) / n;
      l += Math.max(x[i - 1] - x[i], 0) / n;
    }
    for (let i = n; i < x.length; i++) {
      if (i > n) {
        g = (g * (n - 1) + Math.max(x[i] - x[i - 1], 0)) / n;
        l = (l * (n - 1) + Math.max(x[i - 1] - x[i], 0)) / n;
      }
      expect(r[i]).toBeCloseTo((100 * g) / (g + l), 8);
    }
    expect(rsi(Float64Array.of(1, 2, 3, 4), 2)[3]).toBe(100);
    expect(rsi(Float64Array.of(5, 5, 5, 5), 2)[3]).toBe(0);
  });
});

describe("macd", () => {
  it.skipIf(missing)("is EMA(fast) - EMA(slow), with the signal an EMA of that line", () => {
    const { macd: line, signal, histogram } = macd(goog);
    const e12 = ema(goog, 12);
    const e26 = ema(goog, 26);
    expect(Number.isNaN(line[24])).toBe(true);
    expect(line[25]).toBe(e12[25] - e26[25]);
    expect(Number.isNaN(signal[32])).toBe(true);
    expect(signal[33]).toBeCloseTo(mean(line.subarray(25, 34)), 10);
    expect(histogram[500]).toBe(line[500] - signal[500]);
  });
});

describe("bollinger", () => {
  it.skipIf(missing)(
    "uses the population deviation by default and pandas' sample deviation with ddof 1",
    () => {
      const b = bollinger(goog, 20, 2);
      const sd0 = naive(goog, 20, std(0));
      const m = naive(goog, 20, mean);
      for (const i of [19, 100, 2147]) {
        expect(b.upper[i]).toBeCloseTo(m[i] + 2 * sd0[i], 8);
        expect(b.lower[i]).toBeCloseTo(m[i] - 2 * sd0[i], 8);
      }
      const b1 = bollinger(goog, 20, 2, { ddof: 1 });
      expect(b1.upper[100] - b1.middle[100]).toBeCloseTo(2 * naive(goog, 20, std(1))[100], 8);
    },
  );
});

describe("atr", () => {
  it.skipIf(missing)("matches Wilder's smoothing of the true range on GOOG bars", () => {
    const high = googColumn("High");
    const low = googColumn("Low");
    const close = googColumn("Close");
    const a = atr(high, low, close, 14);
    const tr = (i: number) =>
      Math.max(high[i] - low[i], Math.abs(high[i] - close[i - 1]), Math.abs(low[i] - close[i - 1]));
    let ref = 0;
    for (let i = 1; i <= 14; i++) ref += tr(i) / 14;
    expect(Number.isNaN(a[13])).toBe(true);
    expect(a[14]).toBeCloseTo(ref, 10);
    for (let i = 15; i < high.length; i++) {
      ref = (ref * 13 + tr(i)) / 14;
      expect(a[i]).toBeCloseTo(ref, 9);
    }
  });
});

describe("stochastic", () => {
  it.skipIf(missing)("computes %K from the k-bar range and smooths %K and %D with SMAs", () => {
    const { high, low, close } = btcBars;
    const s = stochastic(high, low, close, 14, 3, 3);
    const raw = (i: number) => {
      let hh = -Infinity;
      let ll = Infinity;
      for (let j = i - 13; j <= i; j++) {
        hh = Math.max(hh, high[j]);
        ll = Math.min(ll, low[j]);
      }
      return hh === ll ? 0 : (100 * (close[i] - ll)) / (hh - ll);
    };
    const k = (i: number) => (raw(i) + raw(i - 1) + raw(i - 2)) / 3;
    expect(Number.isNaN(s.k[14])).toBe(true);
    expect(s.k[15]).toBeCloseTo(k(15), 9);
    expect(Number.isNaN(s.d[16])).toBe(true);
    for (const i of [17, 1000, 43198]) {
      expect(s.k[i]).toBeCloseTo(k(i), 9);
      expect(s.d[i]).toBeCloseTo((k(i) + k(i - 1) + k(i - 2)) / 3, 9);
    }
  });
});

describe("crossovers", () => {
  it("marks strict crossings only, against arrays or a level", () => {
    const a = Float64Array.of(1, 3, 3, 1, 2, 2, 4);
    const b = Float64Array.of(2, 2, 2, 2, 2, 2, 2);
    expect(Array.from(crossovers(a, b))).toEqual([0, 1, 0, 0, 0, 0, 0]); // touching 2 then leaving is no cross
    expect(Array.from(crossovers(a, 2))).toEqual([0, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(crossunders(a, 2))).toEqual([0, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(crossovers(2, a))).toEqual([0, 0, 0, 1, 0, 0, 0]);
  });
});

describe("crossover", () => {
  it("is true only on the bar where a Series crossed, as backtesting.py's crossover", () => {
    const clock = { i: 0 };
    const a = new Series(Float64Array.of(1, 3, 3, 1, 2, 2, 4), clock);
    const b = new Series(Float64Array.of(2, 2, 2, 2, 2, 2, 2), clock);
    const up: boolean[] = [];
    const down: boolean[] = [];
    const level: boolean[] = [];
    for (clock.i = 0; clock.i < 7; clock.i++) {
      up.push(crossover(a, b));
      down.push(crossunder(a, b));
      level.push(crossover(a, 2));
    }
    expect(up).toEqual([false, true, false, false, false, false, false]);
    expect(down).toEqual([false, false, false, true, false, false, false]);
    expect(level).toEqual(up);
  });

  it("reads the last two values of arrays, and Series from another copy of the engine by shape", () => {
    expect(crossover(Float64Array.of(1, 3), [2, 2])).toBe(true);
    expect(crossover([1, 3, 3], 2)).toBe(false);
    expect(crossunder([3], 2)).toBe(false);
    const clock = { i: 1 };
    const foreign = { at: (k: number) => [1, 3][clock.i - k] ?? Number.NaN, length: 2 };
    expect(crossover(foreign as unknown as Series, 2)).toBe(true);
  });
});

describe("shift", () => {
  it("returns the value k bars ago and NaN before", () => {
    expect(Array.from(shift(Float64Array.of(1, 2, 3), 1))).toEqual([Number.NaN, 1, 2]);
    expect(Array.from(lag(Float64Array.of(1, 2, 3), 0))).toEqual([1, 2, 3]);
    expect(Array.from(shift(Float64Array.of(1, 2), 5))).toEqual([Number.NaN, Number.NaN]);
  });
});

describe("argument checks and short inputs", () => {
  it("rejects non-positive or non-integer periods with the value in the message", () => {
    const x = Float64Array.of(1, 2, 3);
    expect(() => sma(x, 0)).toThrow("invalid n: 0");
    expect(() => ema(x, 2.5)).toThrow("invalid n: 2.5");
    expect(() => rollingMax(x, -1)).toThrow("invalid n: -1");
    expect(() => rsi(x, Number.NaN)).toThrow("invalid n: NaN");
    expect(() => shift(x, -1)).toThrow("invalid k: -1");
    expect(() => macd(x, 26, 12)).toThrow("invalid fast: 26");
  });

  it("returns all NaN, same length, when n exceeds the input", () => {
    const x = Float64Array.of(1, 2, 3);
    for (const out of [sma(x, 5), ema(x, 5), wma(x, 5), rsi(x, 5), rollingMax(x, 5), rollingStd(x, 5)]) {
      expect(out.length).toBe(3);
      expect(Array.from(out).every(Number.isNaN)).toBe(true);
    }
    expect(sma(new Float64Array(0), 3).length).toBe(0);
  });
});
