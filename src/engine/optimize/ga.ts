import type { Rng } from "./rng.ts";
import type { Constraint, Params, Sampler } from "./sampler.ts";
import { paramKey, type SearchSpace } from "./space.ts";

/**
 * STOM's genetic search that shrinks ranges (최적화 GA): each round draws `population` random
 * candidates from the current ranges, then every range shrinks by `shrink` around the best value
 * found so far; it stops when the remaining space holds no more cells than one round (those are
 * then all tried), when a round finds nothing new, or after `trials`. Ranges live in index space
 * of each dimension's values, so steps are respected.
 */
export function gaSampler(
  space: SearchSpace,
  {
    trials,
    rand,
    constraint,
    population = 16,
    shrink = 0.5,
  }: { trials: number; rand: Rng; constraint?: Constraint; population?: number; shrink?: number },
): Sampler {
  if (!(shrink > 0 && shrink < 1)) throw new Error(`invalid shrink: ${shrink}`);
  const dims = space.dims;
  const lo = dims.map(() => 0);
  const hi = dims.map((d) => d.values.length - 1);
  const seen = new Set<string>();
  let best: { params: Params; score: number } | undefined;
  let asked = 0;
  let pending = 0;
  let queue: Params[] = [];
  let finished = false;

  const cells = () => lo.reduce((p, l, k) => p * (hi[k] - l + 1), 1);
  const make = (idx: number[]): Params => {
    const p: Record<string, number> = { ...space.fixed };
    dims.forEach((d, k) => {
      p[d.name] = d.values[idx[k]];
    });
    return p;
  };
  const admit = (p: Params): boolean => {
    const key = paramKey(p);
    if (seen.has(key) || (constraint && !constraint(p))) return false;
    seen.add(key);
    return true;
  };

  const nextRound = () => {
    if (best) {
      for (let k = 0; k < dims.length; k++) {
        const width = hi[k] - lo[k] + 1;
        const nw = Math.max(1, Math.ceil(width * shrink));
        const at = dims[k].values.indexOf(best.params[dims[k].name]);
        let l = Math.max(0, at - Math.floor((nw - 1) / 2));
        const h = Math.min(dims[k].values.length - 1, l + nw - 1);
        l = Math.max(0, h - nw + 1);
        lo[k] = l;
        hi[k] = h;
      }
    }
    const round: Params[] = [];
    if (cells() <= population) {
      // small enough: try everything left, then stop
      const idx = [...lo];
      for (;;) {
        const p = make(idx);
        if (admit(p)) round.push(p);
        let k = dims.length - 1;
        for (; k >= 0; k--) {
          if (++idx[k] <= hi[k]) break;
          idx[k] = lo[k];
        }
        if (k < 0) break;
      }
      finished = true;
    } else {
      for (let tries = 0; round.length < population && tries < population * 50; tries++) {
        const p = make(lo.map((l, k) => l + rand.int(hi[k] - l + 1)));
        if (admit(p)) round.push(p);
      }
      if (!round.length) finished = true;
    }
    queue = round;
  };

  return {
    ask(n) {
      const out: Params[] = [];
      // a new round needs every result of the previous one, so a round is one batch at most
      if (!queue.length && pending === 0 && !finished && asked < trials) nextRound();
      while (queue.length && out.length < n && asked < trials) {
        out.push(queue.shift() as Params);
        asked++;
        pending++;
      }
      return out;
    },
    tell(params, score) {
      pending--;
      if (!Number.isNaN(score) && (!best || score > best.score)) best = { params, score };
    },
  };
}
