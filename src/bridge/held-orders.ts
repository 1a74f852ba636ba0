// Orders the bridge holds for a live promotion: limit, stop and stop-limit entries, the SL and TP
// of a bracket (one cancels the other), and trailing stops. The venue sees none of them until one
// triggers on a trade: then a market order goes through the OMS (journalled, risk-checked, sent
// once). Every held order is a row of the journal, rewritten on each change in the same
// transaction as the order it triggers, so a restarted bridge restores exactly what was
// outstanding: nothing lost, nothing triggered twice.
import { randomUUID } from "node:crypto";
import type { OrderRecord, Side } from "./types.ts";

/** entry: a strategy order with a price condition, or the parent of a bracket; sl / tp: its exits */
export type HeldRole = "entry" | "sl" | "tp";

/**
 * held: waits for a trade through its price · sent: an entry whose order went out, waiting for its
 * fill · open: an entry that filled, its exits armed and its trailing stop moving · done: an exit
 * that triggered, or an entry whose position is closed · canceled.
 */
export type HeldState = "held" | "sent" | "open" | "done" | "canceled";

const LIVE_STATES: ReadonlySet<HeldState> = new Set(["held", "sent", "open"]);

export interface HeldOrder {
  readonly id: string;
  readonly promotionId: string;
  readonly role: HeldRole;
  readonly side: Side;
  /** base units; 0 while a fraction-sized entry waits (it is sized when it triggers) */
  amount: number;
  /** 0 < fraction < 1 of the budget (buys) or of the position (sells), or 0 */
  readonly fraction: number;
  readonly limit: number | null;
  /** cleared once a trade touches it: a stop-limit then waits as a limit, as in the engine */
  stop: number | null;
  /** an entry's bracket, armed as sl / tp rows when it fills */
  readonly sl: number | null;
  readonly tp: number | null;
  readonly trailPct: number | null;
  readonly trailBy: number | null;
  /** an exit's entry: one exit of an entry triggering cancels the other (OCO) */
  readonly parent: string | null;
  /** the strategy bar that placed it */
  readonly bar: number;
  state: HeldState;
  /** the OMS order it became (entries: the order whose fills arm the bracket) */
  clientOrderId: string | null;
  /** an entry's filled base amount: the size its exits close */
  filled: number;
  reason: string | null;
  /**
   * an exit counts from the trades after this closed bar: the bracket of a limit or stop entry
   * waits for the bar after its fill, as the engine's does (absent: at once)
   */
  activeAfter?: number;
  readonly createdAt: number;
}

/** Where held orders are journalled (the live Store); `memoryJournal()` for tests and replays. */
export interface HeldJournal {
  saveHeld(h: HeldOrder, event: string, detail?: unknown): void;
  heldOrders<T>(promotionId: string, opts?: { live?: boolean }): T[];
  atomically<T>(fn: () => T): T;
}

export function memoryJournal(): HeldJournal {
  const rows = new Map<string, HeldOrder>();
  return {
    saveHeld: (h) => void rows.set(h.id, { ...h }),
    heldOrders: <T>(promotionId: string, { live = false } = {}) =>
      [...rows.values()]
        .filter((h) => h.promotionId === promotionId && (!live || LIVE_STATES.has(h.state)))
        .map((h) => ({ ...h }) as T),
    atomically: (fn) => fn(),
  };
}

/** What the book asks of the account that owns it. */
export interface HeldHost {
  /** sends a market order through the OMS; the record may be REJECTED (risk gate) */
  send(order: { side: Side; amount: number; reduceOnly: boolean; refPrice: number }): OrderRecord;
  /** base amount that may still be sold (position minus sells on their way) */
  sellable(): number;
  /** quote that may still be spent */
  spendable(): number;
  /** a refused trigger, for the risk stream */
  refuse(message: string): void;
}

/**
 * The engine's trigger rule (src/engine/broker.ts #processOrders) applied to a bar of one trade at
 * `price`: a stop is touched when the trade reaches it (buy: at or above, sell: at or below) and
 * then counts as a market order, or as its limit; a limit is reached at or through its price. On
 * the trade that touches the stop, a limit on the far side of the stop waits ("the limit was
 * touched before the stop counted"). Returns whether the order executes on this trade; clears a
 * touched stop (the caller journals it).
 */
export function triggers(h: Pick<HeldOrder, "side" | "limit" | "stop">, price: number): boolean {
  const long = h.side === "buy";
  const stop = h.stop;
  if (stop !== null) {
    if (!(long ? price >= stop : price <= stop)) return false;
    h.stop = null;
  }
  if (h.limit === null) return true;
  const limitHit = long ? price <= h.limit : price >= h.limit;
  const limitBeforeStop = limitHit && stop !== null && (long ? h.limit <= stop : h.limit >= stop);
  return limitHit && !limitBeforeStop;
}

/** The trailing level for a close, as the engine's Broker.trail() computes it. */
export function trailLevel(close: number, trailPct: number | null, trailBy: number | null): number {
  const dist = trailBy ?? (close * (trailPct as number)) / 100;
  return close - dist;
}

export class HeldBook {
  readonly promotionId: string;
  readonly #journal: HeldJournal;
  readonly #host: HeldHost;
  /** live rows in placement order (the engine's queue order) */
  readonly #rows = new Map<string, HeldOrder>();
  /** the last trade seen: a freshly armed exit is checked against it at once */
  #last = Number.NaN;
  /** exits that triggered, by the client order id of their sell, until it fills or ends unfilled */
  readonly #exitsSent = new Map<string, HeldOrder>();

  constructor(promotionId: string, journal: HeldJournal, host: HeldHost) {
    this.promotionId = promotionId;
    this.#journal = journal;
    this.#host = host;
  }

  /** Held orders and live entries, oldest first. */
  get rows(): readonly HeldOrder[] {
    return [...this.#rows.values()];
  }

  /** What waits for a trigger (the strategy's pending orders). */
  get waiting(): readonly HeldOrder[] {
    return this.rows.filter((h) => h.state === "held");
  }

  /**
   * A strategy order with a price condition or a bracket. A market entry (no limit, no stop) has
   * already been sent as `sent`: its row only carries the bracket and trailing stop until it fills.
   */
  place(order: {
    side: Side;
    amount: number;
    fraction: number;
    limit: number | null;
    stop: number | null;
    sl: number | null;
    tp: number | null;
    trailPct: number | null;
    trailBy: number | null;
    bar: number;
    sent?: OrderRecord;
  }): HeldOrder {
    const h: HeldOrder = {
      id: `h${randomUUID()}`,
      promotionId: this.promotionId,
      role: "entry",
      side: order.side,
      amount: order.amount,
      fraction: order.fraction,
      limit: order.limit,
      stop: order.stop,
      sl: order.sl,
      tp: order.tp,
      trailPct: order.trailPct,
      trailBy: order.trailBy,
      parent: null,
      bar: order.bar,
      state: order.sent ? "sent" : "held",
      clientOrderId: order.sent?.clientOrderId ?? null,
      filled: 0,
      reason: null,
      createdAt: Date.now(),
    };
    this.#rows.set(h.id, h);
    this.#journal.saveHeld(h, "placed");
    return h;
  }

  /**
   * An open position with no entry row (a plain market buy, a restored position) gets one, so that
   * `trade.sl = …` has something to protect.
   */
  #positionEntry(amount: number, bar: number): HeldOrder {
    const open = this.rows.find((h) => h.role === "entry" && h.state === "open");
    if (open) return open;
    const h = this.place({
      side: "buy",
      amount,
      fraction: 0,
      limit: null,
      stop: null,
      sl: null,
      tp: null,
      trailPct: null,
      trailBy: null,
      bar,
    });
    h.state = "open";
    h.filled = amount;
    this.#journal.saveHeld(h, "position");
    return h;
  }

  /** The live SL or TP level of the position (the first open entry's), or null. */
  exitLevel(role: "sl" | "tp"): number | null {
    for (const h of this.#rows.values())
      if (h.role === role && h.state === "held") return role === "sl" ? h.stop : h.limit;
    return null;
  }

  /** `trade.sl = price` / `trade.tp = price` live: replaces the position's exit (null cancels it). */
  setExit(role: "sl" | "tp", price: number | null, position: number, bar: number): void {
    if (price !== null && !(price > 0 && Number.isFinite(price)))
      throw new Error(`invalid ${role} price: ${price}`);
    for (const h of this.rows)
      if (h.role === role && h.state === "held") this.#end(h, "canceled", "replaced");
    if (price === null || !(position > 0)) return;
    const entry = this.#positionEntry(position, bar);
    this.#arm(entry, role, price);
  }

  /** The strategy's order.cancel(), the kill switch, a stopped promotion. */
  cancel(id: string, reason: string): void {
    const h = this.#rows.get(id);
    if (h && (h.state === "held" || h.state === "sent")) this.#end(h, "canceled", reason);
  }

  cancelAll(reason: string): void {
    for (const h of this.rows) {
      if (h.state === "held") this.#end(h, "canceled", reason);
      else if (h.state === "open" || h.state === "sent") this.#end(h, "done", reason);
    }
  }

  /**
   * A trade: held orders execute by the engine's rule, exits first (SL before TP, as the engine
   * queues them), then entries in the order they were placed.
   */
  onTrade(price: number, bar: number): void {
    this.#last = price;
    const order = this.rows.filter((h) => h.state === "held").sort((a, b) => rank(a) - rank(b));
    for (const h of order) {
      if (h.state !== "held") continue; // canceled by a sibling that triggered first
      if (h.activeAfter !== undefined && bar < h.activeAfter) continue;
      this.#check(h, price, bar);
    }
  }

  #check(h: HeldOrder, price: number, bar: number): void {
    const stop = h.stop;
    if (!triggers(h, price)) {
      if (h.stop !== stop) this.#journal.saveHeld(h, "stop-touched", { price });
      return;
    }
    this.#trigger(h, price, bar);
  }

  /** Sends the market order a held order became; the row and the NEW order are one transaction. */
  #trigger(h: HeldOrder, price: number, bar: number): void {
    const sell = h.side === "sell";
    const sellable = this.#host.sellable();
    let amount: number;
    if (h.role !== "entry") amount = Math.min(h.amount, sellable);
    else if (sell) amount = h.fraction ? sellable * h.fraction : Math.min(h.amount, sellable);
    else amount = h.fraction ? (this.#host.spendable() * h.fraction) / price : h.amount;
    if (!(amount > 1e-12)) {
      this.#end(h, "canceled", sell ? "nothing left to sell" : "no budget left");
      if (sell) this.#host.refuse(`held ${h.role} ${h.id} triggered at ${price} with nothing left to sell`);
      return;
    }
    this.#journal.atomically(() => {
      const order = this.#host.send({ side: h.side, amount, reduceOnly: sell, refPrice: price });
      h.clientOrderId = order.clientOrderId;
      h.amount = amount;
      const refused = order.state === "REJECTED";
      if (refused) h.reason = order.reason;
      // an entry waits for its fill to arm its bracket; an exit is done, and its sibling with it
      h.state = refused ? "canceled" : h.role === "entry" && !sell ? "sent" : "done";
      this.#journal.saveHeld(h, "triggered", { price, bar, clientOrderId: order.clientOrderId, amount });
      if (h.state !== "sent") this.#rows.delete(h.id);
      if (!refused && h.role !== "entry") this.#exitsSent.set(order.clientOrderId, h);
      if (!refused && h.parent) this.#closeEntry(h.parent, `${h.role} ${h.id} triggered`);
    });
  }

  /** An exit triggered, or the position is flat: the entry is done and its other exits canceled. */
  #closeEntry(entryId: string, reason: string): void {
    for (const x of this.rows)
      if (x.parent === entryId && x.state === "held") this.#end(x, "canceled", reason);
    const entry = this.#rows.get(entryId);
    if (entry?.state === "open") this.#end(entry, "done", reason);
  }

  #end(h: HeldOrder, state: "done" | "canceled", reason: string): void {
    h.state = state;
    h.reason = reason;
    this.#journal.saveHeld(h, state, { reason });
    this.#rows.delete(h.id);
  }

  /**
   * A fill of one of our orders. A buy of a `sent` entry arms its bracket with what it filled;
   * a sell that leaves the position flat closes every open entry (the engine removes a closed
   * trade's SL and TP).
   */
  onFill(clientOrderId: string | undefined, side: Side, amount: number, position: number, bar: number): void {
    if (side === "buy") {
      const entry = clientOrderId ? this.rows.find((h) => h.clientOrderId === clientOrderId) : undefined;
      if (entry?.role !== "entry") return;
      entry.filled += amount;
      if (entry.state === "sent") {
        entry.state = "open";
        this.#journal.saveHeld(entry, "filled", { amount: entry.filled });
        // the engine reprocesses a market entry's bar for its bracket; a limit or stop entry's
        // bracket waits for the next bar (the fill is in the bar after `bar`, the last closed one)
        const market = entry.limit === null && entry.stop === null;
        const after = market ? undefined : bar + 1;
        if (entry.sl !== null) this.#arm(entry, "sl", entry.sl, market, after);
        if (entry.tp !== null) this.#arm(entry, "tp", entry.tp, market, after);
      } else {
        this.#journal.saveHeld(entry, "filled", { amount: entry.filled });
        for (const x of this.rows)
          if (x.parent === entry.id && x.state === "held") {
            x.amount = entry.filled;
            this.#journal.saveHeld(x, "resized", { amount: x.amount });
          }
      }
      return;
    }
    if (clientOrderId) this.#exitsSent.delete(clientOrderId);
    if (position > 1e-12) return;
    for (const h of this.rows)
      if (h.role === "entry" && h.state === "open") this.#closeEntry(h.id, `position closed on bar ${bar}`);
  }

  /** An entry's order ended without filling anything: its bracket never arms. */
  onUnfilled(clientOrderId: string, reason: string): void {
    const entry = this.rows.find((h) => h.clientOrderId === clientOrderId && h.state === "sent");
    if (entry) this.#end(entry, "canceled", reason);
    // an exit's sell the venue refused: not re-armed (it would go out again on every trade), said loudly
    const exit = this.#exitsSent.get(clientOrderId);
    if (exit) {
      this.#exitsSent.delete(clientOrderId);
      this.#journal.saveHeld(exit, "unfilled", { clientOrderId, reason });
      this.#host.refuse(
        `held ${exit.role} ${exit.id} triggered but its sell did not fill (${reason}): the position has no ${exit.role} now`,
      );
    }
  }

  /**
   * An exit of `entry`. A bracket of a market entry may trigger on the entry bar itself in the
   * engine (it reprocesses the bar): live, a bracket armed by a fill (`now`) is checked against
   * the last trade at once. An SL set by a trailing stop or by `trade.sl = …` counts from the next
   * trade, as the engine's counts from the next bar.
   */
  #arm(entry: HeldOrder, role: "sl" | "tp", price: number, now = false, activeAfter?: number): HeldOrder {
    const x: HeldOrder = {
      id: `h${randomUUID()}`,
      promotionId: this.promotionId,
      role,
      side: "sell",
      amount: entry.filled,
      fraction: 0,
      limit: role === "tp" ? price : null,
      stop: role === "sl" ? price : null,
      sl: null,
      tp: null,
      trailPct: null,
      trailBy: null,
      parent: entry.id,
      bar: entry.bar,
      state: "held",
      clientOrderId: null,
      filled: 0,
      reason: null,
      ...(activeAfter === undefined ? {} : { activeAfter }),
      createdAt: Date.now(),
    };
    this.#rows.set(x.id, x);
    this.#journal.saveHeld(x, "armed", { price });
    if (now)
      // not inside the fill that armed it (the OMS is still applying that answer)
      queueMicrotask(() => {
        if (x.state === "held" && Number.isFinite(this.#last)) this.#check(x, this.#last, entry.bar);
      });
    return x;
  }

  /**
   * After the strategy decided on a bar: trailing stops move to `close` minus their distance when
   * that is better than the SL they have, as the engine's Broker.trail() does.
   */
  trail(close: number, bar: number): void {
    for (const entry of this.rows) {
      if (entry.role !== "entry" || entry.state !== "open") continue;
      if (entry.trailPct === null && entry.trailBy === null) continue;
      const level = trailLevel(close, entry.trailPct, entry.trailBy);
      const sl = this.rows.find((x) => x.parent === entry.id && x.role === "sl" && x.state === "held");
      const current = sl?.stop ?? null;
      if (!(level > 0) || (current !== null && !(level > current))) continue;
      if (sl) {
        sl.stop = level;
        this.#journal.saveHeld(sl, "trailed", { level, bar });
      } else this.#arm(entry, "sl", level);
    }
  }

  /**
   * After a restart: the live rows come back from the journal. An entry sent before the restart
   * takes what its order filled meanwhile (`orderOf` reads the reconciled journal): filled, its
   * bracket is armed now if it was not; ended unfilled, it is canceled.
   */
  restore(orderOf: (clientOrderId: string) => OrderRecord | undefined): HeldOrder[] {
    const rows = this.#journal.heldOrders<HeldOrder>(this.promotionId, { live: true });
    for (const h of rows) this.#rows.set(h.id, h);
    for (const h of rows) {
      if (h.state !== "sent" || !h.clientOrderId) continue;
      const order = orderOf(h.clientOrderId);
      if (!order) continue;
      if (order.filled > h.filled) this.onFill(h.clientOrderId, "buy", order.filled - h.filled, 0, h.bar);
      else if (order.filled === 0 && ["CANCELED", "REJECTED"].includes(order.state))
        this.#end(h, "canceled", `its order ended ${order.state}`);
    }
    return rows;
  }
}

/** the engine's queue order: stop-losses first, then everything else as placed */
function rank(h: HeldOrder): number {
  return h.role === "sl" ? 0 : 1;
}
