import type { Exchange } from "ccxt";
import type { CatalogApi, SeriesKey } from "../catalog/types.ts";
import { makeFrame } from "../frame.ts";
import { Batch } from "./batch.ts";
import { marketTz, pageLimit, resolveSymbol } from "./exchange.ts";
import { type RetryOptions, withRetry } from "./retry.ts";

export interface FetchProgress {
  /** ms of the requested span covered so far, and the whole span */
  readonly done: number;
  readonly total: number;
  /** rows collected so far */
  readonly rows: number;
}

export interface FetchOptions {
  /** unified ("BTC/USDT", "BTC/KRW") or venue spelling ("BTCUSDT", "KRW-BTC") */
  symbol: string;
  /** UTC epoch ms, inclusive */
  since: number;
  /** UTC epoch ms, exclusive (default: the venue's clock) */
  until?: number;
  /** pages per catalog write; each write is atomic, so an interrupted fetch keeps the finished batches */
  batchPages?: number;
  retry?: RetryOptions;
  onProgress?: (progress: FetchProgress) => void;
}

export interface FetchResult {
  readonly key: SeriesKey;
  /** where this run started (after resuming from the catalog) and the end of the span asked for */
  readonly from: number;
  readonly to: number;
  readonly rows: number;
  readonly rowsAdded: number;
  readonly pages: number;
  readonly batches: number;
  /** first and last time fetched, undefined when nothing was */
  readonly first?: number;
  readonly last?: number;
}

/**
 * Fetches closed candles into the catalog, page by page, resuming where the catalog ends.
 *
 *   await fetchOhlcv(createExchange("binance"), catalog, { symbol: "BTC/USDT", timeframe: "1m", since });
 */
export async function fetchOhlcv(
  exchange: Exchange,
  catalog: CatalogApi,
  {
    symbol,
    timeframe = "1m",
    since,
    until,
    batchPages = 10,
    retry = {},
    onProgress,
  }: FetchOptions & { timeframe?: string },
): Promise<FetchResult> {
  const retrying = { exchange, ...retry };
  const market = await withRetry(() => resolveSymbol(exchange, symbol), retrying);
  if (!exchange.timeframes?.[timeframe]) {
    throw new Error(
      `${exchange.id} has no timeframe ${timeframe} (has ${Object.keys(exchange.timeframes ?? {}).join(", ")})`,
    );
  }
  const step = exchange.parseTimeframe(timeframe) * 1000;
  const now = await venueClock(exchange, retrying);
  const key: SeriesKey = { kind: "bars", market: exchange.id, symbol: market.stored, timeframe };
  // The last stored bar is fetched again: it is cheap, and the catalog keeps one copy.
  const stored = catalog.lastTime(key);
  const from = stored !== undefined && stored > since ? stored : since;
  const to = Math.min(until ?? Number.POSITIVE_INFINITY, now);
  const limit = pageLimit(exchange.id, "fetchOHLCV");
  // Upbit answers one `to` window per request, so an empty page means a quiet window, not the end.
  const windowed = exchange.id === "upbit";

  const batch = new Batch((columns, length) =>
    makeFrame({ ...key, tz: marketTz(exchange.id), length, columns }),
  );
  let cursor = from;
  let newest = Number.NEGATIVE_INFINITY;
  let pages = 0;
  let rowsAdded = 0;
  let batches = 0;
  let first: number | undefined;
  let last: number | undefined;
  const flush = async () => {
    const frame = batch.take(["time", "open", "high", "low", "close", "volume"]);
    if (!frame) return;
    rowsAdded += (await catalog.write([frame])).rowsAdded;
    batches++;
  };
  const report = () =>
    onProgress?.({ done: Math.min(cursor, to) - from, total: Math.max(0, to - from), rows: batch.total });

  report();
  while (cursor < to) {
    const at = cursor;
    const page = await withRetry(() => exchange.fetchOHLCV(market.unified, timeframe, at, limit), retrying);
    pages++;
    if (page.length === 0) {
      if (!windowed || limit === undefined) break;
      cursor += limit * step;
    } else {
      const top = page[page.length - 1][0] as number;
      if (top <= newest) break; // nothing new: the venue has no more
      let open = false;
      for (const [t, o, h, l, c, v] of page) {
        const time = t as number;
        if (time < at || time <= newest || time >= to) continue;
        // a candle still forming would be stored with a wrong close
        if (time + step > now) {
          open = true;
          continue;
        }
        batch.push([time, o as number, h as number, l as number, c as number, (v as number) ?? 0]);
        first ??= time;
        last = time;
      }
      newest = top;
      cursor = top + step;
      if (open) cursor = Math.max(cursor, to);
    }
    if (pages % batchPages === 0) await flush();
    report();
  }
  await flush();
  cursor = to;
  report();
  return { key, from, to, rows: batch.total, rowsAdded, pages, batches, first, last };
}

/** The venue's clock when it has one (Binance: GET /api/v3/time), else this machine's. */
export async function venueClock(exchange: Exchange, retry: RetryOptions = {}): Promise<number> {
  if (!exchange.has.fetchTime) return Date.now();
  const time = await withRetry(() => exchange.fetchTime(), { exchange, ...retry });
  return typeof time === "number" ? time : Date.now();
}
