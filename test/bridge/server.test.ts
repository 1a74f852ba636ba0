import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { Bridge } from "../../src/bridge/bridge.ts";
import { type BridgeServer, startServer, WS_PROTOCOL_PREFIX } from "../../src/bridge/server.ts";
import type { BridgeEvent, Promotion } from "../../src/bridge/types.ts";
import { needShared, SHARED_URL } from "../support/paths.ts";

const DATA = SHARED_URL;
const { missing } = needShared("freqtrade/XRP_ETH-1m.json");
// random, as `openssl rand -hex 32` makes one: the bridge refuses weak tokens
const TOKEN = "93d6debcc2ce36b1f0e7484b06c02e2f84b5fe5d1d87aa0532bdd227f62cb94d";
const ROOT = path.resolve(import.meta.dirname, "../..");

let bridge: Bridge;
let server: BridgeServer;
const auth = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };
const logs: string[] = [];

function api(method: string, route: string, body?: unknown, headers: Record<string, string> = auth) {
  return fetch(`${server.url}${route}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "stom-bridge-"));
  bridge = await Bridge.open({ dataDir: dir, feed: false, paper: { cash: 10_000 } });
  const logger = pino(
    { level: "info", redact: ["req.headers.authorization", "token", "*.token"] },
    { write: (s: string) => logs.push(s) },
  );
  server = await startServer(bridge, {
    token: TOKEN,
    port: 0,
    logger,
    allowOrigins: ["http://127.0.0.1:3000"],
  });
});

afterAll(async () => {
  await server?.close();
  await bridge?.close();
});

describe("bridge HTTP API", () => {
  it("refuses to start without a token of at least 32 characters", async () => {
    await expect(startServer(bridge, { token: "short", port: 0 })).rejects.toThrow(/at least 32/);
  });

  it("answers health without auth and everything else only with the token", async () => {
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", mode: "paper" });
    expect((await api("GET", "/api/orders", undefined, {})).status).toBe(401);
    expect((await api("GET", "/api/orders", undefined, { Authorization: `Bearer ${TOKEN}x` })).status).toBe(
      401,
    );
    expect((await api("GET", "/api/orders", undefined, { Authorization: TOKEN })).status).toBe(401);
    expect((await api("GET", "/api/orders")).status).toBe(200);
    expect((await api("GET", "/api/nothing")).status).toBe(404);
    expect(server.url.startsWith("http://127.0.0.1:")).toBe(true);
  });

  it("rejects malformed bodies with 400 naming the field", async () => {
    const base = {
      strategy: "sma-cross",
      params: {},
      exchange: "binance",
      symbol: "XRP/ETH",
      timeframe: "1m",
    };
    const cases: [unknown, RegExp][] = [
      [{ ...base, exchange: "kraken" }, /^exchange:/],
      [{ ...base, timeframe: "fortnight" }, /^timeframe:/],
      [{ ...base, params: { fast: "ten" } }, /^params\.fast:/],
      [{ ...base, strategy: "../../etc/passwd" }, /^strategy:/],
      [{ ...base, extra: 1 }, /extra/],
      [{ ...base, fingerprint: "abc" }, /^fingerprint:/],
      ["{not json", /^body: invalid JSON/],
    ];
    for (const [body, message] of cases) {
      const res = await api("POST", "/api/promotions", body);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(message);
    }
    const res = await api("POST", "/api/promotions", { ...base, mode: "live" });
    expect(res.status).toBe(403);
    const kill = await api("POST", "/api/kill", { flatten: "yes" });
    expect(kill.status).toBe(400);
    expect((await kill.json()).error).toMatch(/^flatten:/);
  });

  it("gives CORS headers only to allowed origins", async () => {
    const bad = await api("OPTIONS", "/api/orders", undefined, { Origin: "http://evil.example" });
    expect(bad.status).toBe(403);
    expect(bad.headers.get("access-control-allow-origin")).toBeNull();
    const good = await api("OPTIONS", "/api/orders", undefined, { Origin: "http://127.0.0.1:3000" });
    expect(good.status).toBe(204);
    expect(good.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:3000");
  });

  it.skipIf(missing)(
    "checks the backtest fingerprint: the one `stom backtest --out` wrote is accepted, another is 409",
    async () => {
      const out = path.join(mkdtempSync(path.join(os.tmpdir(), "stom-fp-")), "report.json");
      // Asynchronously: a blocking spawn would freeze this process's server while its keep-alive
      // timers run out, and the next request would meet a socket the server is closing.
      await promisify(execFile)(
        process.execPath,
        [
          "--import",
          "tsx",
          "src/cli/main.ts",
          "backtest",
          "sma-cross",
          "--data",
          new URL("freqtrade/XRP_ETH-1m.json", DATA).pathname,
          "--param",
          "fast=5",
          "--param",
          "slow=20",
          "--out",
          out,
        ],
        { cwd: ROOT },
      );
      const report = JSON.parse(readFileSync(out, "utf8"));
      const fingerprint = report.strategy.fingerprint as string;
      // the report's settings travel with the promotion and are part of the fingerprint
      const body = {
        settings: report.settings,
        strategy: "sma-cross",
        params: { fast: 5, slow: 20 },
        exchange: "binance",
        symbol: "XRP/ETH",
        timeframe: "1m",
        mode: "paper",
      };
      const wrong = await api("POST", "/api/promotions", { ...body, fingerprint: "0".repeat(64) });
      expect(wrong.status).toBe(409);
      const otherParams = await api("POST", "/api/promotions", {
        ...body,
        params: { fast: 6, slow: 20 },
        fingerprint,
      });
      expect(otherParams.status).toBe(409);
      const otherCash = await api("POST", "/api/promotions", {
        ...body,
        settings: { ...report.settings, cash: report.settings.cash * 2 },
        fingerprint,
      });
      expect(otherCash.status).toBe(409);
      const ok = await api("POST", "/api/promotions", { ...body, fingerprint });
      expect(ok.status).toBe(201);
      const promotion = (await ok.json()) as Promotion;
      expect(promotion).toMatchObject({ strategy: "sma-cross", mode: "paper", status: "running" });
      expect(promotion.resolvedParams).toEqual({ fast: 5, slow: 20 });
      const del = await api("DELETE", `/api/promotions/${promotion.id}`);
      expect(del.status).toBe(200);
      expect((await del.json()).status).toBe("stopped");
      expect((await api("DELETE", "/api/promotions/not-a-uuid")).status).toBe(400);
      expect((await api("DELETE", "/api/promotions/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    },
  );

  it.skipIf(missing)(
    "streams bars, signals, orders and fills over an authenticated websocket; the kill switch refuses orders",
    async () => {
      const refused = new WebSocket(`${server.url.replace("http", "ws")}/ws`, [
        `${WS_PROTOCOL_PREFIX}wrong-token`,
      ]);
      const refusal = await new Promise<string>((resolve) => {
        refused.on("unexpected-response", (_req, res) => resolve(String(res.statusCode)));
        refused.on("open", () => resolve("open"));
      });
      expect(refusal).toBe("401");

      const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws`, [`${WS_PROTOCOL_PREFIX}${TOKEN}`]);
      const events: (BridgeEvent | { type: "hello" })[] = [];
      ws.on("message", (data) => events.push(JSON.parse(String(data))));
      await new Promise((resolve) => ws.once("open", resolve));

      // first-message auth works too
      const ws2 = new WebSocket(`${server.url.replace("http", "ws")}/ws`);
      await new Promise((resolve) => ws2.once("open", resolve));
      const hello = new Promise<string>((resolve) =>
        ws2.once("message", (d) => resolve(JSON.parse(String(d))?.type)),
      );
      ws2.send(JSON.stringify({ type: "auth", token: TOKEN }));
      expect(await hello).toBe("hello");
      ws2.close();

      const res = await api("POST", "/api/promotions", {
        strategy: "sma-cross",
        params: { fast: 5, slow: 20 },
        exchange: "binance",
        symbol: "XRP/ETH",
        timeframe: "1m",
      });
      const promotion = (await res.json()) as Promotion;
      const bars = JSON.parse(readFileSync(new URL("freqtrade/XRP_ETH-1m.json", DATA), "utf8")) as number[][];
      // one trade per bar at its open and close is enough to drive the strategy
      for (const [t, o, , , c] of bars.slice(0, 400)) {
        bridge.tick(promotion.id, { time: t, price: o, amount: 1 });
        bridge.tick(promotion.id, { time: t + 30_000, price: c, amount: 1 });
      }
      await new Promise((r) => setTimeout(r, 200));
      const kinds = new Set(events.map((e) => e.type));
      for (const kind of ["hello", "bar", "signal", "order", "fill", "position", "pnl", "promotion"])
        expect(kinds).toContain(kind);
      const orders = (await (await api("GET", "/api/orders")).json()) as {
        state: string;
        clientOrderId: string;
      }[];
      const filled = orders.filter((o) => o.state === "FILLED");
      expect(filled.length).toBeGreaterThan(0);
      expect(new Set(orders.map((o) => o.clientOrderId)).size).toBe(orders.length);
      const positions = await (await api("GET", "/api/positions")).json();
      expect(positions.some((p: { promotionId: string }) => p.promotionId === promotion.id)).toBe(true);

      const before = events.length;
      expect((await api("POST", "/api/kill", { flatten: false })).status).toBe(200);
      for (const [t, o, , , c] of bars.slice(400, 1400)) {
        bridge.tick(promotion.id, { time: t, price: o, amount: 1 });
        bridge.tick(promotion.id, { time: t + 30_000, price: c, amount: 1 });
      }
      await new Promise((r) => setTimeout(r, 200));
      const after = events.slice(before);
      expect(after.some((e) => e.type === "kill")).toBe(true);
      const risk = after.filter((e) => e.type === "risk") as Extract<BridgeEvent, { type: "risk" }>[];
      expect(risk.length).toBeGreaterThan(0);
      expect(risk.every((e) => e.rule === "kill")).toBe(true);
      expect(after.some((e) => e.type === "fill")).toBe(false);
      const audit = (await (await api("GET", "/api/audit")).json()) as { kind: string }[];
      expect(audit.some((a) => a.kind === "kill")).toBe(true);
      expect(audit.some((a) => a.kind === "risk")).toBe(true);
      expect((await api("DELETE", "/api/kill")).status).toBe(200);
      ws.close();
      // the token never reaches the logs
      expect(logs.join("\n")).not.toContain(TOKEN);
    },
  );
});
