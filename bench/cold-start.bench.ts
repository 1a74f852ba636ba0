// Whole-process cold start of the `stom` command, side by side with `node -e 0` (Node's own start):
// `stom --version`, `stom --help`, `stom backtest sma-cross --data GOOG.csv` and a small grid of
// `stom optimize` on two worker threads (their start included) from the build
// (scripts/build.mjs, run by `npm install`), plus backtesting.py's SmaCross on the same file when
// python's backtesting is installed. Runs interleaved, median and min of ROUNDS after one warm-up,
// in the manner of hyperfine.
//   node --import tsx bench/cold-start.bench.ts [rounds]
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROUNDS = Number(process.argv[2] ?? 15);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const GOOG = fileURLToPath(new URL("../../shared/data/backtesting-py/GOOG.csv", import.meta.url));
const STOM = `${ROOT}bin/stom.js`;

const PY_SMACROSS = `
import sys
from backtesting import Backtest, Strategy
from backtesting.lib import crossover
from backtesting.test import SMA
import pandas as pd
df = pd.read_csv(sys.argv[1], index_col=0, parse_dates=True)
class SmaCross(Strategy):
    def init(self):
        self.fast = self.I(SMA, self.data.Close, 10)
        self.slow = self.I(SMA, self.data.Close, 30)
    def next(self):
        if crossover(self.fast, self.slow): self.position.close(); self.buy()
        elif crossover(self.slow, self.fast): self.position.close(); self.sell()
print(Backtest(df, SmaCross, cash=10_000).run())
`;

interface Case {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
}

function run(c: Case): number {
  const t = performance.now();
  const r = spawnSync(c.cmd, c.args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${c.name} failed (${r.status}): ${r.stderr}`);
  return ms;
}

if (!existsSync(`${ROOT}build/stamp.json`)) {
  console.log("cold-start: no build/ (run `npm run prepare`); the CLI would run from the sources");
}
const cases: Case[] = [
  { name: "node -e 0", cmd: process.execPath, args: ["-e", "0"] },
  { name: "stom --version", cmd: process.execPath, args: [STOM, "--version"] },
  { name: "stom --help", cmd: process.execPath, args: [STOM, "--help"] },
];
if (existsSync(GOOG)) {
  cases.push({
    name: "stom backtest sma-cross --data GOOG.csv",
    cmd: process.execPath,
    args: [STOM, "backtest", "sma-cross", "--data", GOOG],
  });
  cases.push({
    name: "stom optimize sma-cross --data GOOG.csv (39 cells, 2 worker threads)",
    cmd: process.execPath,
    args: [
      STOM,
      "optimize",
      "sma-cross",
      "--data",
      GOOG,
      "--grid",
      "fast=5:30:5",
      "--grid",
      "slow=10:80:10",
      "--constraint",
      "fast < slow",
      "--workers",
      "2",
    ],
  });
  const py = spawnSync("python3", ["-c", "import backtesting"], { stdio: "ignore" });
  if (py.status === 0)
    cases.push({
      name: "backtesting.py SmaCross on GOOG.csv",
      cmd: "python3",
      args: ["-c", PY_SMACROSS, GOOG],
    });
  else
    console.log(
      "cold-start: python's backtesting.py is not installed here (pip install backtesting); its row is left out",
    );
} else {
  console.log(`cold-start: ${GOOG} is missing (../shared/data); the backtest row is left out`);
}

const times = cases.map(() => [] as number[]);
for (const c of cases) run(c); // warm-up: file cache, tsx/esbuild caches
for (let r = 0; r < ROUNDS; r++) {
  for (const [k, c] of cases.entries()) times[k].push(run(c));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const base = median(times[0]);
console.log(`| command | median ms | min ms | × node -e 0 |\n|---|---:|---:|---:|`);
cases.forEach((c, k) => {
  const m = median(times[k]);
  console.log(
    `| \`${c.name}\` | ${m.toFixed(0)} | ${Math.min(...times[k]).toFixed(0)} | ${(m / base).toFixed(1)} |`,
  );
});
