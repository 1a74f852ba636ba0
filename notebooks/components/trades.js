import * as Plot from "@observablehq/plot";

/** Entry (triangles: up long, down short) and exit (circles) markers for the price chart. */
export function tradeMarks(trades) {
  const n = trades.length;
  const data = { length: n };
  const side = Array.from(trades.size, (s) => (s > 0 ? "long" : "short"));
  const win = Array.from(trades.pnl, (p) => (p >= 0 ? "#2a6f4e" : "#c0392b"));
  return [
    Plot.link(data, {
      x1: trades.entryTime,
      y1: trades.entryPrice,
      x2: trades.exitTime,
      y2: trades.exitPrice,
      stroke: win,
      strokeDasharray: "3,2",
    }),
    Plot.dot(data, {
      x: trades.entryTime,
      y: trades.entryPrice,
      symbol: Array.from(side, (s) => (s === "long" ? "triangle" : "diamond")),
      fill: "black",
      r: 3.5,
      title: (_, i) => `${side[i]} ${trades.size[i]} @ ${trades.entryPrice[i]}`,
    }),
    Plot.dot(data, {
      x: trades.exitTime,
      y: trades.exitPrice,
      stroke: win,
      r: 3.5,
      title: (_, i) => `exit @ ${trades.exitPrice[i]}, ${trades.returnPct[i].toFixed(2)}%`,
    }),
  ];
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
