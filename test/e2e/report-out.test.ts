// `stom backtest --out` carries the per-bar equity and drawdown the Report page draws; checked
// against backtesting.py's own per-bar curve of its SmaCross golden run on GOOG.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { needShared } from "../support/paths.ts";
import { ROOT } from "./site.ts";

const DATA = path.resolve(ROOT, "../shared/data/backtesting-py");
const { missing } = needShared("backtesting-py/GOOG.csv");

test.skipIf(missing)(
  "stom backtest --out writes curves equal to backtesting.py's per-bar equity and drawdown",
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), "stom-out-"));
    try {
      const out = path.join(dir, "run.json");
      const args = ["bin/stom.js", "backtest", "sma-cross", "--data", path.join(DATA, "GOOG.csv")];
      args.push("--cash", "10000", "--finalize-trades", "--out", out, "--json");
      const cli = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
      expect(cli.status, cli.stderr).toBe(0);
      const json = JSON.parse(cli.stdout);
      // --json stays as it was: no curves
      expect(json.curves).toBeUndefined();
      const report = JSON.parse(readFileSync(out, "utf8"));
      const lines = readFileSync(path.join(DATA, "expected_smacross_goog_equity.csv"), "utf8")
        .trim()
        .split("\n");
      const golden = lines.slice(1).map((l) => l.split(","));
      expect(report.curves.time.length).toBe(golden.length);
      expect(report.curves.equity.length).toBe(golden.length);
      golden.forEach(([date, equity, dd], i) => {
        expect(new Date(report.curves.time[i]).toISOString().slice(0, 10), `bar ${i}`).toBe(date);
        expect(Math.abs(report.curves.equity[i] - Number(equity)), `equity ${date}`).toBeLessThan(
          1e-6 * Number(equity),
        );
        expect(Math.abs(report.curves.drawdown[i] - Number(dd)), `drawdown ${date}`).toBeLessThan(1e-9);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
