// The notebooks site built from each kind of catalog a user can have: bars only (the README's first
// `stom data fetch`), ticks only, and both (the empty catalog is notebooks.test.ts's build). Each
// variant is built once, into its own folder; every page must render without errors. The ticks-only
// build also hides the shared data folder, so the STOM page runs on its embedded SYNTHETIC DB.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { STOM_EXAMPLE } from "../../notebooks/data/stom-spec.ts";
import { STOM_SYNTHETIC, writeSyntheticStomDb } from "../../notebooks/data/stom-synthetic.ts";
import { Catalog } from "../../src/data/catalog/index.ts";
import { stomSqlite } from "../../src/data/formats/stom-sqlite.ts";
import type { Frame } from "../../src/data/frame.ts";
import { makeSampleBars, makeSampleTicks } from "../../src/data/sample.ts";
import { compileStom, runStom, type StomInput } from "../../src/engine/stom/index.ts";
import { type Browsing, ensureBuilt, launch, ROOT, serve } from "./site.ts";

const PAGES = ["index", "explore", "backtest", "stom", "optimize", "report", "live"] as const;
type Variant = "bars" | "ticks" | "both";

/** What shows that a page has finished, per variant (a page without bars shows its note and waits). */
const READY: Record<Variant, Record<(typeof PAGES)[number], string>> = {
  bars: {
    index: "table",
    explore: "#sql-result table",
    backtest: "#run-status",
    stom: "#stom-status[data-trades]",
    optimize: "#grid-status[data-done='true']",
    report: "table.stats",
    live: "h1",
  },
  ticks: {
    index: "table",
    explore: "#sql-result table",
    backtest: "#backtest-no-bars",
    stom: "#stom-status[data-trades]",
    optimize: "#optimize-no-bars",
    report: "table.stats",
    live: "h1",
  },
  both: {
    index: "table",
    explore: "#sql-result table",
    backtest: "#run-status",
    stom: "#stom-status[data-trades]",
    optimize: "#grid-status[data-done='true']",
    report: "table.stats",
    live: "h1",
  },
};

/** A catalog with the sample generator's series under market `e2e`, as a user's import would make. */
async function makeCatalog(dir: string, variant: Variant): Promise<void> {
  const frames: Frame[] = [];
  if (variant !== "ticks")
    frames.push({
      ...makeSampleBars({ bars: 2_000, seed: 3, timeframe: "1h", price: 100 }),
      market: "e2e",
      symbol: "BARS",
    });
  if (variant !== "bars")
    frames.push({ ...makeSampleTicks({ ticks: 1_200, seed: 5 }), market: "e2e", symbol: "TICKS" });
  const catalog = await Catalog.open(dir);
  try {
    await catalog.write(frames);
  } finally {
    await catalog.close();
  }
}

describe.each(["bars", "ticks", "both"] as const)("notebooks site on a %s catalog", (variant) => {
  let site: Awaited<ReturnType<typeof serve>>;
  let browsing: Browsing;
  let tmp: string;
  const errors: string[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), `stom-e2e-${variant}-`));
    const catalog = path.join(tmp, "catalog");
    await makeCatalog(catalog, variant);
    const env: NodeJS.ProcessEnv = { STOM_CATALOG: catalog };
    if (variant === "ticks") env.STOM_SHARED_DATA = path.join(tmp, "no-shared-data");
    const out = path.join(ROOT, "test-results", `site-${variant}`);
    await ensureBuilt(env, out);
    site = await serve(out);
    browsing = await launch(site.origin);
  }, 600_000);

  afterAll(async () => {
    await browsing?.close();
    await site?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function open(name: string): Promise<Page> {
    const page = await browsing.context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`${name}: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
    await page.goto(`${site.origin}/${name === "index" ? "" : name}`);
    return page;
  }

  test.each(PAGES)("page %s renders without errors", async (name) => {
    const page = await open(name);
    await page.waitForSelector(READY[variant][name], { timeout: 60_000 });
    await page.waitForTimeout(300);
    await page.screenshot({
      path: path.join(ROOT, "test-results", `notebooks-${variant}-${name}.png`),
      fullPage: true,
    });
    expect(await page.locator(".observablehq--error").allTextContents()).toEqual([]);
    expect(errors.filter((e) => e.startsWith(`${name}:`))).toEqual([]);
    expect(browsing.blocked).toEqual([]);
    await page.close();
  });

  test.runIf(variant === "bars")("explore page: bars, no ticks, and SQL over both tables", async () => {
    const page = await open("explore");
    await page.waitForSelector("#sql-result table", { timeout: 60_000 });
    // the bars are drawn, the tick views say there are none
    await page.waitForFunction(() => document.body.textContent?.includes("e2e:BARS:1h, 2,000 bars"));
    expect(await page.locator("#explore-no-ticks").textContent()).toContain("no tick series in this build");
    expect(await page.locator("#explore-no-bars").count()).toBe(0);
    // the default query runs over the catalog's bars: 2,000 hourly bars are 2,000 rows
    expect(await page.locator("#sql-result").textContent()).toContain("e2e:BARS:1h");
    expect(errors.filter((e) => e.startsWith("explore:"))).toEqual([]);
    await page.close();
  });

  test.runIf(variant === "ticks")(
    "explore page: ticks, no bars; the SQL cell starts from the ticks",
    async () => {
      const page = await open("explore");
      await page.waitForSelector("#sql-result table", { timeout: 60_000 });
      expect(await page.locator("#explore-no-bars").textContent()).toContain("no bar series in this build");
      expect(await page.locator("#sql-result").textContent()).toContain("e2e:TICKS:tick");
      await page.close();
    },
  );

  test.runIf(variant === "ticks")(
    "stom page runs on the SYNTHETIC DB without the shared data and equals runStom on it",
    async () => {
      const db = path.join(tmp, "synthetic.db");
      writeSyntheticStomDb(db);
      const inputs: StomInput[] = [];
      for await (const f of stomSqlite.read(db, {})) inputs.push({ symbol: f.symbol, columns: f.columns });
      const program = compileStom(STOM_EXAMPLE.buy, STOM_EXAMPLE.sell, {
        kind: STOM_SYNTHETIC.kind,
        buyFile: "buy",
        sellFile: "sell",
        vars: STOM_EXAMPLE.vars,
      });
      const node = runStom(program, inputs, { betting: 1_000_000, fill: "same" });

      const page = await open("stom");
      const status = page.locator("#stom-status[data-trades]");
      await status.waitFor({ timeout: 60_000 });
      expect(await status.getAttribute("data-synthetic")).toBe("true");
      expect(await status.textContent()).toMatch(/^SYNTHETIC data: /);
      expect(await page.locator("p.note", { hasText: "SYNTHETIC: a STOM coin_tick DB" }).count()).toBe(1);
      expect(node.trades.length).toBeGreaterThan(0);
      expect(Number(await status.getAttribute("data-trades"))).toBe(node.trades.length);
      const block = await page.$$eval("#stom-result tr[data-key]", (rows) =>
        Object.fromEntries(
          rows.map((r) => [
            (r as HTMLElement).dataset.key,
            Number((r.querySelector("td.value") as HTMLElement).dataset.value),
          ]),
        ),
      );
      expect(block).toEqual(node.result);
      await page.close();
    },
  );
});
