// Shared by test/data/record*.test.ts and bench/record.bench.ts: run `stom record` as a child
// process against the mock venue, stream events to it, and read back what it stored.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Catalog } from "../../src/data/catalog/catalog.ts";
import type { RecorderStatus } from "../../src/data/record/status.ts";
import { STOM_COLUMNS } from "../../src/data/stom/columns.ts";
import { rebuildSnapshots } from "../../src/data/stom/receiver.ts";
import type {
  BookEvent,
  ReceiverEvent,
  StomRow,
  TickerEvent,
  TradeEvent,
} from "../../src/data/stom/receiver-events.ts";
import { KST_OFFSET_MS, msToStomIndex } from "../../src/data/stom/time.ts";
import { mulberry32 } from "../../src/engine/optimize/rng.ts";
import type { MockVenue } from "./mock-venue.ts";
import { ROOT } from "./paths.ts";

export interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

/** Starts `stom record <args>` (tsx when build/ is stale, as bin/stom.js decides). */
export function startRecord(args: readonly string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [join(ROOT, "bin/stom.js"), "record", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, TZ: "UTC", ...env },
  });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, stderr: () => err };
}

export async function waitFor(
  what: string,
  check: () => boolean,
  timeoutMs = 60_000,
  running?: Running,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (running && running.child.exitCode !== null)
      throw new Error(
        `recorder exited (${running.child.exitCode}) while waiting for ${what}: ${running.stderr()}`,
      );
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}${running ? `: ${running.stderr()}` : ""}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function readStatusFile(path: string): RecorderStatus | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as RecorderStatus;
  } catch {
    return undefined;
  }
}

/**
 * Waits until the recorder subscribed every stream of every symbol; on Binance also until ccxt
 * fetched the REST book snapshot each depth stream starts from (diffs that came before it would be
 * applied in one go, after later trades).
 */
export async function waitSubscribed(
  venue: MockVenue,
  market: "upbit" | "binance",
  ids: readonly string[],
  running: Running,
): Promise<void> {
  const want =
    market === "upbit"
      ? ids.flatMap((id) => [`${id}@trade`, `${id}@orderbook`, `${id}@ticker`])
      : ids.flatMap((id) => [`${id.toLowerCase()}@trade`, `${id.toLowerCase()}@depth@100ms`]);
  await waitFor(
    `subscriptions ${want.join(", ")}`,
    () => want.every((t) => venue.topics(market).includes(t)),
    60_000,
    running,
  );
  if (market === "binance") {
    await waitFor("depth snapshots", () => venue.count("/api/v3/depth") >= ids.length, 60_000, running);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Sends events through the venue's websockets, in order (one socket per venue keeps that order). */
export function streamEvents(
  venue: MockVenue,
  market: "upbit" | "binance",
  id: string,
  events: readonly ReceiverEvent[],
): void {
  for (const e of events) {
    if (e.type === "trade")
      venue.streamTrade(market, id, {
        time: e.time,
        price: e.price,
        amount: e.amount,
        id: Number(e.id),
        side: e.side,
      });
    else if (e.type === "book") venue.streamBook(market, id, { time: e.time, asks: e.asks, bids: e.bids });
    else
      venue.streamTicker(market, id, {
        time: e.time,
        open: e.open,
        high: e.high,
        low: e.low,
        last: e.last,
        previousClose: e.previousClose,
        quoteVolume: e.quoteVolume ?? 0,
      });
  }
}

/**
 * Sends one book per symbol 10 s after every tape (a second apart) and waits until the recorder made
 * the last one's row: every event sent before it has then been taken (one socket keeps the order),
 * so a stop loses nothing. Each sentinel's own row is its symbol's last stored row
 * (`withoutSentinel` drops it).
 */
export async function flushWithSentinels(
  venue: MockVenue,
  market: "upbit" | "binance",
  tapes: ReadonlyMap<string, readonly ReceiverEvent[]>,
  statusPath: string,
  running: Running,
): Promise<void> {
  let last = 0;
  for (const events of tapes.values()) for (const e of events) last = Math.max(last, e.time);
  let second = Math.floor(last / 1000) + 10;
  for (const [id, events] of tapes) {
    const price = [...events].reverse().find((e) => e.type === "trade")?.price ?? 1;
    const book: BookEvent = {
      type: "book",
      time: second * 1000 + 500,
      asks: [[eight(price * 1.01), 1]],
      bids: [[eight(price * 0.99), 1]],
    };
    streamEvents(venue, market, id, [book]);
    second++;
  }
  const wanted = (second - 1) * 1000;
  await waitFor(
    "sentinel rows",
    () => (readStatusFile(statusPath)?.lastRow ?? 0) >= wanted,
    120_000,
    running,
  );
}

export function withoutSentinel(rows: readonly StomRow[]): StomRow[] {
  return rows.slice(0, -1);
}

/** The catalog's tick rows of one symbol as STOM rows (index + every coin_tick column). */
export async function storedRows(
  catalogDir: string,
  market: string,
  symbol: string,
  kind: "coin_tick" | "stock_tick" = "coin_tick",
): Promise<StomRow[]> {
  const catalog = await Catalog.open(catalogDir, { readOnly: true });
  try {
    const frame = await catalog.read({ kind: "ticks", market, symbol, timeframe: "tick" });
    const time = frame.columns.time as Float64Array;
    const rows: StomRow[] = [];
    for (let i = 0; i < frame.length; i++) {
      const row: StomRow = { index: msToStomIndex(time[i], kind === "stock_tick" ? KST_OFFSET_MS : 0, true) };
      for (const c of STOM_COLUMNS[kind]) if (c !== "index") row[c] = (frame.columns[c] as Float64Array)[i];
      rows.push(row);
    }
    return rows;
  } finally {
    await catalog.close();
  }
}

/** The offline path: the same events through rebuildSnapshots. */
export function offlineRows(
  symbol: string,
  events: readonly ReceiverEvent[],
  kind: "coin_tick" | "stock_tick" = "coin_tick",
): StomRow[] {
  return rebuildSnapshots({ kind, symbol }, events);
}

/** Numbers a venue sends as decimal strings with 8 places (Binance) come back as these doubles. */
export function eight(x: number): number {
  return Number(x.toFixed(8));
}

/**
 * A synthetic market: `seconds` of trades (0-4 a second), a 10-level book after each second's
 * trades and, with `tickers`, Upbit's day ticker; prices on a 0.01 grid, amounts on 1e-4.
 */
export function syntheticEvents({
  seed,
  start,
  seconds,
  price = 100,
  tickers = true,
  firstId = 1,
}: {
  seed: number;
  start: number;
  seconds: number;
  price?: number;
  tickers?: boolean;
  firstId?: number;
}): ReceiverEvent[] {
  const rand = mulberry32(seed);
  const events: ReceiverEvent[] = [];
  let p = price;
  let id = firstId;
  let high = p;
  let low = p;
  let value = 0;
  const open = p;
  for (let s = 0; s < seconds; s++) {
    const t0 = start + s * 1000;
    const n = Math.floor(rand() * 5);
    for (let k = 0; k < n; k++) {
      p = Math.max(1, Math.round((p + (rand() - 0.5) * 0.4) * 100) / 100);
      const amount = (Math.round(rand() * 50_000) + 1) / 10_000;
      high = Math.max(high, p);
      low = Math.min(low, p);
      value += p * amount;
      const trade: TradeEvent = {
        type: "trade",
        time: t0 + 100 + k * 150,
        price: p,
        amount,
        side: rand() < 0.5 ? "buy" : "sell",
        id: String(id++),
      };
      events.push(trade);
    }
    if (tickers && n > 0) {
      const ticker: TickerEvent = {
        type: "ticker",
        time: t0 + 800,
        open,
        high,
        low,
        last: p,
        previousClose: open,
        quoteVolume: Math.round(value * 100) / 100,
      };
      events.push(ticker);
    }
    // some seconds have no book: the builder's trade-clock rows (book columns 0) get exercised too
    if (rand() < 0.8) {
      const asks: [number, number][] = [];
      const bids: [number, number][] = [];
      for (let l = 0; l < 10; l++) {
        asks.push([
          Math.round((p + 0.01 * (l + 1)) * 100) / 100,
          (Math.round(rand() * 100_000) + 1) / 10_000,
        ]);
        bids.push([
          Math.round((p - 0.01 * (l + 1)) * 100) / 100,
          (Math.round(rand() * 100_000) + 1) / 10_000,
        ]);
      }
      const book: BookEvent = { type: "book", time: t0 + 900, asks, bids };
      events.push(book);
    }
  }
  return events;
}

/** A whole UTC day count of ms that moves `first` past `now` + 2 days: time of day is kept. */
export function futureShift(first: number, now = Date.now()): number {
  const day = 86_400_000;
  return Math.ceil((now + 2 * day - first) / day) * day;
}
