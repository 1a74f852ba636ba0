import type { OrderRequest } from "../engine/index.ts";
import type { Side } from "./types.ts";

/** A position leg as the strategy sees it (the engine's Trade, read-only plus close()). */
export interface LegView {
  readonly size: number;
  readonly entryPrice: number;
  readonly entryBar: number;
  readonly entryTime: number;
  readonly exitPrice: number | null;
  readonly exitBar: number | null;
  readonly exitTime: number | null;
  readonly pl: number;
  readonly plPct: number;
  readonly commissions: number;
  readonly isLong: boolean;
  readonly isShort: boolean;
  readonly isOpen: boolean;
  /** the position's stop-loss and take-profit (held by the bridge live); setting replaces them */
  sl: number | null;
  tp: number | null;
  close(portion?: number): void;
}

/** A pending order as the strategy sees it (the engine's Order): sent, or held by the bridge. */
export interface OrderView {
  readonly clientOrderId: string | null;
  readonly size: number;
  readonly isLong: boolean;
  readonly isShort: boolean;
  readonly limit: number | null;
  readonly stop: number | null;
  readonly sl: number | null;
  readonly tp: number | null;
  readonly tag: unknown;
  readonly placedBar: number;
  cancel(): void;
}

/** What a live runner trades through: the paper book, or a venue account behind the OMS. */
export interface StrategyAccount {
  readonly positionSize: number;
  readonly openLegs: readonly LegView[];
  readonly closedLegs: readonly LegView[];
  readonly pending: readonly OrderView[];
  readonly equity: number;
  place(sign: 1 | -1, req: OrderRequest | undefined, bar: number): OrderView;
  close(portion: number, bar: number): void;
}

/** Where an account sends its orders: the OMS (journal, risk gate, venue). */
export interface OrderGate {
  /** journals and checks an order; returns its client order id, or null when refused */
  submit(order: {
    side: Side;
    fraction: number;
    amount: number;
    reduceOnly: boolean;
    bar: number;
    refPrice: number;
  }): string | null;
  fill(clientOrderId: string, fill: { price: number; amount: number; fee: number; time: number }): void;
  cancel(clientOrderId: string, reason: string): void;
}

/** A gate that accepts everything and records nothing: for replays and tests without an OMS. */
export function openGate(): OrderGate {
  let seq = 0;
  return {
    submit: () => `replay-${++seq}`,
    fill() {},
    cancel() {},
  };
}
