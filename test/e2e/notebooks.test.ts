// The notebooks site end to end: build offline, serve dist/ on 127.0.0.1, open every page in a
// headless Chromium that may reach nothing else. STOM_E2E_SKIP_BUILD=1 reuses an existing dist/.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SAMPLE_BARS } from "../../notebooks/data/sample-spec.ts";
import { makeSampleBars } from "../../src/data/sample.ts";
import { type Browsing, buildSite, DIST, launch, ROOT, serve } from "./site.ts";

const SHOTS = path.join(ROOT, "test-results");
const PAGES = ["index", "explore", "backtest", "optimize", "report", "live"] as const;
/** what shows that a page has finished its work */
const READY: Record<(typeof PAGES)[number], string> = {
  index: "table",
  explore: "#sql-result table",
  backtest: "#run-status",
  optimize: "#grid-status[data-done='true']",
  report: "table.stats",
  live: "h1",
};

let site: Awaited<ReturnType<typeof serve>>;
let browsing: Browsing;
let tmp: string;
const consoleErrors: string[] = [];

beforeAll(async () => {
  // an empty catalog dir makes the build use the embedded sample, as on a fresh clone
  tmp = mkdtempSync(path.join(tmpdir(), "stom-e2e-"));
  mkdirSync(path.join(tmp, "empty-catalog"));
  if (!process.env.STOM_E2E_SKIP_BUILD) buildSite({ STOM_CATALOG: path.join(tmp, "empty-catalog") });
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

function cliStats(csv: string, extra: string[] = []): Record<string, unknown> {
  const args = [
    "bin/stom.js",
    "backtest",
    "sma-cross",
    "--data",
    csv,
    "--cash",
    "1000000",
    "--commission",
    "0.0005",
    "--json",
    ...extra,
  ];
  const out = spawnSync("node", args, { cwd: ROOT, encoding: "utf8" });
  if (out.status !== 0) throw new Error(`stom backtest failed: ${out.stderr}`);
  return JSON.parse(out.stdout).stats;
}

function expectSameStats(page: Record<string, string>, cli: Record<string, unknown>) {
  const keys = Object.keys(cli);
  expect(keys.length).toBeGreaterThan(25);
  for (const key of keys) {
    const want = cli[key];
    const got = page[key];
    expect(got, key).toBeDefined();
    if (want === null) expect(Number.isFinite(Number(got)), key).toBe(false);
    else if (typeof want === "number") expect(Number(got), key).toBe(want);
    else expect(JSON.parse(got), key).toEqual(want);
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

  test("optimize page completes the default grid in Web Workers", async () => {
    const page = await open("optimize");
    const status = page.locator("#grid-status[data-done='true']");
    await status.waitFor({ timeout: 60_000 });
    // sma-cross, 5 values of fast x 5 of slow
    expect(await status.getAttribute("data-runs")).toBe("25");
    expect(await page.locator("#top-results tbody tr").count()).toBe(10);
    expect(await page.locator("#heatmap svg rect").count()).toBeGreaterThanOrEqual(25);
    // then the walk-forward: 4 folds, each the same grid in sample plus one out-of-sample run
    const wf = page.locator("#wf-status[data-done='true']");
    await wf.waitFor({ timeout: 60_000 });
    expect(await wf.textContent()).toBe("4 folds, 104 runs");
    expect(consoleErrors.filter((e) => e.startsWith("optimize:"))).toEqual([]);
    await page.close();
  });

  test("backtest page matches `stom backtest` and re-runs on a parameter change", async () => {
    const sample = makeSampleBars(SAMPLE_BARS[0]);
    const c = sample.columns as Record<string, Float64Array>;
    const lines = ["time,open,high,low,close,volume"];
    for (let i = 0; i < sample.length; i++)
      lines.push([c.time[i], c.open[i], c.high[i], c.low[i], c.close[i], c.volume[i]].join(","));
    const csv = path.join(tmp, "SAMPLE.csv");
    writeFileSync(csv, `${lines.join("\n")}\n`);

    const page = await open("backtest");
    const status = page.locator("#run-status");
    await status.waitFor({ timeout: 60_000 });
    expect(JSON.parse((await status.getAttribute("data-params")) ?? "")).toEqual({ fast: 10, slow: 30 });
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
});
