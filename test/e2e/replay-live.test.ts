// `stom bridge --replay sample` as a user runs it (a real process), the Live page in a real browser:
// a paper promotion trades on the replayed bars and its fills show on the page.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { STOM_BIN } from "../support/cli.ts";
import { tempDir } from "../support/fixtures.ts";
import { type Browsing, ensureBuilt, launch, ROOT, serve } from "./site.ts";

const TOKEN = "5f0c2a9e7b14d3c86a2f9e0b7d4c1a3e8f6b2d9c0a7e4f1b3c8d5a2e9f0b7c4d";
const dir = tempDir("stom-replay-live-");
let site: Awaited<ReturnType<typeof serve>>;
let browsing: Browsing;
let bridge: ChildProcess | undefined;
let url = "";

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  await ensureBuilt();
  site = await serve();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  bridge = spawn(
    process.execPath,
    [STOM_BIN, "bridge", "--replay", "sample", "--speed", "150", "--port", String(port)].concat([
      "--journal",
      join(dir, "journal"),
      "--allow-origin",
      site.origin,
    ]),
    { cwd: ROOT, env: { ...process.env, STOM_BRIDGE_TOKEN: TOKEN, TZ: "UTC" }, stdio: "ignore" },
  );
  for (let k = 0; k < 300; k++) {
    if (
      await fetch(`${url}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  browsing = await launch(site.origin, { allow: [url] });
}, 300_000);

afterAll(async () => {
  bridge?.kill("SIGTERM");
  await browsing?.close();
  await site?.close();
});

test("the Live page shows a paper promotion trading on `stom bridge --replay sample`", async () => {
  const page = await browsing.context.newPage();
  await page.goto(`${site.origin}/live`);
  await page.fill("form.bridge-connect input[name=url]", url);
  await page.fill("form.bridge-connect input[name=token]", TOKEN);
  await page.click("form.bridge-connect button[name=go]");
  await page.waitForFunction(() =>
    document.querySelector("#live-status")?.textContent?.startsWith("connected"),
  );
  const res = await fetch(`${url}/api/promotions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ strategy: "sma-cross", exchange: "binance", symbol: "SAMPLE", timeframe: "1m" }),
  });
  expect(res.status).toBe(201);
  await page.waitForFunction(() => document.querySelectorAll("#live-fills tbody tr").length >= 3, null, {
    timeout: 60_000,
  });
  const fills = await page.locator("#live-fills tbody tr").count();
  expect(fills).toBeGreaterThanOrEqual(3);
});
