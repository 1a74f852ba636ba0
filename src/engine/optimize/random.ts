import type { Rng } from "./rng.ts";
import type { Constraint, Params, Sampler } from "./sampler.ts";
import { type Dimension, paramKey, type SearchSpace } from "./space.ts";

/** One uniform draw over a dimension's values (or its range when continuous). */
export function drawUniform(dim: Dimension, rand: Rng): number {
  if (dim.continuous) return dim.low + rand() * (dim.high - dim.low);
  return dim.values[rand.int(dim.values.length)];
}

/**
 * Draws a candidate that passes the constraint and is not in `seen` (up to `attempts` draws);
 * undefined when none is found, which ends a search over a small space.
 */
export function drawAdmissible(
  draw: () => Params,
  { constraint, seen, attempts = 1000 }: { constraint?: Constraint; seen?: Set<string>; attempts?: number },
): Params | undefined {
  for (let k = 0; k < attempts; k++) {
    const p = draw();
    if (constraint && !constraint(p)) continue;
    if (seen) {
      const key = paramKey(p);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    return p;
  }
  return undefined;
}

/** Uniform random search without repeats; stops after `trials` or when the space runs dry. */
export function randomSampler(
  space: SearchSpace,
  { trials, rand, constraint }: { trials: number; rand: Rng; constraint?: Constraint },
): Sampler {
  const seen = new Set<string>();
  let asked = 0;
  const draw = (): Params => {
    const p: Record<string, number> = { ...space.fixed };
    for (const d of space.dims) p[d.name] = drawUniform(d, rand);
    return p;
  };
  return {
    ask(n) {
      const out: Params[] = [];
      while (asked < trials && out.length < n) {
        const p = drawAdmissible(draw, { constraint, seen });
        if (!p) {
          asked = trials;
          break;
        }
        out.push(p);
        asked++;
      }
      return out;
    },
    tell() {},
  };
}
