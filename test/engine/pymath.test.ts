import { describe, expect, test } from "vitest";
import { mulberry32 } from "../../src/engine/optimize/rng.ts";
import { floorDiv, floorDivByFmod } from "../../src/engine/pymath.ts";

describe("floorDiv", () => {
  test("gives CPython's a // b where the rounded quotient and the floor of it disagree", () => {
    // CPython 3: 1 // 0.1 == 9.0 (1 / 0.1 rounds to 10), 0.3 // 0.1 == 2.0, -7 // 2 == -4,
    // 7.5 // -2 == -4.0, -0.0 // 1 == -0.0
    expect(floorDiv(1, 0.1)).toBe(9);
    expect(Math.floor(1 / 0.1)).toBe(10);
    expect(floorDiv(0.3, 0.1)).toBe(2);
    expect(floorDiv(-7, 2)).toBe(-4);
    expect(floorDiv(7.5, -2)).toBe(-4);
    expect(Object.is(floorDiv(-0, 1), -0)).toBe(true);
    expect(Object.is(floorDiv(0.5, -1), -1)).toBe(true);
    expect(Object.is(floorDiv(0.5, 1), 0)).toBe(true);
  });

  test("its fast path equals the fmod computation on a million sizing-like and arbitrary pairs", () => {
    const rand = mulberry32(7);
    let fast = 0;
    const check = (a: number, b: number) => {
      const got = floorDiv(a, b);
      const want = floorDivByFmod(a, b);
      if (!Object.is(got, want)) throw new Error(`floorDiv(${a}, ${b}) = ${got}, CPython's ${want}`);
      const q = a / b;
      if (q - Math.floor(q) > 1e-6 && q - Math.floor(q) < 1 - 1e-6 && Math.abs(q) < 1e9) fast++;
    };
    for (let k = 0; k < 1_000_000; k++) {
      const kind = k % 4;
      if (kind === 0) {
        // the broker's sizing: cash × (1 - ε) over a price per lot
        const cash = 10 ** (2 + 7 * rand()) * (1 - Number.EPSILON);
        check(cash, 10 ** (-3 + 8 * rand()));
      } else if (kind === 1) {
        // whole multiples and their neighbours, where the rounded quotient sits on a whole number
        const b = Math.round(10 ** (-2 + 6 * rand()) * 1000) / 1000 || 0.001;
        const n = Math.floor(rand() * 1e6);
        const a = n * b;
        check(a, b);
        check(a * (1 + Number.EPSILON), b);
        check(a * (1 - Number.EPSILON), b);
      } else if (kind === 2) {
        // either sign, any magnitude
        const a = (rand() - 0.5) * 10 ** (-10 + 30 * rand());
        const b = (rand() - 0.5) * 10 ** (-10 + 30 * rand()) || 1;
        check(a, b);
      } else check(Math.round((rand() - 0.5) * 2e6) / 100, Math.round((rand() - 0.5) * 2e3) / 100 || 0.01);
    }
    for (const [a, b] of [
      [0, 1],
      [-0, -1],
      [1, 0],
      [-1, 0],
      [Number.NaN, 1],
      [1, Number.POSITIVE_INFINITY],
      [Number.POSITIVE_INFINITY, 2],
      [1e308, 1e-308],
      [5e-324, 3],
    ])
      check(a, b);
    // most pairs take the fast path, so the comparison exercises it (whole multiples take the other)
    expect(fast).toBeGreaterThan(500_000);
  });
});
