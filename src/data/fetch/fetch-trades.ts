import type { Exchange, Trade } from "ccxt";
import type { CatalogApi, SeriesKey } from "../catalog/types.ts";
import { type Frame, makeFrame } from "../frame.ts";
import { Batch } from "./batch.ts";
import { marketTz, pageLimit, resolveSymbol } from "./exchange.ts";
import { type FetchOptions, type FetchResult, venueClock } from "./fetch-ohlcv.ts";
import { withRetry } from "./retry.ts";

const TICK_COLUMNS = ["time", "seq", "price", "amount", "side"] as const;
/** Binance's aggTrades answers at most one hour per request when given a start time. */
const BINANCE_WINDOW = 3_600_000;
/** Upbit keeps trades for the latest day plus 7 days back. */
const UPBIT_DAYS = 7;

/**
 * Fetches trades into the catalog as ticks (time, seq = the venue's trade number, price, amount,
 * side 1 taker buy / -1 taker sell, id), resuming where the catalog ends.
 * Venues that page forward by time use `since`; Upbit pages backward by cursor.
 *
 *   await fetchTrades(createExchange("upbit"), catalog, { symbol: "KRW-BTC", since });
 */
export async function fetchTrades(
  exchange: Exchange,
  catalog: CatalogApi,
  options: FetchOptions,
): Promise<FetchResult> {
  const retrying = { exchange, ...options.retry };
  const market = await withRetry(() => resolveSymbol(exchange, options.symbol), retrying);
  const now = await venueClock(exchange, retrying);
  const key: SeriesKey = { kind: "ticks", market: exchange.id, symbol: market.stored, timeframe: "tick" };
  const stored = catalog.lastTime(key);
  // trades at the last stored millisecond may be only partly stored: fetch that millisecond again
  const from = stored !== undefined && stored > options.since ? stored : options.since;
  const to = Math.min(options.until ?? Number.POSITIVE_INFINITY, now);
  const run: Run = {
    exchange,
    catalog,
    unified: market.unified,
    from,
    to,
    retrying,
    batchPages: options.batchPages ?? 10,
    onProgress: options.onProgress,
    batch: new Batch((columns, length) => makeFrame({ ...key, tz: marketTz(exchange.id), length, columns })),
    pages: 0,
    batches: 0,
    rowsAdded: 0,
  };
  if (exchange.id === "upbit") await backward(run);
  else await forward(run);
  await flush(run);
  options.onProgress?.({
    done: Math.max(0, to - from),
    total: Math.max(0, to - from),
    rows: run.batch.total,
  });
  return {
    key,
    from,
    to,
    rows: run.batch.total,
    rowsAdded: run.rowsAdded,
    pages: run.pages,
    batches: run.batches,
    first: run.first,
    last: run.last,
  };
}

interface Run {
  readonly exchange: Exchange;
  readonly catalog: CatalogApi;
  readonly unified: string;
  readonly from: number;
  readonly to: number;
  readonly retrying: FetchOptions["retry"] & { exchange: Exchange };
  readonly batchPages: number;
  readonly onProgress?: FetchOptions["onProgress"];
  readonly batch: Batch<Frame>;
  pages: number;
  batches: number;
  rowsAdded: number;
  first?: number;
  last?: number;
}

async function flush(run: Run): Promise<void> {
  const frame = run.batch.take(TICK_COLUMNS, { int8: ["side"] });
  if (!frame) return;
  run.rowsAdded += (await run.catalog.write([frame])).rowsAdded;
  run.batches++;
}

async function page(
  run: Run,
  since: number | undefined,
  params: Record<string, unknown> = {},
): Promise<Trade[]> {
  const limit = pageLimit(run.exchange.id, "fetchTrades");
  const trades = await withRetry(
    () => run.exchange.fetchTrades(run.unified, since, limit, params),
    run.retrying,
  );
  run.pages++;
  return trades;
}

function keep(run: Run, t: Trade, seq: number): void {
  const time = t.timestamp as number;
  const side = t.side === "buy" ? 1 : t.side === "sell" ? -1 : 0;
  run.batch.push([time, seq, t.price ?? Number.NaN, t.amount ?? 0, side], t.id ?? String(seq));
  if (run.first === undefined || time < run.first) run.first = time;
  if (run.last === undefined || time > run.last) run.last = time;
}

function sequence(t: Trade, fallback: number): number {
  const n = Number(t.id);
  return t.id !== undefined && Number.isSafeInteger(n) ? n : fallback;
}

/** Pages forward from `from` by time; trades sharing the boundary millisecond are told apart by id. */
async function forward(run: Run): Promise<void> {
  const windowed = run.exchange.id === "binance";
  let cursor = run.from;
  let boundary = new Set<string>();
  let counter = 0;
  while (cursor < run.to) {
    const at = cursor;
    const trades = await page(run, at);
    const limit = pageLimit(run.exchange.id, "fetchTrades");
    if (trades.length === 0) {
      if (!windowed) break;
      cursor = at + BINANCE_WINDOW + 1;
    } else {
      const top = trades[trades.length - 1].timestamp as number;
      let fresh = 0;
      for (const t of trades) {
        const time = t.timestamp as number;
        if (time < at || time >= run.to || boundary.has(String(t.id))) continue;
        keep(run, t, sequence(t, counter++));
        fresh++;
      }
      const full = limit === undefined || trades.length >= limit;
      if (windowed && !full)
        cursor = at + BINANCE_WINDOW + 1; // the window held fewer trades than a page
      else if (fresh === 0)
        cursor = top + 1; // a page of one millisecond we have seen: step past it
      else cursor = top;
      const next = new Set<string>();
      for (const t of trades) if (t.timestamp === top) next.add(String(t.id));
      boundary = top === at ? new Set([...boundary, ...next]) : next;
    }
    if (run.pages % run.batchPages === 0) await flush(run);
    run.onProgress?.({
      done: Math.min(cursor, run.to) - run.from,
      total: run.to - run.from,
      rows: run.batch.total,
    });
  }
}

/**
 * Upbit answers the newest trades of one UTC day (`daysAgo`), older ones by `cursor`
 * (a sequential_id, exclusive); so walk each day backward until trades older than `from` appear.
 */
async function backward(run: Run): Promise<void> {
  const seen = new Set<number>();
  let oldest = run.to;
  for (let daysAgo = 0; daysAgo <= UPBIT_DAYS; daysAgo++) {
    let cursor: number | undefined;
    for (;;) {
      const params: Record<string, unknown> = {};
      if (daysAgo > 0) params.daysAgo = daysAgo;
      if (cursor !== undefined) params.cursor = cursor;
      const trades = await page(run, undefined, params);
      if (trades.length === 0) break;
      let lowest = Number.POSITIVE_INFINITY;
      for (const t of trades) {
        const seq = Number((t.info as { sequential_id?: unknown }).sequential_id ?? t.id);
        if (seq < lowest) lowest = seq;
        const time = t.timestamp as number;
        if (time < oldest) oldest = time;
        if (time < run.from || time >= run.to || seen.has(seq)) continue;
        seen.add(seq);
        keep(run, t, seq);
      }
      if (run.pages % run.batchPages === 0) await flush(run);
      const done = Math.min(run.to - run.from, Math.max(0, run.to - oldest));
      run.onProgress?.({ done, total: run.to - run.from, rows: run.batch.total });
      if (oldest < run.from) return;
      if (!(lowest < (cursor ?? Number.POSITIVE_INFINITY))) break; // no progress
      cursor = lowest;
    }
  }
}
