/** The bar the strategy is deciding at; shared by every Series of one run and moved by the engine. */
export interface Clock {
  i: number;
}

/**
 * A column revealed up to the current bar only: `at(0)` is the current value, `at(k)` the value
 * k bars ago, NaN before the start or for k < 0. The backing array is private, so `next()` cannot
 * read ahead through it. One Series per column per run: nothing is allocated per bar.
 */
export class Series {
  readonly #values: Float64Array;
  readonly #clock: Clock;
  readonly name: string;

  constructor(values: Float64Array, clock: Clock, name = "") {
    this.#values = values;
    this.#clock = clock;
    this.name = name;
  }

  /** Value k bars ago (default 0 = current bar). */
  at(k = 0): number {
    const j = this.#clock.i - k;
    return k >= 0 && j >= 0 ? this.#values[j] : Number.NaN;
  }

  /** Current value, same as at(0) (written out: strategies read it on every bar). */
  get value(): number {
    const i = this.#clock.i;
    return i >= 0 ? this.#values[i] : Number.NaN;
  }

  /** Number of revealed values (current bar index + 1). */
  get length(): number {
    return this.#clock.i + 1;
  }

  /** The revealed values as a zero-copy view; allocates a view object, so avoid it in hot loops. */
  revealed(): Float64Array {
    return this.#values.subarray(0, this.#clock.i + 1);
  }

  /**
   * crossedAbove for two Series, reading the arrays directly: it runs on every bar of most
   * strategies, and four at() calls through a polymorphic helper cost more than the whole broker.
   * Same result as `a.at(1) < b.at(1) && a.at(0) > b.at(0)`: before bar 1, at(1) is NaN and
   * every comparison with NaN is false.
   */
  static crossedAbove(a: Series, b: Series): boolean {
    const i = a.#clock.i;
    const j = b.#clock.i;
    if (i < 1 || j < 1) return false;
    const av = a.#values;
    const bv = b.#values;
    return av[i - 1] < bv[j - 1] && av[i] > bv[j];
  }
}

type SeriesOrNumber = Series | number;
const at = (s: SeriesOrNumber, k: number): number => (typeof s === "number" ? s : s.at(k));

/** True when `a` crossed above `b` on this bar: a[-2] < b[-2] and a[-1] > b[-1] (backtesting.py's rule). */
export function crossedAbove(a: SeriesOrNumber, b: SeriesOrNumber): boolean {
  if (a instanceof Series && b instanceof Series) return Series.crossedAbove(a, b);
  return at(a, 1) < at(b, 1) && at(a, 0) > at(b, 0);
}

/** True when `a` crossed below `b` on this bar. */
export function crossedBelow(a: SeriesOrNumber, b: SeriesOrNumber): boolean {
  return crossedAbove(b, a);
}
