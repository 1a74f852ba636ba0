import * as Plot from "@observablehq/plot";

/**
 * Entry (triangles: up long, down short) and exit (circles) markers for the price chart, at any
 * trade count: up to `max` trades all of them, beyond that every k-th (an evenly spaced subset, the
 * first and the last always in), so a long run keeps readable markers. The returned array carries
 * `shown`, `total` and `step` for markerNote.
 */
export function tradeMarks(trades, { max = 300 } = {}) {
  const n = trades.length;
  const step = Math.max(1, Math.ceil(n / max));
  const index = [];
  for (let i = 0; i < n; i += step) index.push(i);
  if (n > 0 && index[index.length - 1] !== n - 1) index.push(n - 1);
  const long = (i) => trades.size[i] > 0;
  const win = (i) => (trades.pnl[i] >= 0 ? "#2a6f4e" : "#c0392b");
  const marks = [
    Plot.link(index, {
      x1: (i) => trades.entryTime[i],
      y1: (i) => trades.entryPrice[i],
      x2: (i) => trades.exitTime[i],
      y2: (i) => trades.exitPrice[i],
      stroke: win,
      strokeDasharray: "3,2",
    }),
    Plot.dot(index, {
      x: (i) => trades.entryTime[i],
      y: (i) => trades.entryPrice[i],
      symbol: (i) => (long(i) ? "triangle" : "diamond"),
      fill: "black",
      r: 3.5,
      title: (i) => `${long(i) ? "long" : "short"} ${trades.size[i]} @ ${trades.entryPrice[i]}`,
    }),
    Plot.dot(index, {
      x: (i) => trades.exitTime[i],
      y: (i) => trades.exitPrice[i],
      stroke: win,
      r: 3.5,
      title: (i) => `exit @ ${trades.exitPrice[i]}, ${trades.returnPct[i].toFixed(2)}%`,
    }),
  ];
  return Object.assign(marks, { shown: index.length, total: n, step });
}

/** The line under the chart saying how many trades the markers show (`#trade-markers`). */
export function markerNote({ shown, total, step }) {
  const p = document.createElement("p");
  p.id = "trade-markers";
  p.className = "note";
  p.dataset.shown = String(shown);
  p.dataset.total = String(total);
  p.textContent =
    total === 0
      ? "no trades to mark"
      : shown === total
        ? `markers: all ${total.toLocaleString("en-US")} trades`
        : `markers: ${shown.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} trades (one in every ${step}, plus the last); the trade list below has them all`;
  return p;
}

/** Trades as rows for Inputs.table (a view at the edge; the engine keeps columns). */
export function tradeRows(trades) {
  return Array.from({ length: trades.length }, (_, i) => ({
    side: trades.size[i] > 0 ? "long" : "short",
    size: trades.size[i],
    entry: new Date(trades.entryTime[i]),
    exit: new Date(trades.exitTime[i]),
    entryPrice: trades.entryPrice[i],
    exitPrice: trades.exitPrice[i],
    pnl: trades.pnl[i],
    returnPct: trades.returnPct[i],
  }));
}

/** The same rows as tradeRows, built on demand: `{length, get(i)}` for virtualTable. */
export function tradeRowView(trades) {
  return {
    length: trades.length,
    columns: ["side", "size", "entry", "exit", "entryPrice", "exitPrice", "pnl", "returnPct"],
    get: (i) => ({
      side: trades.size[i] > 0 ? "long" : "short",
      size: trades.size[i],
      entry: new Date(trades.entryTime[i]),
      exit: new Date(trades.exitTime[i]),
      entryPrice: trades.entryPrice[i],
      exitPrice: trades.exitPrice[i],
      pnl: trades.pnl[i],
      returnPct: trades.returnPct[i],
    }),
  };
}
