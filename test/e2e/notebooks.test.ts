// The notebooks site end to end: build offline, serve dist/ on 127.0.0.1, open every page in a
// headless Chromium that may reach nothing else. STOM_E2E_SKIP_BUILD=1 reuses an existing dist/.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Command } from "commander";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SAMPLE_BARS } from "../../notebooks/data/sample-spec.ts";
import { STOM_CASES_DIR, STOM_DBS_DIR, STOM_EXAMPLE, STOM_FIXTURE } from "../../notebooks/data/stom-spec.ts";
import { writeSyntheticStomDb } from "../../notebooks/data/stom-synthetic.ts";
import { withRunOptions } from "../../src/cli/flags.ts";
import { stomSqlite } from "../../src/data/formats/stom-sqlite.ts";
import { sharedDataDir, writeStomFixture } from "../../src/data/stom/fixture.ts";
import { searchSpace } from "../../src/engine/optimize/index.ts";
import { compileStom, runStom, type StomInput, type StomProgram } from "../../src/engine/stom/index.ts";
import { sampleBarsCsv } from "../support/fixtures.ts";
import { type Browsing, DIST, ensureBuilt, launch, ROOT, serve } from "./site.ts";

const SHOTS = path.join(ROOT, "test-results");
const PAGES = ["index", "explore", "backtest", "stom", "optimize", "report", "live"] as const;
/** what shows that a page has finished its work */
const READY: Record<(typeof PAGES)[number], string> = {
  index: "table",
  explore: "#sql-result table",
  backtest: "#run-status",
  stom: "#stom-status[data-trades]",
  optimize: "#grid-status[data-done='true']",
  report: "table.stats",
  live: "h1",
};

let site: Awaited<ReturnType<typeof serve>>;
let browsing: Browsing;
let tmp: string;
const consoleErrors: string[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "stom-e2e-"));
  await ensureBuilt();
  site = await serve();
  browsing = await launch(site.origin);
  mkdirSync(SHOTS, { recursive: true });
}, 300_000);

afterAll(async () => {
  await browsing?.close();
  await site?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function open(name: string): Promise<Page> {
  const page = await browsing.context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(`${name}: ${m.text()}`);
  });
  page.on("pageerror", (e) => consoleErrors.push(`${name}: ${e.message}`));
  await page.goto(`${site.origin}/${name === "index" ? "" : name}`);
  return page;
}

/** The stats table as {key: raw string}. */
async function pageStats(page: Page): Promise<Record<string, string>> {
  return page.$$eval("table.stats tr[data-key]", (rows) =>
    Object.fromEntries(
      rows.map((r) => [
        (r as HTMLElement).dataset.key,
        (r.querySelector("td.value") as HTMLElement).dataset.value,
      ]),
    ),
  );
}

/** The first sample series (the pages' default data) as a CSV for the CLI. */
function sampleCsv(): string {
  return sampleBarsCsv(tmp, SAMPLE_BARS[0]);
}

function cliStats(csv: string, extra: string[] = []): Record<string, unknown> {
  const args = [
    "bin/stom.js",
    "backtest",
    "sma-cross",
    "--data",
    csv,
    // no --cash or --commission: the page starts from stom backtest's own defaults
    "--json",
    ...extra,
  ];
  const out = spawnSync("node", args, { cwd: ROOT, encoding: "utf8" });
  if (out.status !== 0) throw new Error(`stom backtest failed: ${out.stderr}`);
  return JSON.parse(out.stdout).stats;
}

/** STOM's result block on the STOM page as {key: number}. */
async function pageResult(page: Page): Promise<Record<string, number>> {
  return page.$$eval("#stom-result tr[data-key]", (rows) =>
    Object.fromEntries(
      rows.map((r) => [
        (r as HTMLElement).dataset.key,
        Number((r.querySelector("td.value") as HTMLElement).dataset.value),
      ]),
    ),
  );
}

/** The STOM page's data rebuilt in Node (the same fixture DB its loader embeds) and its example compiled. */
async function stomFixture(): Promise<{ program: StomProgram; inputs: StomInput[] }> {
  const db = path.join(tmp, "coin_tick.db");
  const trades = path.join(sharedDataDir(), STOM_FIXTURE.trades);
  // without the shared data the page's loader embeds the SYNTHETIC DB instead: so does this
  if (!existsSync(db) && !existsSync(trades)) writeSyntheticStomDb(db);
  else if (!existsSync(db))
    writeStomFixture(db, {
      kind: STOM_FIXTURE.kind,
      source: trades,
      minutes: STOM_FIXTURE.minutes,
      seed: STOM_FIXTURE.seed,
    });
  const inputs: StomInput[] = [];
  for await (const f of stomSqlite.read(db, {})) inputs.push({ symbol: f.symbol, columns: f.columns });
  const program = compileStom(STOM_EXAMPLE.buy, STOM_EXAMPLE.sell, {
    kind: STOM_FIXTURE.kind,
    buyFile: "buy",
    sellFile: "sell",
    vars: STOM_EXAMPLE.vars,
  });
  return { program, inputs };
}

function expectSameStats(page: Record<string, string>, cli: Record<string, unknown>) {
  const keys = Object.keys(cli);
  expect(keys.length).toBeGreaterThan(25);
  for (const key of keys) {
    const want = cli[key];
    const got = page[key];
    expect(got, key).toBeDefined();
    if (want === null) expect(Number.isFinite(Number(got)), key).toBe(false);
    // Chromium's V8 and Node's may round Math.pow/log differently in the last bit: 1e-13 relative
    else if (typeof want === "number")
      expect(Math.abs(Number(got) - want), key).toBeLessThanOrEqual(Math.abs(want) * 1e-13);
    else expect(JSON.parse(got), key).toEqual(want);
  }
}

/** A freqtrade-style summary table (components/summary-tables.js) as its rows' data attributes. */
async function summaryRows(
  page: Page,
  id: string,
): Promise<{ key: string; trades: number; profit: number }[]> {
  return page.$$eval(`#${id} tbody tr[data-key]`, (rows) =>
    rows.map((r) => {
      const d = (r as HTMLElement).dataset;
      return { key: d.key ?? "", trades: Number(d.trades), profit: Number(d.profit) };
    }),
  );
}

/** Per exit reason and per period, the counts sum to the run's trades and the profits to its P&L, to the cent. */
async function expectSummaryMatches(page: Page, trades: { pnl: number }[]) {
  const pnl = trades.reduce((a, t) => a + t.pnl, 0);
  for (const id of [
    "summary-exit-reason",
    "summary-symbol",
    "summary-day",
    "summary-week",
    "summary-month",
  ]) {
    const rows = await summaryRows(page, id);
    expect(rows.length, id).toBeGreaterThan(0);
    expect(
      rows.reduce((a, r) => a + r.trades, 0),
      id,
    ).toBe(trades.length);
    expect(Math.round(rows.reduce((a, r) => a + r.profit, 0) * 100), id).toBe(Math.round(pnl * 100));
  }
}

describe("notebooks site", () => {
  test("dist/ references nothing outside its origin", () => {
    const htmls = readdirSync(DIST).filter((f) => f.endsWith(".html"));
    expect(htmls.sort()).toEqual(PAGES.map((p) => `${p}.html`).sort());
    for (const f of htmls) {
      const text = readFileSync(path.join(DIST, f), "utf8");
      expect(text.match(/(?:src|href)=["']?(?:https?:)?\/\//g) ?? [], f).toEqual([]);
      expect(text, f).not.toContain("observablehq--error");
    }
  });

  test.each(PAGES)("page %s renders without errors", async (name) => {
    const page = await open(name);
    await page.waitForSelector(READY[name], { timeout: 60_000 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, `notebooks-${name}.png`), fullPage: true });
    expect(await page.locator(".observablehq--error").allTextContents()).toEqual([]);
    expect(consoleErrors.filter((e) => e.startsWith(`${name}:`))).toEqual([]);
    expect(browsing.blocked).toEqual([]);
    await page.close();
  });

  test("optimize page completes the default grid through the engine's optimize() in Web Workers", async () => {
    const page = await open("optimize");
    const status = page.locator("#grid-status[data-done='true']");
    await status.waitFor({ timeout: 60_000 });
    // sma-cross, 5 values of fast x 5 of slow
    expect(await status.getAttribute("data-trials")).toBe("25");
    expect(await page.locator("#top-results tbody tr").count()).toBe(10);
    expect(await page.locator("#heatmap svg rect").count()).toBeGreaterThanOrEqual(25);
    // then the walk-forward: 4 folds, each the same grid in sample plus one out-of-sample run
    const wf = page.locator("#wf-status[data-done='true']");
    await wf.waitFor({ timeout: 60_000 });
    expect(await wf.textContent()).toBe("4 folds, 104 runs");
    // the page's walk-forward is the engine's: `stom optimize --walk-forward` picks the same
    // parameters per fold with the same in- and out-of-sample values
    const args = JSON.parse((await page.locator("#wf-cli").getAttribute("data-args")) ?? "[]");
    const out = spawnSync(
      "node",
      ["bin/stom.js", "optimize", ...args, "--data", sampleCsv(), "--workers", "2", "--json"],
      { cwd: ROOT, encoding: "utf8" },
    );
    if (out.status !== 0) throw new Error(`stom optimize --walk-forward failed: ${out.stderr}`);
    const cli = JSON.parse(out.stdout);
    const folds = JSON.parse((await wf.getAttribute("data-folds")) ?? "[]");
    expect(folds).toHaveLength(4);
    expect(folds.every((f: { params: unknown }) => f.params !== null)).toBe(true);
    expect(folds).toEqual(
      cli.folds.map((f: { params: unknown; inSample: number; outOfSample: number }) => ({
        params: f.params,
        inSample: f.inSample,
        outOfSample: f.outOfSample,
      })),
    );
    expect(consoleErrors.filter((e) => e.startsWith("optimize:"))).toEqual([]);
    await page.close();
  });

  test("backtest page matches `stom backtest` and re-runs on a parameter change", async () => {
    const csv = sampleCsv();

    const page = await open("backtest");
    const status = page.locator("#run-status");
    await status.waitFor({ timeout: 60_000 });
    expect(JSON.parse((await status.getAttribute("data-params")) ?? "")).toEqual({ fast: 10, slow: 30 });
    // the page says its defaults are the CLI's, and marks trades at any count (349 on the sample)
    const defaults = page.locator("#cli-defaults");
    const cliDefaults = withRunOptions(new Command()).opts();
    expect(Number(await defaults.getAttribute("data-cash"))).toBe(cliDefaults.cash);
    expect(Number(await defaults.getAttribute("data-commission"))).toBe(cliDefaults.commission);
    const markers = page.locator("#trade-markers");
    expect(Number(await markers.getAttribute("data-total"))).toBe(
      Number(await status.getAttribute("data-trades")),
    );
    expect(Number(await markers.getAttribute("data-shown"))).toBeGreaterThan(100);
    expect(await markers.textContent()).toMatch(/^markers: \d+ of \d+ trades|^markers: all/);
    const before = await pageStats(page);
    expectSameStats(before, cliStats(csv));
    const run = Number(await status.getAttribute("data-run"));

    const fast = page.locator("form label:text-is('fast') + div input[type=number]");
    await fast.fill("20");
    await fast.dispatchEvent("input");
    await page.waitForFunction(
      (n) => Number(document.querySelector("#run-status")?.getAttribute("data-run")) > n,
      run,
      { timeout: 30_000 },
    );
    await page.waitForFunction(() =>
      document.querySelector("#run-status")?.getAttribute("data-params")?.includes('"fast":20'),
    );
    const after = await pageStats(page);
    expect(after.returnPct).not.toBe(before.returnPct);
    expectSameStats(after, cliStats(csv, ["--param", "fast=20"]));
    await page.screenshot({ path: path.join(SHOTS, "notebooks-backtest-fast20.png"), fullPage: true });
    expect(consoleErrors.filter((e) => e.startsWith("backtest:"))).toEqual([]);
    await page.close();
  });

  test("stom page matches runStom in Node on the same fixture, options and cases", async () => {
    const { program, inputs } = await stomFixture();
    const node = (options: { betting: number; fill: "same" | "next" }, p = program) => {
      const r = runStom(p, inputs, options);
      const { stom: block, ...stats } = r.stats;
      return { r, block, stats: JSON.parse(JSON.stringify(stats)) as Record<string, unknown> };
    };

    const page = await open("stom");
    const status = page.locator("#stom-status[data-trades]");
    await status.waitFor({ timeout: 60_000 });
    const first = node({ betting: 1_000_000, fill: "same" });
    expect(first.r.trades.length).toBeGreaterThan(3);
    expect(Number(await status.getAttribute("data-trades"))).toBe(first.r.trades.length);
    expect(await status.getAttribute("data-kind")).toBe(STOM_FIXTURE.kind);
    expect(await pageResult(page)).toEqual(first.block);
    expectSameStats(await pageStats(page), first.stats);
    expect(await page.locator("#stom-trades").getAttribute("data-rows")).toBe(String(first.r.trades.length));
    // the sell condition line of each trade, as STOM's result table shows it
    expect(await page.locator("#stom-trades").textContent()).toContain(first.r.trades[0].cond);

    // other options, through the form's Run button: 500,000 a buy, fills on the next snapshot
    const rerun = async (act: () => Promise<void>) => {
      const run = Number(await page.locator("#stom-status").getAttribute("data-run"));
      await act();
      await page.click("form.stom-form button[name=run]");
      await page.waitForFunction(
        (n) => Number(document.querySelector("#stom-status")?.getAttribute("data-run")) > n,
        run,
        { timeout: 30_000 },
      );
    };
    await rerun(async () => {
      await page.fill("form.stom-form input[name=betting]", "500000");
      await page.selectOption("form.stom-form select[name=fill]", "next");
    });
    await page.locator("#stom-status[data-trades]").waitFor();
    const next = node({ betting: 500_000, fill: "next" });
    expect(next.block.tsg).not.toBe(first.block.tsg);
    expect(Number(await page.locator("#stom-status").getAttribute("data-trades"))).toBe(next.r.trades.length);
    expect(await pageResult(page)).toEqual(next.block);
    expectSameStats(await pageStats(page), next.stats);
    await page.screenshot({ path: path.join(SHOTS, "notebooks-stom-options.png"), fullPage: true });

    // the picker lists every shared case when the build had them (run on their own DBs: see below)
    const cases = await page.$$eval("form.stom-form select[name=case] option", (os) =>
      os.map((o) => (o as HTMLOptionElement).value).filter(Boolean),
    );
    const dir = path.join(sharedDataDir(), STOM_CASES_DIR);
    expect(cases).toEqual(existsSync(dir) ? readdirSync(dir).sort() : []);
    expect(consoleErrors.filter((e) => e.startsWith("stom:"))).toEqual([]);
    await page.close();
  });

  // the shared cases on the DBs their stom_v1_oracle.json names, against STOM V1.10's own engine
  const stomDbs = path.join(sharedDataDir(), STOM_DBS_DIR);
  test.skipIf(!existsSync(stomDbs))(
    "stom page runs shared cases on their own DBs and equals STOM's own engine",
    async () => {
      const dir = path.join(sharedDataDir(), STOM_CASES_DIR);
      const file = (name: string, f: string) => readFileSync(path.join(dir, name, f), "utf8");
      const page = await open("stom");
      await page.locator("#stom-status[data-trades]").waitFor({ timeout: 60_000 });
      const choose = async (name: string) => {
        const run = Number(await page.locator("#stom-status").getAttribute("data-run"));
        await page.selectOption("form.stom-form select[name=case]", name);
        await page.click("form.stom-form button[name=run]");
        await page.waitForFunction(
          (n) => Number(document.querySelector("#stom-status")?.getAttribute("data-run")) > n,
          run,
          { timeout: 60_000 },
        );
        await page.locator(`#stom-oracle[data-case='${name}']`).waitFor({ timeout: 60_000 });
      };
      for (const name of ["a01_example_stock_tick", "a06_coinopti2_tick"]) {
        await choose(name);
        const oracle = JSON.parse(file(name, "stom_v1_oracle.json"));
        expect(await page.locator("#stom-db-note").getAttribute("data-db")).toBe(oracle.db);
        expect(await page.locator("#stom-db-note").getAttribute("data-kind")).toBe(file(name, "kind").trim());
        expect(await page.locator("#stom-status").getAttribute("data-kind")).toBe(file(name, "kind").trim());
        expect(await pageResult(page)).toEqual(oracle.result);
        expect(Number(await page.locator("#stom-status").getAttribute("data-trades"))).toBe(
          oracle.trades.length,
        );
        expect(await page.locator("#stom-trades").getAttribute("data-rows")).toBe(
          String(oracle.trades.length),
        );
        const box = page.locator("#stom-oracle");
        expect(await box.getAttribute("data-equal")).toBe("true");
        expect(JSON.parse((await box.getAttribute("data-result")) ?? "null")).toEqual(oracle.result);
        expect(await box.textContent()).toContain(
          `STOM's own engine: tc ${oracle.result.tc}, TPI ${oracle.result.tpi}`,
        );
        await page.screenshot({ path: path.join(SHOTS, `notebooks-stom-${name}.png`), fullPage: true });
      }
      // a06 has 최적화 범위 ranges: they became the sliders, run at their best values
      expect(await page.inputValue("form.stom-form textarea[name=vars]")).toBe(
        file("a06_coinopti2_tick", "vars.txt"),
      );
      // STOM stops d050's backtest on a division by zero in the buy text: so does the page, at its line
      await choose("d050_Tick_0930_1000_PostBreakout");
      const error = page.locator("#stom-error[data-line]");
      await error.waitFor({ timeout: 30_000 });
      expect(await error.textContent()).toContain("buy.txt:7:25: ZeroDivisionError");
      expect([await error.getAttribute("data-line"), await error.getAttribute("data-column")]).toEqual([
        "7",
        "25",
      ]);
      expect(await page.locator("#stom-status").getAttribute("data-error")).toBe("true");
      const box = page.locator("#stom-oracle");
      expect(await box.getAttribute("data-compare")).toBe("error");
      expect(await box.getAttribute("data-equal")).toBe("true");
      expect(await box.textContent()).toContain("ZeroDivisionError");
      await page.screenshot({ path: path.join(SHOTS, "notebooks-stom-d050.png"), fullPage: true });
      expect(consoleErrors.filter((e) => e.startsWith("stom:"))).toEqual([]);
      await page.close();
    },
  );

  test("stom page's grid over self.vars in Web Workers finds the best TP of runStom over every cell", async () => {
    const { program, inputs } = await stomFixture();
    const page = await open("stom");
    await page.locator("#stom-status[data-trades]").waitFor({ timeout: 60_000 });
    await page.click("button:text-is('Run optimization')");
    const status = page.locator("#stom-search-status[data-done='true']");
    await status.waitFor({ timeout: 60_000 });
    // every cell of the example's ranges, run in Node; TP = 수익률합계, STOM's -2,000,000,000 without trades
    const space = searchSpace(program.params);
    expect(space.size).toBe(7);
    let best: { params: Record<string, number>; value: number } | undefined;
    for (const v of space.dims[0].values) {
      const params = { ...(space.fixed as Record<string, number>), [space.dims[0].name]: v };
      const r = runStom(program, inputs, { betting: 1_000_000, fill: "same", params });
      const value = r.result.tc > 0 ? r.result.tpp : -2_000_000_000;
      if (!best || value > best.value) best = { params, value };
    }
    expect(await status.getAttribute("data-trials")).toBe("7");
    expect(JSON.parse((await status.getAttribute("data-best")) ?? "null")).toEqual(best);
    expect(await page.locator("#stom-search-top tbody tr").count()).toBe(7);
    await page.screenshot({ path: path.join(SHOTS, "notebooks-stom-optimize.png"), fullPage: true });
    expect(consoleErrors.filter((e) => e.startsWith("stom:"))).toEqual([]);
    await page.close();
  });

  test("stom page shows a broken text's error at its line and column", async () => {
    const page = await open("stom");
    await page.locator("#stom-status[data-trades]").waitFor({ timeout: 60_000 });
    await page.fill("form.stom-form textarea[name=buy]", "매수 = True\nif 현재가 > 1\n    매수 = False\n");
    await page.click("form.stom-form button[name=run]");
    const error = page.locator("#stom-error[data-line]");
    await error.waitFor({ timeout: 30_000 });
    expect(await error.getAttribute("data-line")).toBe("2");
    expect(await error.getAttribute("data-column")).toBe("11");
    expect(await error.textContent()).toContain("buy:2:11: expected ':'");
    expect(await page.locator("#stom-status").getAttribute("data-error")).toBe("true");
    // the previous run's results are gone, not left standing beside the error
    expect(await page.locator("table.stats").count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, "notebooks-stom-error.png"), fullPage: true });
    await page.close();
  });

  test("optimize page's TPE search equals `stom optimize --method tpe --trials 20 --seed 1`", async () => {
    const csv = sampleCsv();
    const page = await open("optimize");
    await page.locator("#grid-status[data-done='true']").waitFor({ timeout: 60_000 });
    await page.click("button:text-is('Run search')");
    const status = page.locator("#search-status[data-done='true']");
    await status.waitFor({ timeout: 60_000 });
    // the page's cash and commission are the CLI's defaults
    const args = ["bin/stom.js", "optimize", "sma-cross", "--data", csv];
    args.push("--method", "tpe", "--trials", "20", "--seed", "1");
    args.push("--maximize", "sqn", "--workers", "2", "--json");
    const out = spawnSync("node", args, { cwd: ROOT, encoding: "utf8" });
    if (out.status !== 0) throw new Error(`stom optimize failed: ${out.stderr}`);
    const cli = JSON.parse(out.stdout);
    expect(cli.trials).toBe(20);
    expect(await status.getAttribute("data-trials")).toBe("20");
    expect(JSON.parse((await status.getAttribute("data-best")) ?? "null")).toEqual({
      params: cli.best.params,
      value: cli.best.value,
    });
    expect(await page.locator("#search-top tbody tr").count()).toBe(10);
    await page.screenshot({ path: path.join(SHOTS, "notebooks-optimize-search.png"), fullPage: true });

    // a whole grid over the strategy's ranges is ~100k runs: cancel it
    // Inputs.radio values are option indexes: grid is the first
    await page.locator("#search-form input[type=radio]").nth(0).check();
    await page.fill("#search-form input[type=number] >> nth=0", "0");
    await page.click("button:text-is('Run search')");
    await page.waitForFunction(() =>
      /^\d+ \/ \d+ trials/.test(document.querySelector("#search-status")?.textContent ?? ""),
    );
    expect(await page.locator("#search-status").textContent()).toMatch(/ETA/);
    await page.click("#search-status-cancel");
    const cancelled = page.locator("#search-status[data-cancelled='true']");
    await cancelled.waitFor({ timeout: 30_000 });
    expect(Number(await cancelled.getAttribute("data-trials"))).toBeLessThan(50_000);
    expect(consoleErrors.filter((e) => e.startsWith("optimize:"))).toEqual([]);
    await page.close();
  });

  test("report page draws the saved run's per-bar equity and drawdown", async () => {
    const page = await open("report");
    const curves = page.locator("#report-curves");
    await curves.waitFor({ timeout: 60_000 });
    // the build-time run is sma-cross on the first sample series
    expect(await curves.getAttribute("data-points")).toBe(String(SAMPLE_BARS[0].bars));
    const stats = await pageStats(page);
    const deepest = Number(await curves.getAttribute("data-max-drawdown"));
    expect(deepest).toBeGreaterThan(0);
    // the published curves keep 8 significant digits
    expect(deepest * 100).toBeCloseTo(-Number(stats.maxDrawdownPct), 5);
    expect(await curves.locator("svg").count()).toBe(2);
    await page.close();
  });

  test("backtest page's summary tables add up to `stom backtest`'s trades and P&L", async () => {
    const csv = sampleCsv();
    const out = spawnSync("node", ["bin/stom.js", "backtest", "sma-cross", "--data", csv, "--json"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(out.status, out.stderr).toBe(0);
    const cli = JSON.parse(out.stdout) as { trades: { pnl: number }[] };
    expect(cli.trades.length).toBeGreaterThan(100);

    const page = await open("backtest");
    await page.locator("#summary-tables").waitFor({ timeout: 60_000 });
    await expectSummaryMatches(page, cli.trades);
    expect((await summaryRows(page, "summary-symbol")).map((r) => r.key)).toEqual([SAMPLE_BARS[0].symbol]);
    // one period table shows at a time; month first
    expect(await page.locator("#summary-month").isVisible()).toBe(true);
    await page.locator("input[name=summary-period][value=week]").check();
    expect(await page.locator("#summary-week").isVisible()).toBe(true);
    expect(await page.locator("#summary-month").isVisible()).toBe(false);
    expect(consoleErrors.filter((e) => e.startsWith("backtest:"))).toEqual([]);
    await page.close();
  });

  test("report page's summary tables add up to the saved run's trades and P&L", async () => {
    const page = await browsing.context.newPage();
    const saved = page.waitForResponse((r) => /\/report\.[0-9a-f]+\.json$/.test(new URL(r.url()).pathname));
    await page.goto(`${site.origin}/report`);
    const report = (await (await saved).json()) as { stats: { trades: number }; trades: { pnl: number }[] };
    await page.locator("#summary-tables").waitFor({ timeout: 60_000 });
    expect(report.trades.length).toBe(report.stats.trades);
    await expectSummaryMatches(page, report.trades);
    await page.screenshot({ path: path.join(SHOTS, "notebooks-report-summary.png"), fullPage: true });
    await page.close();
  });

  test("explore page picks market, symbol and timeframe separately", async () => {
    const page = await open("explore");
    await page.waitForSelector(READY.explore, { timeout: 60_000 });
    const picker = (label: string) => page.locator(`form:has(> label:text-is('${label}')) select`);
    expect(await picker("market").locator("option").allTextContents()).toEqual(["sample"]);
    expect(await picker("symbol").locator("option").allTextContents()).toEqual(["SAMPLE", "SAMPLE-ALT"]);
    expect(await picker("timeframe").locator("option").allTextContents()).toEqual([SAMPLE_BARS[0].timeframe]);
    await picker("symbol").selectOption({ label: "SAMPLE-ALT" });
    await page.waitForFunction(() => document.body.textContent?.includes("sample:SAMPLE-ALT:5m"));
    expect(await picker("timeframe").locator("option").allTextContents()).toEqual(["5m"]);
    await page.screenshot({ path: path.join(SHOTS, "notebooks-explore-alt.png"), fullPage: true });
    expect(consoleErrors.filter((e) => e.startsWith("explore:"))).toEqual([]);
    await page.close();
  });
});
