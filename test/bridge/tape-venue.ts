// A live venue on the replay venue's tape: the bars of a Bars are played as the trades
// ReplayVenue makes of them (open, high, low, close of each bar, 1 ms apart), one trade per turn of
// the event loop, so that every order a trade causes is sent, answered and booked before the next
// trade, as a real minute between two prints allows. Market orders fill at once, in full, at the
// last trade (a venue's book as thin as the tape). Limit orders rest on its book and fill at their
// price when a trade reaches it (at the last trade when they are marketable on arrival), as a
// maker's order does; the tape then waits until the bridge has booked that fill (`booked`). A test
// steers it with `play(to)` and can restart the bridge between two trades: the tape goes on where
// it stopped.

import { ReplayVenue } from "../../src/bridge/replay-venue.ts";
import type { MarketRules } from "../../src/bridge/risk.ts";
import type { Bar, Side, Tick, VenueOrder } from "../../src/bridge/types.ts";
import type { Venue } from "../../src/bridge/venue.ts";
import type { Bars } from "../../src/engine/index.ts";

export interface Execution {
  readonly clientOrderId: string;
  readonly side: Side;
  readonly amount: number;
  readonly price: number;
  /** the time of the trade it executed at */
  readonly time: number;
  /** that trade's place in the tape */
  readonly tick: number;
}

export class TapeVenue implements Venue {
  readonly id = "binance";
  readonly ticks: readonly Tick[];
  readonly executions: Execution[] = [];
  readonly #bars: Bars;
  readonly #barMs: number;
  readonly #orders = new Map<string, VenueOrder>();
  readonly holdings: Record<string, number> = {};
  /** limit orders on the book, by client order id */
  readonly resting = new Map<string, VenueOrder & { price: number }>();
  /** the bridge's journal state of an order (the test sets it): a fill on the book waits for it */
  booked: (clientOrderId: string) => string | undefined = () => "FILLED";
  /** trades delivered so far */
  delivered = 0;
  #limit = 0;
  #wake: (() => void) | null = null;
  #reached: { to: number; resolve: () => void } | null = null;
  #seq = 0;

  private constructor(bars: Bars, barMs: number, ticks: readonly Tick[]) {
    this.#bars = bars;
    this.#barMs = barMs;
    this.ticks = ticks;
  }

  /** A recorded trade tape, and the bars it makes (for the warm-up history). */
  static ofTrades(bars: Bars, barMs: number, ticks: readonly Tick[]): TapeVenue {
    return new TapeVenue(bars, barMs, ticks);
  }

  /** The replay venue's tape of `bars`, played one trade at a time. */
  static async of(bars: Bars, barMs: number): Promise<TapeVenue> {
    const ticks: Tick[] = [];
    await new ReplayVenue(bars, barMs).watchTrades(
      "TAPE",
      (t) => ticks.push(t),
      new AbortController().signal,
    );
    return new TapeVenue(bars, barMs, ticks);
  }

  get last(): Tick | undefined {
    return this.ticks[this.delivered - 1];
  }

  /** the venue clock: the time of the last trade */
  now = (): number => this.last?.time ?? this.ticks[0].time;

  /** Lets trades up to `to` (exclusive) out; resolves once they are delivered and settled. */
  play(to = this.ticks.length): Promise<void> {
    this.#limit = Math.min(to, this.ticks.length);
    return new Promise((resolve) => {
      this.#reached = { to: this.#limit, resolve };
      this.#wake?.();
      this.#check();
    });
  }

  #check(): void {
    if (this.#reached && this.delivered >= this.#reached.to) {
      const { resolve } = this.#reached;
      this.#reached = null;
      // the last trade's orders are answered and booked after a turn of the loop
      setImmediate(resolve);
    }
  }

  async watchTrades(_symbol: string, onTick: (tick: Tick) => void, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (this.delivered >= this.#limit) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
        continue;
      }
      const tick = this.ticks[this.delivered++];
      const filled = this.#match(tick);
      onTick(tick);
      // a fill on the book is known to the bridge when it follows the order up: the next trade
      // waits for that, as a real minute would leave it time to
      for (const id of filled)
        for (let k = 0; this.booked(id) !== "FILLED"; k++) {
          if (k > 2_000 || signal.aborted) break;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      this.#check();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async marketRules(): Promise<MarketRules> {
    return {};
  }

  async createMarketOrder(o: { symbol: string; side: Side; amount: number; clientOrderId: string }) {
    // read before the first await: the price of the trade the order was decided or triggered on
    const last = this.last;
    if (!last) throw new Error("no trade yet");
    const v: VenueOrder = {
      venueOrderId: `tape-${++this.#seq}`,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      state: "FILLED",
      amount: o.amount,
      filled: o.amount,
      avgPrice: last.price,
      fee: 0,
    };
    this.#orders.set(o.clientOrderId, v);
    this.executions.push({ ...o, price: last.price, time: last.time, tick: this.delivered - 1 });
    const base = o.symbol.split("/")[0];
    this.holdings[base] = (this.holdings[base] ?? 0) + (o.side === "buy" ? o.amount : -o.amount);
    return { ...v };
  }

  async createLimitOrder(o: {
    symbol: string;
    side: Side;
    amount: number;
    price: number;
    clientOrderId: string;
  }) {
    const last = this.last;
    if (!last) throw new Error("no trade yet");
    const marketable = o.side === "buy" ? last.price <= o.price : last.price >= o.price;
    // marketable on arrival: it takes the book at the last trade, as a market order would
    if (marketable) return this.createMarketOrder(o);
    const v = {
      venueOrderId: `tape-${++this.#seq}`,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      state: "ACCEPTED" as const,
      amount: o.amount,
      filled: 0,
      avgPrice: 0,
      fee: 0,
      price: o.price,
    };
    this.#orders.set(o.clientOrderId, v);
    this.resting.set(o.clientOrderId, v);
    return { ...v };
  }

  /** Resting limit orders the trade reaches fill at their price; returns their client order ids. */
  #match(tick: Tick): string[] {
    const filled: string[] = [];
    for (const [id, o] of this.resting) {
      if (!(o.side === "buy" ? tick.price <= o.price : tick.price >= o.price)) continue;
      this.resting.delete(id);
      this.#orders.set(id, { ...o, state: "FILLED", filled: o.amount, avgPrice: o.price });
      this.executions.push({
        clientOrderId: id,
        side: o.side,
        amount: o.amount,
        price: o.price,
        time: tick.time,
        tick: this.delivered - 1,
      });
      const base = o.symbol.split("/")[0];
      this.holdings[base] = (this.holdings[base] ?? 0) + (o.side === "buy" ? o.amount : -o.amount);
      filled.push(id);
    }
    return filled;
  }

  async fetchByClientId(_symbol: string, clientOrderId: string): Promise<VenueOrder | null> {
    const v = this.#orders.get(clientOrderId);
    return v ? { ...v } : null;
  }

  async balances(): Promise<Record<string, number>> {
    return { ...this.holdings };
  }

  /** the closed bars so far, oldest first (the warm-up history of a restarted promotion) */
  async fetchBars(_symbol: string, _timeframe: string, limit: number): Promise<Bar[]> {
    const b = this.#bars;
    // the bars that ended by the last trade's time
    const now = this.last?.time ?? Number.NEGATIVE_INFINITY;
    let closed = 0;
    while (closed < b.length && b.time[closed] + this.#barMs <= now) closed++;
    const out: Bar[] = [];
    for (let i = Math.max(0, closed - limit); i < closed; i++)
      out.push({
        time: b.time[i],
        open: b.open[i],
        high: b.high[i],
        low: b.low[i],
        close: b.close[i],
        volume: b.volume[i],
      });
    return out;
  }

  async cancel(_symbol: string, venueOrderId: string): Promise<void> {
    for (const [id, o] of this.resting)
      if (o.venueOrderId === venueOrderId) {
        this.resting.delete(id);
        this.#orders.set(id, { ...o, state: "CANCELED" });
      }
  }

  async openOrders(): Promise<VenueOrder[]> {
    return [...this.resting.values()].map((o) => ({ ...o }));
  }

  async close(): Promise<void> {}
}
