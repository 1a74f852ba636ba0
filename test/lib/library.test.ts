// stom as a library, the way a project elsewhere uses it: a temp dir with node_modules/stom linked
// to this checkout (what `npm install /path/to/stom` makes) and node_modules/.bin/stom, a strategy
// of its own in TypeScript that imports from "stom", run with `npx stom backtest ./my.ts`.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { needShared, ROOT, shared } from "../support/paths.ts";

const { missing } = needShared("backtesting-py/GOOG.csv");

// backtesting.py's SmaCross as its users write it: crossover() answers for the current bar only
const SMA_CROSS = `import { crossover, defineStrategy, sma } from "stom";

export default defineStrategy({
  params: { fast: { default: 10 }, slow: { default: 30 } },
  init(ctx) {
    return {
      fast: ctx.I(sma(ctx.bars.close, ctx.params.fast), "fast"),
      slow: ctx.I(sma(ctx.bars.close, ctx.params.slow), "slow"),
    };
  },
  next(ctx, { fast, slow }) {
    if (crossover(fast, slow)) {
      ctx.position.close();
      ctx.buy();
    } else if (crossover(slow, fast)) {
      ctx.position.close();
      ctx.sell();
    }
  },
});
`;

const THROWS = `import { defineStrategy } from "stom";

export default defineStrategy({
  params: {},
  init: () => ({}),
  next(ctx) {
    if (ctx.i > 5) throw new Error("no more bars wanted");
  },
});
`;

const dir = mkdtempSync(join(tmpdir(), "stom-library-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function project(): string {
  const app = join(dir, "app");
  mkdirSync(join(app, "node_modules/.bin"), { recursive: true });
  writeFileSync(join(app, "package.json"), '{ "name": "app", "private": true }\n');
  symlinkSync(ROOT, join(app, "node_modules/stom"), "dir");
  symlinkSync("../stom/bin/stom.js", join(app, "node_modules/.bin/stom"));
  writeFileSync(join(app, "my.ts"), SMA_CROSS);
  writeFileSync(join(app, "throws.ts"), THROWS);
  return app;
}

function npxStom(cwd: string, args: string[]) {
  return spawnSync("npx", ["--no-install", "stom", ...args], { cwd, encoding: "utf8", timeout: 60_000 });
}

describe.skipIf(missing)("stom as a library from another project", () => {
  const app = project();
  const goog = shared("backtesting-py/GOOG.csv");

  test("npx stom backtest ./my.ts runs a strategy importing crossover, defineStrategy, sma from stom", () => {
    const run = npxStom(app, ["backtest", "./my.ts", "--data", goog, "--finalize-trades", "--json"]);
    expect(run.status, run.stderr).toBe(0);
    // backtesting.py's SmaCross(10, 30) on GOOG: 66 trades (test/golden/backtesting-py.test.ts)
    expect(JSON.parse(run.stdout).stats.trades).toBe(66);
  }, 60_000);

  test('npx stom optimize ./my.ts on 2 worker threads equals 1 (the workers load the file and "stom" too)', () => {
    const args = [
      "optimize",
      "./my.ts",
      "--data",
      goog,
      "--grid",
      "fast=5:15:5",
      "--grid",
      "slow=20:40:20",
      "--json",
    ];
    const one = npxStom(app, [...args, "--workers", "1"]);
    const two = npxStom(app, [...args, "--workers", "2"]);
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    const trials = (out: string) =>
      JSON.parse(out).top.map((t: { params: unknown; value: number }) => [t.params, t.value]);
    expect(trials(two.stdout)).toEqual(trials(one.stdout));
    expect(trials(one.stdout).length).toBeGreaterThan(0);
  }, 120_000);

  test("an error thrown in the strategy names its file:line:column", () => {
    const run = npxStom(app, ["backtest", "./throws.ts", "--data", goog]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("no more bars wanted");
    expect(run.stderr).toMatch(/throws\.ts:7:\d+/);
  }, 60_000);
});
