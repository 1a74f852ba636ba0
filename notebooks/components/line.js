import * as Plot from "@observablehq/plot";
import { minMaxIndex } from "./downsample.js";

/** A time line (time in UTC ms) drawn through the min/max of each pixel run. */
export function line(
  time,
  values,
  {
    width = 640,
    height = 200,
    label = null,
    stroke = "currentColor",
    area = false,
    percent = false,
    zero = false,
    marks = [],
    // multiplies the drawn values: a negated view of a long series without copying it
    scale = 1,
  } = {},
) {
  const idx = minMaxIndex(values, { buckets: Math.max(50, Math.floor(width / 2)) });
  const x = Float64Array.from(idx, (i) => time[i]);
  const y = Float64Array.from(idx, (i) => values[i] * scale);
  const data = { length: idx.length };
  return Plot.plot({
    width,
    height,
    marginLeft: 64,
    x: { type: "utc", label: null },
    y: { grid: true, label, percent, tickFormat: percent ? "+f" : undefined },
    marks: [
      area ? Plot.areaY(data, { x, y, fill: stroke, fillOpacity: 0.3 }) : null,
      Plot.lineY(data, { x, y, stroke }),
      zero ? Plot.ruleY([0]) : null,
      ...marks,
    ],
  });
}

/** Equity over drawdown, one x axis. */
export function equityChart(time, equity, drawdown, { width = 640 } = {}) {
  const wrap = document.createElement("div");
  wrap.className = "equity";
  wrap.append(
    line(time, equity, { width, height: 220, label: "equity", stroke: "#2a6f4e" }),
    // drawn below zero; the min/max runs of -d are those of d, so no 1M-long negated copy
    // (Float64Array.from with a map function took ~0.6 s per million values)
    line(time, drawdown, {
      scale: -1,
      width,
      height: 120,
      label: "drawdown (%)",
      stroke: "#c0392b",
      area: true,
      percent: true,
      zero: true,
    }),
  );
  return wrap;
}
