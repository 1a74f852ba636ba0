import { FreeColumns } from "../indicators/free-columns.ts";
import { allocating } from "../indicators/validate.ts";

/** One memoized result, and which runs used it. */
interface Entry {
  readonly input: object;
  readonly key: string;
  readonly value: Float64Array;
  /** the task that used it last (least recently used goes first when over budget) */
  last: number;
  /** tasks that used it */
  uses: number;
  /** the parameter values every task that used it had (null until its first task ended) */
  common: Map<string, number> | null;
}

/**
 * Shares indicator work across the runs of one optimization: in a grid over SmaCross,
 * sma(close, 10) is computed once, not once per cell. A memo is made active around a run with
 * `withIndicatorMemo`; indicators that opt in (`recall`) look their result up by (indicator
 * name, input column identity, arguments). Strategies need no change, and with no memo active
 * `recall` is a plain call.
 *
 * Results are shared between runs, so a strategy must not write into an indicator's array (none
 * of the bundled ones do), nor keep one past its run: between tasks (`beginTask`/`endTask`) the
 * memo drops the results no task left will read (`retire`) or that are over its budget, and
 * computes later ones into their memory (`free`).
 */
export class IndicatorMemo {
  /**
   * The other threads of a worker pool (src/parallel/worker.ts): with `shared`, results are made
   * in shared memory so that they can be handed to them.
   */
  peers: MemoPeers | null = null;
  shared = false;
  /** dropped results' columns, which later results and a search's run buffers are written into */
  readonly free = new FreeColumns();
  readonly #byInput = new Map<object, Map<string, Entry>>();
  #bytes = 0;
  /** the running task's number and parameters (params null between tasks) */
  #task = 0;
  #params: Readonly<Record<string, number>> | null = null;
  readonly #touched = new Set<Entry>();
  hits = 0;
  misses = 0;

  /** `maxBytes` bounds the memory held (256 MB by default: 32 columns of 1M bars). */
  constructor(readonly maxBytes = 256 * 2 ** 20) {}

  get(input: object, key: string): Float64Array | undefined {
    const e = this.#byInput.get(input)?.get(key);
    if (e) this.#touch(e);
    return e?.value;
  }

  set(input: object, key: string, value: Float64Array): void {
    let inner = this.#byInput.get(input);
    if (!inner) {
      inner = new Map();
      this.#byInput.set(input, inner);
    }
    const old = inner.get(key);
    if (old) this.#drop(old, false);
    const e: Entry = { input, key, value, last: this.#task, uses: 0, common: null };
    inner.set(key, e);
    this.#bytes += value.byteLength;
    this.#touch(e);
    this.#trim(e);
  }

  /** Takes a result another thread computed, unless this one has it already. */
  adopt(input: object, key: string, value: Float64Array): void {
    if (!this.get(input, key)) this.set(input, key, value);
  }

  /** A task with these parameters starts: what it reads is counted as used by it. */
  beginTask(params: Readonly<Record<string, number>>): void {
    this.peers?.tick?.();
    this.#task++;
    this.#params = params;
  }

  /**
   * The task ended: its results remember the parameter values they were used with, and the
   * least recently used go while over budget (their columns freed: no run reads them now).
   */
  endTask(): void {
    const params = this.#params ?? {};
    for (const e of this.#touched) {
      e.uses++;
      if (!e.common) e.common = new Map(Object.entries(params));
      else for (const [name, v] of e.common) if (params[name] !== v) e.common.delete(name);
    }
    this.#touched.clear();
    this.#params = null;
    this.#trim();
  }

  /**
   * No task left has `name` = `value`: drops the results that only tasks with it used (two or
   * more of them, so that the value is known to be what they have in common: in a grid's row,
   * sma(close, fast) goes once the row is done; each slow SMA has been used by one task of this
   * row only, and stays). Between tasks only.
   */
  retire(name: string, value: number): void {
    if (this.#params) throw new Error("internal: retire() while a task runs");
    for (const inner of this.#byInput.values())
      for (const e of inner.values()) if (e.uses >= 2 && e.common?.get(name) === value) this.#drop(e, true);
  }

  /**
   * A batch whose tasks have only `values` starts: drops the results that earlier tasks used with
   * other values (two or more tasks, as in retire()). Between tasks only.
   */
  keepOnly(values: Readonly<Record<string, readonly number[]>>): void {
    if (this.#params) throw new Error("internal: keepOnly() while a task runs");
    const sets = Object.entries(values).map(([name, vs]) => [name, new Set(vs)] as const);
    for (const inner of this.#byInput.values())
      for (const e of inner.values()) {
        if (e.uses < 2 || !e.common) continue;
        const { common } = e;
        if (sets.some(([name, vs]) => common.has(name) && !vs.has(common.get(name) as number)))
          this.#drop(e, true);
      }
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Drops every result (their columns are left to the garbage collector: callers may hold them). */
  clear(): void {
    for (const inner of this.#byInput.values()) for (const e of inner.values()) this.#drop(e, false);
    this.#byInput.clear();
    this.#bytes = 0;
    this.free.clear();
  }

  #touch(e: Entry): void {
    e.last = this.#task;
    if (this.#params) this.#touched.add(e);
  }

  /** Least recently used first while over budget; never what the running task has read, nor `keep`. */
  #trim(keep?: Entry): void {
    while (this.#bytes > this.maxBytes) {
      let oldest: Entry | undefined;
      for (const inner of this.#byInput.values())
        for (const e of inner.values())
          if (e !== keep && !this.#touched.has(e) && (!oldest || e.last < oldest.last)) oldest = e;
      if (!oldest) return;
      // a result no task is running with: its column can be written again
      this.#drop(oldest, this.#params !== null || this.#task > 0);
    }
  }

  /** Forgets `e`; with `recycle`, its column goes to `free` unless another thread still holds it. */
  #drop(e: Entry, recycle: boolean): void {
    const inner = this.#byInput.get(e.input);
    if (inner?.get(e.key) !== e) return;
    inner.delete(e.key);
    if (!inner.size) this.#byInput.delete(e.input);
    this.#bytes -= e.value.byteLength;
    this.#touched.delete(e);
    const last = this.peers ? this.peers.release(e.input, e.key, e.value) : true;
    if (recycle && last) this.free.give(e.value);
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
  /** The memo drops `key`: true when no other thread holds its column (it may be written again). */
  release(input: object, key: string, value: Float64Array): boolean;
  /**
   * A task starts: what the memo dropped while other threads held it goes to `free` if they let go
   * since (waiting for them at most `waitMs`).
   */
  tick?(waitMs?: number): void;
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
    value = allocating({ shared: memo.shared, reuse: memo.free }, compute);
  } catch (e) {
    memo.peers?.after(input, key, null);
    throw e;
  }
  memo.set(input, key, value);
  memo.peers?.after(input, key, value);
  return value;
}
