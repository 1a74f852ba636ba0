// A venue that plays recorded bars back as trades, on a simulated clock: `stom bridge --replay`
// drives the whole live path (bar builder, paper session, OMS, journal, risk, WebSocket events, the
// Live page) from data, with no network. Paper only: it takes no orders of its own.
import type { Bars } from "../engine/index.ts";
import type { MarketRules } from "./risk.ts";
import type { Tick, VenueOrder } from "./types.ts";
import { RejectedError, type Venue } from "./venue.ts";

export interface ReplayOptions {
  /** bars per second of wall time, or "max" to play as fast as the bridge takes them */
  readonly speed?: number | "max";
  /** called once a feed has played every bar, with the end of the last bar (UTC ms) */
  readonly onEnd?: (symbol: string, end: number) => void;
  /** how many bars play between two yields to the event loop at "max" (events get out) */
  readonly batch?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Each bar becomes four trades inside its period: the open, the high, the low and the close 1 ms
 * apart (the volume on the close), so the bridge's bar builder rebuilds the same bar, and the bar
 * closes when the next bar's first trade arrives (the last one with `onEnd`).
 */
export class ReplayVenue implements Venue {
  readonly id = "replay";
  readonly #bars: Bars;
  readonly #barMs: number;
  readonly #speed: number | "max";
  readonly #onEnd: NonNullable<ReplayOptions["onEnd"]>;
  readonly #batch: number;

  constructor(
    bars: Bars,
    barMs: number,
    { speed = "max", onEnd = () => {}, batch = 50 }: ReplayOptions = {},
  ) {
    if (!(barMs > 3)) throw new Error(`invalid bar length: ${barMs} ms`);
    if (speed !== "max" && !(speed > 0)) throw new Error(`invalid speed: ${speed} (bars a second, or max)`);
    this.#bars = bars;
    this.#barMs = barMs;
    this.#speed = speed;
    this.#onEnd = onEnd;
    this.#batch = batch;
  }

  async marketRules(): Promise<MarketRules> {
    return {};
  }

  async watchTrades(symbol: string, onTick: (tick: Tick) => void, signal: AbortSignal): Promise<void> {
    const b = this.#bars;
    for (let i = 0; i < b.length; i++) {
      if (signal.aborted) return;
      const t = b.time[i];
      const volume = Number.isFinite(b.volume[i]) ? b.volume[i] : 0;
      onTick({ time: t, price: b.open[i], amount: 0, id: `${i}o` });
      onTick({ time: t + 1, price: b.high[i], amount: 0, id: `${i}h` });
      onTick({ time: t + 2, price: b.low[i], amount: 0, id: `${i}l` });
      onTick({ time: t + 3, price: b.close[i], amount: volume, id: `${i}c` });
      if (this.#speed === "max") {
        if ((i + 1) % this.#batch === 0) await new Promise((resolve) => setImmediate(resolve));
      } else await sleep(1000 / this.#speed);
    }
    if (!signal.aborted && b.length) this.#onEnd(symbol, b.time[b.length - 1] + this.#barMs);
  }

  async createMarketOrder(): Promise<VenueOrder> {
    throw new RejectedError("the replay venue trades paper only");
  }

  async fetchByClientId(): Promise<VenueOrder | null> {
    return null;
  }

  async cancel(): Promise<void> {}

  async openOrders(): Promise<VenueOrder[]> {
    return [];
  }

  async close(): Promise<void> {}
}
