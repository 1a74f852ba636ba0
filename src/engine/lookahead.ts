import { type BacktestOptions, backtest, type Decision } from "./backtest.ts";
import { type Bars, type FrameLike, sliceBars, toBars } from "./bars.ts";
import type { ParamSpecs } from "./params.ts";
import type { StrategyDef } from "./strategy.ts";

export interface LookaheadMismatch {
  /** number of bars the truncated run saw */
  readonly cut: number;
  /** bar of the first differing decision */
  readonly bar: number;
  readonly full: Decision | null;
  readonly truncated: Decision | null;
}

export interface LookaheadReport {
  readonly ok: boolean;
  readonly cuts: readonly number[];
  /** decisions compared over all cuts */
  readonly compared: number;
  /** first mismatch per cut that has one */
  readonly mismatches: readonly LookaheadMismatch[];
}

const same = (a: number | null, b: number | null) =>
  a === b || (a !== null && b !== null && Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b)));

const equal = (a: Decision, b: Decision) =>
  a.bar === b.bar &&
  a.kind === b.kind &&
  same(a.size, b.size) &&
  same(a.limit, b.limit) &&
  same(a.stop, b.stop) &&
  same(a.sl, b.sl) &&
  same(a.tp, b.tp);

/**
 * Detects look-ahead: runs the strategy on the full bars and on `cuts` truncated prefixes; a
 * strategy that only uses the past places exactly the same orders on every bar a prefix contains.
 * Any difference means a decision used data from after its bar (typically through init()).
 */
export function checkLookahead<P extends ParamSpecs, S>(
  strategy: StrategyDef<P, S>,
  data: Bars | FrameLike,
  { cuts = 10, ...options }: BacktestOptions & { cuts?: number } = {},
): LookaheadReport {
  const bars = toBars(data);
  const n = bars.length;
  const run = { ...options, finalizeTrades: false };
  const full = backtest(strategy, bars, run).decisions;
  const points = new Set<number>();
  for (let k = 1; k <= cuts; k++) {
    const c = Math.floor((n * k) / (cuts + 1));
    if (c >= 2 && c < n) points.add(c);
  }
  const mismatches: LookaheadMismatch[] = [];
  let compared = 0;
  for (const cut of points) {
    const part = backtest(strategy, sliceBars(bars, cut), run).decisions;
    const fullPart = full.filter((d) => d.bar < cut);
    const len = Math.max(part.length, fullPart.length);
    for (let k = 0; k < len; k++) {
      const a = fullPart[k] ?? null;
      const b = part[k] ?? null;
      compared++;
      if (!a || !b || !equal(a, b)) {
        mismatches.push({ cut, bar: Math.min(a?.bar ?? n, b?.bar ?? n), full: a, truncated: b });
        break;
      }
    }
  }
  return { ok: mismatches.length === 0, cuts: [...points], compared, mismatches };
}
