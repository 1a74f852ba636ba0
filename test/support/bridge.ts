import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { loadResolvedStrategy } from "../../src/app/strategy-loader.ts";
import { Bridge, type BridgeOptions } from "../../src/bridge/bridge.ts";
import type { MarketRules } from "../../src/bridge/risk.ts";
import { type BridgeServer, type ServerOptions, startServer } from "../../src/bridge/server.ts";
import type { Side, Tick, VenueOrder } from "../../src/bridge/types.ts";
import type { Venue } from "../../src/bridge/venue.ts";

/** A token that passes the strength check (64 hex characters, as `openssl rand -hex 32` makes). */
export const STRONG_TOKEN = "9c4f1e7a2b8d05f36e1c9a4b7d2e8f0136a5c9e2b4f7d1a08c3e6b9f2d5a7c41";

/** 2026-01-05 00:00 UTC, a Monday: where the synthetic ticks start. */
export const T0 = Date.UTC(2026, 0, 5);

export function tempDir(prefix = "stom-bridge-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A paper bridge with no venue feed (the test calls `tick`), its journal in `dataDir`. */
export function openBridge(dataDir: string, extra: Partial<BridgeOptions> = {}): Promise<Bridge> {
  return Bridge.open({ dataDir, feed: false, paper: { cash: 10_000 }, ...extra });
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

/** An order as the fake venue keeps it. */
type Held = { -readonly [K in keyof VenueOrder]: VenueOrder[K] };

/**
 * A venue in memory, behind the bridge's Venue interface, with hooks for faults: `onCreate` and
 * `onLookup` may throw (a lost answer, a 429) or return what the venue says. By default a market
 * order fills at once at `price`.
 */
export class FakeVenue implements Venue {
  readonly id: string;
  price = 100;
  /** every client order id the venue received (a resend would show twice) */
  readonly created: string[] = [];
  readonly lookups: string[] = [];
  readonly held = new Map<string, Held>();
  onCreate?: (order: Held) => void;
  onLookup?: (clientOrderId: string, attempt: number) => void;
  /** what the account holds by asset; filled orders move the base asset */
  holdings: Record<string, number> = {};
  #seq = 0;

  constructor(id = "binance") {
    this.id = id;
  }

  /** a venue's minimum, so the risk gate refuses dust (a spot account's leftover budget) */
  async marketRules(): Promise<MarketRules> {
    return { minAmount: 0.001 };
  }

  async createMarketOrder(o: { symbol: string; side: Side; amount: number; clientOrderId: string }) {
    this.created.push(o.clientOrderId);
    const held: Held = {
      venueOrderId: `fake-${++this.#seq}`,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      state: "FILLED",
      amount: o.amount,
      filled: o.amount,
      avgPrice: this.price,
      fee: 0,
    };
    this.held.set(o.clientOrderId, held);
    const base = o.symbol.split("/")[0];
    this.holdings[base] = (this.holdings[base] ?? 0) + (o.side === "buy" ? o.amount : -o.amount);
    // the hook may throw after the venue took the order: the answer is lost, the order is not
    this.onCreate?.(held);
    return { ...held };
  }

  async fetchByClientId(_symbol: string, clientOrderId: string) {
    this.lookups.push(clientOrderId);
    this.onLookup?.(clientOrderId, this.lookups.filter((id) => id === clientOrderId).length);
    const held = this.held.get(clientOrderId);
    return held ? { ...held } : null;
  }

  async balances(): Promise<Record<string, number>> {
    return { ...this.holdings };
  }

  async cancel(): Promise<void> {}

  async openOrders() {
    return [...this.held.values()].filter((o) => o.state === "ACCEPTED" || o.state === "PARTIALLY_FILLED");
  }

  async watchTrades(_symbol: string, _onTick: (tick: Tick) => void, signal: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }

  async close(): Promise<void> {}
}

/** The sha256 fingerprint a live promotion of `strategy` with `params` needs. */
export async function fingerprintOf(strategy: string, params: Record<string, number>): Promise<string> {
  return (await loadResolvedStrategy(strategy, params, { namesOnly: true })).fingerprint;
}

/** Waits for a condition, polling; the limit only matters on a loaded machine. */
export async function until(what: () => boolean, label = "condition", ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
