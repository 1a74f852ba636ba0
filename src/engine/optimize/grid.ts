import type { Rng } from "./rng.ts";
import type { Constraint, Params, Sampler } from "./sampler.ts";
import type { SearchSpace } from "./space.ts";

/**
 * Every grid cell in itertools.product order (the first dimension varies slowest), skipping cells
 * the constraint rejects. With `maxTries` each admissible cell is kept with probability
 * maxTries / cells (or maxTries itself when in (0, 1]), backtesting.py's rule, drawn from `rand`.
 * Cells are produced lazily, so a huge grid costs no memory up front.
 */
export function* gridCells(
  space: SearchSpace,
  { constraint, maxTries, rand }: { constraint?: Constraint; maxTries?: number; rand?: Rng } = {},
): Generator<Params> {
  const dims = space.dims;
  let frac = 1;
  if (maxTries !== undefined) {
    if (!(maxTries > 0)) throw new Error(`invalid max tries: ${maxTries}`);
    if (!rand) throw new Error("max tries needs a seeded random source");
    frac = maxTries <= 1 ? maxTries : maxTries / admissibleCount(space, constraint);
  }
  const idx = new Array<number>(dims.length).fill(0);
  const total = space.size;
  for (let cell = 0; cell < total; cell++) {
    const params: Record<string, number> = { ...space.fixed };
    for (let d = 0; d < dims.length; d++) params[dims[d].name] = dims[d].values[idx[d]];
    if ((!constraint || constraint(params)) && (frac >= 1 || (rand as Rng)() <= frac)) yield params;
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++idx[d] < dims[d].values.length) break;
      idx[d] = 0;
    }
  }
}

/** Cells that pass the constraint (counted up to 1e6 cells, else the raw size like backtesting.py's 10k cap). */
export function admissibleCount(space: SearchSpace, constraint?: Constraint): number {
  if (!constraint || space.size > 1_000_000) return space.size;
  let n = 0;
  for (const _ of gridCells(space, { constraint })) n++;
  return n;
}

export function gridSampler(
  space: SearchSpace,
  options: { constraint?: Constraint; maxTries?: number; rand?: Rng } = {},
): Sampler {
  const cells = gridCells(space, options);
  let done = false;
  return {
    ask(n) {
      const out: Params[] = [];
      while (!done && out.length < n) {
        const next = cells.next();
        if (next.done) done = true;
        else out.push(next.value);
      }
      return out;
    },
    tell() {},
  };
}
