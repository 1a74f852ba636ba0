export interface RetryOptions {
  /** tries in all, the first included */
  attempts?: number;
  /** wait before the second try; doubled before each next one, up to `maxDelayMs` */
  delayMs?: number;
  maxDelayMs?: number;
  /** told about each failure that will be tried again */
  onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Retries a read (a lookup, a balance, open orders) with exponential backoff: a 429 or a dropped
 * connection while reconciling is a reason to wait, not to stop the bridge. Never for sends: an
 * order is sent once.
 */
export async function withRetry<T>(
  read: () => Promise<T>,
  { attempts = 4, delayMs = 500, maxDelayMs = 30_000, onRetry = () => {} }: RetryOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= attempts) throw error;
      onRetry(error, attempt);
      await new Promise((r) => setTimeout(r, Math.min(maxDelayMs, delayMs * 2 ** (attempt - 1))));
    }
  }
}
