/** Why a position was closed; `exitReason` in the trade list indexes this. */
export const EXIT_REASONS = Object.freeze([
  "signal",
  "session-end",
  "day-end",
  "loss-stop",
  "profit-stop",
  "end",
] as const);
export type ExitReason = (typeof EXIT_REASONS)[number];

/** Closed trades as columns, one row per round trip, in exit order. */
export interface TickTrades {
  readonly length: number;
  /** symbol names; the `symbol` column indexes this */
  readonly symbols: readonly string[];
  readonly symbol: Int32Array;
  /** UTC ms of the entry and exit fills (the snapshots whose books were walked) */
  readonly entryTime: Float64Array;
  readonly exitTime: Float64Array;
  /** rows of the symbol's own columns */
  readonly entryRow: Int32Array;
  readonly exitRow: Int32Array;
  /** volume-weighted fill prices over the book levels walked */
  readonly entryPrice: Float64Array;
  readonly exitPrice: Float64Array;
  readonly size: Float64Array;
  /** cash P&L after the costs of both fills */
  readonly pnl: Float64Array;
  /** pnl / entry notional × 100 (STOM's 수익률 on the actual fills) */
  readonly returnPct: Float64Array;
  readonly holdingSeconds: Float64Array;
  /** costs of both fills */
  readonly commission: Float64Array;
  /** equity-sample indices of the fills, for exposure in the stats */
  readonly entrySample: Int32Array;
  readonly exitSample: Int32Array;
  /** index into EXIT_REASONS */
  readonly exitReason: Uint8Array;
}

/** Collects trades as they close; they are few next to ticks, so plain arrays until finish(). */
export class TradeLog {
  readonly #rows: number[][] = Array.from({ length: 15 }, () => []);

  push(
    symbol: number,
    entryTime: number,
    exitTime: number,
    entryRow: number,
    exitRow: number,
    entryPrice: number,
    exitPrice: number,
    size: number,
    pnl: number,
    returnPct: number,
    commission: number,
    entrySample: number,
    exitSample: number,
    reason: number,
  ): void {
    const r = this.#rows;
    r[0].push(symbol);
    r[1].push(entryTime);
    r[2].push(exitTime);
    r[3].push(entryRow);
    r[4].push(exitRow);
    r[5].push(entryPrice);
    r[6].push(exitPrice);
    r[7].push(size);
    r[8].push(pnl);
    r[9].push(returnPct);
    r[10].push((exitTime - entryTime) / 1000);
    r[11].push(commission);
    r[12].push(entrySample);
    r[13].push(exitSample);
    r[14].push(reason);
  }

  /** trades logged so far */
  get length(): number {
    return this.#rows[0].length;
  }

  /** Drops the trades logged after the first `n` (a session's result() logs its end-of-data exits, then undoes them). */
  truncate(n: number): void {
    for (const col of this.#rows) col.length = n;
  }

  finish(symbols: readonly string[]): TickTrades {
    const r = this.#rows;
    return Object.freeze({
      length: r[0].length,
      symbols: Object.freeze([...symbols]),
      symbol: Int32Array.from(r[0]),
      entryTime: Float64Array.from(r[1]),
      exitTime: Float64Array.from(r[2]),
      entryRow: Int32Array.from(r[3]),
      exitRow: Int32Array.from(r[4]),
      entryPrice: Float64Array.from(r[5]),
      exitPrice: Float64Array.from(r[6]),
      size: Float64Array.from(r[7]),
      pnl: Float64Array.from(r[8]),
      returnPct: Float64Array.from(r[9]),
      holdingSeconds: Float64Array.from(r[10]),
      commission: Float64Array.from(r[11]),
      entrySample: Int32Array.from(r[12]),
      exitSample: Int32Array.from(r[13]),
      exitReason: Uint8Array.from(r[14]),
    });
  }
}

/** Trades as row objects (for JSON and tables; not for hot paths). */
export function tickTradeRows(t: TickTrades): Record<string, number | string>[] {
  const rows: Record<string, number | string>[] = [];
  for (let k = 0; k < t.length; k++) {
    rows.push({
      symbol: t.symbols[t.symbol[k]],
      entryTime: new Date(t.entryTime[k]).toISOString(),
      exitTime: new Date(t.exitTime[k]).toISOString(),
      entryPrice: t.entryPrice[k],
      exitPrice: t.exitPrice[k],
      size: t.size[k],
      pnl: t.pnl[k],
      returnPct: t.returnPct[k],
      holdingSeconds: t.holdingSeconds[k],
      commission: t.commission[k],
      exitReason: EXIT_REASONS[t.exitReason[k]],
    });
  }
  return rows;
}
