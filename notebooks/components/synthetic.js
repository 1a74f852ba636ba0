import { optimizer } from "./engine.js";

/**
 * Seeded synthetic 1-minute bars for scale tests in the page (the published data is small):
 * a geometric random walk, the engine's mulberry32 (src/engine/optimize/rng.ts) + Box-Muller, so a
 * given seed always gives the same bars. Its normal draws are its own (1 - u, no spare kept): the
 * bars stay those the benchmarks measured.
 */
export function syntheticBars(n, { seed = 1, price = 50_000, start = Date.UTC(2024, 0, 2) } = {}) {
  const uniform = optimizer.mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const col = () => new Float64Array(n);
  const [time, open, high, low, close, volume] = [col(), col(), col(), col(), col(), col()];
  let last = price;
  for (let i = 0; i < n; i++) {
    const c = Math.max(0.01, last * Math.exp(0.0008 * normal()));
    time[i] = start + i * 60_000;
    open[i] = last;
    close[i] = c;
    high[i] = Math.max(last, c) * (1 + 0.0004 * Math.abs(normal()));
    low[i] = Math.min(last, c) * (1 - 0.0004 * Math.abs(normal()));
    volume[i] = 1 + Math.abs(normal());
    last = c;
  }
  return { id: `synthetic:${n}`, length: n, columns: { time, open, high, low, close, volume } };
}
