// STOM's grid optimizer (그리드 최적화), V1.10 (Py-CI-Park/STOM@63aa7ef,
// backtester/optimiz.py Optimize.GetOptomizeVarsList :621-666 and OptimizeGrid :668-787, with the
// engines' opti_turn 1 loop, backengine_kiwoom_tick.py:674-692), as a pure function over an
// evaluate callback. What STOM does, in short:
// - one backtest of the starting values (opti_turn 0) gives the best score so far, hstd;
// - a round evaluates, for every variable whose range has more than one value, every value of its
//   range with all OTHER variables at their current best: all of a round's candidates start from
//   the same point (STOM runs them in one pass over the data), so the round is one batch;
// - after the round each variable takes its own best value at once (coordinate-wise, not one
//   variable after another); a value wins if it beats the round-start hstd, or ties the running
//   best of its variable while lying further along the range's direction;
// - values whose run made no trade at all (score -2,000,000,000) leave the range for good;
// - rounds repeat until one changes no best value (at most 100), or exactly `rounds` times;
// - one last backtest of the final values (opti_turn 2) reports them.

import { pyRound } from "../pymath.ts";
import { STOM_NO_TRADES } from "./objectives.ts";

/** STOM's range form: self.vars[n] = [[start, end, step], best]. step 0 fixes the variable. */
export type StomVarRange = readonly [readonly [number, number, number], number];

export interface StomVarValuesOptions {
  /** STOM's type(gap) == int; by default an integral step (write false for a step written 1.0) */
  readonly integer?: boolean;
}

/**
 * The values STOM tries for one range (optimiz.py:641-661): start + step·k while not past end,
 * rounded to 2 decimals for a float step, at most 1000; a step of 0 gives [best].
 *
 *     stomVarValues([[25, 15, -1], 20]) // [25, 24, ..., 15]
 */
export function stomVarValues(v: StomVarRange, { integer }: StomVarValuesOptions = {}, index = 0): number[] {
  checkRange(v, index);
  const [[low, high, gap], best] = v;
  if (gap === 0) return [best];
  const varint = integer ?? Number.isInteger(gap);
  const lowhigh = low < high;
  const out: number[] = [];
  for (let k = 0; k < 1000; k++) {
    const next = varint ? low + gap * k : pyRound(low + gap * k, 2);
    if ((lowhigh && next <= high) || (!lowhigh && next >= high)) out.push(next);
    else break;
  }
  return out;
}

function checkRange(v: StomVarRange, i: number): void {
  const shape = `invalid range of self.vars[${i}]: expected [[start, end, step], best]`;
  if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[0]) || v[0].length !== 3)
    throw new Error(shape);
  const [[low, high, gap], best] = v;
  for (const x of [low, high, gap, best])
    if (typeof x !== "number" || !Number.isFinite(x)) throw new Error(`${shape}, got ${x}`);
  // optimiz.py:633-638
  if (low < high && gap < 0)
    throw new Error(`invalid step of self.vars[${i}]: ${gap} (start ${low} < end ${high} needs a step > 0)`);
  if (low > high && gap > 0)
    throw new Error(`invalid step of self.vars[${i}]: ${gap} (start ${low} > end ${high} needs a step < 0)`);
}

export interface StomGridOptions {
  /**
   * STOM's 최적화 횟수 (ccount): 0 (default) runs rounds until one changes no best value, at most
   * `maxRounds`; n > 0 runs exactly n rounds (optimiz.py:682-683).
   */
  readonly rounds?: number;
  /** the cap when rounds is 0: STOM's range(100) */
  readonly maxRounds?: number;
  /** evaluate many value vectors at once (a round is one batch); defaults to calling evaluate in order */
  readonly evaluateBatch?: (
    batch: readonly (readonly number[])[],
  ) => Promise<readonly number[]> | readonly number[];
  /** STOM's 범위자동관리 (optimiz.py:716-786; shipped off): prune, fix and extend ranges */
  readonly autoRange?: boolean;
  /** variables held at their best, as 매수만/매도만 does (optimiz.py:647-650) */
  readonly fixed?: readonly number[];
  /** variables STOM sees as Python floats although their numbers are integral (written -6.0, 1.0) */
  readonly floats?: readonly number[];
  /** STOM's 최적값랜덤: start from a random value of each range (optimiz.py:662-663) */
  readonly randomBest?: boolean;
  /** random source for random starting values (a best outside its range starts random too) */
  readonly random?: () => number;
  /** values per range; STOM has one collector process per value and dies past 20 */
  readonly maxValues?: number;
  /** run STOM's closing backtest of the final values (optimiz.py:567-568); default true */
  readonly final?: boolean;
  /** called after each round */
  readonly onRound?: (round: StomGridRound) => void;
}

export interface StomGridCandidate {
  /** self.vars index */
  readonly index: number;
  readonly value: number;
  readonly score: number;
}

export interface StomGridRound {
  /** 1-based */
  readonly round: number;
  /** the values every candidate of the round started from */
  readonly start: readonly number[];
  readonly candidates: readonly StomGridCandidate[];
  /** best values after the round */
  readonly best: readonly number[];
  /** STOM's hstd after the round: the highest score seen so far */
  readonly score: number;
  /** how many variables changed their best value (STOM's total_change) */
  readonly changed: number;
  /** the ranges after the round (no-trade values removed; autoRange edits) */
  readonly ranges: readonly (readonly number[])[];
}

export interface StomGridResult {
  /** the final values, one per self.vars index */
  readonly best: readonly number[];
  /** STOM's 최고 기준값 (hstd): the highest score of any evaluation, starting run included */
  readonly score: number;
  /** the score of the final values' own run (NaN when final is false) */
  readonly finalScore: number;
  /** rounds run, the last (unchanged) one included */
  readonly rounds: number;
  /** evaluate calls: 1 + the rounds' candidates + 1 for the final run */
  readonly evaluations: number;
  readonly history: readonly StomGridRound[];
}

/**
 * The values each variable starts with: its range's values (one value for step 0 or a fixed
 * variable) and its best (optimiz.py:621-666).
 */
export function stomGridRanges(
  space: readonly StomVarRange[],
  { fixed = [], floats = [], randomBest = false, random = Math.random, maxValues = 20 }: StomGridOptions = {},
): { values: number[][]; best: number[] } {
  const values: number[][] = [];
  const best: number[] = [];
  space.forEach((v, i) => {
    checkRange(v, i);
    const list = fixed.includes(i)
      ? [v[1]]
      : stomVarValues(v, { integer: floats.includes(i) ? false : undefined }, i);
    if (list.length > maxValues) {
      throw new Error(
        `too many values in self.vars[${i}]: ${list.length} (STOM's limit is ${maxValues}: one collector per value)`,
      );
    }
    let b = v[1];
    if (!list.includes(b) || randomBest) b = list[Math.floor(random() * list.length)];
    values.push(list);
    best.push(b);
  });
  return { values, best };
}

/** The backtests one round runs: the sum of the range sizes of the variables with more than one value (optimiz.py:687). */
export function stomRoundSize(space: readonly StomVarRange[], options: StomGridOptions = {}): number {
  return stomGridRanges(space, { ...options, random: () => 0 }).values.reduce(
    (n, v) => (v.length > 1 ? n + v.length : n),
    0,
  );
}

/**
 * STOM's grid search over `space`, maximising `evaluate` (a 기준값 such as stomObjective's).
 *
 *     const { best, score } = await stomGridSearch([[[30, 30, 0], 30], [[0, 10, 1], 3]], (vars) => run(vars));
 */
export async function stomGridSearch(
  space: readonly StomVarRange[],
  evaluate: (vars: readonly number[]) => number | Promise<number>,
  options: StomGridOptions = {},
): Promise<StomGridResult> {
  const {
    rounds: ccount = 0,
    maxRounds = 100,
    autoRange = false,
    floats = [],
    final = true,
    onRound,
  } = options;
  if (!Number.isInteger(ccount) || ccount < 0) throw new Error(`invalid rounds: ${ccount}`);
  if (!Number.isInteger(maxRounds) || maxRounds < 1) throw new Error(`invalid max rounds: ${maxRounds}`);
  const { values, best } = stomGridRanges(space, options);
  const ascending = space.map(([[low, high]]) => low < high); // vars_type (optimiz.py:644)
  const integral = space.map(([[, , gap]], i) => !floats.includes(i) && Number.isInteger(gap));

  let evaluations = 0;
  const run = async (batch: number[][]): Promise<number[]> => {
    evaluations += batch.length;
    if (batch.length === 0) return [];
    let scores: readonly number[];
    if (options.evaluateBatch) scores = await options.evaluateBatch(batch);
    else {
      const out: number[] = [];
      for (const vars of batch) out.push(await evaluate(vars));
      scores = out;
    }
    if (scores.length !== batch.length)
      throw new Error(`invalid batch result: ${scores.length} scores for ${batch.length} runs`);
    return [...scores];
  };

  // opti_turn 0: the starting values (optimiz.py:671-678)
  let hstd = (await run([best.slice()]))[0];
  const history: StomGridRound[] = [];
  const totalDel: number[][] = space.map(() => []);
  let totalChange: number | null = null;
  let rounds = 0;
  for (let k = 0; k < (ccount !== 0 ? ccount : maxRounds); k++) {
    if (ccount === 0 && totalChange === 0) break;
    const start = best.slice();
    const turns: { index: number; value: number }[] = [];
    values.forEach((list, i) => {
      if (list.length > 1) for (const value of list) turns.push({ index: i, value });
    });
    const scores = await run(
      turns.map(({ index, value }) => {
        const vars = start.slice();
        vars[index] = value;
        return vars;
      }),
    );

    // optimiz.py:688-719
    const turnVar = start.slice();
    const turnStd = new Map<number, number>();
    const turnVarStd = new Map<number, Map<number, number>>();
    values.forEach((list, i) => {
      if (list.length > 1) {
        turnStd.set(i, hstd);
        turnVarStd.set(i, new Map());
      }
    });
    const delVars: number[][] = space.map(() => []);
    totalChange = 0;
    const candidates: StomGridCandidate[] = [];
    turns.forEach(({ index, value }, j) => {
      const std = scores[j];
      candidates.push({ index, value, score: std });
      const cur = turnStd.get(index) as number;
      const prev = turnVar[index];
      if (
        std > cur ||
        (std === cur && ((ascending[index] && value > prev) || (!ascending[index] && value < prev)))
      ) {
        turnStd.set(index, std);
        turnVar[index] = value;
        if (std > hstd) hstd = std;
      }
      if (autoRange) (turnVarStd.get(index) as Map<number, number>).set(value, std);
      else if (std === STOM_NO_TRADES) delVars[index].push(value);
    });

    // optimiz.py:721-727: every variable takes its round's best at once
    for (let i = 0; i < best.length; i++) {
      if (turnVar[i] !== best[i]) {
        totalChange++;
        best[i] = turnVar[i];
      }
    }

    const fixList: number[] = [];
    if (autoRange && hstd > 0) {
      // optimiz.py:729-741: ranges that barely matter are fixed, weak values dropped
      for (const [i, varStd] of turnVarStd) {
        if (new Set(varStd.values()).size <= 2) fixList.push(i);
        else if (varStd.size > 5) {
          const del: number[] = [];
          for (const [value, std] of varStd) if (std < hstd / 4) del.push(value);
          delVars[i] = del.sort((a, b) => a - b);
        }
      }
    }
    // optimiz.py:743-755
    delVars.forEach((del, i) => {
      if (del.length === 0) return;
      for (const x of del) if (!totalDel[i].includes(x)) totalDel[i].push(x);
      const area = values[i].filter((x) => !del.includes(x));
      values[i] = area.length > 0 ? area : [best[i]];
    });
    if (autoRange) {
      // optimiz.py:757-779: a best at either end of a range of 7+ grows the range past it
      for (let i = 0; i < values.length; i++) {
        const list = values[i];
        if (list.length < 7) continue;
        const first = list[0];
        const last = list[list.length - 1];
        const gap = list[1] - first;
        const int = integral[i] && Number.isInteger(first) && Number.isInteger(list[1]);
        if (best[i] === first) {
          const add = int ? first - gap : pyRound(first - gap, 2);
          if (!totalDel[i].includes(add)) values[i] = [add, ...(list.length < 20 ? list : list.slice(0, -1))];
        } else if (best[i] === last) {
          // STOM writes round(first + gap, 2) for float ranges (optimiz.py:774), kept as is
          const add = int ? last + gap : pyRound(first + gap, 2);
          if (!totalDel[i].includes(add)) values[i] = [...(list.length < 20 ? list : list.slice(1)), add];
        }
      }
      for (const i of fixList) values[i] = [best[i]]; // optimiz.py:781-786
    }

    rounds++;
    const round: StomGridRound = Object.freeze({
      round: rounds,
      start: Object.freeze(start),
      candidates: Object.freeze(candidates),
      best: Object.freeze(best.slice()),
      score: hstd,
      changed: totalChange,
      ranges: Object.freeze(values.map((v) => Object.freeze(v.slice()))),
    });
    history.push(round);
    onRound?.(round);
  }

  const finalScore = final ? (await run([best.slice()]))[0] : Number.NaN;
  return Object.freeze({
    best: Object.freeze(best.slice()),
    score: hstd,
    finalScore,
    rounds,
    evaluations,
    history: Object.freeze(history),
  });
}
