// TimeMerge keeps the symbols' head times in a sorted array (appending in the common round-robin
// case, a binary search and a shift otherwise): its order must equal a plain sort of every row by
// (time, symbol, row), whatever the mix of dense, sparse and tied clocks, and whatever the chunk size.
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../src/engine/optimize/rng.ts";
import { mergeOrder, TimeMerge } from "../../../src/engine/portfolio/index.ts";

function sorted(times: Float64Array[]): { symbol: number[]; row: number[] } {
  const all = times.flatMap((t, s) => Array.from(t, (v, r) => [v, s, r]));
  all.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  return { symbol: all.map((e) => e[1]), row: all.map((e) => e[2]) };
}

/** k symbols: some tick every second, some sparsely, some in bursts, with ties across symbols. */
function clocks(k: number, seed: number): Float64Array[] {
  const random = mulberry32(seed);
  return Array.from({ length: k }, (_, s) => {
    const n = Math.floor(random() * 300);
    const out = new Float64Array(n);
    let t = Math.floor(random() * 50) * 1000;
    const kind = s % 3;
    for (let r = 0; r < n; r++) {
      out[r] = t;
      t += kind === 0 ? 1000 : kind === 1 ? Math.floor(random() * 60) * 1000 : random() < 0.7 ? 0 : 5000;
    }
    return out;
  });
}

describe("TimeMerge", () => {
  it("equals a sort by (time, symbol, row) on mixed clocks, for few and many symbols", () => {
    for (const [k, seed] of [
      [1, 1],
      [3, 2],
      [10, 3],
      [40, 4],
      [200, 5],
    ]) {
      const times = clocks(k, seed);
      const { symbol, row } = mergeOrder(times);
      const expected = sorted(times);
      expect([...symbol]).toEqual(expected.symbol);
      expect([...row]).toEqual(expected.row);
    }
  });

  it("hands out the same order in chunks of any size", () => {
    const times = clocks(40, 9);
    const whole = mergeOrder(times);
    for (const size of [1, 7, 1000]) {
      const m = new TimeMerge(times);
      const symbol = new Int32Array(size);
      const row = new Int32Array(size);
      const got: number[][] = [];
      for (let n = m.take(symbol, row); n > 0; n = m.take(symbol, row))
        for (let j = 0; j < n; j++) got.push([symbol[j], row[j]]);
      expect(got).toEqual(Array.from(whole.symbol, (s, j) => [s, whole.row[j]]));
    }
  });

  it("throws on a clock going back, naming the symbol, row and time", () => {
    const times = [Float64Array.from([1, 2, 3]), Float64Array.from([1, 5, 4])];
    expect(() => mergeOrder(times)).toThrow("times of symbol 1 not sorted at row 2: 4");
  });

  it("throws on a clock going back while it is the latest head or the only one left", () => {
    expect(() => mergeOrder([Float64Array.from([1, 2, 2, 1])])).toThrow(
      "times of symbol 0 not sorted at row 3: 1",
    );
    expect(() => mergeOrder([Float64Array.from([1, 3, 2]), Float64Array.from([2])])).toThrow(
      "times of symbol 0 not sorted at row 2: 2",
    );
    expect(() => mergeOrder([Float64Array.from([0, 10, 20, 15]), Float64Array.from([5, 16])])).toThrow(
      "times of symbol 0 not sorted at row 3: 15",
    );
    expect(() => mergeOrder([Float64Array.from([1, Number.NaN])])).toThrow(
      "times of symbol 0 not sorted at row 1: NaN",
    );
  });
});
