import { allocatingShared } from "../indicators/validate.ts";

/**
 * Shares indicator work across the runs of one optimization: in a grid over SmaCross,
 * sma(close, 10) is computed once, not once per cell. A memo is made active around a run with
 * `withIndicatorMemo`; indicators that opt in (`recall`) look their result up by (indicator
 * name, input column identity, arguments). Strategies need no change, and with no memo active
 * `recall` is a plain call.
 *
 * Results are shared between runs, so a strategy must not write into an indicator's array (none
 * of the bundled ones do).
 */
export class IndicatorMemo {
  /**
   * The other threads of a worker pool (src/parallel/worker.ts): with `shared`, results are made
   * in shared memory so that they can be handed to them.
   */
  peers: MemoPeers | null = null;
  shared = false;
  readonly #byInput = new Map<object, Map<string, Float64Array>>();
  /** insertion order, for evicting the oldest when over budget */
  readonly #order: { input: object; key: string; bytes: number }[] = [];
  #bytes = 0;
  hits = 0;
  misses = 0;

  /** `maxBytes` bounds the memory held (256 MB by default: 32 columns of 1M bars). */
  constructor(readonly maxBytes = 256 * 2 ** 20) {}

  get(input: object, key: string): Float64Array | undefined {
    return this.#byInput.get(input)?.get(key);
  }

  set(input: object, key: string, value: Float64Array): void {
    let inner = this.#byInput.get(input);
    if (!inner) {
      inner = new Map();
      this.#byInput.set(input, inner);
    }
    inner.set(key, value);
    this.#order.push({ input, key, bytes: value.byteLength });
    this.#bytes += value.byteLength;
    while (this.#bytes > this.maxBytes && this.#order.length > 1) {
      const old = this.#order.shift() as { input: object; key: string; bytes: number };
      this.#byInput.get(old.input)?.delete(old.key);
      this.#bytes -= old.bytes;
    }
  }

  /** Takes a result another thread computed, unless this one has it already. */
  adopt(input: object, key: string, value: Float64Array): void {
    if (!this.get(input, key)) this.set(input, key, value);
  }

  get bytes(): number {
    return this.#bytes;
  }

  clear(): void {
    this.#byInput.clear();
    this.#order.length = 0;
    this.#bytes = 0;
  }
}

/** How a memo shares its results with the other threads of a pool. */
export interface MemoPeers {
  /**
   * Before computing `key` on `input` here: another thread's result (waited for while that thread
   * computes it), or undefined to compute it here.
   */
  before(input: object, key: string): Float64Array | undefined;
  /** After computing it here: the result, or null when the computation threw. */
  after(input: object, key: string, value: Float64Array | null): void;
}

let active: IndicatorMemo | null = null;

/** Runs `fn` with `memo` active (synchronously; the previous memo is restored after). */
export function withIndicatorMemo<T>(memo: IndicatorMemo | null | undefined, fn: () => T): T {
  const previous = active;
  active = memo ?? null;
  try {
    return fn();
  } finally {
    active = previous;
  }
}

/**
 * Returns the memoized result of `compute` for (name, input, args) when a memo is active.
 *
 *     export const sma = (x, n) => recall("sma", x, [n], () => rollingMean(x, n));
 */
export function recall(
  name: string,
  input: ArrayLike<number>,
  args: readonly unknown[],
  compute: () => Float64Array,
): Float64Array {
  const memo = active;
  if (memo === null || typeof input !== "object") return compute();
  const key = `${name}(${args.map((a) => (typeof a === "object" ? JSON.stringify(a) : String(a))).join(",")})`;
  const hit = memo.get(input, key);
  if (hit) {
    memo.hits++;
    return hit;
  }
  const theirs = memo.peers?.before(input, key);
  if (theirs) {
    memo.hits++;
    memo.adopt(input, key, theirs);
    return theirs;
  }
  memo.misses++;
  let value: Float64Array;
  try {
    value = memo.shared ? allocatingShared(compute) : compute();
  } catch (e) {
    memo.peers?.after(input, key, null);
    throw e;
  }
  memo.set(input, key, value);
  memo.peers?.after(input, key, value);
  return value;
}
