import { parseTimeframe } from "../engine/timeframe.ts";
import type { Bar, Tick } from "./types.ts";

/** "1m", "15m", "1h", "1d" -> milliseconds; live bars come in seconds to days (no weeks, no months). */
export function barTimeframeMs(timeframe: string): number {
  const tf = parseTimeframe(timeframe);
  if (!tf || tf.unit === "w" || tf.count === 0) throw new Error(`invalid timeframe: ${timeframe}`);
  return tf.ms;
}

export interface BarBuilderOptions {
  /** emit flat bars (open = high = low = close = previous close, volume 0) for periods without trades */
  fillGaps?: boolean;
  /** how many recent trade ids to remember, to drop repeats after a reconnect */
  dedupe?: number;
}

/**
 * Builds bars from a trade stream. A bar is closed (and emitted) when the first trade of a later
 * period arrives, or when `flush(now)` is called after the period ended, so a quiet market still
 * moves the strategy on. Trades older than the forming bar are counted in `late` and dropped.
 */
export class BarBuilder {
  readonly ms: number;
  late = 0;
  duplicates = 0;
  #bucket = Number.NaN;
  #open = 0;
  #high = 0;
  #low = 0;
  #close = 0;
  #volume = 0;
  #lastClose = Number.NaN;
  /** the forming bar was opened by a timer, not a trade: the first trade sets its open */
  #empty = false;
  readonly #fill: boolean;
  readonly #seen = new Set<string>();
  readonly #seenOrder: string[] = [];
  readonly #dedupe: number;
  readonly #emit: (bar: Bar) => void;

  constructor(
    timeframe: string,
    emit: (bar: Bar) => void,
    { fillGaps = true, dedupe = 4096 }: BarBuilderOptions = {},
  ) {
    this.ms = barTimeframeMs(timeframe);
    this.#emit = emit;
    this.#fill = fillGaps;
    this.#dedupe = dedupe;
  }

  /** The bar being formed, if any trade arrived in it. */
  get forming(): Bar | null {
    if (Number.isNaN(this.#bucket)) return null;
    return {
      time: this.#bucket,
      open: this.#open,
      high: this.#high,
      low: this.#low,
      close: this.#close,
      volume: this.#volume,
    };
  }

  push(tick: Tick): void {
    if (tick.id !== undefined) {
      if (this.#seen.has(tick.id)) {
        this.duplicates++;
        return;
      }
      this.#seen.add(tick.id);
      this.#seenOrder.push(tick.id);
      if (this.#seenOrder.length > this.#dedupe) this.#seen.delete(this.#seenOrder.shift() as string);
    }
    const bucket = tick.time - (((tick.time % this.ms) + this.ms) % this.ms);
    if (Number.isNaN(this.#bucket)) this.#begin(bucket, tick);
    else if (bucket === this.#bucket && this.#empty) this.#begin(bucket, tick);
    else if (bucket === this.#bucket) {
      if (tick.price > this.#high) this.#high = tick.price;
      if (tick.price < this.#low) this.#low = tick.price;
      this.#close = tick.price;
      this.#volume += tick.amount;
    } else if (bucket > this.#bucket) {
      this.#closeUntil(bucket);
      this.#begin(bucket, tick);
    } else this.late++;
  }

  /** Closes the forming bar (and flat gap bars) if `now` is past its period. */
  flush(now: number): void {
    if (Number.isNaN(this.#bucket)) return;
    const current = now - (((now % this.ms) + this.ms) % this.ms);
    if (current <= this.#bucket) return;
    this.#closeUntil(current);
    // nothing traded yet in the current period: it starts flat at the last close
    this.#bucket = current;
    this.#open = this.#high = this.#low = this.#close = this.#lastClose;
    this.#volume = 0;
    this.#empty = true;
  }

  #begin(bucket: number, tick: Tick): void {
    this.#bucket = bucket;
    this.#empty = false;
    this.#open = this.#high = this.#low = this.#close = tick.price;
    this.#volume = tick.amount;
  }

  #closeUntil(bucket: number): void {
    this.#emit({
      time: this.#bucket,
      open: this.#open,
      high: this.#high,
      low: this.#low,
      close: this.#close,
      volume: this.#volume,
    });
    this.#lastClose = this.#close;
    if (!this.#fill) return;
    for (let t = this.#bucket + this.ms; t < bucket; t += this.ms) {
      const c = this.#lastClose;
      this.#emit({ time: t, open: c, high: c, low: c, close: c, volume: 0 });
    }
  }
}
