import { randomBytes } from "node:crypto";
import { type RetryOptions, withRetry } from "./retry.ts";
import type { RiskContext, RiskGate, RiskOrder } from "./risk.ts";
import type { Store } from "./store.ts";
import {
  type BridgeEvent,
  FINAL_STATES,
  type Mode,
  type OrderRecord,
  type OrderState,
  type Side,
  TRANSITIONS,
  type VenueOrder,
} from "./types.ts";
import { AmbiguousError, RejectedError, type Venue } from "./venue.ts";

/** Client order ids: "stom" + time + counter + random, within Binance's 36 characters. */
export function newClientOrderId(seq: number): string {
  return `stom${Date.now().toString(36)}${seq.toString(36)}${randomBytes(4).toString("hex")}`;
}

export const isOurs = (clientOrderId: string | null | undefined): boolean =>
  typeof clientOrderId === "string" && clientOrderId.startsWith("stom");

export interface OrderIntent {
  readonly promotionId: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly side: Side;
  readonly amount: number;
  readonly fraction: number;
  readonly reduceOnly: boolean;
  readonly bar: number;
  readonly refPrice: number;
  readonly flatten?: boolean;
  /** a limit order resting on the venue's book at this price (venues with createLimitOrder) */
  readonly limit?: number;
}

/**
 * The order management core. Every order is journalled as NEW before anything else happens, goes
 * through the risk gate, is journalled SUBMITTED, and only then sent, once. A lost answer makes it
 * UNKNOWN; only a lookup by client order id moves it on. Every transition is checked against the
 * state machine and journalled.
 */
export class Oms {
  readonly mode: Mode;
  readonly #store: Store;
  readonly #risk: RiskGate;
  readonly #emit: (event: BridgeEvent) => void;
  /** promotion -> the kill epoch whose refusal is already journalled */
  readonly #killRefused = new Map<string, number>();
  #seq = 0;

  constructor(mode: Mode, store: Store, risk: RiskGate, emit: (event: BridgeEvent) => void) {
    this.mode = mode;
    this.#store = store;
    this.#risk = risk;
    this.#emit = emit;
  }

  get store(): Store {
    return this.#store;
  }

  /** Journals a NEW order and runs the risk gate; a refused order ends REJECTED with the rule. */
  create(intent: OrderIntent, ctx: RiskContext): OrderRecord {
    const now = Date.now();
    // While killed, a strategy keeps deciding on every bar: journal its first refusal, not one per
    // bar, or a long kill fills the journal and the event stream with the same line.
    let quiet = false;
    if (this.#risk.killed && !intent.flatten) {
      quiet = this.#killRefused.get(intent.promotionId) === this.#risk.killEpoch;
      this.#killRefused.set(intent.promotionId, this.#risk.killEpoch);
    }
    const order: OrderRecord = {
      clientOrderId: newClientOrderId(++this.#seq),
      promotionId: intent.promotionId,
      mode: this.mode,
      exchange: intent.exchange,
      symbol: intent.symbol,
      side: intent.side,
      type: intent.limit === undefined ? "market" : "limit",
      price: intent.limit ?? null,
      amount: intent.amount,
      fraction: intent.fraction,
      reduceOnly: intent.reduceOnly,
      state: "NEW",
      venueOrderId: null,
      filled: 0,
      avgPrice: 0,
      fee: 0,
      reason: null,
      bar: intent.bar,
      createdAt: now,
      updatedAt: now,
    };
    if (quiet) {
      return Object.assign(order, {
        state: "REJECTED" as const,
        reason: "kill: kill switch is on (refusal already journalled)",
      });
    }
    this.#store.insertOrder(order);
    this.#emit({ type: "order", order: { ...order } });
    const req: RiskOrder = {
      side: intent.side,
      amount: intent.amount,
      fraction: intent.fraction,
      reduceOnly: intent.reduceOnly,
      // a limit order's notional is at its price
      refPrice: intent.limit ?? intent.refPrice,
      flatten: intent.flatten,
    };
    const verdict = this.#risk.check(req, ctx, now);
    if (!verdict.ok) {
      this.transition(order, "REJECTED", { reason: `${verdict.rule}: ${verdict.message}` });
      this.#store.audit("risk", verdict.message, { rule: verdict.rule, clientOrderId: order.clientOrderId });
      this.#emit({
        type: "risk",
        rule: verdict.rule,
        message: verdict.message,
        clientOrderId: order.clientOrderId,
        promotionId: order.promotionId,
      });
      return order;
    }
    if (verdict.amount !== order.amount && Number.isFinite(verdict.amount)) {
      order.amount = verdict.amount;
      this.#store.updateOrder(order, order.state);
    }
    return order;
  }

  /** Moves an order along the state machine, journals and streams it; refuses illegal moves. */
  transition(order: OrderRecord, to: OrderState, patch: Partial<OrderRecord> = {}): void {
    const from = order.state;
    if (from !== to && !TRANSITIONS[from].includes(to)) {
      throw new Error(`illegal order transition ${from} -> ${to} for ${order.clientOrderId}`);
    }
    Object.assign(order, patch, { state: to, updatedAt: Date.now() });
    this.#store.updateOrder(order, from);
    this.#emit({ type: "order", order: { ...order } });
  }

  /**
   * Paper, for the snapshot kernels (tick strategies, STOM texts): an order the engine already
   * executed by its own rules (its book walk, STOM's 손실중지 and position caps), journalled with
   * its fill. The risk gate is not asked after the fact; the kill switch halts such runs before
   * their kernel sees another snapshot.
   */
  createExecuted(
    intent: OrderIntent,
    fill: { price: number; amount: number; fee: number; time: number },
    reason?: string,
  ): OrderRecord {
    const now = Date.now();
    const order: OrderRecord = {
      clientOrderId: newClientOrderId(++this.#seq),
      promotionId: intent.promotionId,
      mode: this.mode,
      exchange: intent.exchange,
      symbol: intent.symbol,
      side: intent.side,
      type: "market",
      amount: intent.amount,
      fraction: 0,
      reduceOnly: intent.reduceOnly,
      state: "NEW",
      venueOrderId: null,
      filled: 0,
      avgPrice: 0,
      fee: 0,
      reason: reason ?? null,
      bar: intent.bar,
      createdAt: now,
      updatedAt: now,
    };
    this.#store.insertOrder(order);
    this.#emit({ type: "order", order: { ...order } });
    this.acceptPaper(order);
    this.fill(order, fill);
    return order;
  }

  /** Paper: the simulated venue takes every order that passed the gate. */
  acceptPaper(order: OrderRecord): void {
    this.transition(order, "SUBMITTED");
    this.transition(order, "ACCEPTED");
  }

  /** Records a fill (paper, or from a venue answer) and moves the order to FILLED or PARTIALLY_FILLED. */
  fill(order: OrderRecord, fill: { price: number; amount: number; fee: number; time: number }): void {
    const filled = order.filled + fill.amount;
    const avgPrice = filled > 0 ? (order.avgPrice * order.filled + fill.price * fill.amount) / filled : 0;
    this.#store.addFill({ clientOrderId: order.clientOrderId, ...fill });
    const amount = Number.isFinite(order.amount) ? order.amount : filled;
    const done = filled >= amount - 1e-12;
    this.transition(order, done ? "FILLED" : "PARTIALLY_FILLED", {
      amount,
      filled,
      avgPrice,
      fee: order.fee + fill.fee,
    });
    this.#emit({
      type: "fill",
      promotionId: order.promotionId,
      clientOrderId: order.clientOrderId,
      side: order.side,
      ...fill,
    });
  }

  cancel(order: OrderRecord, reason: string): void {
    if (FINAL_STATES.has(order.state)) return;
    this.transition(order, order.state === "NEW" ? "REJECTED" : "CANCELED", { reason });
  }

  /**
   * Sends an order to the venue exactly once. The SUBMITTED row is committed before the request
   * leaves; an ambiguous failure (timeout, dropped connection, 429) leaves it UNKNOWN for `resolve`.
   */
  async send(order: OrderRecord, venue: Venue, refPrice?: number): Promise<VenueOrder | null> {
    if (order.state !== "NEW") throw new Error(`order ${order.clientOrderId} is ${order.state}, not NEW`);
    this.transition(order, "SUBMITTED");
    try {
      const limit = order.type === "limit" ? order.price : null;
      if (limit != null && !venue.createLimitOrder)
        throw new RejectedError(`${venue.id} takes no limit orders: ${order.clientOrderId}`);
      const answer =
        limit != null && venue.createLimitOrder
          ? await venue.createLimitOrder({
              symbol: order.symbol,
              side: order.side,
              amount: order.amount,
              price: limit,
              clientOrderId: order.clientOrderId,
            })
          : await venue.createMarketOrder({
              symbol: order.symbol,
              side: order.side,
              amount: order.amount,
              clientOrderId: order.clientOrderId,
              refPrice,
            });
      this.apply(order, answer);
      return answer;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof RejectedError) {
        this.transition(order, "REJECTED", { reason: message });
        return null;
      }
      this.transition(order, "UNKNOWN", {
        reason: `${error instanceof AmbiguousError ? "" : "unexpected: "}${message}`,
      });
      this.#store.audit("unknown", `order ${order.clientOrderId} is UNKNOWN`, { reason: message });
      return null;
    }
  }

  /** Applies what the venue says about an order (fills become fill events). */
  apply(order: OrderRecord, v: VenueOrder): void {
    if (FINAL_STATES.has(order.state)) return;
    const patch = { venueOrderId: v.venueOrderId };
    // a done order is as big as what it filled (an Upbit market buy spends quote, so our base
    // amount was only an estimate)
    if (v.state === "FILLED" && v.filled > 0) order.amount = v.filled;
    const newFill = v.filled - order.filled;
    if (newFill > 1e-12) {
      // the venue reports an average over everything filled; derive this fill's price from it
      const price =
        order.filled > 0 ? (v.avgPrice * v.filled - order.avgPrice * order.filled) / newFill : v.avgPrice;
      Object.assign(order, patch);
      if (order.state === "SUBMITTED" || order.state === "UNKNOWN") {
        this.transition(order, "ACCEPTED", {
          amount: v.state === "FILLED" ? v.filled : v.amount || order.amount,
        });
      }
      this.fill(order, { price, amount: newFill, fee: Math.max(0, v.fee - order.fee), time: Date.now() });
      if (order.state === "PARTIALLY_FILLED" && v.state === "CANCELED") this.transition(order, "CANCELED");
      return;
    }
    if (v.state !== order.state) {
      if (v.state === "CANCELED" || v.state === "REJECTED") this.transition(order, v.state, patch);
      else if (v.state === "ACCEPTED" && order.state !== "ACCEPTED")
        this.transition(order, "ACCEPTED", patch);
    }
  }

  /**
   * Looks an order up by client order id; true when the venue knows it. A venue may not list an
   * order it is still taking in, so "not found" rejects only with `rejectIfMissing` (the caller has
   * asked often enough); otherwise the order stays UNKNOWN for the next look.
   */
  async resolve(
    order: OrderRecord,
    venue: Venue,
    { rejectIfMissing = true }: { rejectIfMissing?: boolean } = {},
  ): Promise<boolean> {
    const found = await venue.fetchByClientId(order.symbol, order.clientOrderId);
    if (!found) {
      if (order.state === "SUBMITTED")
        this.transition(order, "UNKNOWN", { reason: "no answer before restart" });
      if (rejectIfMissing)
        this.transition(order, "REJECTED", { reason: "not found at the venue by client order id" });
      return false;
    }
    if (order.state === "SUBMITTED" && found.filled === 0) this.transition(order, "UNKNOWN");
    this.apply(order, found);
    return true;
  }

  /**
   * Restart reconciliation, before any strategy runs: every non-final journal order is resolved
   * with the venue (NEW ones never left and are rejected), and venue orders we did not place are
   * flagged in the audit trail.
   */
  async reconcile(
    venueFor: (exchange: string) => Venue | undefined,
    markets: readonly { exchange: string; symbol: string }[] = [],
    retry: RetryOptions = {},
  ): Promise<{ resolved: number; foreign: VenueOrder[]; unresolved: OrderRecord[] }> {
    let resolved = 0;
    const unresolved: OrderRecord[] = [];
    // lookups are reads: a 429 or a dropped connection is waited out, and an order the venue
    // still will not tell us about stays UNKNOWN for the bridge to look up again, never fatal
    const patiently = <T>(what: string, read: () => Promise<T>) =>
      withRetry(read, {
        ...retry,
        onRetry: (error, attempt) =>
          this.#store.audit("reconcile", `${what}: try ${attempt} failed, retrying`, {
            reason: error instanceof Error ? error.message : String(error),
          }),
      });
    const symbols = new Map<string, Set<string>>();
    const watch = (exchange: string, symbol: string) => {
      const set = symbols.get(exchange) ?? new Set<string>();
      set.add(symbol);
      symbols.set(exchange, set);
    };
    for (const m of markets) watch(m.exchange, m.symbol);
    for (const order of this.#store.openOrders()) {
      watch(order.exchange, order.symbol);
      if (order.state === "NEW") {
        this.transition(order, "REJECTED", { reason: "never sent before restart" });
        resolved++;
        continue;
      }
      const venue = venueFor(order.exchange);
      if (!venue) continue;
      try {
        // not found right after a restart is not proof it never arrived: looked up again later
        if (
          await patiently(`lookup ${order.clientOrderId}`, () =>
            this.resolve(order, venue, { rejectIfMissing: false }),
          )
        )
          resolved++;
      } catch (error) {
        if (order.state === "SUBMITTED")
          this.transition(order, "UNKNOWN", { reason: "lookup failed at restart" });
        this.#store.audit("reconcile", `lookup ${order.clientOrderId} failed, left UNKNOWN`, {
          reason: error instanceof Error ? error.message : String(error),
        });
      }
      if (order.state === "UNKNOWN") unresolved.push(order);
    }
    const foreign: VenueOrder[] = [];
    for (const [exchange, set] of symbols) {
      const venue = venueFor(exchange);
      if (!venue) continue;
      for (const symbol of set) {
        let open: VenueOrder[];
        try {
          open = await patiently(`open orders ${symbol}`, () => venue.openOrders(symbol));
        } catch (error) {
          this.#store.audit("reconcile", `open orders of ${symbol} not read: foreign orders unchecked`, {
            reason: error instanceof Error ? error.message : String(error),
          });
          continue;
        }
        for (const v of open) {
          const known = v.clientOrderId ? this.#store.order(v.clientOrderId) : undefined;
          if (!known) foreign.push(v);
        }
      }
    }
    for (const v of foreign) {
      this.#store.audit("foreign", `venue order ${v.venueOrderId} was not placed by the bridge`, v);
      this.#emit({
        type: "risk",
        rule: "foreign-order",
        message: `foreign venue order ${v.venueOrderId} on ${v.symbol}`,
      });
    }
    return { resolved, foreign, unresolved };
  }
}
