export {
  type Capability,
  type CreateExchangeOptions,
  closeMatches,
  createExchange,
  marketTz,
  pageLimit,
  type ResolvedSymbol,
  resolveSymbol,
  rewriteApiUrls,
  storedSymbol,
  URL_OVERRIDE_ENV,
} from "./exchange.ts";
export {
  type FetchOptions,
  type FetchProgress,
  type FetchResult,
  fetchOhlcv,
  venueClock,
} from "./fetch-ohlcv.ts";
export { fetchTrades } from "./fetch-trades.ts";
export { isTransient, type RetryOptions, retryAfterMs, withRetry } from "./retry.ts";
