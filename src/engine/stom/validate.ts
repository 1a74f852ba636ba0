// STOM's training / validation / test split in weeks and the part results its optimizer scores
// (Py-CI-Park/STOM@63aa7ef backtester/optimiz.py 435-486 and GetListDays 577-619,
// back_subtotal.py Result 176-211, optimiz.py 264-274 for the test part).

import type { StomInput } from "./backtest.ts";
import {
  STOM_NO_TRADES,
  type StomBounds,
  type StomObjective,
  stomObjective,
  stomValidObjective,
} from "./objectives.ts";
import type { StomResultBlock, StomTradeLike } from "./result.ts";
import { stomResult } from "./result.ts";

/** What the user asks: weeks of each part ("ALL": the training weeks are what the others leave). */
export interface StomSplitSpec {
  readonly train: number | "ALL";
  /** 검증기간 in weeks; 0 = no validation (STOM's backname without 'V') */
  readonly valid: number;
  /** 확인기간 in weeks; 0 = no test part ('T') */
  readonly test: number;
  /** 교차검증 ('VC'): validation folds tiling the training weeks, newest first */
  readonly cross?: boolean;
}

/** [first day, last day, trading days] (yyyymmdd). */
export type DaySpan = readonly [number, number, number];

export interface StomSplit {
  /** the days the runs cover (the training, validation and test weeks) */
  readonly start: number;
  readonly end: number;
  readonly train: DaySpan;
  readonly valid: readonly DaySpan[] | null;
  readonly test: DaySpan | null;
  /** the first day after the test part (STOM's tsday; the day after the data when there is no test) */
  readonly testStart: number;
}

const toDate = (day: number): number =>
  Date.UTC(Math.floor(day / 1e4), (Math.floor(day / 100) % 100) - 1, day % 100);
const toDay = (ms: number): number => {
  const d = new Date(ms);
  return d.getUTCFullYear() * 1e4 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
};
const DAY = 86_400_000;

function span(days: readonly number[], from: number, to: number, what: string): DaySpan {
  const inside = days.filter((d) => d >= from && d <= to);
  if (inside.length === 0) throw new Error(`no trading days in the ${what} part ${from}..${to}`);
  return [inside[0], inside[inside.length - 1], inside.length];
}

/**
 * The parts of STOM's optimizer over the data's trading days (yyyymmdd, ascending): the runs cover
 * the last train + valid + test weeks of the data (starting 3 days into the first week, as STOM's
 * `timedelta_day(-(weeks) * 7 + 3)`), the test part is the last `test` weeks, the validation folds
 * the `valid` weeks before it (all of the training weeks in folds with `cross`).
 *
 *     stomSplit(days, { train: "ALL", valid: 1, test: 1 })
 */
export function stomSplit(days: readonly number[], spec: StomSplitSpec): StomSplit {
  if (days.length === 0) throw new Error("no trading days in the data");
  const valid = spec.valid;
  const test = spec.test;
  for (const [name, v] of [
    ["validation", valid],
    ["test", test],
  ] as const)
    if (!(Number.isInteger(v) && v >= 0)) throw new Error(`invalid ${name} weeks: ${v}`);
  const sday = days[0];
  const eday = days[days.length - 1];
  const endMs = toDate(eday);
  let train: number;
  if (spec.train === "ALL") {
    // optimiz.py 437-444
    const all = Math.trunc(((endMs - toDate(sday)) / DAY + 1) / 7);
    train = all - valid - test;
  } else train = spec.train;
  if (!(Number.isInteger(train) && train >= 1))
    throw new Error(`invalid training weeks: ${train} (the data holds ${days.length} days)`);
  if (spec.cross && valid === 0) throw new Error("cross validation needs validation weeks");
  const startDay = toDay(endMs - ((train + valid + test) * 7 - 3) * DAY);
  if (sday > startDay)
    throw new Error(
      `the data is too short: ${train + valid + test} weeks need days from ${startDay}, the data starts ${sday}`,
    );
  const list = days.filter((d) => d >= startDay && d <= eday);
  const start = list[0];
  // GetListDays (optimiz.py 577-619)
  const trainSpan = span(list, start, toDay(endMs - test * 7 * DAY), "training");
  let validSpans: DaySpan[] | null = null;
  if (valid > 0) {
    const folds = spec.cross ? Math.trunc(train / valid) + 1 : 1;
    validSpans = [];
    for (let i = 0; i < folds; i++) {
      const from = toDay(endMs - ((valid * (i + 1) + test) * 7 - 1) * DAY);
      const to = toDay(endMs - (valid * i + test) * 7 * DAY);
      validSpans.push(span(list, from, to, `validation ${i + 1}`));
    }
  }
  const testSpan = test > 0 ? span(list, toDay(endMs - (test * 7 - 1) * DAY), eday, "test") : null;
  return {
    start,
    end: eday,
    train: trainSpan,
    valid: validSpans,
    test: testSpan,
    testStart: testSpan ? testSpan[0] : toDay(endMs + DAY),
  };
}

/** The result blocks of one run's parts. */
export interface StomParts {
  /** per validation fold: the training part (everything but the fold and the test) and the fold */
  readonly train: readonly StomResultBlock[];
  readonly valid: readonly StomResultBlock[];
  /** without validation: the whole run over the training days (STOM's 'ALL') */
  readonly all: StomResultBlock | null;
  readonly test: StomResultBlock | null;
}

/**
 * back_subtotal.Result: each part keeps the trades selling inside it, with 수익금합계 still running over
 * the whole run, and the held rows inside it. STOM compares minute stamps (yyyymmddhhmm) with
 * second-form bounds (yyyymmdd000000), which empties or fills its minute parts, and its 'ALL' part
 * counts the test weeks too; bounds here take the stamps' own form and the test weeks stay out.
 */
export function stomParts(
  trades: readonly StomTradeLike[],
  split: StomSplit,
  options: { betting: number; market: "stock" | "coin"; grid?: ArrayLike<number> },
): StomParts {
  const long = trades.length === 0 || trades[0].sell >= 1e13;
  const from = (day: number) => (long ? day * 1e6 : day * 1e4);
  const to = (day: number) => (long ? day * 1e6 + 240000 : day * 1e4 + 2400);
  const block = (days: number, within: (t: number) => boolean) =>
    stomResult(trades, { ...options, days: Math.max(1, days), within });
  const train: StomResultBlock[] = [];
  const valid: StomResultBlock[] = [];
  const ts = from(split.testStart);
  for (const [vs, ve, n] of split.valid ?? []) {
    train.push(block(split.train[2] - n, (t) => t < from(vs) || (to(ve) < t && t < ts)));
    valid.push(block(n, (t) => from(vs) <= t && t <= to(ve)));
  }
  // STOM's 'ALL' also counts the test weeks' trades (back_subtotal.py:172); they stay out here
  const all = split.valid ? null : block(split.train[2], (t) => t < ts);
  const test = split.test
    ? block(split.test[2], (t) => from(split.testStart) <= t && t <= to(split.end))
    : null;
  return { train, valid, all, test };
}

/**
 * The score STOM's optimizer gives one run (SendTextAndStd, back_static.py 365-420): with validation
 * GetOptiValidStd over the folds' training (bounds applied) and validation values, otherwise the
 * whole run's 기준값; a run without any trade scores STOM_NO_TRADES.
 */
export function stomPartsScore(
  parts: StomParts,
  name: StomObjective,
  options: { betting: number; bounds?: StomBounds; weighted?: boolean },
): number {
  const { betting, bounds, weighted = true } = options;
  if (parts.all) return stomObjective(parts.all.tc > 0 ? parts.all : null, name, { betting, bounds });
  const traded = parts.train.some((b) => b.tc > 0) || parts.valid.some((b) => b.tc > 0);
  if (!traded) return STOM_NO_TRADES;
  const train = parts.train.map((b) => stomObjective(b, name, { betting, bounds, period: "train" }));
  const valid = parts.valid.map((b) => stomObjective(b, name, { betting, bounds, period: "valid" }));
  return stomValidObjective(train, valid, name, { betting, exponential: weighted });
}

/** The rows of each input whose day lies in [start, end] (yyyymmdd), views where they are contiguous. */
export function daysBetween(
  inputs: readonly StomInput[],
  start: number,
  end: number,
  tick: boolean,
): StomInput[] {
  const div = tick ? 1e6 : 1e4;
  return inputs.map((input) => {
    const index = input.columns.index as ArrayLike<number> | undefined;
    if (!index) throw new Error(`missing column: index (symbol ${input.symbol})`);
    let a = 0;
    while (a < index.length && Math.floor(index[a] / div) < start) a++;
    let b = a;
    while (b < index.length && Math.floor(index[b] / div) <= end) b++;
    const columns: Record<string, ArrayLike<unknown>> = {};
    for (const [name, col] of Object.entries(input.columns))
      columns[name] = ArrayBuffer.isView(col)
        ? (col as Float64Array).subarray(a, b)
        : Array.prototype.slice.call(col, a, b);
    return { ...input, length: b - a, columns };
  });
}

/** STOM's 전진분석 settings: weeks of training (with validation inside) and of each out-of-sample step. */
export interface StomWalkSpec {
  readonly train: number;
  readonly valid: number;
  readonly test: number;
  readonly cross?: boolean;
}

/** One step of the walk: the training split searched on, and the following out-of-sample days. */
export interface StomWalkWindow {
  readonly train: StomSplit;
  readonly test: DaySpan;
}

/**
 * STOM's rolling walk-forward windows (rolling_walk_forward_test.py GetListDays 578-624), oldest first:
 * window k trains on the train (+ validation) weeks that end `test × (k + 1)` weeks before the data's
 * end and tests on the `test` weeks after them; windows are added while their training start stays in
 * the data. Day bounds start 3 days into a week, as STOM's `timedelta_day(... + 3)`.
 */
export function stomWalkWindows(days: readonly number[], spec: StomWalkSpec): StomWalkWindow[] {
  const { train, valid, test } = spec;
  for (const [name, v, lo] of [
    ["training", train, 1],
    ["validation", valid, 0],
    ["test", test, 1],
  ] as const)
    if (!(Number.isInteger(v) && v >= lo)) throw new Error(`invalid ${name} weeks: ${v}`);
  if (spec.cross && valid === 0) throw new Error("cross validation needs validation weeks");
  if (days.length === 0) throw new Error("no trading days in the data");
  const first = days[0];
  const endMs = toDate(days[days.length - 1]);
  const at = (weeksBack: number, plus: number) => toDay(endMs + (-weeksBack * 7 + plus) * DAY);
  // rolling_walk_forward_test.py 449-457: at least one more week than one window
  const need = at(train + valid + test + 1, 3);
  if (first > need)
    throw new Error(
      `the data is too short: ${train + valid + test + 1} weeks need days from ${need}, the data starts ${first}`,
    );
  const windows: StomWalkWindow[] = [];
  for (let k = 0; at(train + valid + test * (k + 1), 3) >= first; k++) {
    const trainFrom = at(train + valid + test * (k + 1), 3);
    const trainTo = at(test * (k + 1), 0);
    let folds: [number, number][] | null = null;
    if (valid > 0) {
      const n = spec.cross ? Math.trunc(train / valid) + 1 : 1;
      folds = [];
      for (let i = 0; i < n; i++)
        folds.push([at(valid * (i + 1) + test * (k + 1), 3), at(valid * i + test * (k + 1), 0)]);
    }
    const testFrom = at(test * (k + 1), 3);
    const testTo = at(test * k, 0);
    const testSpan = span(days, testFrom, testTo, `out-of-sample ${k + 1}`);
    const trainSpan = span(days, trainFrom, trainTo, `training ${k + 1}`);
    windows.push({
      train: {
        start: trainSpan[0],
        end: trainSpan[1],
        train: trainSpan,
        valid: folds ? folds.map(([a, b], i) => span(days, a, b, `validation ${k + 1}.${i + 1}`)) : null,
        test: null,
        testStart: testSpan[0],
      },
      test: testSpan,
    });
  }
  return windows.reverse();
}
