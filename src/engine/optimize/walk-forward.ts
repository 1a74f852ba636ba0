import type { Stats } from "../stats.ts";
import { objective as makeObjective, type Objective } from "./objective.ts";
import { type OptimizeOptions, type OptimizeResult, optimize } from "./optimize.ts";
import type { DeflatedSharpe } from "./overfit.ts";
import type { Runner, TaskResult } from "./runner.ts";
import type { Params } from "./sampler.ts";
import type { Fold, Span } from "./windows.ts";

export interface FoldResult {
  readonly train: Span;
  readonly test: Span;
  /** best in-sample parameters; undefined when no trial qualified */
  readonly params?: Params;
  readonly inSample: number;
  readonly outOfSample: number;
  readonly inSampleStats: Stats | null;
  readonly outOfSampleStats: Stats | null;
  readonly trials: number;
  readonly overfit?: DeflatedSharpe;
}

export interface WalkForwardResult {
  readonly folds: readonly FoldResult[];
  /** out-of-sample equity over bars [start, end), each fold's curve chained onto the previous one's end */
  readonly equity: Float64Array;
  readonly start: number;
  readonly end: number;
  /** mean out-of-sample objective / mean in-sample objective (walk-forward efficiency) */
  readonly efficiency: number;
  readonly cancelled: boolean;
}

/**
 * Walk-forward analysis: for each fold, optimize on the train window, run the best parameters on
 * the test window, and chain the test equity curves into one out-of-sample curve (each fold starts
 * from the cash the backtest starts with; its curve is scaled to continue from the previous fold's
 * end). Test windows start without indicator history, so their first bars are warm-up, as in a
 * real deployment that restarts on new parameters.
 */
export async function walkForward(
  runner: Runner,
  {
    folds,
    cash = 10_000,
    ...options
  }: Omit<OptimizeOptions, "window"> & { folds: readonly Fold[]; cash?: number },
  { onFold }: { onFold?: (k: number, fold: FoldResult, opt: OptimizeResult) => void } = {},
): Promise<WalkForwardResult> {
  const obj: Objective =
    typeof options.objective === "object" ? options.objective : makeObjective(options.objective ?? "sqn");
  const out: FoldResult[] = [];
  const start = folds[0].test.start;
  const end = folds[folds.length - 1].test.end;
  const equity = new Float64Array(end - start).fill(Number.NaN);
  let level = 1;
  let cancelled = false;
  for (let k = 0; k < folds.length; k++) {
    const fold = folds[k];
    const res = await optimize(runner, { ...options, objective: obj, window: fold.train });
    if (res.cancelled) cancelled = true;
    let oos: TaskResult | undefined;
    if (res.best && !cancelled) {
      await runner.run(
        [{ id: 0, params: res.best.params, start: fold.test.start, end: fold.test.end, equity: true }],
        (r) => {
          oos = r;
        },
      );
    }
    const fr: FoldResult = {
      train: fold.train,
      test: fold.test,
      ...(res.best ? { params: res.best.params } : {}),
      inSample: res.best?.value ?? Number.NaN,
      outOfSample: oos?.stats ? obj.value(oos.stats) : Number.NaN,
      inSampleStats: res.best?.stats ?? null,
      outOfSampleStats: oos?.stats ?? null,
      trials: res.trials,
      ...(res.overfit ? { overfit: res.overfit } : {}),
    };
    const e = oos?.equity;
    const offset = fold.test.start - start;
    for (let i = 0; i < fold.test.end - fold.test.start; i++) {
      // no parameters qualified: flat (out of the market) for this fold
      equity[offset + i] = cash * level * (e ? e[i] / cash : 1);
    }
    if (e) level *= e[e.length - 1] / cash;
    out.push(fr);
    onFold?.(k, fr, res);
    if (cancelled) break;
  }
  let isSum = 0;
  let oosSum = 0;
  let n = 0;
  for (const f of out) {
    if (Number.isFinite(f.inSample) && Number.isFinite(f.outOfSample)) {
      isSum += f.inSample;
      oosSum += f.outOfSample;
      n++;
    }
  }
  return Object.freeze({
    folds: Object.freeze(out),
    equity,
    start,
    end,
    efficiency: n && isSum !== 0 ? oosSum / isSum : Number.NaN,
    cancelled,
  });
}
