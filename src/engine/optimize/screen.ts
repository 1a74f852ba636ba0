import { BAR_PASS_STATS, type Stats, TRADE_PASS_STATS } from "../stats.ts";
import {
  type BoundsSpec,
  boundsNeeds,
  bounds as compileBounds,
  objective as makeObjective,
  type Objective,
  type StatsFn,
} from "./objective.ts";

/**
 * The objective and bounds of a search by their specs (strings and min/max records, no
 * functions), so a worker thread can compile them: what a runner needs to screen results.
 */
export interface ScreenSpec {
  /** a stat key or STOM code, "-" first when minimized */
  readonly objective: string;
  readonly bounds: readonly BoundsSpec[];
}

/**
 * What optimize() hands a runner so that only results that may be reported get full stats: a
 * result whose score is below `threshold()` at the time its task is sent cannot reach the top N
 * (the threshold is the N-th best score so far, and only rises), so it may come back with the
 * stats of `barStats: false` (TaskResult.partial).
 */
export interface Screening {
  readonly spec: ScreenSpec;
  /** score (higher is better) a result must reach for full stats; -Infinity: all of them */
  threshold(): number;
}

/** A task's screening as sent with it: the spec and the threshold when it was sent. */
export interface TaskScreen {
  readonly spec: ScreenSpec;
  readonly threshold: number;
}

const BAR_PASS = new Set<string>(BAR_PASS_STATS);

/**
 * The spec of an objective and bounds that read only stats computed without the pass over every
 * bar (trades, returns, equity at the ends...), or undefined: then every result gets full stats.
 *
 *     screenSpec("sqn", ["trades >= 10"]) // {objective: "sqn", bounds: ["trades >= 10"]}
 *     screenSpec("sharpe")                // undefined (needs the bar pass)
 */
export function screenSpec(
  objective: string | StatsFn | Objective,
  bounds?: BoundsSpec | readonly BoundsSpec[],
): ScreenSpec | undefined {
  const obj =
    typeof objective === "object"
      ? objective
      : typeof objective === "string"
        ? makeObjective(objective)
        : null;
  if (!obj?.spec || !obj.needs) return undefined;
  const list = (
    bounds === undefined ? [] : Array.isArray(bounds) ? bounds : [bounds]
  ) as readonly BoundsSpec[];
  const needs = boundsNeeds(list);
  if (!needs) return undefined;
  if ([...obj.needs, ...needs].some((key) => BAR_PASS.has(key))) return undefined;
  return { objective: obj.spec, bounds: list };
}

const TRADE_PASS = new Set<string>(TRADE_PASS_STATS);

/** How a runner screens a result by a spec. */
export interface Screener {
  /** the objective oriented so higher is better, NaN when disqualified */
  score(stats: Stats): number;
  /** whether the score reads TRADE_PASS_STATS (else a screened run needs only the number of trades) */
  readonly readsTrades: boolean;
}

/** A spec's screener. */
export function screener(spec: ScreenSpec): Screener {
  const obj = makeObjective(spec.objective);
  const admits = compileBounds(spec.bounds);
  const bounded = boundsNeeds(spec.bounds);
  // a spec is strings and records (screenSpec()), so both lists are known; unknown reads them all
  const needs = obj.needs && bounded ? [...obj.needs, ...bounded] : undefined;
  return {
    score(stats) {
      const score = obj.score(stats);
      return Number.isNaN(score) || !admits(stats) ? Number.NaN : score;
    },
    readsTrades: !needs || needs.some((key) => TRADE_PASS.has(key)),
  };
}

/**
 * The N best scores seen so far, in any order of arrival; threshold() is the N-th (-Infinity
 * until there are N). Ties count as reaching it: a tie may still rank in by its earlier id.
 */
export class TopScores {
  readonly #scores: number[] = [];
  constructor(readonly n: number) {}

  add(score: number): void {
    if (Number.isNaN(score)) return;
    const s = this.#scores;
    if (s.length === this.n && !(score > s[s.length - 1])) return;
    let k = s.length;
    while (k > 0 && s[k - 1] < score) k--;
    s.splice(k, 0, score);
    if (s.length > this.n) s.pop();
  }

  threshold(): number {
    return this.#scores.length < this.n ? Number.NEGATIVE_INFINITY : this.#scores[this.n - 1];
  }
}
