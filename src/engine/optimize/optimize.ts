import type { Stats } from "../stats.ts";
import { parseExpr } from "./expr.ts";
import { gaSampler } from "./ga.ts";
import { admissibleCount, gridSampler } from "./grid.ts";
import type { ReturnMoments } from "./moments.ts";
import {
  type BoundsSpec,
  bounds as compileBounds,
  objective as makeObjective,
  type Objective,
} from "./objective.ts";
import { type DeflatedSharpe, deflatedSharpe } from "./overfit.ts";
import { randomSampler } from "./random.ts";
import { rng } from "./rng.ts";
import type { Runner, TaskResult } from "./runner.ts";
import type { Constraint, Params, Sampler } from "./sampler.ts";
import { type Screening, screenSpec, TopScores } from "./screen.ts";
import { paramKey, type SearchSpace } from "./space.ts";
import { tpeSampler } from "./tpe.ts";

export type Method = "grid" | "random" | "tpe" | "ga";

export interface Trial {
  /** order in which the search proposed it (grid order for a grid) */
  readonly id: number;
  readonly params: Params;
  /** raw objective value; NaN when disqualified or failed */
  readonly value: number;
  readonly stats: Stats | null;
  readonly error?: string;
}

/** Parameters and objective as columns, one row per trial in proposal order (Arrow-friendly). */
export interface Heatmap {
  readonly length: number;
  readonly names: readonly string[];
  readonly columns: Readonly<Record<string, Float64Array>>;
  /** objective value, NaN when disqualified */
  readonly value: Float64Array;
}

export interface OptimizeProgress {
  readonly done: number;
  /** planned trials (grid: admissible cells) */
  readonly total: number;
  /** best so far in proposal order; while screening, its bar-pass stats may still be NaN */
  readonly best?: Trial;
  readonly elapsedMs: number;
  readonly etaMs: number;
}

export interface OptimizeOptions {
  readonly space: SearchSpace;
  readonly method?: Method;
  /** stat key, STOM code or function; or a ready Objective */
  readonly objective?: string | ((s: Stats) => number) | Objective;
  /** parameter constraint: an expression like "slow > fast" or a function */
  readonly constraint?: string | Constraint;
  /** results outside the bounds are disqualified (kept in the heatmap as NaN) */
  readonly bounds?: BoundsSpec | readonly BoundsSpec[];
  /** trials for random/tpe/ga; the max tries of a grid (count, or fraction in (0, 1]) */
  readonly trials?: number;
  readonly seed?: number;
  /** results kept with their stats */
  readonly top?: number;
  /** candidates per batch (fixed per method so results never depend on worker count) */
  readonly batch?: number;
  /** bar window [start, end) every trial runs on */
  readonly window?: { readonly start: number; readonly end: number };
  readonly onProgress?: (p: OptimizeProgress) => void;
  /**
   * Screen (default true): a result that cannot reach the top N may come back without the stats
   * that need the pass over every bar (when the objective and bounds read none of them); the
   * heatmap, best and top are the same either way. false: full stats for every trial.
   */
  readonly screen?: boolean;
  /** checked between batches and results; also cancels the runner */
  readonly signal?: { readonly aborted: boolean; addEventListener?(type: "abort", fn: () => void): void };
}

export interface OptimizeResult {
  readonly method: Method;
  readonly objective: string;
  readonly direction: "maximize" | "minimize";
  readonly trials: number;
  readonly best: Trial | undefined;
  readonly top: readonly Trial[];
  readonly heatmap: Heatmap;
  /** deflated Sharpe ratio of the best trial against all trials */
  readonly overfit?: DeflatedSharpe;
  /** trials whose backtest threw (the strategy's error, not a disqualification) */
  readonly failed: number;
  /** the first of them, in proposal order */
  readonly firstFailure?: { readonly params: Params; readonly error: string };
  readonly cancelled: boolean;
  readonly elapsedMs: number;
}

const BATCH: Record<Method, number> = { grid: 512, random: 512, tpe: 8, ga: 16 };

/** Grows a Float64Array column as trials arrive (amortized doubling). */
class Column {
  data = new Float64Array(256).fill(Number.NaN);
  set(k: number, v: number) {
    if (k >= this.data.length) {
      const next = new Float64Array(Math.max(k + 1, this.data.length * 2)).fill(Number.NaN);
      next.set(this.data);
      this.data = next;
    }
    this.data[k] = v;
  }
}

/** Builds the constraint predicate; an expression may only name searched or fixed parameters. */
export function compileConstraint(space: SearchSpace, c?: string | Constraint): Constraint | undefined {
  if (c === undefined || typeof c === "function") return c;
  const known = [...space.dims.map((d) => d.name), ...Object.keys(space.fixed)];
  const expr = parseExpr(c, { known });
  return (p) => Boolean(expr.evaluate(p));
}

/**
 * Searches the space with the runner and keeps what a user reads: the heatmap (every trial's
 * parameters and objective), the top N with their stats, and the best (ties go to the earlier
 * trial, like backtesting.py's idxmax over its grid). Memory stays bounded: only the heatmap
 * columns and the top N stats are kept.
 *
 *     const res = await optimize(runner, { space, objective: "sqn", constraint: "slow > fast" });
 */
export async function optimize(
  runner: Runner,
  {
    space,
    method = "grid",
    objective: objectiveSpec = "sqn",
    constraint: constraintSpec,
    bounds: boundsSpec,
    trials,
    seed = 0,
    top: topN = 10,
    batch,
    window,
    onProgress,
    signal,
    screen = true,
  }: OptimizeOptions,
): Promise<OptimizeResult> {
  const t0 = Date.now();
  const obj: Objective = typeof objectiveSpec === "object" ? objectiveSpec : makeObjective(objectiveSpec);
  const constraint = compileConstraint(space, constraintSpec);
  const admits = compileBounds(boundsSpec as BoundsSpec);
  const rand = rng(seed);
  if (!space.dims.length && method !== "grid")
    throw new Error(`method ${method} needs at least one searched parameter`);
  let sampler: Sampler;
  let total: number;
  if (method === "grid") {
    sampler = gridSampler(space, { constraint, maxTries: trials, rand });
    const cells = admissibleCount(space, constraint);
    total = trials === undefined ? cells : Math.min(cells, trials <= 1 ? Math.ceil(trials * cells) : trials);
  } else {
    const n = trials ?? 100;
    if (!(n >= 1)) throw new Error(`invalid trials: ${trials}`);
    total = n;
    if (method === "random") sampler = randomSampler(space, { trials: n, rand, constraint });
    else if (method === "tpe") sampler = tpeSampler(space, { trials: n, rand, constraint });
    else if (method === "ga") sampler = gaSampler(space, { trials: n, rand, constraint });
    else throw new Error(`unknown method: ${method} (grid, random, tpe or ga)`);
  }
  const batchSize = batch ?? BATCH[method];

  const names = space.dims.map((d) => d.name);
  const cols = names.map(() => new Column());
  const values = new Column();
  const srs = new Column();
  const recorded = new Column();
  let topList: Trial[] = [];
  let best: Trial | undefined;
  let bestMoments: ReturnMoments | undefined;
  let done = 0;
  let nextId = 0;
  let cancelled = false;
  const better = (a: Trial, b: Trial) => {
    const sa = obj.direction === "maximize" ? a.value : -a.value;
    const sb = obj.direction === "maximize" ? b.value : -b.value;
    return sa > sb || (sa === sb && a.id < b.id);
  };
  signal?.addEventListener?.("abort", () => runner.cancel());
  const seenScores = new Map<string, TaskResult>();
  let failed = 0;
  let firstFailure: OptimizeResult["firstFailure"];
  // the best scores so far, as results arrive: a task sent below them cannot be reported
  const spec = screen ? screenSpec(obj, boundsSpec) : undefined;
  const scores = new TopScores(Math.max(topN, 1));
  // ids of the results that came back screened (partial) or through signals(), among those that led
  const partialIds = new Set<number>();
  const signalIds = new Set<number>();
  const screening: Screening | undefined = spec && { spec, threshold: () => scores.threshold() };
  const scoreOf = (stats: Stats | null) => {
    if (!stats) return Number.NaN;
    const s = obj.score(stats);
    return Number.isNaN(s) || !admits(stats) ? Number.NaN : s;
  };

  for (;;) {
    if (signal?.aborted) {
      cancelled = true;
      break;
    }
    const asked = sampler.ask(batchSize);
    if (!asked.length) break;
    const tasks = asked.map((params) => ({
      id: nextId++,
      params,
      ...(window ? { start: window.start, end: window.end } : {}),
    }));
    const results = new Array<TaskResult | undefined>(tasks.length);
    const first = tasks[0].id;
    // repeats (a sampler re-proposing a tried point) reuse the earlier result
    const toRun = tasks.filter((t) => {
      const hit = seenScores.get(paramKey(t.params));
      if (hit) results[t.id - first] = { ...hit, id: t.id };
      return !hit;
    });
    await runner.run(
      toRun,
      (r) => {
        results[r.id - first] = r;
        if (screening) scores.add(scoreOf(r.stats));
      },
      screening,
    );
    // record in proposal order so the outcome never depends on arrival order
    for (let k = 0; k < tasks.length; k++) {
      const r = results[k];
      if (!r) {
        cancelled = true;
        continue;
      }
      const task = tasks[k];
      if (method !== "grid" && seenScores.size < 1_000_000) seenScores.set(paramKey(task.params), r);
      const stats = r.stats;
      const raw = stats ? obj.value(stats) : Number.NaN;
      const ok = stats !== null && !Number.isNaN(raw) && admits(stats);
      const value = ok ? raw : Number.NaN;
      const trial: Trial = {
        id: task.id,
        params: task.params,
        value,
        stats,
        ...(r.error ? { error: r.error } : {}),
      };
      if (r.error !== undefined) {
        failed++;
        firstFailure ??= { params: task.params, error: r.error };
      }
      for (let d = 0; d < names.length; d++) cols[d].set(task.id, task.params[names[d]]);
      values.set(task.id, value);
      srs.set(task.id, r.moments?.sr ?? Number.NaN);
      recorded.set(task.id, 1);
      sampler.tell(task.params, ok ? (obj.direction === "maximize" ? raw : -raw) : Number.NaN);
      done++;
      if (ok) {
        // a screened-out trial may lead for a while (trials are recorded in proposal order, not in
        // the order their thresholds were set) but never at the end: checked below
        const leads =
          !best ||
          better(trial, best) ||
          (topN > 0 && (topList.length < topN || better(trial, topList[topList.length - 1])));
        if (leads && r.partial) partialIds.add(trial.id);
        if (leads && r.signals) signalIds.add(trial.id);
        if (!best || better(trial, best)) {
          best = trial;
          bestMoments = r.moments;
        }
        if (topN > 0 && (topList.length < topN || better(trial, topList[topList.length - 1]))) {
          topList.push(trial);
          topList.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
          if (topList.length > topN) topList = topList.slice(0, topN);
        }
      }
    }
    if (cancelled) break;
    const elapsedMs = Date.now() - t0;
    onProgress?.({
      done,
      total: Math.max(total, done),
      best,
      elapsedMs,
      etaMs: done ? (elapsedMs / done) * Math.max(0, total - done) : Number.NaN,
    });
  }

  if (!cancelled && best) {
    const done = await complete(runner, best, topList, { partialIds, signalIds, window });
    if (done) {
      best = done.best;
      topList = done.top;
      bestMoments = done.bestMoments ?? bestMoments;
    } else cancelled = true;
  }

  // a cancelled batch leaves holes: keep only the trials that reported
  const keep: number[] = [];
  for (let k = 0; k < nextId; k++) if (recorded.data[k] === 1) keep.push(k);
  const pick = (c: Column) => Float64Array.from(keep, (k) => c.data[k]);
  const columns: Record<string, Float64Array> = {};
  names.forEach((n, d) => {
    columns[n] = pick(cols[d]);
  });
  const heatmap: Heatmap = Object.freeze({ length: keep.length, names, columns, value: pick(values) });
  const length = nextId;
  const overfit =
    best && bestMoments
      ? deflatedSharpe({
          sr: bestMoments.sr,
          srs: srs.data.subarray(0, length),
          n: bestMoments.n,
          skew: bestMoments.skew,
          kurt: bestMoments.kurt,
        })
      : undefined;
  return Object.freeze({
    method,
    objective: obj.name,
    direction: obj.direction,
    trials: done,
    best,
    top: Object.freeze(topList),
    heatmap,
    ...(overfit ? { overfit } : {}),
    failed,
    ...(firstFailure ? { firstFailure } : {}),
    cancelled,
    elapsedMs: Date.now() - t0,
  });
}

/**
 * The reported trials (best and top N) with full stats: the ones that came back screened run again
 * unscreened, and the best, when its numbers came from the strategy's signals(), runs again through
 * next() (which gives its stats): signals() is the strategy author's claim that it does what next()
 * does, and a search reports nothing that next() would not. Undefined when cancelled meanwhile.
 */
async function complete(
  runner: Runner,
  best: Trial,
  top: Trial[],
  {
    partialIds,
    signalIds,
    window,
  }: {
    partialIds: ReadonlySet<number>;
    signalIds: ReadonlySet<number>;
    window?: { readonly start: number; readonly end: number };
  },
): Promise<{ best: Trial; top: Trial[]; bestMoments?: ReturnMoments } | undefined> {
  const checkBest = signalIds.has(best.id);
  const again = new Map<number, Trial>();
  for (const t of [best, ...top]) if (partialIds.has(t.id) || (t === best && checkBest)) again.set(t.id, t);
  if (!again.size) return { best, top };
  // their Sharpe ratios came with their first results (a screened run sums the same returns); the
  // best's skew and kurtosis, which the deflated Sharpe ratio takes, come from its full run
  const tasks = [...again.values()].map((t) => ({
    id: t.id,
    params: t.params,
    ...(t === best ? {} : { moments: false }),
    ...(window ? { start: window.start, end: window.end } : {}),
    ...(t === best && checkBest ? { next: true } : {}),
  }));
  const results = new Map<number, TaskResult>();
  await runner.run(tasks, (r) => results.set(r.id, r));
  if (results.size < tasks.length) return undefined;
  const full = new Map<number, Trial>();
  for (const [id, t] of again) {
    const r = results.get(id) as TaskResult;
    if (!r.stats) throw new Error(`trial ${JSON.stringify(t.params)} failed when run again: ${r.error}`);
    const through = t === best && checkBest ? "next()" : "signals()";
    const differs = differingStat(t.stats, r.stats);
    if (differs) {
      const [key, a, b] = differs;
      // 10 significant digits read better than 4536.729999999998, unless they hide the difference
      const short = (x: unknown) => (typeof x === "number" ? Number(x.toPrecision(10)) : x);
      const [was, now] = short(a) !== short(b) ? [short(a), short(b)] : [a, b];
      throw new Error(
        through === "next()"
          ? `signals() and next() disagree at ${JSON.stringify(t.params)}: ${key} ${was} with signals(), ${now} with next(); fix signals() or run without them (--no-signals)`
          : `internal: trial ${t.id} changed when run again (${key} ${was}, then ${now})`,
      );
    }
    full.set(id, { ...t, stats: r.stats });
  }
  return {
    best: full.get(best.id) ?? best,
    top: top.map((t) => full.get(t.id) ?? t),
    bestMoments: results.get(best.id)?.moments,
  };
}

/** The first stat that two results of one trial give differently ([key, a, b]); a's NaN stats are skipped (screened). */
function differingStat(a: Stats | null, b: Stats): [string, unknown, unknown] | undefined {
  if (!a) return undefined;
  for (const [key, x] of Object.entries(a)) {
    const y = (b as unknown as Record<string, unknown>)[key];
    if (typeof x === "number" && Number.isNaN(x)) continue;
    if (!Object.is(x, y) && JSON.stringify(x) !== JSON.stringify(y)) return [key, x, y];
  }
  return undefined;
}

/** The heatmap as JSON rows `{params, value}` (value null when disqualified). */
export function heatmapRows(h: Heatmap): { params: Record<string, number>; value: number | null }[] {
  const rows = [];
  for (let k = 0; k < h.length; k++) {
    const params: Record<string, number> = {};
    for (const n of h.names) params[n] = h.columns[n][k];
    const v = h.value[k];
    rows.push({ params, value: Number.isNaN(v) ? null : v });
  }
  return rows;
}
