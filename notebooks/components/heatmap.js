import * as Plot from "@observablehq/plot";

/**
 * A heatmap of `value` over two parameters, one cell per (x, y); several results on one cell
 * (other parameters varying) are reduced with `reduce` ("max" by default, or "mean").
 */
export function heatmap(rows, { x, y, value, reduce = "max", width = 640, label = value } = {}) {
  const xs = [...new Set(rows.map((r) => r.params[x]))].sort((a, b) => a - b);
  const ys = [...new Set(rows.map((r) => r.params[y]))].sort((a, b) => a - b);
  const height = Math.min(
    520,
    60 + ys.length * Math.max(18, Math.min(40, (width - 80) / Math.max(1, xs.length))),
  );
  return Plot.plot({
    width: Math.min(width, 80 + xs.length * 60),
    height,
    marginLeft: 60,
    padding: 0.05,
    x: { type: "band", domain: xs, label: x },
    y: { type: "band", domain: ys, label: y, reverse: true },
    // symlog: objectives like Sharpe on minute bars span orders of magnitude
    color: { type: "diverging-symlog", scheme: "RdYlGn", pivot: 0, legend: true, label },
    marks: [
      Plot.cell(
        rows,
        Plot.group(
          { fill: reduce },
          { x: (r) => r.params[x], y: (r) => r.params[y], fill: (r) => finite(r.stats[value]), inset: 0.5 },
        ),
      ),
      Plot.text(
        rows,
        Plot.group(
          { text: (values) => compact.format(reduce === "mean" ? mean(values) : Math.max(...values)) },
          {
            x: (r) => r.params[x],
            y: (r) => r.params[y],
            text: (r) => finite(r.stats[value]),
            fill: "black",
            fontSize: 10,
          },
        ),
      ),
    ],
  });
}

function finite(v) {
  return typeof v === "number" && Number.isFinite(v) ? v : NaN;
}

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumSignificantDigits: 3 });

function mean(values) {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    sum += v;
    n++;
  }
  return n ? sum / n : NaN;
}
