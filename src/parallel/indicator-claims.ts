// Which worker thread computes an indicator the pool's threads share: a table of claims in shared
// memory. Of several threads that miss the same indicator at once, the first to claim it computes it
// and the others wait for it instead of computing it too: a grid's rows start on the same SMAs in
// every thread, and a result posted between tasks came too late (on the 10x10 sma-cross grid, whose
// 18 distinct SMAs are now computed 18 times, 8 threads computed them 50 times and 4 threads 31;
// src/parallel/worker.ts).

/** Slots of the table: [fingerprint, state] pairs of Int32. */
const SLOTS = 4096;
/** Slots tried from a key's first one before giving up (then the key is computed unclaimed). */
const PROBES = 64;

/**
 * A slot's state: claimable (never claimed, or its computation failed), being computed, computed
 * (and posted), or computed into memory that cannot be shared (each thread computes its own).
 */
export const CLAIM = Object.freeze({ free: 0, computing: 1, done: 2, unshared: 3 } as const);

/** A new, empty table for one pool's threads. */
export function claimTable(): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS * 2 * 4);
}

/** A claim on a key: `state` is its slot's state cell; `mine` when this thread is to compute it. */
export interface Claim {
  readonly state: number;
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
    const slot = ((first + p) % SLOTS) * 2;
    const was = Atomics.compareExchange(table, slot, 0, fp);
    if (was !== 0 && was !== fp) continue;
    // the key's slot (two keys of one fingerprint share it: the second waits for the first, then
    // finds nothing to adopt and computes its own, so a collision costs time, never a wrong result)
    const state = slot + 1;
    const before = Atomics.compareExchange(table, state, CLAIM.free, CLAIM.computing);
    return { state, mine: before === CLAIM.free };
  }
  return null;
}

/** Ends this thread's claim (`free` when the computation failed: claimable again); wakes the waiters. */
export function settle(
  table: Int32Array,
  c: Claim,
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

/** 32-bit FNV-1a of a string's UTF-16 code units, from `basis`. */
function fnv1a(s: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}
