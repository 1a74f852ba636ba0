import { describe, expect, test } from "vitest";
import { resolveParams } from "../../src/engine/index.ts";

const specs = {
  fast: { default: 10, min: 2, max: 200 },
  slow: { default: 30, min: 3 },
  k: { default: 0.5, integer: false },
};

describe("resolveParams", () => {
  test("defaults, overrides and numeric strings", () => {
    expect(resolveParams(specs, { fast: "12", k: 0.25 })).toEqual({ fast: 12, slow: 30, k: 0.25 });
  });
  test("unknown names fail with a suggestion", () => {
    expect(() => resolveParams(specs, { fsat: 5 })).toThrow("unknown parameter 'fsat', did you mean 'fast'?");
    expect(() => resolveParams(specs, { zzzzzzzz: 5 })).toThrow(
      "unknown parameter 'zzzzzzzz' (known: fast, slow, k)",
    );
  });
  test("integer, range and number checks name the value", () => {
    expect(() => resolveParams(specs, { fast: 2.5 })).toThrow("parameter 'fast' must be an integer, got 2.5");
    expect(() => resolveParams(specs, { fast: 1 })).toThrow("parameter 'fast' must be >= 2, got 1");
    expect(() => resolveParams(specs, { fast: 201 })).toThrow("parameter 'fast' must be <= 200, got 201");
    expect(() => resolveParams(specs, { slow: "x" })).toThrow(
      `parameter 'slow' must be a finite number, got "x"`,
    );
  });
});
