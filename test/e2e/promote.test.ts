import { afterAll, beforeAll, expect, test } from "vitest";
import { loadResolvedStrategy } from "../../src/app/strategy-loader.ts";
import type { Bridge } from "../../src/bridge/bridge.ts";
import type { BridgeServer } from "../../src/bridge/server.ts";
import { type Browsing, type SiteWithBridge, siteWithBridge } from "./site.ts";

// random, as `openssl rand -hex 32` makes one: the bridge refuses weak tokens
const TOKEN = "e7b657597b0b09705996160b26713a9b7b48eb2634d06796f5ec00c907ec33a3";

let env: SiteWithBridge;
let site: SiteWithBridge["site"];
let bridge: Bridge;
let server: BridgeServer;
let browsing: Browsing;
const errors: string[] = [];

beforeAll(async () => {
  env = await siteWithBridge(TOKEN);
  ({ site, bridge, server, browsing } = env);
}, 300_000);

afterAll(async () => {
  await env?.close();
});

test("Promote to paper posts the run with the fingerprint the bridge computes; a wrong token is refused", async () => {
  const page = await browsing.context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${site.origin}/backtest`);
  await page.waitForSelector("#run-status");
  const params = JSON.parse((await page.locator("#run-status").getAttribute("data-params")) ?? "{}");

  const form = page.locator("form.promote-form");
  await form.locator("input[name=url]").fill(server.url);
  await form.locator("input[name=symbol]").fill("BTC/USDT");
  await form.locator("input[name=token]").fill(`${TOKEN}x`);
  await form.locator("button[name=promote]").click();
  await page.waitForSelector("#promote-status[data-state=refused]");
  expect(await page.locator("#promote-status").textContent()).toContain("refused (401)");
  expect(bridge.promotions()).toHaveLength(0);

  await form.locator("input[name=token]").fill(TOKEN);
  await form.locator("button[name=promote]").click();
  await page.waitForSelector("#promote-status[data-state=promoted]");
  const shown = page.locator("#promote-status");
  const promotions = bridge.promotions();
  expect(promotions).toHaveLength(1);
  const [p] = promotions;
  expect(await shown.getAttribute("data-id")).toBe(p.id);
  expect(p).toMatchObject({ strategy: "sma-cross", mode: "paper", exchange: "binance", symbol: "BTC/USDT" });
  // the page's fingerprint is the one `stom backtest --out` writes for the same file and params
  const settings = JSON.parse((await shown.getAttribute("data-settings")) ?? "null");
  expect(settings).toMatchObject({ cash: 10_000, account: "margin" });
  expect(p.settings).toEqual(settings);
  const expected = await loadResolvedStrategy("sma-cross", params, { settings });
  expect(p.fingerprint).toBe(expected.fingerprint);
  expect(await shown.getAttribute("data-fingerprint")).toBe(expected.fingerprint);
  expect(errors).toEqual([]);
});
