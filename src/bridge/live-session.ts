// A live promotion on the backtest's own strategy host: the engine's BarSession (contexts, I(),
// warm-up, decision log, init() over the whole history since the start) with a venue account in
// the broker's place. The account sends market orders through the OMS and books the venue's fills
// as they come; the host reads positions, orders and equity from it exactly as it reads the
// simulated broker's. So decisions live are the backtest's decisions on the same bars. Orders with a
// price condition, brackets and trailing stops are held by the account (held-orders.ts) and trigger
// on the venue's trades; trailing stops move after each decision, as the engine's do.
import {
  BarSession,
  type Bars,
  type HostBroker,
  type Order,
  type OrderRequest,
  type ParamSpecs,
  type StrategyDef,
  type Trade,
} from "../engine/index.ts";
import type { StrategyAccount } from "./account.ts";
import type { Signal } from "./paper-session.ts";
import type { Bar } from "./types.ts";

type MarkedAccount = StrategyAccount & { onBar(bar: Bar, index: number): number; trail?(): void };

/** A venue account seen through the broker interface the strategy host drives. */
class AccountBroker implements HostBroker {
  bars: Bars | null = null;
  i = 0;
  readonly #account: MarkedAccount;
  readonly #onSignal: (signal: Signal) => void;

  constructor(account: MarkedAccount, onSignal: (signal: Signal) => void) {
    this.#account = account;
    this.#onSignal = onSignal;
  }

  get trades(): readonly Trade[] {
    return this.#account.openLegs as unknown as readonly Trade[];
  }
  get closedTrades(): readonly Trade[] {
    return this.#account.closedLegs as unknown as readonly Trade[];
  }
  get orders(): readonly Order[] {
    return this.#account.pending as unknown as readonly Order[];
  }
  get positionSize(): number {
    return this.#account.positionSize;
  }
  get currentEquity(): number {
    return this.#account.equity;
  }
  place(sign: 1 | -1, req?: OrderRequest): Order {
    this.#onSignal({ bar: this.i, kind: sign > 0 ? "buy" : "sell", size: req?.size ?? 1 - Number.EPSILON });
    return this.#account.place(sign, req, this.i) as unknown as Order;
  }
  exposeTrades(): void {}
  extend(bars: Bars): void {
    this.bars = bars;
  }
  /** marks the account at bar i's close; the venue's fills arrive on their own */
  next(i: number): void {
    this.i = i;
    const b = this.bars as Bars;
    this.#account.onBar(
      {
        time: b.time[i],
        open: b.open[i],
        high: b.high[i],
        low: b.low[i],
        close: b.close[i],
        volume: b.volume[i],
      },
      i,
    );
  }
  /** moves the account's trailing stops to the decided bar's close (the engine's Broker.trail()) */
  trail(): void {
    this.#account.trail?.();
  }
}

export class LiveSession {
  readonly session: BarSession<ParamSpecs, unknown, AccountBroker>;
  readonly #account: MarkedAccount;

  constructor(
    strategy: StrategyDef,
    params: Readonly<Record<string, unknown>>,
    account: MarkedAccount,
    onSignal: (signal: Signal) => void = () => {},
  ) {
    this.#account = account;
    this.session = new BarSession<ParamSpecs, unknown, AccountBroker>(strategy, {
      params,
      broker: new AccountBroker(account, onSignal),
    });
  }

  /** bars seen; the newest bar's index is count - 1 */
  get count(): number {
    return this.session.length;
  }

  /** A closed bar: the account is marked, then the strategy decides (unless `decide` is false). */
  onBar(bar: Bar, { decide = true }: { decide?: boolean } = {}): void {
    const index = this.session.length;
    this.session.push(bar, { decide });
    // during the warm-up the host does not call the broker: mark the account all the same
    if (this.session.startBar < 0) this.#account.onBar(bar, index);
  }
}
