/**
 * Seeded random numbers (mulberry32): small, fast and the same stream in every runtime, so a
 * seeded search picks the same candidates in Node, a worker and the browser.
 */
export interface Rng {
  /** uniform in [0, 1) */
  (): number;
  /** standard normal (Box-Muller) */
  normal(): number;
  /** integer in [0, n) */
  int(n: number): number;
}

export function rng(seed = 0): Rng {
  let s = seed | 0;
  const next = (() => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Rng;
  next.normal = () => {
    let u = 0;
    while (u === 0) u = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  next.int = (n: number) => Math.floor(next() * n);
  return next;
}
