import * as Plot from "@observablehq/plot";
import { bucketOhlc } from "./downsample.js";

// Korean convention: rising red, falling blue.
export const UP = "#d62728";
export const DOWN = "#1f63b4";

/**
 * Candlesticks over volume for bar columns (time in UTC ms). Long series are merged into at
 * most `buckets` candles first. Extra marks (trade markers) are drawn on the price panel.
 */
export function candles(
  columns,
  { width = 640, height = 360, buckets = Math.floor(width / 4), marks = [], title } = {},
) {
  const b = bucketOhlc(columns, { buckets });
  const n = b.time.length;
  const data = { length: n };
  const mid = Float64Array.from(b.time, (t, i) => (t + b.end[i]) / 2);
  const fill = Array.from({ length: n }, (_, i) => (b.close[i] >= b.open[i] ? UP : DOWN));
  const body = Math.max(1, Math.min(8, (0.7 * width) / n));
  const wrap = document.createElement("div");
  wrap.className = "candles";
  wrap.append(
    Plot.plot({
      width,
      height,
      title,
      marginLeft: 64,
      x: { type: "utc", label: null },
      y: { grid: true, label: "price", nice: true },
      marks: [
        Plot.ruleX(data, { x: mid, y1: b.low, y2: b.high, stroke: fill }),
        Plot.ruleX(data, { x: mid, y1: b.open, y2: b.close, stroke: fill, strokeWidth: body }),
        ...marks,
      ],
    }),
    Plot.plot({
      width,
      height: Math.round(height / 3.5),
      marginLeft: 64,
      x: { type: "utc", label: null, axis: null },
      y: { grid: true, label: "volume", tickFormat: "s" },
      marks: [
        Plot.rectY(data, { x1: b.time, x2: b.end, y: b.volume, fill, fillOpacity: 0.6 }),
        Plot.ruleY([0]),
      ],
    }),
  );
  return wrap;
}
