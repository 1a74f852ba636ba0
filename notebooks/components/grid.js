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
    equity = false,
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
      const copy = Object.fromEntries(Object.entries(columns).map(([name, col]) => [name, col.slice()]));
      worker.postMessage({ strategy, columns: copy, options, combos: share, equity });
    }
  });
  return { results, done, cancel };
}

/** The best result by `objective` (finite values only), or undefined. */
export function best(results, objective) {
  let top;
  for (const r of results) {
    const v = r?.stats?.[objective];
    if (typeof v === "number" && Number.isFinite(v) && (!top || v > top.stats[objective])) top = r;
  }
  return top;
}

/**
 * Walk-forward: splits the bars into `folds + 1` equal runs; fold k optimizes on run k and
 * trades the winner on run k + 1. Returns per-fold rows and the out-of-sample equity stitched
 * by chaining each fold's growth onto the previous fold's end.
 */
export async function walkForward(
  workerUrl,
  { strategy, columns, options, combos, objective, folds = 4, onFold = () => {} },
) {
  const n = columns.time.length;
  const size = Math.floor(n / (folds + 1));
  const slice = (from, to) =>
    Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, v.subarray(from, to)]));
  const rows = [];
  const time = [];
  const equity = [];
  let level = options.cash ?? 10_000;
  for (let k = 0; k < folds; k++) {
    const train = slice(k * size, (k + 1) * size);
    const testFrom = (k + 1) * size;
    const testTo = k === folds - 1 ? n : (k + 2) * size;
    const inSample = await runGrid(workerUrl, { strategy, columns: train, options, combos }).done;
    const winner = best(inSample, objective);
    if (!winner) throw new Error(`fold ${k + 1}: no finite ${objective} in sample`);
    const [outSample] = await runGrid(workerUrl, {
      strategy,
      columns: slice(testFrom, testTo),
      options,
      combos: [winner.params],
      equity: true,
      workers: 1,
    }).done;
    if (outSample.type !== "result") throw new Error(`fold ${k + 1}: ${outSample.message}`);
    const scale = level / outSample.equity[0];
    for (let i = 0; i < outSample.equity.length; i++) {
      time.push(columns.time[testFrom + i]);
      equity.push(outSample.equity[i] * scale);
    }
    level = equity[equity.length - 1];
    rows.push({
      fold: k + 1,
      ...winner.params,
      [`in-sample ${objective}`]: winner.stats[objective],
      [`out-of-sample ${objective}`]: outSample.stats[objective],
      "in-sample return %": winner.stats.returnPct,
      "out-of-sample return %": outSample.stats.returnPct,
      "out-of-sample trades": outSample.stats.trades,
    });
    onFold(k + 1);
  }
  return { rows, time: Float64Array.from(time), equity: Float64Array.from(equity) };
}
