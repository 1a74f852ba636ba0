import type { MarketRules } from "./risk.ts";
import type { Bar, Side, Tick, VenueOrder } from "./types.ts";

/** The answer to an order was lost: the venue may or may not have it. Resolve by lookup, never resend. */
export class AmbiguousError extends Error {}
/** The venue refused the order for certain (bad parameters, no funds). */
export class RejectedError extends Error {}

/**
 * A call to a venue failed (unreachable, timed out, refused): the message names the venue and the
 * call, and `status` is what the API answers a promotion that needed it (502 unless it was the
 * request's fault, e.g. an unknown symbol: 400).
 */
export class VenueError extends Error {
  constructor(
    readonly venue: string,
    readonly call: string,
    cause: unknown,
    readonly status = 502,
  ) {
    super(`${venue} ${call} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** What the OMS needs from a venue; the ccxt venue implements it, tests may fake it. */
export interface Venue {
  readonly id: string;
  marketRules(symbol: string): Promise<MarketRules>;
  /** throws AmbiguousError when the request may have reached the venue, RejectedError when refused */
  createMarketOrder(order: {
    symbol: string;
    side: Side;
    amount: number;
    clientOrderId: string;
    /** the last price the strategy saw; Upbit market buys are sized in quote (amount × refPrice) */
    refPrice?: number;
  }): Promise<VenueOrder>;
  /**
   * A limit order resting on the venue's book until it fills or is canceled; only venues that have
   * them (Binance and Upbit spot). Errors as createMarketOrder's.
   */
  createLimitOrder?(order: {
    symbol: string;
    side: Side;
    amount: number;
    price: number;
    clientOrderId: string;
  }): Promise<VenueOrder>;
  /** null when the venue does not know the client order id */
  fetchByClientId(symbol: string, clientOrderId: string): Promise<VenueOrder | null>;
  cancel(symbol: string, venueOrderId: string): Promise<void>;
  openOrders(symbol: string): Promise<VenueOrder[]>;
  /** what the account holds, by asset (free + locked); venues without it are not balance-checked */
  balances?(): Promise<Record<string, number>>;
  /**
   * The last `limit` closed bars of `timeframe`, oldest first (the forming one left out): a
   * promotion's warm-up history, so its indicators start from what a backtest would have seen.
   */
  fetchBars?(symbol: string, timeframe: string, limit: number): Promise<Bar[]>;
  /** streams trades until `signal` aborts; reconnects and falls back to REST on its own */
  watchTrades(symbol: string, onTick: (tick: Tick) => void, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
  /**
   * Venues that report order progress on their own (KIS fill notices) call `listener` with the
   * order's cumulative state; the bridge applies it to the journal order with that venue id.
   */
  onOrderUpdate?(listener: (order: VenueOrder) => void): () => void;
}
