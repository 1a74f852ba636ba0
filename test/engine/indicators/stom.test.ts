import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  이동평균,
  체결강도평균,
  최고체결강도,
  최고현재가,
  최저현재가,
  현재가N,
} from "../../../src/engine/indicators/index.ts";
import { needShared, shared, sharedOr } from "../../support/paths.ts";

const { missing } = needShared("krx/creon_1m_20190920/005930.csv");
// Samsung Electronics 1-minute closes, 2019-09-20 (390 bars, data README)
const price = sharedOr(missing, () => {
  const lines = readFileSync(shared("krx/creon_1m_20190920/005930.csv"), "utf8").trim().split("\n");
  const header = lines[0].split(",");
  return Float64Array.from(lines.slice(1), (l) => Number(l.split(",")[header.indexOf("close")]));
});

// STOM evaluates its helpers on the numpy slice array[indexn + 1 - tick : indexn + 1] (Parameter_Area in
// its strategy engines): the last `tick` rows, the current one included. Replayed here row by row.
function stomSlice(x: Float64Array, indexn: number, tick: number): Float64Array {
  return x.subarray(indexn + 1 - tick, indexn + 1);
}

describe.skipIf(missing)("STOM tick helpers", () => {
  it("use windows that end at the current tick, like STOM's array slices", () => {
    expect(price.length).toBe(390);
    for (const tick of [1, 5, 30]) {
      const avg = 이동평균(price, tick);
      const hi = 최고현재가(price, tick);
      const lo = 최저현재가(price, tick);
      for (let i = tick - 1; i < price.length; i++) {
        const w = stomSlice(price, i, tick);
        expect(avg[i]).toBeCloseTo(w.reduce((a, b) => a + b, 0) / tick, 6);
        expect(hi[i]).toBe(w.reduce((a, b) => Math.max(a, b)));
        expect(lo[i]).toBe(w.reduce((a, b) => Math.min(a, b)));
      }
      if (tick > 1) expect(Number.isNaN(avg[tick - 2])).toBe(true); // STOM skips the strategy before `tick` rows
    }
  });

  it("현재가N(k) is the price k ticks ago (Parameter_Previous: array[indexn - k])", () => {
    const p1 = 현재가N(price, 1);
    expect(p1[10]).toBe(price[9]);
    expect(Number.isNaN(p1[0])).toBe(true);
    expect(현재가N(price, 0)[5]).toBe(price[5]);
  });

  it("체결강도평균 and 최고체결강도 window the strength column the same way", () => {
    const strength = Float64Array.of(100, 120.5, 90, 150, 80);
    expect(Array.from(체결강도평균(strength, 2).subarray(1))).toEqual([110.25, 105.25, 120, 115]);
    expect(Array.from(최고체결강도(strength, 3).subarray(2))).toEqual([120.5, 150, 150]);
  });
});
