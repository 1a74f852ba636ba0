// STOM's receivers as one pure builder: trades, order books and tickers in, STOM snapshot rows
// out. Every rule cites the receiver it follows, at Py-CI-Park/STOM@63aa7ef:
//   coin/upbit_receiver_tick.py    (Upbit: ticker + orderbook websocket)
//   coin/binance_receiver_tick.py  (Binance futures: aggTrade + depth10; day stats from trades)
//   stock/kiwoom_receiver_tick.py  (Kiwoom: 주식체결 + 주식호가잔량)
// Isomorphic: no Node imports, so the recorder, live tick trading and the offline rebuild from a
// trade tape all run this same code.
import { krxTickSize } from "../../engine/markets/tick-size.ts";
import { pyRound } from "../../engine/pymath.ts";
import { roundFigureUpper5, viPrices } from "./kiwoom.ts";
import type { ReceiverEvent, ReceiverKind, StomRow } from "./receiver-events.ts";
import { KST_OFFSET_MS, msToStomIndex } from "./time.ts";

export type {
  BookEvent,
  ReceiverEvent,
  ReceiverKind,
  StomRow,
  TickerEvent,
  TradeEvent,
} from "./receiver-events.ts";

export interface ReceiverOptions {
  readonly kind: ReceiverKind;
  readonly symbol: string;
  /** stock_tick: tick size at a price, for VI가격/VI호가단위; KRX's table of the trading day by default */
  readonly tickSize?: (price: number) => number;
  /** reference price for 등락율 until a ticker or a day change gives one; the first price otherwise */
  readonly previousClose?: number;
  /** 관심종목 at the start (the recorder flips it with setInterest as its top-N list changes) */
  readonly interest?: boolean;
  /**
   * A book older than this (ms) at a trade counts as missing: rows then close per second of
   * trades with book columns 0, instead of waiting for a book message as STOM does.
   */
  readonly bookTimeoutMs?: number;
  /** zone of `index`: STOM writes coin rows in UTC and stock rows in KST */
  readonly indexOffsetMs?: number;
  /** zone of the trading day (day-so-far columns restart at its midnight): UTC coins, KST stocks */
  readonly dayOffsetMs?: number;
}

/** ten levels: what STOM reads of each side before it shows five (upbit_receiver_tick.py:121-136) */
const LEVELS = 10;
const DAY_MS = 86_400_000;
const KRX_OPEN_MS = 9 * 3_600_000;

/**
 * Python's round(x, n) (STOM rounds 체결강도, 등락율 and sums so). The plain float path agrees with
 * CPython unless x·10^n lies within rounding error of a tie; only then pay for the exact one.
 */
function round(x: number, n: number): number {
  const p = n === 2 ? 100 : 10 ** n;
  const f = x * p;
  const frac = f - Math.floor(f);
  if (Math.abs(frac - 0.5) > Math.abs(f) * 1e-15 + 1e-9) return Math.round(f) / p;
  return pyRound(x, n);
}

/**
 * One symbol's receiver. Rows come when STOM would send one:
 * - while a book is fresh (within bookTimeoutMs of a trade), on the FIRST book message of each new
 *   second, labelled with that second and carrying the state at that moment
 *   (UpdateHogaData: `if dt > self.dict_tmdt[code][0]: send = True`, upbit_receiver_tick.py:234-240,
 *   binance_receiver_tick.py:268-274); later book messages of the same second only refresh the book;
 * - with no book (a trade tape, a venue without one, a dropped book feed), STOM would send nothing;
 *   here each second with trades gives one row when a later event or flush() closes it, with the
 *   state at the end of that second and every book column 0 (missing, never invented).
 * Accumulation is by arrival, as in STOM: an event stamped in an already-sent second counts in
 * the next row; sent rows are never revised.
 */
export class SnapshotReceiver {
  readonly kind: ReceiverKind;
  readonly symbol: string;
  private readonly stock: boolean;
  private readonly tickSizeOption?: (price: number) => number;
  private readonly bookTimeoutMs: number;
  private readonly indexOffsetMs: number;
  private readonly dayOffsetMs: number;
  private interest: boolean;

  // day state (dict_data[code]: c, o, h, low, per, dm, ch, bids, asks, tbids, tasks)
  private day = Number.NaN;
  private previousClose: number;
  private c = Number.NaN;
  private o = 0;
  private h = 0;
  private low = 0;
  private per = 0;
  /** 당일거래대금 as STOM stores it (KRW coins, millions of KRW stocks) */
  private dm = 0;
  /** stocks: the day's traded KRW, unrounded (Kiwoom sends 누적거래대금 in millions) */
  private dmKrw = 0;
  private ch = 0;
  private tbids = 0;
  private tasks = 0;
  // since the last row (초당 columns; reset on send: upbit_receiver_tick.py:290)
  private bids = 0;
  private asks = 0;
  /** dict_tmdt[code] = [dt, dm]: second and 당일거래대금 of the last row; -Infinity before the first */
  private lastRowSecond = Number.NEGATIVE_INFINITY;
  private dmAtLastRow = 0;
  /** trade-clock mode: the second whose trades wait for their row; NaN when none */
  private pendingSecond = Number.NaN;

  // book: level i+1 at [i], best first; zeros where the venue gave fewer levels
  private readonly askPrice = new Float64Array(LEVELS);
  private readonly askSize = new Float64Array(LEVELS);
  private readonly bidPrice = new Float64Array(LEVELS);
  private readonly bidSize = new Float64Array(LEVELS);
  private totalAsk = 0;
  private totalBid = 0;
  private lastBookTime = Number.NEGATIVE_INFINITY;
  /** a row's book columns in STOM's order (see bookColumns) */
  private readonly scratch = new Float64Array(23);
  /** stocks: best ask/bid when the last trade printed (주식체결 FIDs 27/28, kiwoom_receiver_tick.py:596) */
  private csp = 0;
  private cbp = 0;

  // stocks: STOM's dict_vipr[code] = [on, 해제시간, uvi, dvi, hogaunit] (kiwoom_receiver_tick.py:700-702)
  private viRelease = 0;
  private viPrice = 0;
  private viUnit = 0;

  constructor({
    kind,
    symbol,
    tickSize,
    previousClose,
    interest = false,
    bookTimeoutMs = 3000,
    indexOffsetMs,
    dayOffsetMs,
  }: ReceiverOptions) {
    if (kind !== "coin_tick" && kind !== "stock_tick") throw new Error(`invalid receiver kind: ${kind}`);
    if (!symbol) throw new Error(`invalid symbol: ${JSON.stringify(symbol)}`);
    if (previousClose !== undefined && !(previousClose > 0))
      throw new Error(`invalid previousClose: ${previousClose}`);
    if (!(bookTimeoutMs >= 0)) throw new Error(`invalid bookTimeoutMs: ${bookTimeoutMs}`);
    this.kind = kind;
    this.symbol = symbol;
    this.stock = kind === "stock_tick";
    this.tickSizeOption = tickSize;
    this.previousClose = previousClose ?? Number.NaN;
    this.interest = interest;
    this.bookTimeoutMs = bookTimeoutMs;
    // coin: dt = from_timestamp(T / 1000 - 32400) on a KST machine, i.e. UTC (upbit_receiver_tick.py:97);
    // stock: dt = today + 체결시간, KST (kiwoom_receiver_tick.py:398)
    const zone = this.stock ? KST_OFFSET_MS : 0;
    this.indexOffsetMs = indexOffsetMs ?? zone;
    // Upbit's acc_* and Binance's ymd check restart at 00:00 UTC (binance_receiver_tick.py:215);
    // KRX days are KST days
    this.dayOffsetMs = dayOffsetMs ?? zone;
  }

  /** 관심종목 from now on: STOM lists the top 10 by 당일거래대금, re-ranked every 10 s (MoneyTopSearch) */
  setInterest(listed: boolean): void {
    this.interest = listed;
  }

  /** feeds one event; returns the rows of seconds that this event closed (usually 0 or 1) */
  push(event: ReceiverEvent): StomRow[] {
    const time = event.time;
    if (!Number.isFinite(time)) throw new Error(`invalid event time: ${time}`);
    // Kiwoom: 주식체결 and 주식호가잔량 before 09:00:00 KST are dropped (kiwoom_receiver_tick.py:372, 441)
    if (this.stock && (time + KST_OFFSET_MS) % DAY_MS < KRX_OPEN_MS) return NONE;
    const second = Math.floor(time / 1000);
    let rows: StomRow[] = NONE;
    // a trade-clock second ends when anything of a later second arrives
    if (second > this.pendingSecond) rows = [this.closePending()];
    switch (event.type) {
      case "trade":
        this.trade(event.price, event.amount, event.side, time, second);
        break;
      case "ticker":
        this.ticker(
          event.open,
          event.high,
          event.low,
          event.last,
          event.previousClose,
          event.quoteVolume,
          time,
        );
        break;
      case "book": {
        const row = this.book(event.asks, event.bids, event.totalAskSize, event.totalBidSize, time, second);
        if (row) rows = rows === NONE ? [row] : [...rows, row];
        break;
      }
      default:
        throw new Error(`invalid event type: ${(event as { type: unknown }).type}`);
    }
    return rows;
  }

  /** closes every second ending at or before `now` (UTC ms) and returns their rows */
  flush(now: number): StomRow[] {
    if ((this.pendingSecond + 1) * 1000 <= now) return [this.closePending()];
    return NONE;
  }

  private trade(price: number, amount: number, side: "buy" | "sell", time: number, second: number): void {
    if (!(price > 0)) throw new Error(`invalid trade price: ${price}`);
    if (!(amount >= 0)) throw new Error(`invalid trade amount: ${amount}`);
    const day = Math.floor((time + this.dayOffsetMs) / DAY_MS);
    const value = amount * price;
    if (day > this.day || Number.isNaN(this.c)) {
      // a new day: yesterday's last price is the reference, everything else restarts
      // (binance_receiver_tick.py:216-220); the first trade ever starts a day the same way
      this.newDay(day, time, price);
      this.o = price;
      this.h = price;
      this.low = price;
      this.addValue(value, true);
    } else {
      if (price > this.h) this.h = price;
      if (price < this.low) this.low = price;
      this.addValue(value, false);
    }
    // m (buyer is maker) means a taker sell (binance_receiver_tick.py:228-233)
    const buy = side === "buy";
    if (buy) {
      this.bids += amount;
      this.tbids = round(this.tbids + amount, 8);
    } else {
      this.asks += amount;
      this.tasks = round(this.tasks + amount, 8);
    }
    this.c = price;
    this.strength();
    this.per = round((price / this.previousClose - 1) * 100, 2);
    if (this.stock) {
      // 매도호가1/매수호가1 as they stood when this trade printed
      this.csp = this.askPrice[0] > 0 ? this.askPrice[0] : price;
      this.cbp = this.bidPrice[0] > 0 ? this.bidPrice[0] : price;
    }
    // no fresh book: the trade's own second will give the row
    if (time - this.lastBookTime > this.bookTimeoutMs && second > this.lastRowSecond) {
      if (!(second <= this.pendingSecond)) this.pendingSecond = second;
    }
  }

  /** Upbit's ticker path: the venue's day-so-far values win over what trades derived (:95-111) */
  private ticker(
    open: number,
    high: number,
    low: number,
    last: number,
    previousClose: number | undefined,
    quoteVolume: number | undefined,
    time: number,
  ): void {
    if (!(last > 0)) throw new Error(`invalid ticker last: ${last}`);
    const day = Math.floor((time + this.dayOffsetMs) / DAY_MS);
    if (day > this.day || Number.isNaN(this.c)) this.newDay(day, time, open > 0 ? open : last);
    if (previousClose !== undefined) {
      if (!(previousClose > 0)) throw new Error(`invalid ticker previousClose: ${previousClose}`);
      this.previousClose = previousClose;
    }
    this.c = last;
    this.o = open;
    this.h = high;
    this.low = low;
    // per = round(signed_change_rate * 100, 2) = (c - prev close) / prev close (upbit_receiver_tick.py:104)
    this.per = round((last / this.previousClose - 1) * 100, 2);
    if (quoteVolume !== undefined) {
      if (!(quoteVolume >= 0)) throw new Error(`invalid ticker quoteVolume: ${quoteVolume}`);
      if (this.stock) {
        this.dmKrw = quoteVolume;
        this.dm = Math.round(quoteVolume / 1e6);
      } else this.dm = quoteVolume; // acc_trade_price (:107)
    }
  }

  private book(
    asks: readonly (readonly [number, number])[],
    bids: readonly (readonly [number, number])[],
    totalAsk: number | undefined,
    totalBid: number | undefined,
    time: number,
    second: number,
  ): StomRow | undefined {
    const { askPrice, askSize, bidPrice, bidSize } = this;
    const na = Math.min(LEVELS, asks.length);
    const nb = Math.min(LEVELS, bids.length);
    askPrice.fill(0);
    askSize.fill(0);
    bidPrice.fill(0);
    bidSize.fill(0);
    for (let i = 0; i < na; i++) {
      askPrice[i] = asks[i][0];
      askSize[i] = asks[i][1];
    }
    for (let i = 0; i < nb; i++) {
      bidPrice[i] = bids[i][0];
      bidSize[i] = bids[i][1];
    }
    if (totalAsk !== undefined && totalBid !== undefined) {
      this.totalAsk = totalAsk;
      this.totalBid = totalBid;
    } else {
      // Binance: round(sum(hoga_samount), 8), the ten levels far to near (binance_receiver_tick.py:133-135)
      let sa = 0;
      for (let i = LEVELS - 1; i >= 0; i--) sa += askSize[i];
      let sb = 0;
      for (let i = 0; i < LEVELS; i++) sb += bidSize[i];
      this.totalAsk = round(sa, 8);
      this.totalBid = round(sb, 8);
    }
    this.lastBookTime = time;
    // no row before the first trade or ticker (`if code in self.dict_data`), nor twice in a second
    if (Number.isNaN(this.c) || second <= this.lastRowSecond) return undefined;
    // Kiwoom skips books whose 5th bid is empty, except for the first row (kiwoom_receiver_tick.py:622)
    if (this.stock && this.lastRowSecond !== Number.NEGATIVE_INFINITY && bidSize[4] === 0) return undefined;
    // the trades of this second so far ride in the book's row, not in a trade-clock row of their own
    if (this.pendingSecond === second) this.pendingSecond = Number.NaN;
    return this.send(second, true);
  }

  /** the trade-clock row of the pending second, book columns 0 */
  private closePending(): StomRow {
    const second = this.pendingSecond;
    this.pendingSecond = Number.NaN;
    return this.send(second, false);
  }

  /** UpdateHogaData's send branch (upbit_receiver_tick.py:242-290) */
  private send(second: number, withBook: boolean): StomRow {
    const index = msToStomIndex(second * 1000, this.indexOffsetMs, true);
    const c = this.c;
    const q = this.scratch;
    if (withBook) this.bookColumns(this.stock ? this.csp : c, this.stock ? this.cbp : c);
    else q.fill(0);
    // sm = dm - dict_tmdt[code][1]; the first row of a session takes the whole 당일거래대금 (:238-240)
    const sm = this.dm - this.dmAtLastRow;
    // hlp = round((c / ((h + low) / 2) - 1) * 100, 2) (:276)
    const hlp = round((c / ((this.h + this.low) / 2) - 1) * 100, 2);
    // gsjm = 1 if code in self.list_gsjm (:279)
    const gsjm = this.interest ? 1 : 0;
    this.lastRowSecond = second;
    this.dmAtLastRow = this.dm;
    const bids = this.bids;
    const asks = this.asks;
    this.bids = 0;
    this.asks = 0;
    // one literal per kind, keys in STOM_COLUMNS order (Object.values lines up with the table):
    // V8 gives it fast properties, where 36 assignments one by one end in a slow dictionary object
    if (!this.stock) {
      return {
        index,
        현재가: c,
        시가: this.o,
        고가: this.h,
        저가: this.low,
        등락율: this.per,
        당일거래대금: this.dm,
        체결강도: this.ch,
        초당매수수량: bids,
        초당매도수량: asks,
        초당거래대금: sm,
        고저평균대비등락율: hlp,
        매도총잔량: q[0],
        매수총잔량: q[1],
        매도호가5: q[2],
        매도호가4: q[3],
        매도호가3: q[4],
        매도호가2: q[5],
        매도호가1: q[6],
        매수호가1: q[7],
        매수호가2: q[8],
        매수호가3: q[9],
        매수호가4: q[10],
        매수호가5: q[11],
        매도잔량5: q[12],
        매도잔량4: q[13],
        매도잔량3: q[14],
        매도잔량2: q[15],
        매도잔량1: q[16],
        매수잔량1: q[17],
        매수잔량2: q[18],
        매수잔량3: q[19],
        매수잔량4: q[20],
        매수잔량5: q[21],
        매도수5호가잔량합: q[22],
        관심종목: gsjm,
      };
    }
    return {
      index,
      현재가: c,
      시가: this.o,
      고가: this.h,
      저가: this.low,
      등락율: this.per,
      당일거래대금: this.dm,
      체결강도: this.ch,
      // Kiwoom's 주식체결 FIDs 29/30/31/851/311: nothing in a trade or a book says them, so 0 (missing)
      거래대금증감: 0,
      전일비: 0,
      회전율: 0,
      전일동시간비: 0,
      시가총액: 0,
      // rf = roundfigure_upper5(c, dt) (kiwoom_receiver_tick.py:591)
      라운드피겨위5호가이내: roundFigureUpper5(c, index) ? 1 : 0,
      초당매수수량: bids,
      초당매도수량: asks,
      VI해제시간: this.viRelease,
      VI가격: this.viPrice,
      VI호가단위: this.viUnit,
      초당거래대금: sm,
      고저평균대비등락율: hlp,
      매도총잔량: q[0],
      매수총잔량: q[1],
      매도호가5: q[2],
      매도호가4: q[3],
      매도호가3: q[4],
      매도호가2: q[5],
      매도호가1: q[6],
      매수호가1: q[7],
      매수호가2: q[8],
      매수호가3: q[9],
      매수호가4: q[10],
      매수호가5: q[11],
      매도잔량5: q[12],
      매도잔량4: q[13],
      매도잔량3: q[14],
      매도잔량2: q[15],
      매도잔량1: q[16],
      매수잔량1: q[17],
      매수잔량2: q[18],
      매수잔량3: q[19],
      매수잔량4: q[20],
      매수잔량5: q[21],
      매도수5호가잔량합: q[22],
      관심종목: gsjm,
    };
  }

  /**
   * Five of the ten levels, aligned to the last price: when the book lags the trade (best ask
   * below it, best bid above it), STOM starts at the first level on the price's side and pads
   * the far end with zeros (upbit_receiver_tick.py:245-274; Kiwoom aligns to 매도호가1/매수호가1
   * of the last 주식체결, kiwoom_receiver_tick.py:631-658). Fills `scratch` in STOM's order:
   * 총잔량 ×2, 매도호가5..1, 매수호가1..5, 매도잔량5..1, 매수잔량1..5, 매도수5호가잔량합.
   */
  private bookColumns(askRef: number, bidRef: number): void {
    const { askPrice, askSize, bidPrice, bidSize, scratch: q } = this;
    let a = 0;
    if (askPrice[0] < askRef) {
      for (let i = 0; i < LEVELS; i++) {
        if (askPrice[i] >= askRef) {
          a = i;
          break;
        }
      }
    }
    let b = 0;
    if (bidPrice[0] > bidRef) {
      for (let i = 0; i < LEVELS; i++) {
        if (bidPrice[i] <= bidRef) {
          b = i;
          break;
        }
      }
    }
    q[0] = this.totalAsk;
    q[1] = this.totalBid;
    // 매도호가k is level a+k, 매수호가k level b+k; past the tenth level STOM pads with 0
    let sum = 0;
    for (let k = 0; k < 5; k++) {
      const ask = a + k < LEVELS;
      const bid = b + k < LEVELS;
      q[6 - k] = ask ? askPrice[a + k] : 0;
      q[7 + k] = bid ? bidPrice[b + k] : 0;
      q[16 - k] = ask ? askSize[a + k] : 0;
      q[17 + k] = bid ? bidSize[b + k] : 0;
    }
    // hgjrt = sum(hoga_samount + hoga_bamount): asks far to near, then bids near to far (:277)
    for (let i = 12; i < 22; i++) sum += q[i];
    q[22] = sum;
  }

  private newDay(day: number, time: number, price: number): void {
    const first = Number.isNaN(this.c);
    // yesterday's last price becomes the reference (binance_receiver_tick.py:217); the first day's
    // is the option's, else the first price (등락율 0 until a ticker says otherwise)
    if (!first) this.previousClose = this.c;
    else if (Number.isNaN(this.previousClose)) this.previousClose = price;
    this.day = day;
    this.dm = 0;
    this.dmKrw = 0;
    this.tbids = 0;
    this.tasks = 0;
    this.ch = 0;
    this.bids = 0;
    this.asks = 0;
    // STOM restarts every day (ReceiverProcKill at 23:50 UTC / 15:35 KST), so each day's first row
    // starts the 초당거래대금 difference afresh, as dict_tmdt starts empty
    this.dmAtLastRow = 0;
    if (this.stock) {
      // InsertViPrice(code, o) on the day's first tick: 해제시간 = now - 3600 s, VI가격 from the open
      // (kiwoom_receiver_tick.py:581-582, 700-702); VI발동 comes from a KRX feed we are not given
      const tickSize = this.tickSizeOption ?? ((p: number) => krxTickSize(p, time));
      const vi = viPrices(price, tickSize);
      this.viPrice = vi.up;
      this.viUnit = vi.unit;
      this.viRelease = msToStomIndex(time - 3_600_000, KST_OFFSET_MS, true);
    }
  }

  private addValue(value: number, fresh: boolean): void {
    if (this.stock) {
      // Kiwoom's 누적거래대금 (FID 14) is in millions of KRW
      this.dmKrw = fresh ? value : this.dmKrw + value;
      this.dm = Math.round(this.dmKrw / 1e6);
    } else {
      // dm = round(dm + v * c, 2) (binance_receiver_tick.py:220, 226)
      this.dm = round(fresh ? value : this.dm + value, 2);
    }
  }

  /** ch = round(tbids / tasks * 100, 2), 500 on a division by zero and above 500 (:234-238) */
  private strength(): void {
    if (this.tasks === 0) this.ch = 500;
    else {
      const ch = round((this.tbids / this.tasks) * 100, 2);
      this.ch = Math.min(ch, 500);
    }
  }
}

const NONE: StomRow[] = [];
/**
 * The offline path: the same receiver over a recorded event stream (a trade tape, or trades,
 * books and tickers interleaved in arrival order); the last second is closed at the end.
 *
 *   rebuildSnapshots({ kind: "coin_tick", symbol: "KRW-BTC" }, trades)
 */
export function rebuildSnapshots(options: ReceiverOptions, events: Iterable<ReceiverEvent>): StomRow[] {
  const receiver = new SnapshotReceiver(options);
  const rows: StomRow[] = [];
  for (const event of events) {
    const closed = receiver.push(event);
    for (let i = 0; i < closed.length; i++) rows.push(closed[i]);
  }
  for (const row of receiver.flush(Number.POSITIVE_INFINITY)) rows.push(row);
  return rows;
}
