// A static server for dist/ on 127.0.0.1 and a headless Debian Chromium that may reach only it.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { Bridge } from "../../src/bridge/bridge.ts";
import { type BridgeServer, startServer } from "../../src/bridge/server.ts";

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

const STAMP = path.join(DIST, ".e2e-build");
const LOCK = path.join(ROOT, "test-results", ".e2e-build-lock");

/** Newest modification time (ms) of the files under `dir`, skipping caches and node_modules. */
function newest(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === ".observablehq" || e.name === "node_modules") continue;
    const p = path.join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

/**
 * Builds the site into `out` (default dist/) once for every e2e file (they may run in parallel workers): the first takes a
 * lock and builds, the others wait for it. A build stamped newer than every page, loader and
 * source file is reused; STOM_E2E_SKIP_BUILD=1 reuses whatever dist/ holds.
 */
export async function ensureBuilt(
  // an empty catalog makes the build use the embedded sample, as on a fresh clone
  env: NodeJS.ProcessEnv = { STOM_CATALOG: mkdtempSync(path.join(tmpdir(), "stom-e2e-empty-catalog-")) },
  out = DIST,
): Promise<void> {
  if (process.env.STOM_E2E_SKIP_BUILD && out === DIST) return;
  const stampFile = out === DIST ? STAMP : path.join(out, ".e2e-build");
  const fresh = () => {
    if (!existsSync(stampFile) || !existsSync(path.join(out, "index.html"))) return false;
    const stamp = statSync(stampFile).mtimeMs;
    const sources = Math.max(
      newest(path.join(ROOT, "notebooks")),
      newest(path.join(ROOT, "src")),
      statSync(path.join(ROOT, "observablehq.config.ts")).mtimeMs,
    );
    return stamp > sources && statSync(path.join(out, "index.html")).mtimeMs <= stamp;
  };
  mkdirSync(path.dirname(LOCK), { recursive: true });
  for (;;) {
    if (fresh()) return;
    try {
      mkdirSync(LOCK);
    } catch {
      // another file is building: wait for it (a lock older than 10 minutes is stale)
      const held = statSync(LOCK, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 600_000) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    try {
      if (fresh()) return;
      // observablehq.config.ts builds into STOM_SITE_OUT (default dist/)
      buildSite(out === DIST ? env : { ...env, STOM_SITE_OUT: out });
      writeFileSync(stampFile, new Date().toISOString());
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
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

/**
 * Launches Chromium (playwright gives it a fresh temporary profile); every request outside `origin`
 * (and the `allow`ed origins, e.g. a bridge under test) is aborted and recorded.
 */
export async function launch(
  origin: string,
  { allow = [] }: { allow?: readonly string[] } = {},
): Promise<Browsing> {
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
    const inside = [origin, ...allow].some((o) => url === o || url.startsWith(`${o}/`));
    if (inside || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
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

/** The built site served, a paper bridge in this process allowing its origin, and Chromium. */
export interface SiteWithBridge {
  readonly site: Awaited<ReturnType<typeof serve>>;
  readonly bridge: Bridge;
  readonly server: BridgeServer;
  readonly browsing: Browsing;
  close(): Promise<void>;
}

/** For the pages that talk to a bridge (Live, Backtest's Promote): no venue feed, the test drives it. */
export async function siteWithBridge(token: string): Promise<SiteWithBridge> {
  await ensureBuilt();
  const site = await serve();
  const dir = mkdtempSync(path.join(tmpdir(), "stom-e2e-bridge-"));
  const bridge = await Bridge.open({ dataDir: dir, feed: false, paper: { cash: 10_000 } });
  const server = await startServer(bridge, {
    token,
    port: 0,
    logger: pino({ level: "silent" }),
    allowOrigins: [site.origin],
  });
  const browsing = await launch(site.origin, { allow: [server.url] });
  return {
    site,
    bridge,
    server,
    browsing,
    close: async () => {
      await browsing.close();
      await server.close();
      await bridge.close();
      await site.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
