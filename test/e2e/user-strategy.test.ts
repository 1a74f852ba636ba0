// A user's own strategy file in the Backtest page: the same TypeScript file the CLI runs, compiled in
// the page by esbuild-wasm, its `import ... from "stom"` bound to the page's engine.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Browsing, ensureBuilt, launch, ROOT, serve } from "./site.ts";

let dir: string;
let site: Awaited<ReturnType<typeof serve>>;
let browsing: Browsing;

beforeAll(async () => {
  await ensureBuilt();
  site = await serve();
  browsing = await launch(site.origin);
  dir = mkdtempSync(path.join(tmpdir(), "stom-user-strategy-"));
}, 300_000);

afterAll(async () => {
  await browsing?.close();
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const status = async (page: Page) => ({
  run: Number(await page.locator("#run-status").getAttribute("data-run")),
  trades: Number(await page.locator("#run-status").getAttribute("data-trades")),
  text: (await page.locator("#run-status").textContent()) ?? "",
});

test("a user's .ts file runs in the page, equal to the bundled strategy it copies; a foreign import is refused by name", async () => {
  const page = await browsing.context.newPage();
  await page.goto(`${site.origin}/backtest`);
  await page.waitForSelector("#run-status");
  const bundled = await status(page);
  expect(bundled.trades).toBeGreaterThan(0);

  // the bundled sma-cross, as a user would keep it in their own project: TypeScript importing "stom"
  const mine = path.join(dir, "my-cross.ts");
  writeFileSync(mine, readFileSync(path.join(ROOT, "notebooks/strategies/sma-cross.ts"), "utf8"));
  await page.setInputFiles("input[type=file]", mine);
  await page.waitForFunction(
    (n) => Number(document.querySelector("#run-status")?.getAttribute("data-run")) > n,
    bundled.run,
  );
  const own = await status(page);
  expect(own.text.startsWith("my-cross.ts ")).toBe(true);
  expect(own.trades).toBe(bundled.trades);
  expect(await page.locator("#promote-status").textContent()).toContain("is your own file");

  const foreign = path.join(dir, "foreign.ts");
  writeFileSync(foreign, 'import pick from "lodash";\nexport default pick;\n');
  await page.setInputFiles("input[type=file]", foreign);
  await page.waitForFunction(() => document.body.textContent?.includes('cannot import "lodash"'));
  expect(await page.locator("body").textContent()).toContain("foreign.ts:1:");
});
