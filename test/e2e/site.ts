// A static server for dist/ on 127.0.0.1 and a headless Debian Chromium that may reach only it.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { type Browser, type BrowserContext, chromium } from "playwright-core";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const DIST = path.join(ROOT, "dist");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".arrow": "application/vnd.apache.arrow.stream",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** Runs `npm run build` (clears the loader cache first) and returns its wall time in ms. */
export function buildSite(env: NodeJS.ProcessEnv = {}): number {
  const t0 = performance.now();
  const out = spawnSync("npm", ["run", "build"], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  if (out.status !== 0) throw new Error(`build failed (${out.status}):\n${out.stdout}\n${out.stderr}`);
  return performance.now() - t0;
}

/** Serves `dir` like a plain static host: /page resolves to page.html, unknown paths 404. */
export async function serve(dir = DIST): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    let file = path.join(dir, decodeURIComponent(url.pathname));
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, "index.html");
    else if (!existsSync(file) && existsSync(`${file}.html`)) file = `${file}.html`;
    if (!existsSync(file)) return void res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no server address");
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Browsing {
  readonly browser: Browser;
  readonly context: BrowserContext;
  /** requests outside the origin, which were aborted */
  readonly blocked: string[];
  close(): Promise<void>;
}

/** Launches Chromium (playwright gives it a fresh temporary profile); every request outside `origin` is aborted and recorded. */
export async function launch(origin: string): Promise<Browsing> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url === origin || url.startsWith("data:") || url.startsWith("blob:"))
      return route.continue();
    blocked.push(url);
    return route.abort();
  });
  return {
    browser,
    context,
    blocked,
    close: async () => {
      await browser.close();
    },
  };
}
