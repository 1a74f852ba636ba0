import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { Bridge, type BridgeOptions } from "../../src/bridge/bridge.ts";
import { type BridgeServer, type ServerOptions, startServer } from "../../src/bridge/server.ts";
import type { Tick } from "../../src/bridge/types.ts";

/** A token that passes the strength check (64 hex characters, as `openssl rand -hex 32` makes). */
export const STRONG_TOKEN = "9c4f1e7a2b8d05f36e1c9a4b7d2e8f0136a5c9e2b4f7d1a08c3e6b9f2d5a7c41";

/** 2026-01-05 00:00 UTC, a Monday: where the synthetic ticks start. */
export const T0 = Date.UTC(2026, 0, 5);

export function tempDir(prefix = "stom-bridge-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A paper bridge with no venue feed (the test calls `tick`), its journal in `dataDir`. */
export function openBridge(dataDir: string, extra: Partial<BridgeOptions> = {}): Promise<Bridge> {
  return Bridge.open({ dataDir, feed: false, window: 60, paper: { cash: 10_000 }, ...extra });
}

export interface Client {
  readonly server: BridgeServer;
  api(method: string, route: string, body?: unknown): Promise<Response>;
  json<T = unknown>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export async function serve(bridge: Bridge, extra: Partial<ServerOptions> = {}): Promise<Client> {
  const server = await startServer(bridge, {
    token: STRONG_TOKEN,
    port: 0,
    logger: pino({ level: "silent" }),
    ...extra,
  });
  const api = (method: string, route: string, body?: unknown) =>
    fetch(`${server.url}${route}`, {
      method,
      headers: { Authorization: `Bearer ${STRONG_TOKEN}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    server,
    api,
    async json<T>(method: string, route: string, body?: unknown) {
      const res = await api(method, route, body);
      return { status: res.status, body: (await res.json()) as T };
    },
  };
}

/**
 * One trade per minute on a sine wave (period 20 bars), so sma-cross 2/5 crosses every ten bars.
 * `from` is the first bar's index, so a later call continues the same wave.
 */
export function sineTicks(count: number, { from = 0, start = T0, ms = 60_000 } = {}): Tick[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return { time: start + i * ms, price: 100 + 10 * Math.sin((2 * Math.PI * i) / 20), amount: 1 };
  });
}

export const SMA_PAPER = {
  strategy: "sma-cross",
  params: { fast: 2, slow: 5 },
  exchange: "binance",
  symbol: "XRP/ETH",
  timeframe: "1m",
  mode: "paper",
} as const;
