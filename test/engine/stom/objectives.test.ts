import { describe, expect, it } from "vitest";
import {
  parseStomBounds,
  STOM_DEFAULT_BOUNDS,
  STOM_DISQUALIFIED,
  STOM_NO_BOUNDS,
  STOM_NO_TRADES,
  STOM_OBJECTIVES,
  stomBoundsFromStdText,
  stomObjective,
  stomValidObjective,
  stomWithinBounds,
} from "../../../src/engine/stom/objectives.ts";
import type { StomResultBlock } from "../../../src/engine/stom/result.ts";

// Result blocks copied from STOM's oracle (../shared/data/stom/cases/*/stom_v1_oracle.json).
const A01: StomResultBlock = {
  tc: 3,
  atc: 3.0,
  pc: 2,
  mc: 1,
  wr: 66.67,
  ah: 79.0,
  app: 1.2,
  tpp: 3.57,
  tsg: 35500,
  mhct: 1,
  seed: 994500,
  cagr: 892.5,
  tpi: 1.51,
  mdd: 2.18,
  mdd_: 22910,
};
const A06: StomResultBlock = {
  tc: 120,
  atc: 120.0,
  pc: 0,
  mc: 120,
  wr: 0.0,
  ah: 2.09,
  app: -0.11,
  tpp: -12.73,
  tsg: -127322,
  mhct: 1,
  seed: 1000101,
  cagr: -4646.45,
  tpi: 0.0,
  mdd: 12.64,
  mdd_: 126237,
};
// a03: one winner, so AddMdd's fallback: mdd = abs(tpp), mdd_ = abs(tsg)
const A03: StomResultBlock = {
  tc: 1,
  atc: 1.0,
  pc: 1,
  mc: 0,
  wr: 100.0,
  ah: 52064.0,
  app: 0.16,
  tpp: 0.16,
  tsg: 1635,
  mhct: 1,
  seed: 1000060,
  cagr: 58.4,
  tpi: 1.0,
  mdd: 0.16,
  mdd_: 1635,
};
const betting = 1_000_000;

describe("stomObjective", () => {
  it("computes the 14 기준값 of a01 by GetOptiStdText's formulas", () => {
    const got = Object.fromEntries(STOM_OBJECTIVES.map((n) => [n, stomObjective(A01, n, { betting })]));
    expect(got).toEqual({
      TP: 3.57, // tpp
      TG: 35500, // tsg
      TPI: 1.51, // tpi
      CAGR: 892.5, // cagr
      PM: 1.64, // 3.57 / 2.18 = 1.6376
      P2M: 0.06, // 3.57 * 3.57 / 2.18 / 100 = 0.0585
      PAM: 1.97, // 3.57 * 1.2 / 2.18 = 1.9651
      PWM: 1.09, // 3.57 * 66.67 / 2.18 / 100 = 1.0918
      PTM: 17.66, // 3.57 * 1.2 * 66.67 * 1.51 * 892.5 / 2.18 / 10000 = 17.6567
      GM: 1.55, // 35500 / 22910 = 1.5495
      G2M: 0.06, // 35500 * 35500 / 22910 / 1e6 = 0.0550
      GAM: 1.86, // 35500 * 1.2 / 22910 = 1.8594
      GWM: 1.03, // 35500 * 66.67 / 22910 / 100 = 1.0331
      GTM: 16.71, // 35500 * 1.2 * 66.67 * 1.51 * 892.5 / 22910 / 10000 = 16.7072
    });
  });

  it("scores losers negative", () => {
    expect(stomObjective(A06, "PM", { betting })).toBe(-1.01); // -12.73 / 12.64
    expect(stomObjective(A06, "GM", { betting })).toBe(-1.01); // -127322 / 126237
    expect(stomObjective(A06, "TG", { betting })).toBe(-127322);
  });

  it("uses AddMdd's fallback mdd = |tpp|", () => {
    expect(stomObjective(A03, "PM", { betting })).toBe(1); // 0.16 / 0.16
    expect(stomObjective(A03, "GWM", { betting })).toBe(1); // 1635 * 100 / 1635 / 100
  });

  it("disqualifies a total or train result outside the bounds, never a valid or test one", () => {
    // a06 trades 120 times a day: above STOM's shipped ATC limit of 100
    expect(stomWithinBounds(A06, STOM_DEFAULT_BOUNDS)).toBe(false);
    expect(stomObjective(A06, "TP", { betting, bounds: STOM_DEFAULT_BOUNDS })).toBe(STOM_DISQUALIFIED);
    expect(stomObjective(A06, "TP", { betting, bounds: STOM_DEFAULT_BOUNDS, period: "train" })).toBe(
      -2_222_222_222,
    );
    expect(stomObjective(A06, "TP", { betting, bounds: STOM_DEFAULT_BOUNDS, period: "valid" })).toBe(-12.73);
    expect(stomObjective(A06, "TP", { betting, bounds: STOM_DEFAULT_BOUNDS, period: "test" })).toBe(-12.73);
    expect(stomObjective(A01, "TP", { betting, bounds: STOM_DEFAULT_BOUNDS })).toBe(3.57);
    // bounds are inclusive
    expect(stomObjective(A01, "TP", { betting, bounds: parseStomBounds("MDD<=2.18") })).toBe(3.57);
    expect(stomObjective(A01, "TP", { betting, bounds: parseStomBounds("MDD<=2.17") })).toBe(
      STOM_DISQUALIFIED,
    );
  });

  it("scores no trades and empty splits as STOM does", () => {
    expect(stomObjective(null, "TP", { betting })).toBe(STOM_NO_TRADES);
    expect(STOM_NO_TRADES).toBe(-2_000_000_000);
    const empty = { ...A01, tc: 0, wr: 0, mdd: 0, mdd_: 0 };
    expect(stomObjective(empty, "TP", { betting, bounds: parseStomBounds("WR>=50") })).toBe(0);
  });

  it("rejects an unknown objective with a hint", () => {
    expect(() => stomObjective(A01, "pm" as never, { betting })).toThrow(
      "unknown objective: pm (did you mean PM?)",
    );
  });
});

describe("stomValidObjective", () => {
  it("weights the splits (교차검증가중치) and subtracts when both are negative", () => {
    // ex = 2, 1: 1.64 * 2 * 2 = 6.56; both negative: 6.56 - (-1.01 * -0.5) = 6.055; / 2 = 3.0275
    expect(stomValidObjective([1.64, -1.01], [2.0, -0.5], "PM", { betting })).toBe(3.03);
    // ex = 2, 4/3, 2/3: 7.14 - 33.9467 + 0.4 = -26.4067; / 3 = -8.8022
    expect(stomValidObjective([3.57, -12.73, 1.2], [1.0, -2.0, 0.5], "TP", { betting })).toBe(-8.8);
  });

  it("divides TG by the betting", () => {
    // (35500 * 10000 - 127322 * 5000) / 2 / 1e6 = -140.805
    expect(stomValidObjective([35500, -127322], [10000, -5000], "TG", { betting, exponential: false })).toBe(
      -140.81,
    );
    // (35500 * 10000 * 2 - 127322 * 5000) / 2 / 1e6 = 36.695
    expect(stomValidObjective([35500, -127322], [10000, -5000], "TG", { betting })).toBe(36.7);
    // a disqualified split: Python's exact ints
    expect(
      stomValidObjective([STOM_DISQUALIFIED, 35500], [5_000_000, 20000], "TG", {
        betting,
        exponential: false,
      }),
    ).toBe(-5555555200);
  });

  it("rejects mismatched splits", () => {
    expect(() => stomValidObjective([1], [1, 2], "TP", { betting })).toThrow(
      "invalid splits: 1 train values but 2 valid values",
    );
  });
});

describe("parseStomBounds", () => {
  it("reads KEY<=v, KEY>=v, v<=KEY and lo<=KEY<=hi in any case", () => {
    const b = parseStomBounds("MDD<=10, wr >= 50; 1<=ATC<=20 mh<=5 AP>=-0.5 CAGR>=0 TPI >= 1.2");
    expect(b.mdd).toEqual([-Infinity, 10]);
    expect(b.wr).toEqual([50, Infinity]);
    expect(b.atc).toEqual([1, 20]);
    expect(b.mhct).toEqual([-Infinity, 5]);
    expect(b.app).toEqual([-0.5, Infinity]);
    expect(b.cagr).toEqual([0, Infinity]);
    expect(b.tpi).toEqual([1.2, Infinity]);
  });

  it("keeps the base for keys it does not name", () => {
    const b = parseStomBounds("MDD<=10", { base: STOM_DEFAULT_BOUNDS });
    expect(b.mdd).toEqual([0, 10]);
    expect(b.cagr).toEqual([-10000, 10000]);
    expect(parseStomBounds("")).toEqual(STOM_NO_BOUNDS);
  });

  it("fails with the bad value", () => {
    expect(() => parseStomBounds("MDD<=ten")).toThrow("invalid bound value: ten in MDD<=ten");
    expect(() => parseStomBounds("DD<=10")).toThrow(
      "unknown bound key: DD (expected one of MDD, MH, WR, AP, ATC, CAGR, TPI)",
    );
    expect(() => parseStomBounds("MDD<10")).toThrow(
      "invalid bound: MDD<10 (STOM's bounds are inclusive: use <=)",
    );
    expect(() => parseStomBounds("MDD=10")).toThrow("invalid bound: MDD=10 (use <= or >=)");
    expect(() => parseStomBounds("WR>=60,WR<=50")).toThrow("invalid bound: WR<=50 (low 60 above high 50)");
    expect(() => parseStomBounds("MDD<=")).toThrow("invalid bound value: (empty) in MDD<=");
  });

  it("reads STOM's stored 14-number form", () => {
    expect(STOM_DEFAULT_BOUNDS.mdd).toEqual([0, 1000]);
    expect(STOM_DEFAULT_BOUNDS.tpi).toEqual([0, 10]);
    expect(() => stomBoundsFromStdText("1;2")).toThrow(
      "invalid bound list: 1;2 (expected 14 numbers joined by ';')",
    );
  });
});
