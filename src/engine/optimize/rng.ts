/**
 * Seeded random numbers (mulberry32): small, fast and the same stream in every runtime, so a
 * seeded search picks the same candidates in Node, a worker and the browser, and a seeded sample or
 * fixture writes the same rows everywhere. The one home of the generator: `rng` for the optimizer,
 * `mulberry32` + `gaussian` for the data generators (their normal draws keep the spare, so their
 * sequence differs from `rng().normal()`; goldens pin both).
 */
export interface Rng {
  /** uniform in [0, 1) */
  (): number;
  /** standard normal (Box-Muller) */
  normal(): number;
  /** integer in [0, n) */
  int(n: number): number;
}

/** mulberry32: a uniform source in [0, 1). Same seed, same sequence, on every platform. */
export function mulberry32(seed: number): () => number {
  // the state stays a signed int32: a uint32 above 2^31 would be boxed on every call
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a uniform source (Box-Muller, the second draw kept for the next call). */
export function gaussian(uniform: () => number): () => number {
  let spare = Number.NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = Number.NaN;
      return z;
    }
    const u = 1 - uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** mulberry32 with `normal()` (Box-Muller, no spare kept) and `int(n)`: the optimizer's source. */
export function rng(seed = 0): Rng {
  const next = mulberry32(seed) as Rng;
  next.normal = () => {
    let u = 0;
    while (u === 0) u = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  next.int = (n: number) => Math.floor(next() * n);
  return next;
}
