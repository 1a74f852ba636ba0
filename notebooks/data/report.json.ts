// The saved run the Report page writes up: the file named by STOM_REPORT (`stom backtest --out`),
// or, on a fresh clone, one made now by the CLI on the first sample series.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readReport } from "../../src/app/report.ts";
import { barsToCsv } from "../../src/data/formats/ohlcv-csv.ts";
import { makeSampleBars } from "../../src/data/sample.ts";
import { REPO } from "../lib/bundle.ts";
import { SAMPLE_BARS } from "./sample-spec.ts";
import { run } from "./source.ts";

async function sampleRun() {
  const dir = mkdtempSync(path.join(tmpdir(), "stom-report-"));
  try {
    const frame = makeSampleBars(SAMPLE_BARS[0]);
    const csv = path.join(dir, `${frame.symbol}.csv`);
    writeFileSync(csv, barsToCsv(frame));
    const out = path.join(dir, "run.json");
    const args = [
      "bin/stom.js",
      "backtest",
      "sma-cross",
      "--data",
      csv,
      // stom backtest's own defaults, as the Backtest page's first run
      "--out",
      out,
    ];
    const cli = spawnSync(process.execPath, args, { cwd: REPO, encoding: "utf8" });
    if (cli.status !== 0) throw new Error(`stom backtest failed: ${cli.stderr}`);
    const report = await readReport(out);
    report.data.file = `sample (makeSampleBars ${JSON.stringify(SAMPLE_BARS[0])})`;
    return {
      origin: "sample",
      command: `stom ${args.slice(1).join(" ").replace(csv, "<sample.csv>").replace(out, "run.json")}`,
      ...report,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

run(async () => {
  const file = process.env.STOM_REPORT;
  // the schema check names the file and the first bad field (src/app/report.ts)
  const report = file ? { origin: "file", ...(await readReport(file)) } : await sampleRun();
  // the build machine's absolute paths do not belong in a published page
  report.strategy.file = path.relative(REPO, report.strategy.file);
  // the curves are only drawn: cents and 8 significant digits halve the published JSON
  const c = report.curves;
  if (c) {
    c.equity = c.equity.map((x) => (x === null ? x : Math.round(x * 100) / 100));
    c.drawdown = c.drawdown.map((x) => (x === null ? x : Number(x.toPrecision(8))));
  }
  return `${JSON.stringify(report)}\n`;
});
