// The paper venue: the engine's own broker (src/engine/broker.ts) behind the bridge, as
// NautilusTrader's sandbox wraps its simulated exchange. A paper promotion is the backtest's
// BarSession fed the live bars, so it decides and fills exactly as `stom backtest` does on the same
// bars, with every order type the engine has (limit, stop, SL/TP brackets, trailing stops, partial
// closes). The OMS sees every engine order: it is journalled and risk-checked when it appears (a
// refused one is canceled before it can fill), and each execution is journalled as a fill.
import {
  type BacktestOptions,
  type BacktestResult,
  BarSession,
  type BrokerListener,
  type Order,
  type StrategyDef,
} from "../engine/index.ts";
import type { OrderGate } from "./account.ts";
import type { Bar } from "./types.ts";

export type PaperSettings = Omit<BacktestOptions, "params" | "finalizeTrades">;

/** An order the strategy decided (not a bracket the broker placed), for the bridge's events. */
export interface Signal {
  readonly bar: number;
  readonly kind: "buy" | "sell" | "close";
  readonly size: number;
}

export class PaperSession {
  readonly session: BarSession;
  readonly #gate: OrderGate;
  readonly #ids = new WeakMap<Order, string>();
  readonly #refused = new WeakSet<Order>();
  readonly #onSignal: (signal: Signal) => void;
  #time = Number.NaN;

  constructor(
    strategy: StrategyDef,
    params: Readonly<Record<string, unknown>>,
    gate: OrderGate,
    settings: PaperSettings = {},
    onSignal: (signal: Signal) => void = () => {},
  ) {
    this.#onSignal = onSignal;
    this.session = new BarSession(strategy, { ...settings, params });
    this.#gate = gate;
    const listener: BrokerListener = {
      executed: (order, price, lots, bar) => {
        const id = this.#ids.get(order);
        if (!id) return;
        const broker = this.session.broker;
        const amount = Math.abs(lots) * broker.unit;
        this.#gate.fill(id, {
          price,
          amount,
          fee: broker.commission(amount, price),
          time: this.session.bars.time[bar] ?? this.#time,
        });
      },
      canceled: (order, reason) => {
        const id = this.#ids.get(order);
        if (id) this.#gate.cancel(id, reason);
      },
    };
    this.session.broker.listener = listener;
  }

  /** bars seen; the newest bar's index is count - 1 */
  get count(): number {
    return this.session.length;
  }

  /** A closed bar: the broker fills on it, then the strategy decides (unless `decide` is false). */
  onBar(bar: Bar, { decide = true }: { decide?: boolean } = {}): void {
    this.#time = bar.time;
    this.#journal();
    this.session.push(bar, { decide });
    this.#journal();
  }

  get positionSize(): number {
    return this.session.broker.positionSize;
  }

  /** cash plus open trades marked at the last close */
  get equity(): number {
    return this.session.broker.currentEquity;
  }

  /** P&L of the closed trades, after their costs */
  get realized(): number {
    const log = this.session.broker.closedLog;
    const unit = this.session.broker.unit;
    let sum = 0;
    for (let k = 0; k < log.length; k++)
      sum += log.lots[k] * unit * (log.exitPrice[k] - log.entryPrice[k]) - log.commissions[k];
    return sum;
  }

  get cash(): number {
    return this.session.broker.cash;
  }

  /** open trades as the position view reads them */
  get openLegs(): readonly { size: number; entryPrice: number; pl: number }[] {
    return this.session.broker.trades;
  }

  /** Closes `portion` of every open trade at the next bar's open (a flatten, a session end). */
  close(portion = 1): void {
    for (const t of this.session.broker.trades.slice()) t.close(portion);
    this.#journal();
  }

  /** Cancels every pending order (the kill switch). */
  cancelAll(reason: string): void {
    const broker = this.session.broker;
    for (const order of broker.orders.slice()) {
      order.cancel();
      const id = this.#ids.get(order);
      if (id) this.#gate.cancel(id, reason);
    }
  }

  /** The run so far, as `stom backtest` reports it. */
  result(): BacktestResult {
    return this.session.result();
  }

  /** Journals the engine orders the OMS has not seen; cancels those it refuses. */
  #journal(): void {
    const broker = this.session.broker;
    const bar = Math.max(0, this.session.length - 1);
    const refPrice = this.session.length ? this.session.bars.close[bar] : Number.NaN;
    for (const order of broker.orders.slice()) {
      if (this.#ids.has(order) || this.#refused.has(order)) continue;
      const id = this.#gate.submit({
        side: order.isLong ? "buy" : "sell",
        fraction: Math.abs(order.fraction),
        // a fraction order's amount is known when it fills (sized on the fill bar, as the engine does)
        amount: order.fraction ? Number.NaN : Math.abs(order.lots) * broker.unit,
        // closes, SL/TP brackets and trailing exits belong to a trade: they only reduce it
        reduceOnly: order.parent !== null,
        bar,
        refPrice,
      });
      if (!order.isContingent)
        this.#onSignal({
          bar,
          kind: order.parent ? "close" : order.isLong ? "buy" : "sell",
          size: order.size,
        });
      if (id === null) {
        this.#refused.add(order);
        order.cancel();
      } else this.#ids.set(order, id);
    }
  }
}
