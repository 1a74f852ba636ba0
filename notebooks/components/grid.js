/** Every combination of the given values, in row-major order: {a: [1, 2], b: [3]} -> [{a:1,b:3},{a:2,b:3}]. */
export function product(values) {
  let out = [{}];
  for (const [name, list] of Object.entries(values)) {
    const next = [];
    for (const partial of out) for (const v of list) next.push({ ...partial, [name]: v });
    out = next;
  }
  return out;
}

/**
 * Runs a grid of backtests across `workers` Web Workers (the grid-worker module): each worker
 * gets the bars once and an interleaved share of the combinations. Returns {results, done, cancel}:
 * `results` fills in as messages arrive (by grid index), `onProgress(count)` after each one.
 */
export function runGrid(
  workerUrl,
  {
    strategy,
    columns,
    options = {},
    combos,
    workers = Math.min(4, navigator.hardwareConcurrency || 2),
    onProgress = () => {},
  },
) {
  const results = new Array(combos.length);
  const pool = [];
  let finished = 0;
  let count = 0;
  let cancel;
  const done = new Promise((resolve, reject) => {
    const n = Math.max(1, Math.min(workers, combos.length));
    cancel = () => {
      for (const w of pool) w.terminate();
      reject(new Error("cancelled"));
    };
    for (let k = 0; k < n; k++) {
      const worker = new Worker(workerUrl, { type: "module" });
      pool.push(worker);
      worker.onerror = (event) => {
        for (const w of pool) w.terminate();
        reject(new Error(event.message || "grid worker failed"));
      };
      worker.onmessage = ({ data }) => {
        if (data.type === "done") {
          worker.terminate();
          if (++finished === n) resolve(results);
          return;
        }
        results[data.index] = data;
        onProgress(++count);
      };
      const share = [];
      for (let i = k; i < combos.length; i += n) share.push([i, combos[i]]);
      // copies: each worker needs the whole series
      const copy = Object.fromEntries(
        Object.entries(columns).map(([name, col]) => [name, Float64Array.from(col)]),
      );
      worker.postMessage({ strategy, columns: copy, options, combos: share });
    }
  });
  return { results, done, cancel };
}
