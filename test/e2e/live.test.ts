// The Live page against a running bridge: the bridge in this process (paper, fed by tick()), the
// built site on a static server, headless Chromium allowed to reach both and nothing else.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Bridge } from "../../src/bridge/bridge.ts";
import type { BridgeServer } from "../../src/bridge/server.ts";
import type { Promotion } from "../../src/bridge/types.ts";
import { needShared } from "../support/paths.ts";
import { type Browsing, ROOT, type SiteWithBridge, siteWithBridge } from "./site.ts";

// random, as `openssl rand -hex 32` makes one: the bridge refuses weak tokens
const TOKEN = "440a51f5c94f8a42dc7a456ec8be79ed251a653866cfbde16cf975ec7fdf198e";
const BARS = path.resolve(ROOT, "../shared/data/freqtrade/XRP_ETH-1m.json");
const { missing } = needShared("freqtrade/XRP_ETH-1m.json");
const SHOTS = path.join(ROOT, "test-results");

let env: SiteWithBridge;
let site: SiteWithBridge["site"];
let bridge: Bridge;
let server: BridgeServer;
let browsing: Browsing;
const errors: string[] = [];

beforeAll(async () => {
  if (missing) return;
  env = await siteWithBridge(TOKEN);
  ({ site, bridge, server, browsing } = env);
}, 300_000);

afterAll(async () => {
  await env?.close();
});

/** One trade at each bar's open and one at its close drives the bar builder. */
function feed(promotion: Promotion, bars: number[][]) {
  for (const [t, o, , , c] of bars) {
    bridge.tick(promotion.id, { time: t, price: o, amount: 1 });
    bridge.tick(promotion.id, { time: t + 30_000, price: c, amount: 1 });
  }
}

const rows = (page: Page, id: string) => page.locator(`#${id} tbody tr`).count();

test.skipIf(missing)("live page follows a paper promotion and its kill switch stops the bridge", async () => {
  const page = await browsing.context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${site.origin}/live`);
  await page.fill("form.bridge-connect input[name=url]", server.url);
  await page.fill("form.bridge-connect input[name=token]", TOKEN);
  await page.click("form.bridge-connect button[name=go]");
  await page.waitForFunction(() =>
    document.querySelector("#live-status")?.textContent?.startsWith("connected"),
  );
  expect(await page.locator("#live-status").textContent()).toBe("connected · paper");

  const res = await fetch(`${server.url}/api/promotions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      strategy: "sma-cross",
      params: { fast: 5, slow: 20 },
      exchange: "binance",
      symbol: "XRP/ETH",
      timeframe: "1m",
    }),
  });
  expect(res.status).toBe(201);
  const promotion = (await res.json()) as Promotion;
  const bars = JSON.parse(readFileSync(BARS, "utf8")) as number[][];
  feed(promotion, bars.slice(0, 400));

  await page.waitForFunction(
    (id) => document.querySelector("#live-promotions")?.textContent?.includes(id),
    promotion.id,
  );
  await page.waitForFunction(() => (document.querySelectorAll("#live-fills tbody tr").length ?? 0) > 0);
  const orders = (await (
    await fetch(`${server.url}/api/orders`, { headers: { Authorization: `Bearer ${TOKEN}` } })
  ).json()) as { clientOrderId: string; state: string }[];
  const filled = orders.filter((o) => o.state === "FILLED");
  expect(filled.length).toBeGreaterThan(0);
  // the page shows the bridge's own orders (it lists the latest 50)
  expect(await rows(page, "live-orders")).toBe(Math.min(50, orders.length));
  const shownIds = await page.locator("#live-orders tbody tr td:first-child").allTextContents();
  for (const id of shownIds) expect(orders.map((o) => o.clientOrderId)).toContain(id);
  const points = async () =>
    (await page.locator("#live-pnl polyline").getAttribute("points"))?.split(" ").length ?? 0;
  const before = await points();
  expect(before).toBeGreaterThan(1);

  // more bars: the P&L curve grows while the page is open
  feed(promotion, bars.slice(400, 600));
  await page.waitForFunction(
    (n) => (document.querySelector("#live-pnl polyline")?.getAttribute("points")?.split(" ").length ?? 0) > n,
    before,
  );
  await page.screenshot({ path: path.join(SHOTS, "notebooks-live-connected.png"), fullPage: true });

  expect(bridge.risk.killed).toBe(false);
  await page.click("#live-kill");
  await page.waitForFunction(() =>
    document.querySelector("#live-status")?.textContent?.includes("KILL SWITCH ON"),
  );
  expect(bridge.risk.killed).toBe(true);
  const filledCount = async () =>
    (
      (await (
        await fetch(`${server.url}/api/orders`, { headers: { Authorization: `Bearer ${TOKEN}` } })
      ).json()) as { state: string }[]
    ).filter((o) => o.state === "FILLED").length;
  const filledBefore = await filledCount();
  const fillsBefore = await page.locator("#live-fills").innerHTML();
  feed(promotion, bars.slice(600, 1400));
  await page.waitForFunction(() => (document.querySelectorAll("#live-risk tbody tr").length ?? 0) > 0);
  expect(await page.locator("#live-risk tbody tr td:first-child").allTextContents()).toContain("kill");
  // killed: orders are refused before the venue, so nothing fills and the fill list stands still
  expect(await filledCount()).toBe(filledBefore);
  expect(await page.locator("#live-fills").innerHTML()).toBe(fillsBefore);
  await page.screenshot({ path: path.join(SHOTS, "notebooks-live-killed.png"), fullPage: true });

  await page.click("#live-resume");
  await page.waitForFunction(() => document.querySelector("#live-status")?.textContent === "connected");
  expect(bridge.risk.killed).toBe(false);
  expect(errors).toEqual([]);
  expect(browsing.blocked).toEqual([]);
  await page.close();
});
