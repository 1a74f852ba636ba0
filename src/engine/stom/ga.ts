// STOM's "GA" optimizer (GA최적화), V1.10 (Py-CI-Park/STOM@63aa7ef,
// backtester/optimiz_genetic_algorithm.py OptimizeGeneticAlgorithm.Start :300-376, GetVarslist
// :390-402, SetOptilist :404-427, SaveVarslist :429-439). Despite the name there is no crossover
// and no mutation: it is random sampling that shrinks each variable's value list to the values
// found in the best results, generation after generation:
// - ranges come in the form self.vars[n] = [[v1, v2, ...], best] (ga_vars.txt); every variable,
//   self.vars[0] (평균값계산틱수) included, is drawn from its list;
// - the goal is 2 ** round(count / 2) combinations (Python's round: half to even);
// - while the product of the list sizes exceeds the goal, a generation runs `count` batches of
//   1000 new random combinations (uniform per variable, never one tried before in the whole run);
//   if 1000 new ones cannot be found (STOM gives up after 30 seconds of drawing) the search ends;
// - results are kept in a dict keyed by score (an equal score replaces the earlier combination);
// - after a generation each list becomes the distinct values of the top `rank` results (rank =
//   int(count / 4) when count / 4 > 5, else 5), in the first three generations plus the starting
//   best value, sorted ascending;
// - the answer is the combination with the highest score seen.

import { roundHalfEven } from "../pymath.ts";

export type StomGaVar = readonly [readonly number[], number];

export interface StomGaOptions {
  /** evaluate a batch of value vectors (a batch is 1000 runs); defaults to calling evaluate in order */
  readonly evaluateBatch?: (
    batch: readonly (readonly number[])[],
  ) => Promise<readonly number[]> | readonly number[];
  /** random source (STOM: Python's random.choice) */
  readonly random?: () => number;
  /** combinations per batch: STOM's 1000 */
  readonly batch?: number;
  /** draws allowed to find one batch of new combinations, standing in for STOM's 30 seconds */
  readonly maxDraws?: number;
  readonly onGeneration?: (generation: StomGaGeneration) => void;
}

export interface StomGaGeneration {
  /** 1-based */
  readonly generation: number;
  /** the value lists after the generation */
  readonly ranges: readonly (readonly number[])[];
  /** their product */
  readonly combinations: number;
  /** the highest score so far */
  readonly score: number;
}

export interface StomGaResult {
  /** the best combination seen (the starting bests when nothing ran) */
  readonly best: readonly number[];
  /** its score (NaN when nothing ran: STOM itself fails there, SaveVarslist indexes an empty list) */
  readonly score: number;
  readonly generations: number;
  readonly evaluations: number;
  /** the final value lists */
  readonly ranges: readonly (readonly number[])[];
  /** every distinct score with its (last) combination, best first, as SaveVarslist ranks them */
  readonly ranking: readonly { readonly score: number; readonly vars: readonly number[] }[];
  /** why it stopped: the goal was reached, or no batch of new combinations was left */
  readonly stop: "goal" | "exhausted";
}

/**
 * STOM's GA search, maximising `evaluate`.
 *
 *     await stomGa([[[30], 30], [[1, 2, 3, 4, 5], 3]], (vars) => run(vars), { random: rng(1) })
 */
export async function stomGa(
  space: readonly StomGaVar[],
  evaluate: (vars: readonly number[]) => number | Promise<number>,
  {
    evaluateBatch,
    random = Math.random,
    batch = 1000,
    maxDraws = 1_000_000,
    onGeneration,
  }: StomGaOptions = {},
): Promise<StomGaResult> {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`invalid batch: ${batch}`);
  space.forEach((v, i) => {
    if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[0]) || v[0].length === 0) {
      throw new Error(`invalid range of self.vars[${i}]: expected [[v1, v2, ...], best]`);
    }
    for (const x of [...v[0], v[1]])
      if (typeof x !== "number" || !Number.isFinite(x))
        throw new Error(`invalid value of self.vars[${i}]: ${x}`);
  });
  let lists = space.map(([values]) => [...values]);
  const high = space.map(([, best]) => best);
  const count = space.length;
  const goal = 2 ** roundHalfEven(count / 2); // :322
  const rank = count / 4 > 5 ? Math.trunc(count / 4) : 5; // :360
  const product = () => lists.reduce((n, l) => n * l.length, 1);
  const key = (v: readonly number[]) => v.join(",");
  const tried = new Set<string>();
  const results = new Map<number, number[]>();
  let evaluations = 0;
  let hstd = -2_000_000_000; // :321
  let generations = 0;
  let stop: "goal" | "exhausted" = "goal";

  const run = async (vectors: number[][]): Promise<readonly number[]> => {
    evaluations += vectors.length;
    if (evaluateBatch) {
      const scores = await evaluateBatch(vectors);
      if (scores.length !== vectors.length)
        throw new Error(`invalid batch result: ${scores.length} scores for ${vectors.length} runs`);
      return scores;
    }
    const out: number[] = [];
    for (const v of vectors) out.push(await evaluate(v));
    return out;
  };

  // GetVarslist (:390-402): `batch` new combinations, or fewer when they run out
  const sample = (): number[][] => {
    let untried = product();
    for (const k of tried) {
      const v = k.split(",").map(Number);
      if (v.every((x, i) => lists[i].includes(x))) untried--;
    }
    if (untried < batch) return [];
    const out: number[][] = [];
    for (let draws = 0; out.length < batch && draws < maxDraws; draws++) {
      const v = lists.map((l) => l[Math.floor(random() * l.length)]);
      const k = key(v);
      if (!tried.has(k)) {
        tried.add(k);
        out.push(v);
      }
    }
    return out;
  };

  while (product() > goal) {
    let exhausted = false;
    for (let i = 0; i < count; i++) {
      const vectors = sample();
      if (vectors.length < batch) {
        exhausted = true; // :352-354 (total_count = 0)
        break;
      }
      const scores = await run(vectors);
      vectors.forEach((v, j) => {
        results.set(scores[j] + 0, v); // a dict keyed by score: equal scores keep the last combination
        if (scores[j] > hstd) hstd = scores[j];
      });
    }
    if (exhausted) {
      stop = "exhausted";
      break;
    }
    generations++;
    // SetOptilist (:404-421)
    const ranked = [...results].sort((a, b) => b[0] - a[0]);
    const next: number[][] = lists.map(() => []);
    for (const [, v] of ranked.slice(0, rank)) {
      v.forEach((x, i) => {
        if (!next[i].includes(x)) next[i].push(x);
      });
    }
    next.forEach((l, i) => {
      if (generations < 4 && !l.includes(high[i])) l.push(high[i]);
      l.sort((a, b) => a - b);
    });
    lists = next;
    onGeneration?.(
      Object.freeze({
        generation: generations,
        ranges: lists.map((l) => Object.freeze(l.slice())),
        combinations: product(),
        score: hstd,
      }),
    );
  }

  const ranking = [...results]
    .sort((a, b) => b[0] - a[0])
    .map(([score, vars]) => Object.freeze({ score, vars: Object.freeze(vars) }));
  return Object.freeze({
    best: ranking.length > 0 ? ranking[0].vars : Object.freeze(high.slice()),
    score: ranking.length > 0 ? ranking[0].score : Number.NaN,
    generations,
    evaluations,
    ranges: Object.freeze(lists.map((l) => Object.freeze(l))),
    ranking: Object.freeze(ranking),
    stop,
  });
}
