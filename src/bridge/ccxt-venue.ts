import ccxt, { type Exchange, type Order, type Trade } from "ccxt";
import { barTimeframeMs } from "./bar-builder.ts";
import type { MarketRules } from "./risk.ts";
import type { Bar, OrderState, Tick, VenueOrder } from "./types.ts";
import { AmbiguousError, RejectedError, type Venue, VenueError } from "./venue.ts";

export interface CcxtVenueOptions {
  /** from the environment only; never stored, logged or returned */
  apiKey?: string;
  secret?: string;
  /** "http://127.0.0.1:PORT": every REST and websocket host is pointed there (tests, mock venue) */
  urlOverride?: string;
  /** ms before a request counts as lost (ccxt's timeout) */
  timeout?: number;
  /** REST polling period while the websocket is down */
  pollMs?: number;
  onWarning?: (message: string) => void;
}

type ExchangeClass = new (config?: Record<string, unknown>) => Exchange;

/** Points REST hosts at http://origin and websocket hosts at ws://origin, keeping the paths. */
export function rewriteAllUrls(exchange: Exchange, origin: string): void {
  const base = origin.replace(/\/+$/, "");
  const m = /^https?:\/\/([^/]+)$/.exec(base);
  if (!m) throw new Error(`invalid url override: ${origin}`);
  const rewrite = (value: unknown): unknown => {
    if (typeof value === "string") {
      return value.replace(/^https?:\/\/[^/]+/, `http://${m[1]}`).replace(/^wss?:\/\/[^/]+/, `ws://${m[1]}`);
    }
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
    }
    return value;
  };
  const urls = exchange.urls as Record<string, unknown>;
  urls.api = rewrite(urls.api);
}

function stateOf(o: Order): OrderState {
  const filled = o.filled ?? 0;
  switch (o.status) {
    case "closed":
      return "FILLED";
    case "canceled":
    case "expired":
      return "CANCELED";
    case "rejected":
      return "REJECTED";
    default:
      return filled > 0 ? "PARTIALLY_FILLED" : "ACCEPTED";
  }
}

function toVenueOrder(o: Order): VenueOrder {
  const filled = o.filled ?? 0;
  const avgPrice = o.average ?? (filled > 0 && o.cost ? o.cost / filled : (o.price ?? 0));
  return {
    venueOrderId: String(o.id),
    clientOrderId: o.clientOrderId ?? null,
    symbol: o.symbol ?? "",
    side: o.side === "sell" ? "sell" : "buy",
    state: stateOf(o),
    amount: o.amount ?? 0,
    filled,
    avgPrice,
    // ccxt's Upbit parser leaves the fee cost a string
    fee: Number(o.fee?.cost ?? 0),
  };
}

/** ccxt's error classes split into "certainly refused" and "may have arrived". */
function classify(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (
    error instanceof ccxt.InvalidOrder ||
    error instanceof ccxt.InsufficientFunds ||
    error instanceof ccxt.BadRequest ||
    error instanceof ccxt.AuthenticationError ||
    error instanceof ccxt.PermissionDenied
  ) {
    return new RejectedError(message);
  }
  return new AmbiguousError(message);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/**
 * Upbit and Binance spot through ccxt (REST) and ccxt.pro (websockets). Orders always carry our
 * client order id (Binance newClientOrderId, Upbit identifier), so a lost answer can be looked up.
 */
export class CcxtVenue implements Venue {
  readonly id: string;
  readonly exchange: Exchange;
  readonly #pollMs: number;
  readonly #warn: (message: string) => void;

  private constructor(id: string, exchange: Exchange, pollMs: number, warn: (message: string) => void) {
    this.id = id;
    this.exchange = exchange;
    this.#pollMs = pollMs;
    this.#warn = warn;
  }

  static async create(
    id: string,
    {
      apiKey,
      secret,
      urlOverride,
      timeout = 10_000,
      pollMs = 1_000,
      onWarning = () => {},
    }: CcxtVenueOptions = {},
  ): Promise<CcxtVenue> {
    const name = id.toLowerCase();
    if (name !== "binance" && name !== "upbit")
      throw new Error(`unsupported exchange: ${id} (binance, upbit)`);
    const Ctor = (ccxt.pro as unknown as Record<string, ExchangeClass>)[name];
    const options =
      name === "binance"
        ? { fetchMarkets: { types: ["spot"] }, fetchMargins: false, fetchCurrencies: false }
        : {};
    const exchange = new Ctor({ apiKey, secret, enableRateLimit: true, timeout, options });
    if (urlOverride) {
      rewriteAllUrls(exchange, urlOverride);
      // ccxt.pro needs its agent loaded before it can open plain ws:// URLs
      await (exchange as unknown as { loadHttpProxyAgent(): Promise<void> }).loadHttpProxyAgent();
    }
    try {
      await exchange.loadMarkets();
    } catch (error) {
      throw new VenueError(name, "loadMarkets", error);
    }
    return new CcxtVenue(name, exchange, pollMs, onWarning);
  }

  async marketRules(symbol: string): Promise<MarketRules> {
    if (!this.exchange.markets?.[symbol] && !this.exchange.markets_by_id?.[symbol]) {
      throw new VenueError(this.id, "marketRules", `unknown symbol ${symbol}`, 400);
    }
    const m = this.exchange.market(symbol);
    const step = m.precision?.amount;
    return {
      minNotional: m.limits?.cost?.min ?? undefined,
      minAmount: m.limits?.amount?.min ?? undefined,
      // ccxt 4 reports precision as a tick size (TICK_SIZE mode) for both venues
      amountStep: typeof step === "number" && step > 0 && step < 1e6 ? step : undefined,
    };
  }

  async createMarketOrder({
    symbol,
    side,
    amount,
    clientOrderId,
    refPrice,
  }: {
    symbol: string;
    side: "buy" | "sell";
    amount: number;
    clientOrderId: string;
    refPrice?: number;
  }): Promise<VenueOrder> {
    const upbit = this.id === "upbit";
    const params = upbit ? { identifier: clientOrderId } : { newClientOrderId: clientOrderId };
    // an Upbit market buy spends quote (ord_type "price"): ccxt sends amount × price as that sum
    const price = upbit && side === "buy" ? refPrice : undefined;
    if (upbit && side === "buy" && !(refPrice !== undefined && refPrice > 0)) {
      throw new RejectedError(`upbit market buy needs a reference price: ${refPrice}`);
    }
    try {
      const o = await this.exchange.createOrder(symbol, "market", side, amount, price, params);
      const v = toVenueOrder(o);
      return { ...v, clientOrderId: v.clientOrderId ?? clientOrderId };
    } catch (error) {
      throw classify(error);
    }
  }

  /** A limit order on the venue's book (ccxt `has.createLimitOrder`: Binance and Upbit spot). */
  async createLimitOrder({
    symbol,
    side,
    amount,
    price,
    clientOrderId,
  }: {
    symbol: string;
    side: "buy" | "sell";
    amount: number;
    price: number;
    clientOrderId: string;
  }): Promise<VenueOrder> {
    if (!this.exchange.has.createLimitOrder) throw new RejectedError(`${this.id} has no limit orders`);
    const params = this.id === "upbit" ? { identifier: clientOrderId } : { newClientOrderId: clientOrderId };
    try {
      const o = await this.exchange.createOrder(symbol, "limit", side, amount, price, params);
      const v = toVenueOrder(o);
      return { ...v, clientOrderId: v.clientOrderId ?? clientOrderId };
    } catch (error) {
      throw classify(error);
    }
  }

  async fetchByClientId(symbol: string, clientOrderId: string): Promise<VenueOrder | null> {
    const params = this.id === "upbit" ? { identifier: clientOrderId } : { origClientOrderId: clientOrderId };
    try {
      const o = await this.exchange.fetchOrder(undefined as unknown as string, symbol, params);
      return toVenueOrder(o);
    } catch (error) {
      if (error instanceof ccxt.OrderNotFound) return null;
      throw error;
    }
  }

  async balances(): Promise<Record<string, number>> {
    const b = await this.exchange.fetchBalance();
    const out: Record<string, number> = {};
    for (const [asset, total] of Object.entries((b.total ?? {}) as unknown as Record<string, number>)) {
      if (Number.isFinite(Number(total))) out[asset] = Number(total);
    }
    return out;
  }

  async cancel(symbol: string, venueOrderId: string): Promise<void> {
    try {
      await this.exchange.cancelOrder(venueOrderId, symbol);
    } catch (error) {
      if (!(error instanceof ccxt.OrderNotFound)) throw error;
    }
  }

  async openOrders(symbol: string): Promise<VenueOrder[]> {
    return (await this.exchange.fetchOpenOrders(symbol)).map(toVenueOrder);
  }

  /**
   * Trades over the websocket; when it fails, polls REST from the last trade seen until the socket
   * is back, so a dropped connection leaves no hole (repeats are dropped by trade id downstream).
   */
  async fetchBars(symbol: string, timeframe: string, limit: number): Promise<Bar[]> {
    const ms = barTimeframeMs(timeframe);
    let rows: number[][];
    try {
      // one more than asked: the newest row is usually the bar still forming
      rows = (await this.exchange.fetchOHLCV(symbol, timeframe, undefined, limit + 1)) as number[][];
    } catch (error) {
      throw new VenueError(this.id, "fetchOHLCV", error);
    }
    const now = Date.now();
    return rows
      .filter(([t]) => t + ms <= now)
      .slice(-limit)
      .map(([time, open, high, low, close, volume]) => ({
        time,
        open,
        high,
        low,
        close,
        volume: volume ?? 0,
      }));
  }

  async watchTrades(symbol: string, onTick: (tick: Tick) => void, signal: AbortSignal): Promise<void> {
    let since: number | undefined;
    const deliver = (trades: Trade[]) => {
      for (const t of trades) {
        if (t.timestamp === undefined || t.price === undefined || t.amount === undefined) continue;
        since = Math.max(since ?? 0, t.timestamp);
        onTick({
          time: t.timestamp,
          price: t.price,
          amount: t.amount,
          id: t.id === undefined ? undefined : String(t.id),
        });
      }
    };
    let failures = 0;
    // one listener for the whole loop: a listener per batch grew without bound over a long feed
    const stopped = new Promise<never>((_, reject) =>
      signal.addEventListener("abort", () => reject(new Error("stopped")), { once: true }),
    );
    stopped.catch(() => {});
    while (!signal.aborted) {
      try {
        const trades = await Promise.race([this.exchange.watchTrades(symbol), stopped]);
        if (failures > 0 && since !== undefined && trades.length) {
          // back after an outage: fill the hole from REST before the newer websocket trades
          const first = Math.min(...trades.map((t) => t.timestamp ?? Number.POSITIVE_INFINITY));
          try {
            deliver(
              (await this.exchange.fetchTrades(symbol, since)).filter((t) => (t.timestamp ?? 0) < first),
            );
          } catch (restError) {
            this.#warn(
              `REST catch-up ${symbol}: ${restError instanceof Error ? restError.message : restError}`,
            );
          }
        }
        failures = 0;
        deliver(trades);
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        this.#warn(
          `websocket trades ${symbol}: ${error instanceof Error ? error.message : error}; REST fallback`,
        );
        try {
          deliver(await this.exchange.fetchTrades(symbol, since));
        } catch (restError) {
          this.#warn(`REST trades ${symbol}: ${restError instanceof Error ? restError.message : restError}`);
        }
        await sleep(Math.min(this.#pollMs * failures, 10_000), signal);
      }
    }
  }

  async close(): Promise<void> {
    await this.exchange.close();
  }
}
