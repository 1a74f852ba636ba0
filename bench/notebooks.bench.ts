// Interactive speed of the Backtest page in headless Chromium: wall time from a parameter change
// to the redrawn charts (engine run + Plot redraw + next paint), on 100k and 1M synthetic bars
// (the page's ?synthetic=N). Also the site's build time and dist/ size. Builds dist/ unless
// STOM_BENCH_SKIP_BUILD=1.
import { execSync } from "node:child_process";
import { buildSite, DIST, launch, serve } from "../test/e2e/site.ts";

const SIZES = [100_000, 1_000_000];
const REPEATS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!process.env.STOM_BENCH_SKIP_BUILD) {
  const ms = buildSite();
  console.log(`build: ${(ms / 1000).toFixed(1)} s (npm run build, loaders included)`);
}
console.log(`dist/: ${execSync(`du -sh ${DIST}`).toString().split("\t")[0]}`);

const site = await serve();
const browsing = await launch(site.origin);
try {
  console.log(
    "\n| bars | trades | first run (load + run + draw) | param change → redrawn, median of 5 | engine | charts | trade list |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|");
  for (const n of SIZES) {
    const page = await browsing.context.newPage();
    const t0 = performance.now();
    await page.goto(`${site.origin}/backtest?synthetic=${n}`);
    await page.waitForFunction(
      (id) => document.querySelector("#run-status")?.textContent?.includes(id),
      `synthetic:${n}`,
      {
        timeout: 300_000,
      },
    );
    const first = performance.now() - t0;
    const walls: number[] = [];
    const engine: number[] = [];
    const charts: number[] = [];
    const list: number[] = [];
    let trades = 0;
    for (let k = 0; k < REPEATS; k++) {
      const value = 11 + k;
      // measured inside the page: from the input event to the frame after the new status renders
      // a string, not a function: tsx's transpile would inject helpers the page does not have
      const wall = (await page.evaluate(`new Promise((resolve) => {
        const input = [...document.querySelectorAll("form label")]
          .find((l) => l.textContent === "fast")
          .parentElement.querySelector("input[type=number]");
        const before = Number(document.querySelector("#run-status").getAttribute("data-run"));
        const start = performance.now();
        // redrawn = the status with the charts and the trade list of the new run are on the page
        const check = () => {
          if (
            Number(document.querySelector("#run-status")?.getAttribute("data-run")) > before &&
            Number(document.querySelector("#trade-list")?.getAttribute("data-run")) > before
          )
            requestAnimationFrame(() => resolve(performance.now() - start));
          else requestAnimationFrame(check);
        };
        input.value = "${value}";
        input.dispatchEvent(new Event("input", { bubbles: true }));
        requestAnimationFrame(check);
      })`)) as number;
      walls.push(wall);
      const status = page.locator("#run-status");
      engine.push(Number(await status.getAttribute("data-ms")));
      charts.push(Number(await status.getAttribute("data-draw-ms")));
      list.push(Number(await page.locator("#trade-list").getAttribute("data-ms")));
      trades = Number(await status.getAttribute("data-trades"));
    }
    console.log(
      `| ${n.toLocaleString("en-US")} | ${trades.toLocaleString("en-US")} | ${(first / 1000).toFixed(1)} s | ${median(walls).toFixed(0)} ms | ${median(engine).toFixed(0)} ms | ${median(charts).toFixed(0)} ms | ${median(list).toFixed(0)} ms |`,
    );
    await page.close();
  }
} finally {
  await browsing.close();
  await site.close();
}
