/** A bar window [start, end) by index. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Fold {
  readonly train: Span;
  readonly test: Span;
}

const UNITS: Record<string, number> = {
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  mo: 30.436875 * 86_400_000,
  M: 30.436875 * 86_400_000,
  y: 365.2425 * 86_400_000,
};

/** A window length: "12w", "30d", "6mo" (or "6M"), "1y", "4h", "90min" as time; a plain number as bars. */
export type Length = { readonly ms: number } | { readonly bars: number };

export function parseLength(text: string): Length {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|min|h|d|w|mo|M|y)?\s*$/.exec(text);
  if (!m) throw new Error(`invalid window length: ${text} (like 500, 30d, 12w, 6mo, 1y)`);
  const x = Number(m[1]);
  if (!(x > 0)) throw new Error(`invalid window length: ${text}`);
  return m[2] ? { ms: x * UNITS[m[2]] } : { bars: Math.round(x) };
}

/** First index with time[k] >= t. */
/** First index whose time is >= t (time sorted ascending). */
export function lowerBound(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (time[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const advance = (time: Float64Array, from: number, len: Length): number =>
  "bars" in len ? Math.min(time.length, from + len.bars) : lowerBound(time, time[from] + len.ms);

/**
 * Walk-forward folds over a time column: train on [t, t + train), test on the following `test`,
 * then move forward by the test length. Rolling windows keep the train length; anchored ones keep
 * the first bar as train start. Test windows never overlap and, together, run from the end of the
 * first train window to the last bar (the last one may be shorter).
 *
 *     walkForwardFolds(bars.time, { train: parseLength("52w"), test: parseLength("13w") })
 */
export function walkForwardFolds(
  time: Float64Array,
  {
    train,
    test,
    anchored = false,
    minTestBars = 2,
  }: { train: Length; test: Length; anchored?: boolean; minTestBars?: number },
): Fold[] {
  const n = time.length;
  const folds: Fold[] = [];
  let trainStart = 0;
  let testStart = advance(time, 0, train);
  while (testStart < n) {
    const testEnd = advance(time, testStart, test);
    if (testEnd - testStart < minTestBars) break;
    folds.push({
      train: { start: anchored ? 0 : trainStart, end: testStart },
      test: { start: testStart, end: testEnd },
    });
    if (!anchored && testEnd < n) {
      // the next train window keeps its length and ends where the next test starts
      trainStart =
        "bars" in train ? Math.max(0, testEnd - train.bars) : lowerBound(time, time[testEnd] - train.ms);
    }
    testStart = testEnd;
  }
  if (!folds.length) throw new Error(`no walk-forward fold fits in ${n} bars`);
  return folds;
}

/**
 * Train / validation / test split by date, as STOM splits its data in weeks: the test window is the
 * last `test`, validation the `validation` before it, train everything before (or the `train` before).
 */
export function splitByDate(
  time: Float64Array,
  { train, validation, test }: { train?: Length; validation: Length; test: Length },
): { train: Span; validation: Span; test: Span } {
  const n = time.length;
  const back = (end: number, len: Length): number =>
    "bars" in len ? Math.max(0, end - len.bars) : lowerBound(time, time[end - 1] - len.ms + 1);
  const testStart = back(n, test);
  const validStart = back(testStart, validation);
  const trainStart = train ? back(validStart, train) : 0;
  if (!(trainStart < validStart && validStart < testStart && testStart < n))
    throw new Error(
      `split does not fit in ${n} bars (train ${trainStart}..${validStart}, validation ..${testStart}, test ..${n})`,
    );
  return {
    train: { start: trainStart, end: validStart },
    validation: { start: validStart, end: testStart },
    test: { start: testStart, end: n },
  };
}
