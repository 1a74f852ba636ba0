import ccxt, { type Exchange, type MarketInterface } from "ccxt";
import { editDistance } from "../../engine/params.ts";

/**
 * Testing aid: when set (e.g. `STOM_CCXT_URL_OVERRIDE=http://127.0.0.1:8080`), every host in the
 * exchange's `urls.api` is rewritten to this origin, so `stom data fetch` talks to a mock venue.
 */
export const URL_OVERRIDE_ENV = "STOM_CCXT_URL_OVERRIDE";

export type Capability = "fetchOHLCV" | "fetchTrades";

export interface CreateExchangeOptions {
  /** origin that replaces every API host, for tests (default: $STOM_CCXT_URL_OVERRIDE) */
  urlOverride?: string;
  /** fail early if the exchange cannot do this */
  need?: Capability;
}

type ExchangeClass = new (config?: Record<string, unknown>) => Exchange;

/**
 * A ccxt exchange for public market data, with ccxt's own throttler on.
 *
 *   const binance = createExchange("binance", { need: "fetchOHLCV" });
 */
export function createExchange(
  id: string,
  { urlOverride = process.env[URL_OVERRIDE_ENV], need }: CreateExchangeOptions = {},
): Exchange {
  const name = id.toLowerCase();
  const Ctor = (ccxt as unknown as Record<string, ExchangeClass>)[name];
  if (!ccxt.exchanges.includes(name) || typeof Ctor !== "function") {
    const near = closeMatches(name, ccxt.exchanges);
    throw new Error(`unknown exchange: ${id}${near.length ? ` (did you mean ${near.join(", ")}?)` : ""}`);
  }
  // Binance spot only: loadMarkets then needs one request (exchangeInfo) instead of one per product line.
  const options =
    name === "binance"
      ? { fetchMarkets: { types: ["spot"] }, fetchMargins: false, fetchCurrencies: false }
      : {};
  const exchange = new Ctor({ enableRateLimit: true, options });
  if (need && !exchange.has[need]) throw new Error(`${name} has no ${need}`);
  if (urlOverride) rewriteApiUrls(exchange, urlOverride);
  return exchange;
}

/** Points every API host of `exchange` at `origin` ("http://127.0.0.1:PORT"), keeping the paths. */
export function rewriteApiUrls(exchange: Exchange, origin: string): void {
  const base = origin.replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+$/.test(base)) throw new Error(`invalid url override: ${origin}`);
  const rewrite = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(/^https?:\/\/[^/]+/, base);
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
    }
    return value;
  };
  const urls = exchange.urls as Record<string, unknown>;
  urls.api = rewrite(urls.api);
}

/** Up to `n` candidates closest to `name`: prefix and substring matches first, then by edit distance. */
export function closeMatches(name: string, candidates: readonly string[], n = 5): string[] {
  const scored = candidates.map((c) => {
    let score = editDistance(name, c);
    if (c.startsWith(name) || name.startsWith(c)) score -= 2;
    else if (c.includes(name) || name.includes(c)) score -= 1;
    return { c, score };
  });
  const limit = Math.max(2, Math.floor(name.length / 2));
  return scored
    .filter((s) => s.score <= limit)
    .sort((a, b) => a.score - b.score || a.c.localeCompare(b.c))
    .slice(0, n)
    .map((s) => s.c);
}

export interface ResolvedSymbol {
  /** ccxt's unified symbol, what ccxt calls take: "BTC/USDT", "BTC/KRW" */
  readonly unified: string;
  /** the venue's market id: "BTCUSDT", "KRW-BTC" */
  readonly id: string;
  /** what the catalog stores: see storedSymbol */
  readonly stored: string;
}

/**
 * Finds a market by unified symbol or by the venue's id, ignoring case and separators:
 * "BTC/KRW", "KRW-BTC", "krw-btc" on upbit; "BTC/USDT", "BTCUSDT", "btc-usdt" on binance.
 */
export async function resolveSymbol(exchange: Exchange, input: string): Promise<ResolvedSymbol> {
  const markets = await exchange.loadMarkets();
  const all = Object.values(markets).filter((m): m is MarketInterface => m !== undefined);
  const upper = input.trim().toUpperCase();
  const squash = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, "");
  const found =
    markets[upper] ??
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
      `unknown symbol on ${exchange.id}: ${input}${near.length ? ` (did you mean ${near.join(", ")}?)` : ""}`,
    );
  }
  return { unified: found.symbol, id: found.id, stored: storedSymbol(exchange.id, found) };
}

/**
 * Upbit series are stored under Upbit's own code ("KRW-BTC"), the name STOM and its users know;
 * every other venue under ccxt's unified symbol ("BTC/USDT").
 */
export function storedSymbol(exchangeId: string, market: Pick<MarketInterface, "symbol" | "id">): string {
  return exchangeId === "upbit" ? (market.id ?? market.symbol) : market.symbol;
}

/** Display zone of a venue's trading days: KST for Upbit, UTC elsewhere. */
export function marketTz(exchangeId: string): string {
  return exchangeId === "upbit" ? "Asia/Seoul" : "UTC";
}

/** Most rows one request may ask for; undefined leaves the venue's default. */
export function pageLimit(exchangeId: string, what: Capability): number | undefined {
  if (exchangeId === "binance") return 1000;
  if (exchangeId === "upbit") return what === "fetchOHLCV" ? 200 : 500;
  return undefined;
}
