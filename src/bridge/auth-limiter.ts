/** How many failed authentications an address may make in a window before it is turned away. */
export interface AuthLimiterOptions {
  /** failures within `windowMs` that block the address (default 20) */
  limit?: number;
  windowMs?: number;
  /** addresses remembered at once; the oldest is forgotten first, so a flood of sources cannot grow memory */
  maxAddresses?: number;
  clock?: () => number;
}

/**
 * Counts failed token checks per remote address in a sliding window. A blocked address gets 429
 * for every authenticated route, even with the right token: answering "right" and "wrong"
 * differently while blocked would let a guesser keep guessing.
 */
export class AuthLimiter {
  readonly limit: number;
  readonly windowMs: number;
  readonly #max: number;
  readonly #clock: () => number;
  readonly #failures = new Map<string, number[]>();

  constructor({
    limit = 20,
    windowMs = 60_000,
    maxAddresses = 10_000,
    clock = Date.now,
  }: AuthLimiterOptions = {}) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new Error(`invalid auth failure limit: ${limit}`);
    this.limit = limit;
    this.windowMs = windowMs;
    this.#max = maxAddresses;
    this.#clock = clock;
  }

  #recent(address: string): number[] {
    const list = this.#failures.get(address);
    if (!list) return [];
    const since = this.#clock() - this.windowMs;
    while (list.length && list[0] <= since) list.shift();
    if (!list.length) this.#failures.delete(address);
    return list;
  }

  /** Seconds until the address may try again, or 0 when it is not blocked. */
  blockedFor(address: string): number {
    const list = this.#recent(address);
    if (list.length < this.limit) return 0;
    return Math.max(1, Math.ceil((list[list.length - this.limit] + this.windowMs - this.#clock()) / 1000));
  }

  fail(address: string): void {
    let list = this.#failures.get(address);
    if (!list) {
      if (this.#failures.size >= this.#max) {
        const oldest = this.#failures.keys().next().value as string;
        this.#failures.delete(oldest);
      }
      list = [];
      this.#failures.set(address, list);
    }
    list.push(this.#clock());
    // the window never needs more than `limit` entries to decide
    if (list.length > this.limit) list.shift();
  }
}
