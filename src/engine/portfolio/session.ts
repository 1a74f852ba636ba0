import type { ParamSpecs, ParamValues } from "../params.ts";
import { type TickExecutor, TickKernel } from "./kernel.ts";
import { resolveTickOptions, type TickRunOptions } from "./options.ts";
import type { TickFill, TickResult } from "./result.ts";
import { BOOK_COLUMNS } from "./run.ts";
import type { TickStrategyDef } from "./strategy.ts";

export interface TickSessionOptions extends TickRunOptions {
  /** every symbol the session may see, in runTicks' input order (ties in time go to the first) */
  readonly symbols: readonly string[];
  /** a live venue instead of the book walk (see TickExecutor); fills come back through fill() */
  readonly executor?: TickExecutor;
}

/** An open position as the bridge shows it. */
export interface TickPosition {
  readonly symbol: string;
  readonly qty: number;
  /** volume-weighted entry price */
  readonly entryPrice: number;
  /** UTC ms of the entry fill */
  readonly entryTime: number;
}

const NO_FILLS: readonly TickFill[] = Object.freeze([]);

/** One symbol's history so far: columns in buffers that double as they fill. */
class History {
  readonly names: string[] = [];
  readonly buffers: Float64Array[] = [];
  /** the interest flag per row (moneytop lists only) */
  listed = new Uint8Array(64);
  length = 0;

  append(row: Readonly<Record<string, number>>, listed: number): void {
    const n = this.length;
    if (n === 0) {
      for (const [name, v] of Object.entries(row)) {
        if (typeof v !== "number") continue;
        this.names.push(name);
        this.buffers.push(new Float64Array(64));
      }
    } else {
      for (const [name, v] of Object.entries(row)) {
        // a column first seen later was NaN on the earlier rows
        if (typeof v === "number" && !this.names.includes(name)) {
          this.names.push(name);
          this.buffers.push(new Float64Array(this.buffers[0].length).fill(Number.NaN, 0, n));
        }
      }
    }
    if (n === this.buffers[0].length) {
      for (let c = 0; c < this.buffers.length; c++) this.buffers[c] = grown(this.buffers[c], 2 * n);
      const l = new Uint8Array(2 * n);
      l.set(this.listed);
      this.listed = l;
    }
    for (let c = 0; c < this.names.length; c++) {
      const v = row[this.names[c]];
      this.buffers[c][n] = typeof v === "number" ? v : Number.NaN;
    }
    this.listed[n] = listed;
    this.length = n + 1;
  }

  /** The columns so far as zero-copy views, the shape runTicks' init() sees. */
  columns(): Record<string, Float64Array> {
    const out: Record<string, Float64Array> = {};
    for (let c = 0; c < this.names.length; c++) out[this.names[c]] = this.buffers[c].subarray(0, this.length);
    return out;
  }
}

function grown(a: Float64Array, cap: number): Float64Array {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

/**
 * The tick engine fed one snapshot at a time: the live bridge's tick strategies. Each push appends
 * the snapshot to its symbol's columns, re-runs init() over that symbol's whole history (so an
 * indicator with memory sees what it sees in a backtest; O(rows) a push), then runs the kernel step
 * runTicks runs. Pushed in runTicks' merge order, result() equals runTicks() over the same
 * snapshots, trade for trade and sample for sample.
 *
 * With `executor`, decisions go to a venue instead of the book walk: the kernel calls
 * executor.buy/sell and books the position when the venue reports it through fill(); the symbol is
 * pending in between (no new decision on it, and a pending buy counts toward maxPositions).
 *
 *     const session = new TickSession(strategy, { symbols: ["KRW-BTC", "KRW-ETH"], budget: 1_000_000 });
 *     for (const [symbol, row] of feed) for (const fill of session.push(symbol, row)) journal(fill);
 *     session.result().stats;
 */
export class TickSession<P extends ParamSpecs = ParamSpecs, S = unknown> {
  readonly symbols: readonly string[];
  readonly params: ParamValues<P>;
  readonly #kernel: TickKernel<P, S>;
  readonly #index = new Map<string, number>();
  readonly #history: History[];
  #last = Number.NEGATIVE_INFINITY;
  // the moneytop list in force (rows come in time order, so one pointer serves every symbol)
  #list = -1;

  constructor(strategy: TickStrategyDef<P, S>, { symbols, executor, ...options }: TickSessionOptions) {
    const config = resolveTickOptions(strategy.params, options);
    this.#kernel = new TickKernel(strategy, config, [...symbols], executor ?? null);
    this.symbols = this.#kernel.names;
    this.params = config.params;
    this.symbols.forEach((name, s) => {
      this.#index.set(name, s);
    });
    this.#history = this.symbols.map(() => new History());
  }

  /**
   * Appends one snapshot of `symbol` (time in UTC ms, 현재가 or price, the 20 book columns, and
   * whatever else the strategy reads) and runs the step on it; returns the fills it caused.
   */
  push(symbol: string, row: Readonly<Record<string, number>>): readonly TickFill[] {
    const s = this.#symbol(symbol);
    const t = row.time;
    if (typeof t !== "number" || !Number.isFinite(t))
      throw new Error(`invalid time: ${t} (symbol ${symbol})`);
    if (t < this.#last) throw new Error(`snapshot at ${t} is before the last one (${this.#last})`);
    if (typeof row.현재가 !== "number" && typeof row.price !== "number")
      throw new Error(`missing column: 현재가 (symbol ${symbol})`);
    for (const name of BOOK_COLUMNS)
      if (typeof row[name] !== "number") throw new Error(`missing column: ${name} (symbol ${symbol})`);
    const kernel = this.#kernel;
    const history = this.#history[s];
    history.append(row, this.#listed(symbol, t));
    this.#last = t;
    const n = history.length;
    const { interest } = kernel.config;
    const listed = interest !== null && typeof interest === "object" ? history.listed.subarray(0, n) : null;
    kernel.bind(s, history.columns(), n, listed);
    return this.#collect(() => kernel.step(s, n - 1));
  }

  /**
   * A venue's fill of the order pending on `symbol` (executor mode): books it at `avgPrice` and
   * `time` on the symbol's latest snapshot; returns it. A sell fill must be the whole position.
   */
  fill(
    symbol: string,
    side: "buy" | "sell",
    qty: number,
    avgPrice: number,
    time: number,
  ): readonly TickFill[] {
    const s = this.#symbol(symbol);
    return this.#collect(() => this.#kernel.fill(s, side, qty, avgPrice, time));
  }

  /** Forgets the venue order pending on `symbol` (refused or cancelled there). */
  cancel(symbol: string): void {
    this.#kernel.cancel(this.#symbol(symbol));
  }

  /** The run so far as runTicks() reports it over the same snapshots (open positions closed on their latest books). */
  result(): TickResult<P> {
    return this.#kernel.result();
  }

  /** free cash, shared by all symbols */
  get cash(): number {
    return this.#kernel.cash;
  }

  /** realised P&L since the day began (the market's day), costs included */
  get dayPnl(): number {
    return this.#kernel.dayPnl;
  }

  /** open positions plus pending buys */
  get openPositions(): number {
    return this.#kernel.openPositions + this.#kernel.pendingBuys;
  }

  /** snapshots pushed */
  get events(): number {
    return this.#kernel.events;
  }

  /** The open position on `symbol`, or null when flat. */
  position(symbol: string): TickPosition | null {
    const s = this.#symbol(symbol);
    const k = this.#kernel;
    if (!(k.qty[s] > 0)) return null;
    const ctx = k.contexts[s];
    return Object.freeze({ symbol, qty: k.qty[s], entryPrice: ctx.entryPrice, entryTime: ctx.entryTime });
  }

  /** Every open position, in symbol order. */
  positions(): TickPosition[] {
    const out: TickPosition[] = [];
    for (const name of this.symbols) {
      const p = this.position(name);
      if (p) out.push(p);
    }
    return out;
  }

  /** The side of the order waiting on `symbol` (decided for the next snapshot, or at the venue), or null. */
  pending(symbol: string): "buy" | "sell" | null {
    return this.#kernel.pendingSide(this.#symbol(symbol));
  }

  #symbol(symbol: string): number {
    const s = this.#index.get(symbol);
    if (s === undefined) throw new Error(`unknown symbol: ${symbol}`);
    return s;
  }

  /** 1 when a moneytop list is given and lists the symbol at time t (runTicks' listedRows, one row at a time). */
  #listed(symbol: string, t: number): number {
    const list = this.#kernel.config.interest;
    if (list === null || typeof list === "string") return 0;
    while (this.#list + 1 < list.time.length && list.time[this.#list + 1] <= t) this.#list++;
    return this.#list >= 0 && list.codes[this.#list].includes(symbol) ? 1 : 0;
  }

  // a venue may call fill() from inside executor.buy/sell, that is inside push(): its fills are
  // returned by fill() and by the push too
  #collect(run: () => void): readonly TickFill[] {
    const kernel = this.#kernel;
    const outer = kernel.fills;
    const fills: TickFill[] = [];
    kernel.fills = fills;
    try {
      run();
    } finally {
      kernel.fills = outer;
    }
    if (outer) outer.push(...fills);
    return fills.length ? Object.freeze(fills) : NO_FILLS;
  }
}
