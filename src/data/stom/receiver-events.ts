// What a receiver is fed: the venue-neutral events that STOM's receivers get from Upbit's
// websocket (ticker, orderbook), Binance's (aggTrade, depth10) and Kiwoom's real-time feeds
// (주식체결, 주식호가잔량). Pure types: isomorphic, no Node imports.

export type ReceiverKind = "coin_tick" | "stock_tick";

/** One trade. `side` is the taker's: "buy" lifted the ask, "sell" hit the bid. */
export interface TradeEvent {
  readonly type: "trade";
  /** UTC ms */
  readonly time: number;
  readonly price: number;
  /** base quantity (coins, shares) */
  readonly amount: number;
  readonly side: "buy" | "sell";
  readonly id?: string;
}

/**
 * An order-book snapshot, best level first. STOM reads ten levels (Upbit sends 15, Binance's
 * depth10 ten, Kiwoom ten) and shows five of them aligned to the last price; deeper levels are
 * ignored, missing ones count as 0.
 */
export interface BookEvent {
  readonly type: "book";
  readonly time: number;
  readonly asks: readonly (readonly [number, number])[];
  readonly bids: readonly (readonly [number, number])[];
  /** the venue's whole-book totals (Upbit total_ask_size / total_bid_size); else the ten levels' sums */
  readonly totalAskSize?: number;
  readonly totalBidSize?: number;
}

/** A day ticker: the venue's day-so-far view (Upbit's ticker, Binance's 24h ticker). */
export interface TickerEvent {
  readonly type: "ticker";
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly last: number;
  readonly previousClose?: number;
  /** the day's traded value so far (quote currency) */
  readonly quoteVolume?: number;
}

export type ReceiverEvent = TradeEvent | BookEvent | TickerEvent;

/** One STOM snapshot: "index" (STOM's yyyymmddhhmmss) and every column of STOM_COLUMNS[kind]. */
export type StomRow = Record<string, number>;
