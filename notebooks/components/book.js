import * as Plot from "@observablehq/plot";
import { DOWN, UP } from "./candles.js";

const LEVELS = [1, 2, 3, 4, 5];

/**
 * Price with the 5-level book: each level's quote drawn as a dot sized by its resting amount
 * (asks 매도호가 in blue, bids 매수호가 in red), and the traded price as a line.
 */
export function bookChart(columns, { width = 640, height = 320 } = {}) {
  const { time, price } = columns;
  const n = time.length;
  const levels = [];
  for (const k of LEVELS) {
    for (const [side, pName, qName, color] of [
      ["ask", `매도호가${k}`, `매도잔량${k}`, DOWN],
      ["bid", `매수호가${k}`, `매수잔량${k}`, UP],
    ]) {
      if (!columns[pName]) continue;
      levels.push(
        Plot.dot(
          { length: n },
          {
            x: time,
            y: columns[pName],
            r: columns[qName] ?? 1,
            fill: color,
            fillOpacity: 0.25,
            stroke: null,
            title: () => `${side} ${k}`,
          },
        ),
      );
    }
  }
  return Plot.plot({
    width,
    height,
    marginLeft: 72,
    x: { type: "utc", label: null },
    y: { grid: true, label: "price (현재가, 호가)", nice: true },
    r: { range: [0.5, 6] },
    marks: [...levels, Plot.lineY({ length: n }, { x: time, y: price, stroke: "black", strokeWidth: 1.2 })],
  });
}
