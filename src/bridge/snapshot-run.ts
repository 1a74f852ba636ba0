// A promotion that trades on STOM's snapshots: a tick strategy or STOM texts, run by the engine's
// own snapshot kernel (TickSession or StomSession: the code `runTicks` and `backtestStom` drive),
// fed one snapshot at a time. Paper fills are the kernel's own book walks, so a replay's fills are
// the backtest's trades; each one is journalled as an order with its fill, and the run's positions,
// equity and day P&L are kept for the position view, the events and the daily stops.
import type { Oms } from "./oms.ts";
import type { SnapshotExecutor } from "./snapshot-executor.ts";
import type { SnapshotRow } from "./snapshot-source.ts";
import type { BridgeEvent, Promotion } from "./types.ts";

/** One execution the kernel made (or booked from the venue). */
export interface SnapshotFill {
  readonly kind: "buy" | "sell";
  readonly symbol: string;
  readonly time: number;
  readonly price: number;
  readonly qty: number;
  /** costs of this side, when the kernel reports them */
  readonly fee?: number;
  readonly reason?: string;
  readonly pnl?: number;
}

/** What the bridge needs of a snapshot kernel (TickSession, StomSession). */
export interface SnapshotKernel {
  push(symbol: string, row: SnapshotRow): readonly SnapshotFill[];
  /** ends the trading day (STOM: the day's last snapshots close what is held); returns its fills */
  endDay?(): readonly SnapshotFill[];
  /** the kernel's own cash, when it keeps one (the tick engine's shared cash) */
  readonly cash?: number;
}

export interface SymbolPosition {
  readonly symbol: string;
  qty: number;
  avgPrice: number;
  lastPrice: number;
}

export interface SnapshotRunOptions {
  readonly promotion: Promotion;
  readonly kernel: SnapshotKernel;
  readonly oms: Oms;
  readonly emit: (event: BridgeEvent) => void;
  /** the run's starting cash when the kernel keeps none (STOM's backtester sizes by 투자금 alone) */
  readonly cash?: number;
  /** an equity and P&L event at most once per this much data time */
  readonly pnlEveryMs?: number;
  /** the day's P&L is journalled on each mark */
  readonly mark?: (time: number, equity: number) => void;
  /** live: the venue executes the kernel's orders; their fills are journalled by the OMS as they come */
  readonly executor?: SnapshotExecutor;
}

export class SnapshotRun {
  readonly promotion: Promotion;
  readonly positions = new Map<string, SymbolPosition>();
  /** snapshots seen, all symbols */
  count = 0;
  cash: number;
  realized = 0;
  /** time of the last snapshot (UTC ms) */
  lastTime = Number.NEGATIVE_INFINITY;
  /** while halted (kill switch) the kernel sees no snapshot: it neither decides nor fills */
  halted = false;
  readonly #kernel: SnapshotKernel;
  readonly #oms: Oms;
  readonly #emit: (event: BridgeEvent) => void;
  readonly #mark: (time: number, equity: number) => void;
  readonly #pnlEveryMs: number;
  readonly executor: SnapshotExecutor | null;
  #lastPnl = Number.NEGATIVE_INFINITY;

  constructor({
    promotion,
    kernel,
    oms,
    emit,
    cash = 10_000_000,
    pnlEveryMs = 1000,
    mark = () => {},
    executor,
  }: SnapshotRunOptions) {
    this.executor = executor ?? null;
    this.promotion = promotion;
    this.#kernel = kernel;
    this.#oms = oms;
    this.#emit = emit;
    this.cash = Number.isFinite(kernel.cash) ? (kernel.cash as number) : cash;
    this.#pnlEveryMs = pnlEveryMs;
    this.#mark = mark;
  }

  /** cash plus what is held, at each symbol's last 현재가 */
  get equity(): number {
    let held = 0;
    for (const p of this.positions.values()) held += p.qty * p.lastPrice;
    return this.cash + held;
  }

  /** symbols held */
  get openPositions(): number {
    let n = 0;
    for (const p of this.positions.values()) if (p.qty > 0) n++;
    return n;
  }

  /** One snapshot: the kernel decides and fills on it; its fills are journalled. */
  push(symbol: string, row: SnapshotRow): void {
    const time = row.time;
    if (!(time >= this.lastTime))
      throw new Error(`snapshot of ${symbol} at ${time} is before the last one (${this.lastTime})`);
    this.lastTime = time;
    const price = row.현재가 ?? row.price;
    let pos = this.positions.get(symbol);
    if (!pos) {
      pos = { symbol, qty: 0, avgPrice: 0, lastPrice: price };
      this.positions.set(symbol, pos);
    }
    if (Number.isFinite(price)) pos.lastPrice = price;
    if (this.halted) return;
    const fills = this.#kernel.push(symbol, row);
    this.count++;
    this.executor?.flush();
    this.book(fills);
    if (time - this.#lastPnl >= this.#pnlEveryMs) {
      this.#lastPnl = time;
      const equity = this.equity;
      this.#mark(time, equity);
      this.#emit({ type: "pnl", promotionId: this.promotion.id, time, equity, realized: this.realized });
    }
  }

  /** The feed ended (a replay's last row): the kernel's day ends, as the backtest's data does. */
  end(): void {
    if (this.halted || !this.#kernel.endDay) return;
    this.book(this.#kernel.endDay());
  }

  /**
   * The kill switch's flatten: every held symbol is sold, outside the kernel (which the promotion's
   * stop then discards). Live, a market sell per symbol through the OMS, past the kill switch;
   * paper, an executed sell at the symbol's last 현재가.
   */
  flatten(): void {
    for (const p of this.positions.values()) {
      if (!(p.qty > 0)) continue;
      if (this.executor) {
        this.executor.flattening = true;
        try {
          this.executor.sell(p.symbol, p.qty, this.lastTime, { untracked: true });
        } finally {
          this.executor.flattening = false;
        }
      } else {
        this.#book({
          kind: "sell",
          symbol: p.symbol,
          time: this.lastTime,
          price: p.lastPrice,
          qty: p.qty,
          reason: "kill",
        });
      }
    }
  }

  /**
   * Books the kernel's fills into the run's positions and cash: paper fills are journalled here as
   * executed orders; a live venue's were journalled by the OMS when they came.
   */
  book(fills: readonly SnapshotFill[]): void {
    for (const f of fills) this.#book(f);
    const cash = this.#kernel.cash;
    if (cash !== undefined && Number.isFinite(cash)) this.cash = cash;
  }

  #book(f: SnapshotFill): void {
    const fee = f.fee ?? 0;
    if (!this.executor)
      this.#oms.createExecuted(
        {
          promotionId: this.promotion.id,
          exchange: this.promotion.exchange,
          symbol: f.symbol,
          side: f.kind,
          amount: f.qty,
          fraction: 0,
          reduceOnly: f.kind === "sell",
          bar: this.count - 1,
          refPrice: f.price,
        },
        { price: f.price, amount: f.qty, fee, time: f.time },
        f.reason,
      );
    const pos = this.positions.get(f.symbol) ?? { symbol: f.symbol, qty: 0, avgPrice: 0, lastPrice: f.price };
    this.positions.set(f.symbol, pos);
    if (f.kind === "buy") {
      pos.avgPrice = (pos.avgPrice * pos.qty + f.price * f.qty) / (pos.qty + f.qty);
      pos.qty += f.qty;
      this.cash -= f.price * f.qty + fee;
    } else {
      pos.qty = Math.max(0, pos.qty - f.qty);
      if (pos.qty === 0) pos.avgPrice = 0;
      this.cash += f.price * f.qty - fee;
      if (f.pnl !== undefined) this.realized += f.pnl;
    }
    this.#emit({
      type: "position",
      promotionId: this.promotion.id,
      size: pos.qty,
      avgPrice: pos.avgPrice,
      pl: pos.qty * (pos.lastPrice - pos.avgPrice),
    });
  }
}
