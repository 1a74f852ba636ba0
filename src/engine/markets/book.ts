/** The outcome of sweeping a book with a market order. */
export interface BookFill {
  /** True when the order executed: in full, or (with `partial`) in part. */
  ok: boolean;
  /** Quantity executed; 0 when refused. */
  filled: number;
  /** Volume-weighted average price over the levels used; NaN when nothing filled. */
  avgPrice: number;
  /** Number of levels touched (1 = the best level only); 0 when refused. */
  levels: number;
  /** Sum of price × quantity over the levels used. */
  notional: number;
}

export interface WalkOptions {
  /** Fill what the book holds instead of refusing an order it cannot fill in full. */
  partial?: boolean;
  /** Levels the order may use (STOM's 시장가잔량범위); all given levels by default. */
  depth?: number;
}

/**
 * Walks price levels best first (asks ascending for a buy, bids descending for a sell) and fills
 * `quantity` against their sizes, as STOM's backtester fills market orders on the 5-level book. A book too
 * thin for the whole quantity refuses the order (ok false, filled 0) unless `partial`. A level with a price
 * of 0 ends the book (STOM stores missing levels as 0); a level with size 0 is skipped. Pass `out` to reuse
 * one result object in a hot loop.
 *
 * @example walkBook([101, 102, 103], [5, 5, 5], 12) // { ok: true, filled: 12, avgPrice: 101.833…, levels: 3 }
 */
export function walkBook(
  prices: ArrayLike<number>,
  sizes: ArrayLike<number>,
  quantity: number,
  { partial = false, depth = prices.length }: WalkOptions = {},
  out: BookFill = { ok: false, filled: 0, avgPrice: Number.NaN, levels: 0, notional: 0 },
): BookFill {
  checkQuantity(quantity);
  const n = Math.min(depth, prices.length, sizes.length);
  let remaining = quantity;
  let notional = 0;
  let levels = 0;
  for (let k = 0; k < n && remaining > 0; k++) {
    const p = prices[k];
    if (!(p > 0)) break;
    const s = sizes[k];
    if (!(s > 0)) continue;
    const take = Math.min(s, remaining);
    notional += take * p;
    remaining -= take;
    levels = k + 1;
  }
  return finish(out, quantity, remaining, notional, levels, partial);
}

const ASK_PRICE = ["매도호가1", "매도호가2", "매도호가3", "매도호가4", "매도호가5"] as const;
const ASK_SIZE = ["매도잔량1", "매도잔량2", "매도잔량3", "매도잔량4", "매도잔량5"] as const;
const BID_PRICE = ["매수호가1", "매수호가2", "매수호가3", "매수호가4", "매수호가5"] as const;
const BID_SIZE = ["매수잔량1", "매수잔량2", "매수잔량3", "매수잔량4", "매수잔량5"] as const;

type Level = "1" | "2" | "3" | "4" | "5";
/** STOM's 5-level book columns (tick or minute tables), one value per row. */
export type BookColumns = {
  readonly [K in `${"매도호가" | "매도잔량" | "매수호가" | "매수잔량"}${Level}`]: ArrayLike<number>;
};

/** Buys: walks the ask side (매도호가1..5, 매도잔량1..5) of row `i`. See {@link walkBook}. */
export function walkAsks(
  columns: BookColumns,
  i: number,
  quantity: number,
  options: WalkOptions = {},
  out?: BookFill,
): BookFill {
  return walkColumns(columns, ASK_PRICE, ASK_SIZE, i, quantity, options, out);
}

/** Sells: walks the bid side (매수호가1..5, 매수잔량1..5) of row `i`. See {@link walkBook}. */
export function walkBids(
  columns: BookColumns,
  i: number,
  quantity: number,
  options: WalkOptions = {},
  out?: BookFill,
): BookFill {
  return walkColumns(columns, BID_PRICE, BID_SIZE, i, quantity, options, out);
}

function walkColumns(
  columns: BookColumns,
  priceKeys: readonly (keyof BookColumns)[],
  sizeKeys: readonly (keyof BookColumns)[],
  i: number,
  quantity: number,
  { partial = false, depth = 5 }: WalkOptions,
  out: BookFill = { ok: false, filled: 0, avgPrice: Number.NaN, levels: 0, notional: 0 },
): BookFill {
  checkQuantity(quantity);
  if (!Number.isInteger(i) || i < 0 || i >= columns[priceKeys[0]].length)
    throw new Error(`invalid row: ${i}`);
  const n = Math.min(depth, 5);
  let remaining = quantity;
  let notional = 0;
  let levels = 0;
  for (let k = 0; k < n && remaining > 0; k++) {
    const p = columns[priceKeys[k]][i];
    if (!(p > 0)) break;
    const s = columns[sizeKeys[k]][i];
    if (!(s > 0)) continue;
    const take = Math.min(s, remaining);
    notional += take * p;
    remaining -= take;
    levels = k + 1;
  }
  return finish(out, quantity, remaining, notional, levels, partial);
}

function finish(
  out: BookFill,
  quantity: number,
  remaining: number,
  notional: number,
  levels: number,
  partial: boolean,
): BookFill {
  // fractional coin sizes leave float dust: treat a residue of 1e-12 of the order as filled
  if (remaining <= quantity * 1e-12) remaining = 0;
  if (remaining > 0 && !partial) {
    out.ok = false;
    out.filled = 0;
    out.avgPrice = Number.NaN;
    out.levels = 0;
    out.notional = 0;
    return out;
  }
  const filled = quantity - remaining;
  out.ok = filled > 0;
  out.filled = filled;
  out.avgPrice = filled > 0 ? notional / filled : Number.NaN;
  out.levels = filled > 0 ? levels : 0;
  out.notional = notional;
  return out;
}

function checkQuantity(quantity: number): void {
  if (!(quantity > 0) || !Number.isFinite(quantity)) throw new Error(`invalid quantity: ${quantity}`);
}
