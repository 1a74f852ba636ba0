// The live venue behind a snapshot kernel (TickSession, StomSession in executor mode): each buy or
// sell the kernel decides becomes one market order through the OMS (journalled NEW before it leaves,
// risk-checked, sent once, followed up or resolved by lookup), and the kernel books the venue's fill
// when the order ends, as STOM's live trader waits for its 체결 before the symbol trades again. A
// refused or unfilled order is handed back (cancel), so the symbol may decide again.
import type { Oms } from "./oms.ts";
import type { RiskContext } from "./risk.ts";
import type { SnapshotFill } from "./snapshot-run.ts";
import type { OrderRecord, Promotion, Side } from "./types.ts";

/** The kernel's side of the executor contract. */
export interface ExecutedKernel {
  fill(symbol: string, side: Side, qty: number, avgPrice: number, time: number): readonly SnapshotFill[];
  cancel(symbol: string): void;
  position(symbol: string): { readonly qty: number } | null;
}

export interface SnapshotExecutorOptions {
  readonly promotion: Promotion;
  readonly oms: Oms;
  /** the risk gate's view for an order on `symbol` */
  readonly risk: (symbol: string) => RiskContext;
  /** the symbol's last 현재가 (Upbit sizes market buys in KRW from it) */
  readonly lastPrice: (symbol: string) => number;
  /** sends a journalled order to the venue and follows it up (the bridge's send path) */
  readonly send: (order: OrderRecord, refPrice: number) => void;
  /** the snapshot count, journalled with each order as its "bar" */
  readonly clock: () => number;
  /** a sell filled short of the position (the venue's lot step): the rest stays at the venue */
  readonly onDust?: (symbol: string, left: number) => void;
}

export class SnapshotExecutor {
  kernel: ExecutedKernel | null = null;
  /** client order id -> symbol, for the orders at the venue */
  readonly #inFlight = new Map<string, string>();
  /** refusals handed back after the kernel's step (it must not be re-entered while deciding) */
  readonly #refused: string[] = [];
  readonly #o: SnapshotExecutorOptions;
  /** set while the kill switch flattens: its sells pass the gate */
  flattening = false;

  constructor(options: SnapshotExecutorOptions) {
    this.#o = options;
  }

  buy(symbol: string, qty: number): void {
    this.#order(symbol, "buy", qty, true);
  }

  /** `untracked`: an order of the bridge's own (a flatten), which the kernel never booked */
  sell(
    symbol: string,
    qty: number,
    _time?: number,
    { untracked = false }: { untracked?: boolean } = {},
  ): void {
    this.#order(symbol, "sell", qty, !untracked);
  }

  /** orders at the venue, by symbol */
  get inFlight(): ReadonlyMap<string, string> {
    return this.#inFlight;
  }

  #order(symbol: string, side: Side, qty: number, tracked: boolean): void {
    const { promotion, oms } = this.#o;
    const refPrice = this.#o.lastPrice(symbol);
    const order = oms.create(
      {
        promotionId: promotion.id,
        exchange: promotion.exchange,
        symbol,
        side,
        amount: qty,
        fraction: 0,
        reduceOnly: side === "sell",
        bar: this.#o.clock(),
        refPrice,
        flatten: this.flattening,
      },
      this.#o.risk(symbol),
    );
    if (order.state === "REJECTED") {
      if (tracked) this.#refused.push(symbol);
      return;
    }
    if (tracked) this.#inFlight.set(order.clientOrderId, symbol);
    this.#o.send(order, refPrice);
  }

  /** Hands the step's refusals back to the kernel (after push() returned). */
  flush(): void {
    for (const symbol of this.#refused.splice(0)) this.kernel?.cancel(symbol);
  }

  /**
   * An order of this promotion reached a final state: the kernel books what the venue filled, or
   * forgets the order when nothing was. `time` is the data clock (the last snapshot's time), which
   * the kernel's holding times count in; live it is the venue's time within a second. Returns the
   * kernel's fills (already journalled by the OMS).
   */
  settle(order: OrderRecord, time: number): readonly SnapshotFill[] {
    const symbol = this.#inFlight.get(order.clientOrderId);
    if (symbol === undefined || !this.kernel) return [];
    this.#inFlight.delete(order.clientOrderId);
    if (order.filled > 0) {
      // the kernels close a position whole: a sell the venue filled short of it (rounded down to
      // the lot step) closes it, and what is left is reported, not traded on
      const held = order.side === "sell" ? (this.kernel.position(symbol)?.qty ?? 0) : 0;
      if (held > order.filled) this.#o.onDust?.(symbol, held - order.filled);
      const qty = order.side === "sell" ? Math.max(held, order.filled) : order.filled;
      return this.kernel.fill(symbol, order.side, qty, order.avgPrice, time);
    }
    this.kernel.cancel(symbol);
    return [];
  }
}
