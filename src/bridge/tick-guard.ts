import type { Tick } from "./types.ts";

export interface TickGuardOptions {
  /**
   * The venue clock trades are checked against (the wall clock for a live feed; a replay passes its
   * simulated clock). Without one only the unit, value and gap checks apply.
   */
  clock?: () => number;
  /** trades stamped further ahead of the clock are refused (default 5 minutes) */
  maxFutureMs?: number;
  /** trades older than this behind the clock are refused (default: no bound; `stom bridge` sets 1 h) */
  maxAgeMs?: number;
  /**
   * most bars a trade may jump ahead of the previous accepted one, without a clock: the bar builder
   * fills every skipped period with a flat bar and the strategy runs on each, so an unbounded jump
   * stalls the event loop (default 1,440: a day of minute bars). With a clock the trade is already
   * bounded by it, and the bridge's wall-clock flush has kept the builder at the clock's bar, so a
   * quiet weekend (3,900 minutes on KRX) is not a gap: the first trade on Monday goes through.
   */
  maxGapBars?: number;
}

export interface TickRefusal {
  readonly rule: "tick-unit" | "tick-value" | "tick-future" | "tick-stale" | "tick-gap";
  readonly message: string;
  /** refusals of this rule for this stream so far, this one included */
  readonly count: number;
}

/** Epoch ms between 1973 and 5138: seconds (1.7e9) fall below, microseconds (1.7e15) above. */
const MIN_MS = 1e11;
const MAX_MS = 1e14;

/**
 * Checks each trade of a feed before it reaches a bar builder: time in epoch milliseconds (not
 * seconds or microseconds), a positive price and amount, not far ahead of or behind the venue
 * clock, and no jump of more bars than the builder may fill. Keeps per stream the last accepted
 * time and how many trades each rule refused.
 */
export class TickGuard {
  readonly #clock?: () => number;
  readonly #maxFuture: number;
  readonly #maxAge: number;
  readonly #maxGapBars: number;
  readonly #last = new Map<string, number>();
  readonly #counts = new Map<string, number>();

  constructor({
    clock,
    maxFutureMs = 5 * 60_000,
    maxAgeMs = Number.POSITIVE_INFINITY,
    maxGapBars = 1_440,
  }: TickGuardOptions = {}) {
    this.#clock = clock;
    this.#maxFuture = maxFutureMs;
    this.#maxAge = maxAgeMs;
    this.#maxGapBars = maxGapBars;
  }

  /** undefined when the trade may go on; else why not. `barMs` is the stream's bar length. */
  check(stream: string, tick: Tick, barMs: number): TickRefusal | undefined {
    const { time, price, amount } = tick;
    if (!Number.isFinite(time) || time < MIN_MS || time > MAX_MS) {
      const unit = time > MAX_MS ? "microseconds or nanoseconds" : "seconds";
      return this.#refuse(stream, "tick-unit", `trade time ${time} is not epoch ms (${unit}?)`);
    }
    if (!(price > 0 && Number.isFinite(price)) || !(amount >= 0 && Number.isFinite(amount))) {
      return this.#refuse(stream, "tick-value", `trade price ${price} or amount ${amount} is invalid`);
    }
    if (this.#clock) {
      const now = this.#clock();
      if (time > now + this.#maxFuture) {
        return this.#refuse(
          stream,
          "tick-future",
          `trade time ${new Date(time).toISOString()} is ${Math.round((time - now) / 1000)} s ahead of the clock`,
        );
      }
      if (time < now - this.#maxAge) {
        return this.#refuse(
          stream,
          "tick-stale",
          `trade time ${new Date(time).toISOString()} is ${Math.round((now - time) / 1000)} s behind the clock`,
        );
      }
    }
    const last = this.#last.get(stream);
    if (!this.#clock && last !== undefined && barMs > 0 && (time - last) / barMs > this.#maxGapBars) {
      return this.#refuse(
        stream,
        "tick-gap",
        `trade time ${new Date(time).toISOString()} jumps ${Math.floor((time - last) / barMs)} bars ` +
          `(max ${this.#maxGapBars}) past the last one`,
      );
    }
    if (last === undefined || time > last) this.#last.set(stream, time);
    return undefined;
  }

  forget(stream: string): void {
    this.#last.delete(stream);
  }

  #refuse(stream: string, rule: TickRefusal["rule"], message: string): TickRefusal {
    const key = `${stream}\u0000${rule}`;
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    return { rule, message, count };
  }
}

/** Log the 1st, 10th, 100th... refusal of a kind: a broken feed must not flood the journal. */
export const worthLogging = (count: number): boolean => /^10*$/.test(String(count));
