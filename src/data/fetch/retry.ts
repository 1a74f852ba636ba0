import ccxt, { type Exchange } from "ccxt";

export interface RetryOptions {
  /** attempts in all, the first included */
  tries?: number;
  /** first backoff; doubles after each failure */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** the exchange whose last response may carry Retry-After */
  exchange?: Exchange;
  onRetry?: (info: { attempt: number; delayMs: number; error: Error }) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** True for failures worth retrying: lost connections, timeouts, 429/418 and "venue busy". */
export function isTransient(error: unknown): boolean {
  if (error instanceof ccxt.NetworkError) return true;
  // ccxt lets undici's socket errors through untranslated when a connection dies mid-body
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (code.startsWith("UND_ERR_") || TRANSIENT_CODES.has(code))) return true;
    if (e.name === "SocketError" || e.message === "fetch failed" || e.message === "terminated") return true;
  }
  return false;
}

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

/**
 * Calls `call` until it succeeds or `tries` attempts have failed, backing off exponentially.
 * After a rate-limit answer the wait is at least the venue's Retry-After.
 *
 *   const candles = await withRetry(() => exchange.fetchOHLCV("BTC/USDT", "1m", since), { exchange });
 */
export async function withRetry<T>(
  call: () => Promise<T>,
  {
    tries = 5,
    baseDelayMs = 250,
    maxDelayMs = 30_000,
    exchange,
    onRetry,
    sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }: RetryOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || attempt >= tries) throw error;
      let delayMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      if (error instanceof ccxt.DDoSProtection || error instanceof ccxt.RateLimitExceeded) {
        delayMs = Math.max(delayMs, retryAfterMs(exchange) ?? 0);
      }
      onRetry?.({ attempt, delayMs, error: error as Error });
      await sleep(delayMs);
    }
  }
}

/** Retry-After of the exchange's last response (seconds or an HTTP date), in ms. */
export function retryAfterMs(exchange: Exchange | undefined, now = Date.now()): number | undefined {
  const headers = exchange?.last_response_headers as Record<string, string> | undefined;
  const value = headers?.["Retry-After"];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
