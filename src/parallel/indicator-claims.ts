// Which worker thread computes an indicator the pool's threads share: a table of claims in shared
// memory. Of several threads that miss the same indicator at once, the first to claim it computes it
// and the others wait for it instead of computing it too: a grid's rows start on the same SMAs in
// every thread, and a result posted between tasks came too late (on the 10x10 sma-cross grid, whose
// 18 distinct SMAs are now computed 18 times, 8 threads computed them 50 times and 4 threads 31;
// src/parallel/worker.ts).

// A computed indicator's column is leased: a slot's lease word counts the threads that hold it
// (low 8 bits) in its generation (the high 24): each thread's memo drops an indicator when no task
// left needs it (Evaluator.retire), and the last to drop it writes a later indicator into its
// memory; an offer of an earlier generation, still in a thread's inbox, cannot be taken then.

/** Slots of the table: [fingerprint, state, lease, keeper] of Int32, then the keepers' turn. */
const SLOTS = 4096;
const SLOT = 4;
const TURN = SLOTS * SLOT;
/** Slots tried from a key's first one before giving up (then the key is computed unclaimed). */
const PROBES = 64;

/**
 * A slot's state: claimable (never claimed, or its computation failed), being computed, computed
 * (and posted), or computed into memory that cannot be shared (each thread computes its own).
 */
export const CLAIM = Object.freeze({ free: 0, computing: 1, done: 2, unshared: 3 } as const);

/** A new, empty table for one pool's threads. */
export function claimTable(): SharedArrayBuffer {
  return new SharedArrayBuffer((TURN + 1) * 4);
}

/**
 * A claim on a key: `state`, `lease` and `keeper` are its slot's cells; `mine` when this thread
 * is to compute it.
 */
export interface Claim {
  readonly state: number;
  readonly lease: number;
  readonly keeper: number;
  readonly mine: boolean;
}

/**
 * Claims `key` for this thread, or finds who has. Null when the key's slots are all taken by other
 * keys (4,096 slots: not in practice); compute it then, as if no other thread could share it.
 */
export function claim(table: Int32Array, key: string): Claim | null {
  const fp = fnv1a(key, 0x811c9dc5) | 1;
  const first = (fnv1a(key, 0x01000193) >>> 0) % SLOTS;
  for (let p = 0; p < PROBES; p++) {
    const slot = ((first + p) % SLOTS) * SLOT;
    const was = Atomics.compareExchange(table, slot, 0, fp);
    if (was !== 0 && was !== fp) continue;
    // the key's slot (two keys of one fingerprint share it: the second waits for the first, then
    // finds nothing to adopt and computes its own, so a collision costs time, never a wrong result)
    const state = slot + 1;
    const before = Atomics.compareExchange(table, state, CLAIM.free, CLAIM.computing);
    return { state, lease: slot + 2, keeper: slot + 3, mine: before === CLAIM.free };
  }
  return null;
}

/** Ends this thread's claim (`free` when the computation failed: claimable again); wakes the waiters. */
export function settle(
  table: Int32Array,
  c: Pick<Claim, "state">,
  state: (typeof CLAIM)["free" | "done" | "unshared"],
): void {
  Atomics.store(table, c.state, state);
  Atomics.notify(table, c.state);
}

/**
 * Waits while another thread computes the claimed key, at most `timeoutMs`, and returns the state
 * then (`computing` on timeout). Worker threads only: Atomics.wait blocks the thread.
 */
export function awaitClaim(table: Int32Array, c: Claim, timeoutMs: number): number {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const state = Atomics.load(table, c.state);
    const left = until - performance.now();
    if (state !== CLAIM.computing || left <= 0) return state;
    Atomics.wait(table, c.state, CLAIM.computing, left);
  }
}

/** The thread that computed a claimed key holds its column, alone, in a new generation (returned). */
export function lease(table: Int32Array, c: Claim): number {
  const gen = ((Atomics.load(table, c.lease) >>> 8) + 1) & 0xffffff;
  Atomics.store(table, c.lease, (gen << 8) | 1);
  return gen;
}

/** Holds the column of generation `gen` too; false when it was dropped (its memory reused). */
export function acquire(table: Int32Array, lease: number, gen: number): boolean {
  for (;;) {
    const w = Atomics.load(table, lease);
    if (w >>> 8 !== gen || (w & 0xff) === 0) return false;
    if ((w & 0xff) === 0xff) throw new Error("internal: more than 255 threads hold an indicator");
    if (Atomics.compareExchange(table, lease, w, w + 1) === w) return true;
  }
}

/**
 * Lets go of the column of generation `gen`: true when this thread held it last (its memory may be
 * written again; the key is claimable again).
 */
export function release(
  table: Int32Array,
  c: Pick<Claim, "state" | "lease" | "keeper">,
  gen: number,
): boolean {
  for (;;) {
    const w = Atomics.load(table, c.lease);
    if (w >>> 8 !== gen || (w & 0xff) === 0) throw new Error("internal: released an indicator not held");
    if (Atomics.compareExchange(table, c.lease, w, w - 1) !== w) continue;
    if ((w & 0xff) > 1) return false;
    Atomics.store(table, c.keeper, 0);
    settle(table, c, CLAIM.free);
    return true;
  }
}

/**
 * Which of `threads` threads keeps a column that several hold, when they drop it: the one that lets
 * go last, to reuse its memory. The first to drop it names the keeper, the pool's threads in turn,
 * so that they get equal shares of the memory a batch's end frees (a grid's SMAs).
 */
export function keeper(table: Int32Array, c: Pick<Claim, "keeper">, threads: number): number {
  const named = Atomics.load(table, c.keeper);
  if (named !== 0) return named - 1;
  const next = (Atomics.add(table, TURN, 1) % threads) + 1;
  const was = Atomics.compareExchange(table, c.keeper, 0, next);
  return (was === 0 ? next : was) - 1;
}

/** Threads holding the key's column now. */
export function holders(table: Int32Array, c: Pick<Claim, "lease">): number {
  return Atomics.load(table, c.lease) & 0xff;
}

/** 32-bit FNV-1a of a string's UTF-16 code units, from `basis`. */
function fnv1a(s: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}
