import type { RunSettings } from "../app/report.ts";
/** One closed (or forming) bar of a live feed; times are UTC ms of the bar start. */
export interface Bar {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** One trade print from a venue's feed. */
export interface Tick {
  readonly time: number;
  readonly price: number;
  readonly amount: number;
  /** the venue's trade id, to drop repeats after a reconnect */
  readonly id?: string;
}

export type Mode = "paper" | "live";
export type Side = "buy" | "sell";

/**
 * Order states. NEW is journalled before anything leaves the process; SUBMITTED means the request
 * is on the wire; UNKNOWN means the answer was lost (timeout, disconnect) and only a lookup by
 * client order id may resolve it.
 */
export type OrderState =
  | "NEW"
  | "SUBMITTED"
  | "ACCEPTED"
  | "PARTIALLY_FILLED"
  | "FILLED"
  | "CANCELED"
  | "REJECTED"
  | "UNKNOWN";

export const FINAL_STATES: ReadonlySet<OrderState> = new Set(["FILLED", "CANCELED", "REJECTED"]);

/** Legal moves of the state machine; anything else is a bug or a confused venue and is refused. */
export const TRANSITIONS: Readonly<Record<OrderState, readonly OrderState[]>> = {
  NEW: ["SUBMITTED", "REJECTED"],
  SUBMITTED: ["ACCEPTED", "PARTIALLY_FILLED", "FILLED", "CANCELED", "REJECTED", "UNKNOWN"],
  ACCEPTED: ["PARTIALLY_FILLED", "FILLED", "CANCELED", "UNKNOWN"],
  PARTIALLY_FILLED: ["PARTIALLY_FILLED", "FILLED", "CANCELED", "UNKNOWN"],
  UNKNOWN: ["ACCEPTED", "PARTIALLY_FILLED", "FILLED", "CANCELED", "REJECTED"],
  FILLED: [],
  CANCELED: [],
  REJECTED: [],
};

export interface OrderRecord {
  readonly clientOrderId: string;
  readonly promotionId: string;
  readonly mode: Mode;
  readonly exchange: string;
  readonly symbol: string;
  readonly side: Side;
  /** a market order, or a limit order resting on the venue's book where the venue has them */
  readonly type: "market" | "limit";
  /** a limit order's price (null or absent for market orders) */
  readonly price?: number | null;
  /** units of the base asset; NaN while a fraction-of-equity order waits for its fill (paper) */
  amount: number;
  /** 0 < fraction < 1 of available margin, or 0 for unit-sized orders */
  readonly fraction: number;
  /** true for orders that only reduce the position (closes, flattening) */
  readonly reduceOnly: boolean;
  state: OrderState;
  venueOrderId: string | null;
  filled: number;
  avgPrice: number;
  fee: number;
  reason: string | null;
  /** the strategy bar (global index) that decided it */
  readonly bar: number;
  readonly createdAt: number;
  updatedAt: number;
}

/** What the venue said about an order, normalized. */
export interface VenueOrder {
  readonly venueOrderId: string;
  readonly clientOrderId: string | null;
  readonly symbol: string;
  readonly side: Side;
  readonly state: OrderState;
  readonly amount: number;
  readonly filled: number;
  readonly avgPrice: number;
  readonly fee: number;
}

/** What a promotion trades on: closed bars (the default), or STOM's snapshots (tick strategies, STOM texts). */
export type PromotionKind = "bars" | "ticks" | "stom";

export interface PromotionSpec {
  /** absent: bars */
  readonly kind?: PromotionKind;
  readonly strategy: string;
  readonly params: Readonly<Record<string, number>>;
  readonly exchange: string;
  /** bars: the one symbol; snapshots: the symbols joined by spaces (for views and the journal) */
  readonly symbol: string;
  /** snapshot promotions: the symbols their kernel trades, one position each */
  readonly symbols?: readonly string[];
  /** bars: the bar timeframe; snapshots: "tick" */
  readonly timeframe: string;
  readonly mode: Mode;
  readonly fingerprint?: string;
  /**
   * the backtest's settings (its report's `settings`): paper trades with them, inside the
   * fingerprint; for snapshot promotions the kernel's options (SnapshotSettings)
   */
  readonly settings?: RunSettings | Readonly<Record<string, unknown>>;
}

export interface Promotion extends PromotionSpec {
  readonly id: string;
  readonly createdAt: number;
  status: "running" | "stopped";
  /** the resolved parameters (defaults filled in) */
  readonly resolvedParams: Readonly<Record<string, number>>;
}

/** Everything the bridge streams over /ws; `type` names the kind. */
export type BridgeEvent =
  | { type: "bar"; promotionId: string; bar: Bar; index: number }
  | { type: "signal"; promotionId: string; bar: number; kind: "buy" | "sell" | "close"; size: number }
  | { type: "order"; order: OrderRecord }
  | {
      type: "fill";
      promotionId: string;
      clientOrderId: string;
      side: Side;
      price: number;
      amount: number;
      fee: number;
      time: number;
    }
  | { type: "position"; promotionId: string; size: number; avgPrice: number; pl: number }
  | { type: "pnl"; promotionId: string; time: number; equity: number; realized: number }
  | { type: "risk"; rule: string; message: string; clientOrderId?: string; promotionId?: string }
  | { type: "promotion"; promotion: Promotion }
  | { type: "kill"; active: boolean }
  | { type: "audit"; message: string; detail?: unknown };
