import ccxt, { type Exchange, type OrderBook, type Ticker, type Trade } from "ccxt";
import { rewriteAllUrls } from "../../bridge/ccxt-venue.ts";
import { closeMatches, URL_OVERRIDE_ENV } from "../fetch/exchange.ts";
import type { BookEvent, ReceiverEvent, TickerEvent, TradeEvent } from "../stom/receiver-events.ts";
import { type Clock, systemClock } from "./clock.ts";

export type Stream = "trades" | "book" | "ticker";

/** A symbol as the feed knows it: ccxt's unified name and the name the catalog stores. */
export interface FeedSymbol {
  readonly unified: string;
  readonly stored: string;
}

/** Where a feed delivers: events in the venue's time, and the state of each stream. */
export interface FeedSink {
  event(symbol: string, event: ReceiverEvent): void;
  /** a stream of `symbol` failed at `at` (clock ms); the recorder holds the symbol until `up` */
  down(symbol: string, stream: Stream, at: number, reason: string): void;
  /** the stream is back; for trades after the backfill was delivered */
  up(symbol: string, stream: Stream, at: number, trades?: "backfilled" | "partial" | "missing"): void;
  warn(message: string): void;
}

/** A source of live market events for a set of symbols. */
export interface Feed {
  readonly market: string;
  /** resolves user input ("KRW-BTC", "btc/usdt") to the venue's symbols */
  resolve(input: string): FeedSymbol;
  /** every symbol of the market with its day traded value, for `--top` (undefined: not supported) */
  tradedValue?(): Promise<Map<string, number>>;
  /** starts watching; a symbol added later is watched from then on */
  watch(symbols: readonly FeedSymbol[], sink: FeedSink): void;
  unwatch(stored: string): void;
  close(): Promise<void>;
}

export interface CcxtFeedOptions {
  /** "http://127.0.0.1:PORT": every REST and websocket host points there (tests, the mock venue) */
  urlOverride?: string;
  clock?: Clock;
  /** first reconnect wait; doubles per failure up to `maxBackoffMs` */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** REST attempts for a backfill before its trades count as missing (429s are retried) */
  backfillAttempts?: number;
  timeout?: number;
  /** book levels asked for (STOM reads 5, shown aligned to the last price) */
  bookLevels?: number;
  /**
   * watch the venue's ticker too (default: Upbit only). STOM's Upbit receiver takes the day's
   * open/high/low and traded value from Upbit's ticker, which counts from 00:00 UTC; Binance's
   * ticker is a rolling 24 h, so STOM's Binance receiver derives the day from trades instead.
   */
  tickers?: boolean;
}

type ExchangeClass = new (config?: Record<string, unknown>) => Exchange;

/**
 * Upbit, Binance or any ccxt.pro exchange with watchTrades (and, when the venue has them,
 * watchOrderBook and watchTicker), turned into receiver events.
 *
 * Updates are taken where ccxt resolves them (Client.resolve), not from the watch*() promises: a
 * promise carries only the update that settled it, and the book and ticker updates that arrive
 * before the next call are coalesced away. At the resolve, every update is seen once, in the order
 * the socket delivered it, which is what makes the live rows equal the offline rebuild.
 *
 * Each stream of each symbol is still a watch loop: it subscribes, and its failure is how a drop
 * shows. Then the loop reports the stream down, waits (exponential backoff) and watches again; the
 * trades loop fetches the trades it missed over REST (fetchTrades since the last trade seen, 429s
 * retried with backoff) while websocket trades wait, delivers both in order, then reports the
 * stream up. A book cannot be fetched for the past: the builder leaves book columns 0 (missing).
 */
export class CcxtFeed implements Feed {
  private readonly loops = new Map<string, AbortController>();
  /** unified symbol -> per-symbol state, for symbols being watched */
  private readonly watched = new Map<string, Watched>();
  private sink: FeedSink | undefined;
  private readonly clock: Clock;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly backfillAttempts: number;
  private readonly bookLevels: number;
  private readonly tickers: boolean;

  private constructor(
    readonly market: string,
    private readonly exchange: Exchange,
    {
      clock = systemClock,
      backoffMs = 250,
      maxBackoffMs = 30_000,
      backfillAttempts = 5,
      bookLevels = 5,
      tickers = market === "upbit",
    }: CcxtFeedOptions,
  ) {
    this.tickers = tickers;
    this.clock = clock;
    this.backoffMs = backoffMs;
    this.maxBackoffMs = maxBackoffMs;
    this.backfillAttempts = backfillAttempts;
    this.bookLevels = bookLevels;
    this.tapClients();
  }

  static async create(id: string, options: CcxtFeedOptions = {}): Promise<CcxtFeed> {
    const name = id.toLowerCase();
    const pro = ccxt.pro as unknown as Record<string, ExchangeClass>;
    const Ctor = pro[name];
    if (typeof Ctor !== "function") {
      const near = closeMatches(
        name,
        Object.keys(pro).filter((k) => typeof pro[k] === "function"),
      );
      throw new Error(`unknown exchange: ${id}${near.length ? ` (did you mean ${near.join(", ")}?)` : ""}`);
    }
    const { urlOverride = process.env[URL_OVERRIDE_ENV], timeout = 10_000 } = options;
    // Binance spot only: loadMarkets is one request. One websocket for every subscription instead
    // of ccxt's one per subscription: a symbol's trades, book and ticker then keep their order.
    const exchangeOptions =
      name === "binance"
        ? {
            fetchMarkets: { types: ["spot"] },
            fetchMargins: false,
            fetchCurrencies: false,
            streamLimits: { spot: 1 },
            subscriptionLimitByStream: { spot: 1024 },
          }
        : {};
    const exchange = new Ctor({ enableRateLimit: true, timeout, options: exchangeOptions });
    if (!exchange.has.watchTrades) throw new Error(`${name} has no watchTrades`);
    if (urlOverride) {
      rewriteAllUrls(exchange, urlOverride);
      // ccxt.pro needs its agent loaded before it can open plain ws:// URLs
      await (exchange as unknown as { loadHttpProxyAgent(): Promise<void> }).loadHttpProxyAgent();
    }
    await exchange.loadMarkets();
    return new CcxtFeed(name, exchange, options);
  }

  resolve(input: string): FeedSymbol {
    const upper = input.trim().toUpperCase();
    const squash = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, "");
    const all = Object.values(this.exchange.markets ?? {}).filter((m) => m !== undefined);
    const found =
      this.exchange.markets?.[upper] ??
      all.find((m) => m.id?.toUpperCase() === upper) ??
      all.find((m) => m.spot && squash(m.symbol) === squash(upper)) ??
      all.find((m) => squash(m.symbol) === squash(upper) || squash(m.id ?? "") === squash(upper));
    if (!found?.id) {
      const near = closeMatches(
        upper,
        all.map((m) => m.symbol),
        5,
      );
      throw new Error(
        `unknown symbol on ${this.market}: ${input}${near.length ? ` (did you mean ${near.join(", ")}?)` : ""}`,
      );
    }
    // Upbit series are stored under Upbit's code ("KRW-BTC"), as STOM names its tables
    return { unified: found.symbol, stored: this.market === "upbit" ? found.id : found.symbol };
  }

  async tradedValue(): Promise<Map<string, number>> {
    if (!this.exchange.has.fetchTickers) throw new Error(`${this.market} has no fetchTickers for --top`);
    const tickers = await this.exchange.fetchTickers();
    const out = new Map<string, number>();
    for (const t of Object.values(tickers)) {
      if (!t?.symbol) continue;
      const market = this.exchange.markets?.[t.symbol];
      if (!market?.spot || market.active === false) continue;
      out.set(t.symbol, dayValue(this.market, t));
    }
    return out;
  }

  watch(symbols: readonly FeedSymbol[], sink: FeedSink): void {
    this.sink = sink;
    for (const symbol of symbols) {
      if (this.loops.has(symbol.unified)) continue;
      const abort = new AbortController();
      this.loops.set(symbol.unified, abort);
      this.watched.set(symbol.unified, {
        symbol,
        lastId: Number.NEGATIVE_INFINITY,
        lastTime: Number.NEGATIVE_INFINITY,
        recovering: false,
        waiting: [],
      });
      void this.tradesLoop(symbol, sink, abort.signal);
      if (this.exchange.has.watchOrderBook) void this.bookLoop(symbol, sink, abort.signal);
      else sink.warn(`${this.market} has no watchOrderBook: book columns of ${symbol.stored} stay 0`);
      if (this.tickers && this.exchange.has.watchTicker) void this.tickerLoop(symbol, sink, abort.signal);
    }
  }

  unwatch(stored: string): void {
    for (const [unified, w] of this.watched) {
      if (w.symbol.stored !== stored) continue;
      this.loops.get(unified)?.abort();
      this.loops.delete(unified);
      this.watched.delete(unified);
    }
  }

  async close(): Promise<void> {
    for (const abort of this.loops.values()) abort.abort();
    this.loops.clear();
    this.watched.clear();
    await this.exchange.close();
  }

  /** Wraps each websocket client's resolve as ccxt creates it (see the class comment). */
  private tapClients(): void {
    const ex = this.exchange as unknown as { client(url: string): TappedClient };
    const client = ex.client.bind(ex);
    ex.client = (url: string) => {
      const c = client(url);
      if (!c.__stomTap) {
        c.__stomTap = true;
        const resolve = c.resolve.bind(c);
        c.resolve = (result: unknown, hash?: string) => {
          try {
            this.onUpdate(result, hash);
          } catch (error) {
            this.sink?.warn(`update ${String(hash)}: ${error instanceof Error ? error.message : error}`);
          }
          return resolve(result, hash);
        };
      }
      return c;
    };
  }

  private onUpdate(result: unknown, hash: string | undefined): void {
    if (typeof hash !== "string" || !result || typeof result !== "object" || !this.sink) return;
    if (hash.startsWith("orderbook")) {
      const book = result as OrderBook;
      const w = book.symbol ? this.watched.get(book.symbol) : undefined;
      const event = w ? toBook(book, this.bookLevels) : undefined;
      if (w && event) this.sink.event(w.symbol.stored, event);
    } else if (hash.startsWith("ticker") && this.tickers) {
      const ticker = result as Ticker;
      const w = ticker.symbol ? this.watched.get(ticker.symbol) : undefined;
      const event = w ? toTicker(this.market, ticker, this.clock.now()) : undefined;
      if (w && event) this.sink.event(w.symbol.stored, event);
    } else if (hash.startsWith("trade") && Array.isArray(result) && result.length > 0) {
      const trades = result as Trade[];
      const w = this.watched.get(trades[trades.length - 1].symbol ?? "");
      if (!w) return;
      // the cache holds up to 1000 recent trades; the new ones are at the end
      const fresh: Trade[] = [];
      for (let i = trades.length - 1; i >= 0 && isFresh(w, trades[i]); i--) fresh.push(trades[i]);
      fresh.reverse();
      if (w.recovering) w.waiting.push(...fresh);
      else this.deliverTrades(w, fresh);
    }
  }

  private deliverTrades(w: Watched, trades: readonly Trade[]): void {
    for (const t of [...trades].sort(byTime)) {
      if (!isFresh(w, t)) continue;
      const event = toTrade(t);
      if (!event) continue;
      const id = Number(t.id);
      if (t.id !== undefined && Number.isFinite(id)) w.lastId = Math.max(w.lastId, id);
      w.lastTime = Math.max(w.lastTime, event.time);
      this.sink?.event(w.symbol.stored, event);
    }
  }

  /** Runs `watch` until aborted, with down/up reports and backoff between failures. */
  private async loop(
    symbol: FeedSymbol,
    stream: Stream,
    sink: FeedSink,
    signal: AbortSignal,
    watch: () => Promise<unknown>,
    onDown?: () => void,
    onUp?: () => Promise<"backfilled" | "partial" | "missing">,
  ): Promise<void> {
    const stopped = new Promise<never>((_, reject) =>
      signal.addEventListener("abort", () => reject(new Error("stopped")), { once: true }),
    );
    stopped.catch(() => {});
    let failures = 0;
    while (!signal.aborted) {
      try {
        const next = watch();
        if (failures > 0) {
          // back when the socket is open again, not at the stream's next update: a quiet symbol
          // may not trade for minutes, and its other streams wait for this one
          next.catch(() => {});
          const probe = new AbortController();
          try {
            await Promise.race([next, this.connected(probe.signal), stopped]);
          } finally {
            probe.abort();
          }
        } else await Promise.race([next, stopped]);
        if (signal.aborted) break;
        if (failures > 0) {
          const trades = onUp ? await onUp() : undefined;
          if (signal.aborted) break;
          sink.up(symbol.stored, stream, this.clock.now(), trades);
          failures = 0;
        }
      } catch (error) {
        if (signal.aborted) break;
        const reason = error instanceof Error ? error.message : String(error);
        if (failures === 0) {
          onDown?.();
          sink.down(symbol.stored, stream, this.clock.now(), reason);
        }
        failures++;
        await this.clock.sleep(Math.min(this.backoffMs * 2 ** (failures - 1), this.maxBackoffMs), signal);
      }
    }
  }

  /** Resolves once one of ccxt's websocket clients is connected (ccxt opens it on a watch). */
  private async connected(signal: AbortSignal): Promise<void> {
    // a client that failed keeps its old isConnected; its error says it is not the live one
    type Client = { isConnected?: boolean; error?: unknown };
    const ex = this.exchange as unknown as { clients?: Record<string, Client> };
    const live = () => Object.values(ex.clients ?? {}).some((c) => c.isConnected && c.error === undefined);
    while (!signal.aborted && !live()) await this.clock.sleep(50, signal);
  }

  private async tradesLoop(symbol: FeedSymbol, sink: FeedSink, signal: AbortSignal): Promise<void> {
    const w = this.watched.get(symbol.unified) as Watched;
    const backfill = async (): Promise<"backfilled" | "partial" | "missing"> => {
      let result: "backfilled" | "partial" | "missing" = "missing";
      if (this.exchange.has.fetchTrades && w.lastTime !== Number.NEGATIVE_INFINITY) {
        for (let attempt = 1; attempt <= this.backfillAttempts && !signal.aborted; attempt++) {
          try {
            const trades = await this.exchange.fetchTrades(symbol.unified, w.lastTime);
            // the venue's page reaches back to the last trade seen, or the hole may be larger
            const reachesBack = trades.length === 0 || trades.some((t) => !isFresh(w, t));
            this.deliverTrades(w, trades);
            result = reachesBack ? "backfilled" : "partial";
            break;
          } catch (error) {
            const limited = error instanceof ccxt.RateLimitExceeded || error instanceof ccxt.DDoSProtection;
            const reason = limited
              ? "rate limited (429)"
              : error instanceof Error
                ? error.message
                : String(error);
            sink.warn(`backfill ${symbol.stored}: ${reason}; attempt ${attempt} of ${this.backfillAttempts}`);
            await this.clock.sleep(Math.min(this.backoffMs * 2 ** attempt, this.maxBackoffMs), signal);
          }
        }
      }
      // websocket trades that came while the backfill ran go after it
      w.recovering = false;
      const waiting = w.waiting.splice(0);
      this.deliverTrades(w, waiting);
      return result;
    };
    await this.loop(
      symbol,
      "trades",
      sink,
      signal,
      () => this.exchange.watchTrades(symbol.unified),
      () => {
        w.recovering = true;
      },
      backfill,
    );
  }

  private async bookLoop(symbol: FeedSymbol, sink: FeedSink, signal: AbortSignal): Promise<void> {
    await this.loop(symbol, "book", sink, signal, () => this.exchange.watchOrderBook(symbol.unified));
  }

  private async tickerLoop(symbol: FeedSymbol, sink: FeedSink, signal: AbortSignal): Promise<void> {
    await this.loop(symbol, "ticker", sink, signal, () => this.exchange.watchTicker(symbol.unified));
  }
}

interface Watched {
  readonly symbol: FeedSymbol;
  lastId: number;
  lastTime: number;
  /** the trades stream is down or backfilling: websocket trades wait in `waiting` */
  recovering: boolean;
  readonly waiting: Trade[];
}

interface TappedClient {
  __stomTap?: boolean;
  resolve(result: unknown, hash?: string): unknown;
}

/** Trades are new by id when the venue numbers them, else by time: websocket and backfill overlap. */
function isFresh(w: Watched, t: Trade): boolean {
  const id = Number(t.id);
  if (t.id !== undefined && Number.isFinite(id)) return id > w.lastId;
  return (t.timestamp ?? 0) > w.lastTime;
}

const byTime = (a: Trade, b: Trade) => (a.timestamp ?? 0) - (b.timestamp ?? 0);

function toTrade(t: Trade): TradeEvent | undefined {
  if (t.timestamp === undefined || t.price === undefined || t.amount === undefined) return undefined;
  return {
    type: "trade",
    time: t.timestamp,
    price: t.price,
    amount: t.amount,
    side: t.side === "sell" ? "sell" : "buy",
    ...(t.id === undefined ? {} : { id: String(t.id) }),
  };
}

/**
 * The top levels of a ccxt book: ten, as STOM reads ten and shows five aligned to the price
 * (`levels` beyond ten are kept too). A book without a venue time (Binance's REST snapshot that
 * seeds the diff stream) is skipped: the next diff carries the same book with its time.
 */
export function toBook(book: OrderBook, levels: number): BookEvent | undefined {
  if (book.timestamp === undefined) return undefined;
  const take = (side: readonly (readonly (number | string | undefined)[])[]) =>
    side.slice(0, Math.max(levels, 10)).map(([p, q]) => [Number(p), Number(q)] as const);
  return { type: "book", time: book.timestamp, asks: take(book.asks), bids: take(book.bids) };
}

/** The day view of a ccxt ticker; Upbit's raw day traded value (acc_trade_price) is what STOM reads. */
export function toTicker(market: string, t: Ticker, now: number): TickerEvent | undefined {
  if (t.last === undefined || t.open === undefined || t.high === undefined || t.low === undefined)
    return undefined;
  const quoteVolume = dayValue(market, t);
  return {
    type: "ticker",
    time: t.timestamp ?? now,
    open: t.open,
    high: t.high,
    low: t.low,
    last: t.last,
    // a venue that does not know the previous close sends 0: leave the builder's own reference
    ...(t.previousClose !== undefined && t.previousClose > 0 ? { previousClose: t.previousClose } : {}),
    ...(Number.isFinite(quoteVolume) ? { quoteVolume } : {}),
  };
}

/** The day's traded value: Upbit's acc_trade_price (since 00:00 UTC, STOM's 당일거래대금), else quoteVolume. */
function dayValue(market: string, t: Ticker): number {
  const info = t.info as Record<string, unknown> | undefined;
  if (market === "upbit" && info && info.acc_trade_price !== undefined) return Number(info.acc_trade_price);
  return t.quoteVolume ?? Number.NaN;
}
