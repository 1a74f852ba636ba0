import {
  type Bars,
  type InitContext,
  type NextContext,
  type Order,
  type OrderRequest,
  type ParamSpecs,
  type ParamValues,
  type Position,
  resolveParams,
  Series,
  type StrategyDef,
  type Trade,
  toBars,
} from "../engine/index.ts";
import type { StrategyAccount } from "./account.ts";
import type { Bar } from "./types.ts";

export interface RunnerOptions {
  /** closed bars kept and handed to init(); must exceed the longest indicator warm-up */
  window?: number;
  /** called for every order or close the strategy decides, with the global bar index */
  onSignal?: (signal: { bar: number; kind: "buy" | "sell" | "close"; size: number }) => void;
  onWarning?: (message: string) => void;
}

const COLUMNS = ["time", "open", "high", "low", "close", "volume"] as const;

/**
 * Runs a strategy live, one closed bar at a time: the account first fills what was decided on the
 * previous bar, then init() runs over the rolling window of closed bars and next() decides on the
 * newest bar only. The same file backtests and trades; only the account and the clock differ.
 */
export class LiveRunner<P extends ParamSpecs = ParamSpecs, S = unknown> {
  readonly params: ParamValues<P>;
  readonly window: number;
  /** bars seen so far; the newest bar's global index is count - 1 */
  count = 0;
  readonly #strategy: StrategyDef<P, S>;
  readonly #account: StrategyAccount & { onBar?(bar: Bar, index: number): number };
  readonly #cols: Record<(typeof COLUMNS)[number], Float64Array>;
  #start = 0;
  #end = 0;
  readonly #onSignal: NonNullable<RunnerOptions["onSignal"]>;
  readonly #onWarning: NonNullable<RunnerOptions["onWarning"]>;
  #warnedShort = false;

  constructor(
    strategy: StrategyDef<P, S>,
    params: Readonly<Record<string, unknown>>,
    account: StrategyAccount & { onBar?(bar: Bar, index: number): number },
    { window = 500, onSignal = () => {}, onWarning = () => {} }: RunnerOptions = {},
  ) {
    if (!(Number.isInteger(window) && window >= 2))
      throw new Error(`window should be an integer >= 2, got ${window}`);
    this.#strategy = strategy;
    this.params = resolveParams(strategy.params, params) as ParamValues<P>;
    this.#account = account;
    this.window = window;
    // twice the window, so sliding costs one copyWithin per `window` bars
    this.#cols = Object.fromEntries(COLUMNS.map((c) => [c, new Float64Array(2 * window)])) as Record<
      (typeof COLUMNS)[number],
      Float64Array
    >;
    this.#onSignal = onSignal;
    this.#onWarning = onWarning;
  }

  /** The bars currently in the window, as zero-copy views. */
  bars(): Bars {
    const columns: Record<string, Float64Array> = {};
    for (const c of COLUMNS) columns[c] = this.#cols[c].subarray(this.#start, this.#end);
    return toBars({ length: this.#end - this.#start, columns });
  }

  /** Feeds one closed bar: fills first, then the strategy decides. */
  onBar(bar: Bar): void {
    const index = this.count++;
    this.#account.onBar?.(bar, index);
    this.#append(bar);
    this.#step(index);
  }

  #append(bar: Bar): void {
    if (this.#end === this.#cols.time.length) {
      const keep = this.window - 1;
      for (const c of COLUMNS) this.#cols[c].copyWithin(0, this.#end - keep, this.#end);
      this.#start = 0;
      this.#end = keep;
    }
    for (const c of COLUMNS) this.#cols[c][this.#end] = bar[c];
    this.#end++;
    if (this.#end - this.#start > this.window) this.#start++;
  }

  #step(global: number): void {
    const bars = this.bars();
    const n = bars.length;
    const clock = { i: n - 1 };
    const account = this.#account;
    const params = this.params;
    let warmup = 0;
    let inInit = true;
    const onSignal = this.#onSignal;
    const onWarning = this.#onWarning;

    const place = (sign: 1 | -1, req?: OrderRequest): Order => {
      if (inInit) {
        // init() runs again on every bar live: an order placed there would repeat each time
        onWarning("orders placed in init() are ignored live");
        return nullOrder as unknown as Order;
      }
      onSignal({ bar: global, kind: sign > 0 ? "buy" : "sell", size: req?.size ?? 1 - Number.EPSILON });
      return account.place(sign, req, global) as unknown as Order;
    };
    const position: Position = {
      get size() {
        return account.positionSize;
      },
      get pl() {
        let s = 0;
        for (const t of account.openLegs) s += t.pl;
        return s;
      },
      get plPct() {
        let w = 0;
        let s = 0;
        for (const t of account.openLegs) {
          w += Math.abs(t.size);
          s += Math.abs(t.size) * t.plPct;
        }
        return w ? s / w : 0;
      },
      get isLong() {
        return account.positionSize > 0;
      },
      get isShort() {
        return account.positionSize < 0;
      },
      close(portion = 1) {
        if (inInit) return;
        if (account.openLegs.length) onSignal({ bar: global, kind: "close", size: portion });
        account.close(portion, global);
      },
    };
    const trading = {
      buy: (req?: OrderRequest) => place(1, req),
      sell: (req?: OrderRequest) => place(-1, req),
      position,
    };
    const getters: PropertyDescriptorMap = {
      trades: { get: () => account.openLegs as unknown as readonly Trade[] },
      closedTrades: { get: () => account.closedLegs as unknown as readonly Trade[] },
      orders: { get: () => account.pending as unknown as readonly Order[] },
      equity: { get: () => account.equity },
    };

    const initCtx = Object.defineProperties(
      Object.assign(Object.create(null), trading, {
        bars,
        params,
        I(values: Float64Array, name = "I", { scatter = false } = {}) {
          if (!(values instanceof Float64Array)) values = Float64Array.from(values as ArrayLike<number>);
          if (values.length !== n)
            throw new Error(`indicator ${name} has ${values.length} values, expected ${n}`);
          if (!scatter) warmup = Math.max(warmup, firstValid(values));
          return new Series(values, clock, name);
        },
      }),
      getters,
    ) as InitContext<P>;
    const state = this.#strategy.init(initCtx);
    inInit = false;
    // the backtest's first next() is at bar 1 + warmup; the same holds inside the window
    if (n - 1 < 1 + warmup) {
      if (n === this.window && !this.#warnedShort) {
        this.#warnedShort = true;
        onWarning(`window of ${this.window} bars is too short for a warm-up of ${warmup}`);
      }
      return;
    }
    const series = new Map<string, Series>();
    const col = (name: string): Series => {
      let s = series.get(name);
      if (!s) {
        const values = bars.columns[name];
        if (!values) throw new Error(`unknown column: ${name}`);
        s = new Series(values, clock, name);
        series.set(name, s);
      }
      return s;
    };
    const nextCtx = Object.defineProperties(
      Object.assign(Object.create(null), trading, {
        i: clock.i,
        time: bars.time[clock.i],
        open: col("open"),
        high: col("high"),
        low: col("low"),
        close: col("close"),
        volume: col("volume"),
        col,
        params,
      }),
      getters,
    ) as NextContext<P>;
    this.#strategy.next(nextCtx, state);
  }
}

const nullOrder = Object.freeze({
  clientOrderId: null,
  size: 0,
  isLong: false,
  isShort: false,
  limit: null,
  stop: null,
  sl: null,
  tp: null,
  tag: null,
  placedBar: -1,
  cancel() {},
});

function firstValid(values: Float64Array): number {
  for (let k = 0; k < values.length; k++) if (!Number.isNaN(values[k])) return k;
  return 0;
}
