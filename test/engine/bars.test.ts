import { describe, expect, it } from "vitest";
import { toBars } from "../../src/engine/index.ts";

describe("toBars", () => {
  const n = 5;
  const price = () => Float64Array.from({ length: n }, (_, k) => 100 + k);
  const time = Float64Array.from({ length: n }, (_, k) => k * 60_000);

  it("converts other numeric columns to Float64Array, in shared memory when they were shared", () => {
    const plain = Int32Array.from([1, 2, 3, 4, -5]);
    const shared = new Int32Array(new SharedArrayBuffer(4 * n));
    shared.set([7, 8, 9, 10, 11]);
    const bars = toBars({
      columns: {
        time,
        open: price(),
        high: price(),
        low: price(),
        close: price(),
        volume: plain,
        seq: shared,
      },
    });
    expect(bars.volume).toBeInstanceOf(Float64Array);
    expect([...bars.volume]).toEqual([1, 2, 3, 4, -5]);
    expect(bars.volume.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(bars.columns.seq).toBeInstanceOf(Float64Array);
    expect(bars.columns.seq.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([...bars.columns.seq]).toEqual([7, 8, 9, 10, 11]);
  });

  it("names the column and row of a NaN price", () => {
    const low = price();
    low[3] = Number.NaN;
    expect(() => toBars({ columns: { time, open: price(), high: price(), low, close: price() } })).toThrow(
      "column low has NaN at row 3",
    );
  });
});
