import type { Stats } from "../stats.ts";
import {
  type BoundsSpec,
  bounds as compileBounds,
  objective as makeObjective,
  type Objective,
} from "./objective.ts";
import { type OptimizeOptions, type OptimizeResult, optimize, type Trial } from "./optimize.ts";
import type { Runner, Task, TaskResult } from "./runner.ts";
import type { Params } from "./sampler.ts";
import { type Length, lowerBound, type Span } from "./windows.ts";

/** One validation fold: train on `train`, score on `validation` (both before the test span). */
export interface ValidationFold {
  readonly train: Span;
  readonly validation: Span;
}

export interface ValidationSplit {
  /** most recent validation window first, as STOM numbers them (VALID1 is the one next to the test) */
  readonly folds: readonly ValidationFold[];
  readonly test: Span;
}

/**
 * STOM's train / validation / test split by date (최적화 OVT / OVCT): the test span is the last
 * `test`, and `folds` validation windows of length `validation` tile the time before it backwards
 * (fold 0 ends where the test starts). Each fold trains on what precedes its validation window: the
 * `train` length before it, or everything from the first bar.
 *
 *     validationFolds(bars.time, { validation: parseLength("13w"), test: parseLength("13w"), folds: 3 })
 */
export function validationFolds(
  time: Float64Array,
  {
    train,
    validation,
    test,
    folds = 1,
    minTrainBars = 2,
  }: { train?: Length; validation: Length; test: Length; folds?: number; minTrainBars?: number },
): ValidationSplit {
  if (!(Number.isInteger(folds) && folds >= 1)) throw new Error(`invalid folds: ${folds}`);
  const n = time.length;
  const back = (end: number, len: Length): number =>
    "bars" in len ? Math.max(0, end - len.bars) : lowerBound(time, time[end - 1] - len.ms + 1);
  if (n < 2) throw new Error(`split does not fit in ${n} bars`);
  const testStart = back(n, test);
  if (!(testStart > 0)) throw new Error(`test span takes all ${n} bars`);
  const out: ValidationFold[] = [];
  let end = testStart;
  for (let k = 0; k < folds; k++) {
    const start = back(end, validation);
    const trainStart = train ? back(start, train) : 0;
    if (!(start < end && start - trainStart >= minTrainBars))
      throw new Error(
        `validation fold ${k + 1} of ${folds} does not fit: train ${trainStart}..${start}, validation ..${end} (test from bar ${testStart} of ${n})`,
      );
    out.push(Object.freeze({ train: { start: trainStart, end: start }, validation: { start, end } }));
    end = start;
  }
  return Object.freeze({ folds: Object.freeze(out), test: { start: testStart, end: n } });
}

/**
 * STOM's combined validation score (교차검증 MERGE, `GetOptiValidStd` in STOM's
 * backtester/back_static.py): the mean over folds of train score × validation score, negated when
 * both are negative (so two losses do not make a gain), each fold weighted 2·(K − i)/K when
 * `weighted` (STOM's 교차검증가중치: 2.0 for the fold next to the test down to 2/K for the oldest).
 * A combined score of exactly 0 ranks last (−∞), as in STOM. Scores are oriented: higher is better.
 *
 *     combineScores([2, 3], [1, -1]) === (2 * 1 + 3 * -1) / 2
 */
export function combineScores(
  train: ArrayLike<number>,
  validation: ArrayLike<number>,
  { weighted = false }: { weighted?: boolean } = {},
): number {
  const k = train.length;
  if (k !== validation.length || k === 0)
    throw new Error(`need as many train as validation scores: ${k} and ${validation.length}`);
  let merge = 0;
  for (let i = 0; i < k; i++) {
    const t = train[i];
    const v = validation[i];
    if (Number.isNaN(t) || Number.isNaN(v)) return Number.NaN;
    let s = (t < 0 && v < 0 ? -1 : 1) * t * v;
    if (weighted && k > 1) s *= ((k - i) * 2) / k;
    merge += s;
  }
  merge /= k;
  return merge === 0 ? Number.NEGATIVE_INFINITY : merge;
}

export interface FoldScore {
  readonly train: Span;
  readonly validation: Span;
  /** the objective's raw value on each span */
  readonly trainValue: number;
  readonly validationValue: number;
  readonly trainStats: Stats | null;
  readonly validationStats: Stats | null;
}

export interface ValidationResult {
  /** the search over combined scores; trial values are combined scores, trial stats fold 1's validation stats */
  readonly search: OptimizeResult;
  /** the best parameters' per-fold results (empty when nothing qualified) */
  readonly folds: readonly FoldScore[];
  /** the best combined score (NaN when nothing qualified) */
  readonly score: number;
  /** the best parameters run once on the untouched test span */
  readonly test: {
    readonly span: Span;
    readonly params?: Params;
    readonly value: number;
    readonly stats: Stats | null;
  };
  readonly cancelled: boolean;
}

interface Pending {
  readonly task: Task;
  readonly results: (TaskResult | undefined)[];
  left: number;
}

/**
 * A runner that turns each task into 2K backtests (train and validation of every fold) on the inner
 * runner and reports one result whose combined score `scoreOf(stats)` returns. The inner runner only
 * ever sees windows that end before the test span.
 */
function foldRunner(
  inner: Runner,
  folds: readonly ValidationFold[],
  obj: Objective,
  admits: (s: Stats) => boolean,
  weighted: boolean,
): { runner: Runner; scoreOf: (s: Stats) => number } {
  const scores = new WeakMap<Stats, number>();
  const k = folds.length;
  const runner: Runner = {
    concurrency: inner.concurrency,
    async run(tasks, onResult) {
      const subs: Task[] = [];
      const owner: Pending[] = [];
      const slot: number[] = [];
      for (const task of tasks) {
        const p: Pending = { task, results: new Array(2 * k), left: 2 * k };
        let j = 0;
        for (const f of folds) {
          for (const span of [f.train, f.validation]) {
            slot.push(j++);
            owner.push(p);
            subs.push({ id: subs.length, params: task.params, start: span.start, end: span.end });
          }
        }
      }
      await inner.run(subs, (r) => {
        const p = owner[r.id];
        p.results[slot[r.id]] = r;
        if (--p.left > 0) return;
        const failed = p.results.find((x) => !x?.stats);
        if (failed) {
          onResult({ id: p.task.id, stats: null, error: failed.error ?? "a fold did not run" });
          return;
        }
        const train = new Float64Array(k);
        const valid = new Float64Array(k);
        let ok = true;
        for (let i = 0; i < k; i++) {
          const ts = p.results[2 * i]?.stats as Stats;
          const vs = p.results[2 * i + 1]?.stats as Stats;
          // STOM applies 최적화기준값제한 to the training result of each fold
          if (!admits(ts)) ok = false;
          train[i] = obj.score(ts);
          valid[i] = obj.score(vs);
        }
        const stats = { ...(p.results[1]?.stats as Stats) };
        scores.set(stats, ok ? combineScores(train, valid, { weighted }) : Number.NaN);
        onResult({ id: p.task.id, stats });
      });
    },
    cancel: () => inner.cancel(),
    close: async () => {},
  };
  return { runner, scoreOf: (s) => scores.get(s) ?? Number.NaN };
}

/**
 * Searches parameters by STOM's combined validation score over the folds of `split`, then runs the
 * best parameters once on the test span. The search never sees the test span: every backtest it
 * runs ends before `split.test.start`.
 *
 *     const split = validationFolds(bars.time, { validation: parseLength("52w"), test: parseLength("52w"), folds: 3 });
 *     const res = await validate(runner, { space, objective: "sqn", split });
 */
export async function validate(
  runner: Runner,
  {
    split,
    weighted = false,
    objective: objectiveSpec = "sqn",
    bounds: boundsSpec,
    ...options
  }: Omit<OptimizeOptions, "window"> & { split: ValidationSplit; weighted?: boolean },
): Promise<ValidationResult> {
  const obj: Objective = typeof objectiveSpec === "object" ? objectiveSpec : makeObjective(objectiveSpec);
  const admits = compileBounds(boundsSpec as BoundsSpec);
  const { runner: folded, scoreOf } = foldRunner(runner, split.folds, obj, admits, weighted);
  const combined: Objective = Object.freeze({
    name: `${obj.name} (validation)`,
    direction: "maximize",
    value: scoreOf,
    score: scoreOf,
  });
  const search = await optimize(folded, { ...options, objective: combined });
  const best: Trial | undefined = search.best;
  const folds: FoldScore[] = [];
  let test: ValidationResult["test"] = { span: split.test, value: Number.NaN, stats: null };
  let cancelled = search.cancelled;
  if (best && !cancelled) {
    const spans = split.folds.flatMap((f) => [f.train, f.validation]);
    spans.push(split.test);
    const got: (TaskResult | undefined)[] = new Array(spans.length);
    await runner.run(
      spans.map((s, id) => ({ id, params: best.params, start: s.start, end: s.end })),
      (r) => {
        got[r.id] = r;
      },
    );
    if (got.some((r) => !r)) cancelled = true;
    const value = (r?: TaskResult) => (r?.stats ? obj.value(r.stats) : Number.NaN);
    split.folds.forEach((f, i) => {
      folds.push({
        train: f.train,
        validation: f.validation,
        trainValue: value(got[2 * i]),
        validationValue: value(got[2 * i + 1]),
        trainStats: got[2 * i]?.stats ?? null,
        validationStats: got[2 * i + 1]?.stats ?? null,
      });
    });
    const t = got[spans.length - 1];
    test = { span: split.test, params: best.params, value: value(t), stats: t?.stats ?? null };
  }
  return Object.freeze({
    search,
    folds: Object.freeze(folds),
    score: best?.value ?? Number.NaN,
    test: Object.freeze(test),
    cancelled,
  });
}
