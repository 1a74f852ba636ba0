import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rng } from "../../../src/engine/optimize/rng.ts";
import { stomGa } from "../../../src/engine/stom/ga.ts";
import { STOM_NO_TRADES } from "../../../src/engine/stom/objectives.ts";
import { parseStom } from "../../../src/engine/stom/parse.ts";
import {
  type StomVarRange,
  stomGridRanges,
  stomGridSearch,
  stomRoundSize,
  stomVarValues,
} from "../../../src/engine/stom/search.ts";
import { needShared, shared } from "../../support/paths.ts";

const CASES = shared("stom/cases");
const { missing } = needShared("stom/cases");

/** self.vars[n] = [[start, end, step], best] lines of a vars.txt, in the order written (STOM's dict order). */
function readVars(file: string): StomVarRange[] {
  return parseStom(readFileSync(file, "utf8"), "vars").body.flatMap((s) =>
    s.type === "var-range" ? [[[s.start, s.end, s.step], s.best] as StomVarRange] : [],
  );
}

describe("stomVarValues", () => {
  it("lists a range as GetOptomizeVarsList does", () => {
    expect(stomVarValues([[0, 10, 1], 3])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(stomVarValues([[25, 15, -1], 20])).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15]);
    expect(stomVarValues([[30, 30, 0], 30])).toEqual([30]);
    expect(stomVarValues([[0.15, 0.25, 0.05], 0.2])).toEqual([0.15, 0.2, 0.25]); // round(…, 2) each
    expect(stomVarValues([[0.5, 0.25, -0.25], 0.5])).toEqual([0.5, 0.25]);
  });

  it("rejects a step pointing away from the end", () => {
    expect(() => stomVarValues([[0, 10, -1], 3], {}, 4)).toThrow(
      "invalid step of self.vars[4]: -1 (start 0 < end 10 needs a step > 0)",
    );
  });
});

describe("stomGridSearch", () => {
  const space: StomVarRange[] = [
    [[30, 30, 0], 30], // 평균값계산틱수, fixed
    [[0, 10, 1], 3],
    [[25, 15, -1], 20],
    [[-3, 0, 1], -3],
  ];

  it("finds the optimum of a separable objective in one round and stops after an unchanged one", async () => {
    const target = [30, 7, 16, -1];
    const f = (v: readonly number[]) => 0 - v.reduce((s, x, i) => s + (x - target[i]) ** 2, 0);
    const result = await stomGridSearch(space, f);
    expect(result.best).toEqual(target);
    expect(result.score).toBe(0);
    expect(result.finalScore).toBe(0);
    expect(result.rounds).toBe(2); // round 2 changes nothing: STOM's stop
    expect(result.history[0].changed).toBe(3);
    expect(result.history[1].changed).toBe(0);
    const perRound = 11 + 11 + 4; // vars[0] has one value: not searched
    expect(result.evaluations).toBe(1 + 2 * perRound + 1);
  });

  it("moves every variable at once from the round's start (not one after another)", async () => {
    // f(1,0) = f(0,1) = 1 but f(1,1) = -5: both variables take 1 in round 1
    const f = (v: readonly number[]) => (v[0] === 1 && v[1] === 1 ? -5 : v[0] + v[1]);
    const result = await stomGridSearch(
      [
        [[0, 1, 1], 0],
        [[0, 1, 1], 0],
      ],
      f,
    );
    expect(result.history[0].best).toEqual([1, 1]);
    // round 2: going back to 0 only ties hstd = 1 and 0 is not further along an ascending range
    expect(result.best).toEqual([1, 1]);
    expect(result.score).toBe(1);
    expect(result.finalScore).toBe(-5);
    expect(result.rounds).toBe(2);
  });

  it("breaks ties toward the end of each range", async () => {
    const result = await stomGridSearch(space, () => 1);
    expect(result.best).toEqual([30, 10, 15, 0]);
  });

  it("runs exactly `rounds` rounds when given", async () => {
    const result = await stomGridSearch(space, () => 1, { rounds: 3 });
    expect(result.rounds).toBe(3);
    expect(result.history.map((r) => r.changed)).toEqual([3, 0, 0]);
  });

  it("drops values that trade nothing from their range", async () => {
    const f = (v: readonly number[]) => (v[1] > 8 ? STOM_NO_TRADES : v[1]);
    const result = await stomGridSearch(space, f);
    expect(result.best[1]).toBe(8);
    expect(result.history[0].ranges[1]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(result.history[1].candidates.filter((c) => c.index === 1)).toHaveLength(9);
  });

  it("hands a round to evaluateBatch as one batch", async () => {
    const sizes: number[] = [];
    const result = await stomGridSearch(space, () => 0, {
      evaluateBatch: async (batch) => {
        sizes.push(batch.length);
        return batch.map((v) => -Math.abs(v[1] - 5));
      },
    });
    expect(sizes).toEqual([1, 26, 26, 1]);
    expect(result.best[1]).toBe(5);
  });

  it("범위자동관리: grows a range past a best at its end, drops weak values, fixes flat ranges", async () => {
    const grow = await stomGridSearch([[[0, 6, 1], 3]], (v) => v[0] + 10, { autoRange: true, rounds: 1 });
    expect(grow.history[0].ranges[0]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // hstd = 6: values scoring under 6 / 4 leave; 5 values left, too few to grow
    const prune = await stomGridSearch([[[0, 6, 1], 3]], (v) => v[0], { autoRange: true, rounds: 1 });
    expect(prune.history[0].ranges[0]).toEqual([2, 3, 4, 5, 6]);
    // two distinct scores or fewer: the variable is fixed at its best
    const flat = await stomGridSearch([[[0, 6, 1], 3]], (v) => (v[0] > 2 ? 2 : 1), {
      autoRange: true,
      rounds: 1,
    });
    expect(flat.history[0].ranges[0]).toEqual([6]);
  });

  it("starts a best outside its range at a random value of the range", () => {
    const { best } = stomGridRanges([[[0, 10, 2], 3]], { random: () => 0.5 });
    expect(best).toEqual([6]);
  });

  it("refuses ranges STOM cannot run", () => {
    expect(() => stomGridRanges([[[0, 30, 1], 3]])).toThrow(
      "too many values in self.vars[0]: 31 (STOM's limit is 20: one collector per value)",
    );
  });
});

describe.skipIf(missing)("backtests per round on the author's texts", () => {
  it("a05_stockopti2_tick: 72 a round, 74 for a one-round run", async () => {
    const space = readVars(join(CASES, "a05_stockopti2_tick/vars.txt"));
    expect(space).toHaveLength(10);
    // 11 + 11 + 4 + 10 + 8 + 8 + 5 + 5 + 10; self.vars[0] = [[30, 30, 0], 30] is not searched
    expect(stomRoundSize(space)).toBe(72);
    const result = await stomGridSearch(space, () => 0, { rounds: 1 });
    expect(result.evaluations).toBe(74); // the starting run + 72 + the closing run
  });

  it("a10_v3_opti_tick: 74 a round", () => {
    // self.vars[3] = [[-5, 0, 1], -3] has 6 values where a05 has 4
    expect(stomRoundSize(readVars(join(CASES, "a10_v3_opti_tick/vars.txt")))).toBe(74);
  });
});

describe("stomGa", () => {
  it("shrinks the value lists toward the best combination", async () => {
    const space = Array.from({ length: 10 }, () => [[1, 2, 3, 4, 5], 3] as const);
    const sizes: number[] = [];
    const result = await stomGa(space, (v) => v.reduce((a, b) => a + b, 0), {
      random: rng(7),
      onGeneration: (g) => sizes.push(g.combinations),
    });
    // 5^10 combinations, goal 2 ** round(10 / 2) = 32: generation 1 keeps the top 5 results' values
    // (+ the starting best 3), generation 2 shrinks further, generation 3 runs out of new batches
    expect(sizes).toEqual([52488, 5184]);
    expect(result.stop).toBe("exhausted");
    expect(result.evaluations).toBe(24_000); // 2 × 10 batches of 1000, then 4 more
    expect(result.score).toBe(49);
    expect(result.best.reduce((a, b) => a + b, 0)).toBe(49);
    expect(result.ranking[0].score).toBe(49);
  });

  it("ends when no batch of new combinations is left", async () => {
    const result = await stomGa(
      [
        [[1, 2, 3], 1],
        [[1, 2, 3], 1],
        [[1, 2, 3], 1],
      ],
      () => 0,
      { random: rng(1) },
    );
    expect(result.stop).toBe("exhausted"); // 27 combinations < 1000
    expect(result.evaluations).toBe(0);
    expect(result.best).toEqual([1, 1, 1]);
  });
});
