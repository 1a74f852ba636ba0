import { mulberry32 } from "../../engine/optimize/rng.ts";
import { BOOK_COLUMNS, isStockKind, isTickKind, STOM_COLUMNS, type StomKind } from "./columns.ts";
import { type StockFacts, stockColumns, viColumns } from "./kiwoom.ts";

/** What one period (a second or a minute) of real or simulated trading gives us. */
export interface Periods {
  /** STOM index of each period (yyyymmddhhmmss or yyyymmddhhmm, in the DB's zone) */
  readonly index: Float64Array;
  /** trading day of each period; day-so-far columns restart when it changes */
  readonly day: Float64Array | Int32Array;
  /** last trade price of the period */
  readonly price: Float64Array;
  /** taker-buy and taker-sell quantity in the period */
  readonly buyQty: Float64Array;
  readonly sellQty: Float64Array;
  /** traded value in the period, KRW */
  readonly value: Float64Array;
  /** side of the period's last trade (1 buy, -1 sell): the trade hit the ask or the bid */
  readonly lastSide: Int8Array;
  /** the period's own open/high/low, for minute kinds */
  readonly open?: Float64Array;
  readonly high?: Float64Array;
  readonly low?: Float64Array;
  /** 1 where the symbol is on the interest list (moneytop) */
  readonly interest?: Float64Array;
}

export interface SnapshotOptions {
  /** tick size at a price: the book's level spacing */
  tickSize: (price: number) => number;
  /** reference price per day for 등락율; the day's first price when absent */
  previousClose?: (day: number, firstPrice: number) => number;
  /** mean resting quantity per book level */
  levelSize: number;
  /** decimals kept in modeled book quantities (0 for shares) */
  sizeDecimals?: number;
  seed?: number;
  /** stocks: listed shares and the previous day's trading (회전율, 시가총액, 전일비 ...); 0s without */
  stock?: StockFacts;
}

/**
 * Derives every STOM column from per-period trading facts, the way STOM's collectors do:
 * 시가/고가/저가 of the day so far, 등락율 against the previous close, cumulative 당일거래대금,
 * 체결강도 = 100 × cumulative buy / sell volume (500 when nothing was sold yet, capped at 500).
 * The 5-level book is MODELED: trades carry no book, so the best level sits at the last trade
 * (ask if it was a taker buy, bid if a sell), levels are one tick apart and the resting sizes
 * are seeded exponential draws around `levelSize`, deeper levels a little larger.
 * Stock-only columns follow STOM's Kiwoom receiver (kiwoom.ts): VI해제시간/VI가격/VI호가단위 from
 * the day's open and modeled static VIs, 거래대금증감, 전일비, 회전율, 전일동시간비, 시가총액 from
 * `stock` facts, 라운드피겨위5호가이내 from the price.
 */
export function buildStomColumns(
  kind: StomKind,
  periods: Periods,
  { tickSize, previousClose, levelSize, sizeDecimals = 4, seed = 1, stock: facts }: SnapshotOptions,
): Record<string, Float64Array> {
  const n = periods.price.length;
  const out: Record<string, Float64Array> = {};
  for (const name of STOM_COLUMNS[kind]) out[name] = new Float64Array(n);
  const tick = isTickKind(kind);
  const stock = isStockKind(kind);
  const per = tick ? "초당" : "분당";
  // Kiwoom reports money in millions of KRW; Upbit in KRW
  const moneyUnit = stock ? 1e6 : 1;
  out.index.set(periods.index);
  out[`${per}매수수량`].set(periods.buyQty);
  out[`${per}매도수량`].set(periods.sellQty);
  const perValue = out[`${per}거래대금`];
  for (let i = 0; i < n; i++) perValue[i] = Math.round(periods.value[i] / moneyUnit);
  if (periods.interest) out.관심종목.set(periods.interest);
  if (!tick) {
    out.분봉시가.set(periods.open ?? periods.price);
    out.분봉고가.set(periods.high ?? periods.price);
    out.분봉저가.set(periods.low ?? periods.price);
  }
  // one pass per group of columns: writing 40 arrays per row thrashes the cache at 10M rows
  const day = daySoFar(periods, out, previousClose, moneyUnit);
  modelBook(periods, out, tickSize, levelSize, sizeDecimals, seed);
  if (stock) {
    const rows = {
      index: periods.index,
      day: periods.day,
      price: out.현재가,
      high: tick ? undefined : out.분봉고가,
      low: tick ? undefined : out.분봉저가,
      dayOpen: out.시가,
      cumVolume: day.cumVolume,
      turnover: out.당일거래대금,
    };
    stockColumns(out, rows, facts);
    // its own stream: the book's draws stay what they were
    viColumns(out, rows, { tickSize, minutes: !tick, random: mulberry32(seed ^ 0x56495649) });
  }
  return out;
}

function daySoFar(
  periods: Periods,
  out: Record<string, Float64Array>,
  previousClose: SnapshotOptions["previousClose"],
  moneyUnit: number,
): DayState {
  const { day, price, buyQty, sellQty, value } = periods;
  const periodOpen = periods.open ?? price;
  const periodHigh = periods.high ?? price;
  const periodLow = periods.low ?? price;
  const cur = out.현재가;
  const dayOpen = out.시가;
  const dayHigh = out.고가;
  const dayLow = out.저가;
  const change = out.등락율;
  const turnover = out.당일거래대금;
  const strength = out.체결강도;
  const hlChange = out.고저평균대비등락율;
  const cumVolume = new Float64Array(price.length);
  let currentDay = Number.NaN;
  let open = 0;
  let high = 0;
  let low = 0;
  let ref = 0;
  let cumValue = 0;
  let cumBuy = 0;
  let cumSell = 0;
  for (let i = 0; i < price.length; i++) {
    const p = price[i];
    if (day[i] !== currentDay) {
      currentDay = day[i];
      open = periodOpen[i];
      high = periodHigh[i];
      low = periodLow[i];
      ref = previousClose ? previousClose(currentDay, open) : open;
      cumValue = 0;
      cumBuy = 0;
      cumSell = 0;
    }
    if (periodHigh[i] > high) high = periodHigh[i];
    if (periodLow[i] < low) low = periodLow[i];
    cumValue += value[i];
    cumBuy += buyQty[i];
    cumSell += sellQty[i];
    cur[i] = p;
    dayOpen[i] = open;
    dayHigh[i] = high;
    dayLow[i] = low;
    change[i] = round2((p / ref - 1) * 100);
    turnover[i] = Math.round(cumValue / moneyUnit);
    strength[i] = cumSell === 0 ? 500 : Math.min(500, round2((cumBuy / cumSell) * 100));
    hlChange[i] = round2((p / ((high + low) / 2) - 1) * 100);
    cumVolume[i] = cumBuy + cumSell;
  }
  return { cumVolume };
}

/** per row: the cumulative volume of the day so far */
interface DayState {
  cumVolume: Float64Array;
}

/** exponential(1) quantiles: a table lookup per draw instead of a logarithm */
const EXPONENTIAL = (() => {
  const table = new Float64Array(4096);
  for (let i = 0; i < table.length; i++) table[i] = -Math.log(1 - (i + 0.5) / table.length);
  return table;
})();

function modelBook(
  periods: Periods,
  out: Record<string, Float64Array>,
  tickSize: (price: number) => number,
  levelSize: number,
  sizeDecimals: number,
  seed: number,
): void {
  const { price, lastSide } = periods;
  const n = price.length;
  const book = BOOK_COLUMNS.map((name) => out[name]);
  // asks are stored far to near (매도호가5..1), bids near to far (매수호가1..5)
  const ask1 = book[4];
  const bid1 = book[5];
  const ticks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = price[i];
    const t = tickSize(p);
    ticks[i] = t;
    ask1[i] = lastSide[i] > 0 ? p : p + t;
    bid1[i] = ask1[i] - t;
  }
  for (let level = 1; level < 5; level++) {
    const ask = book[4 - level];
    const bid = book[5 + level];
    for (let i = 0; i < n; i++) {
      ask[i] = ask1[i] + level * ticks[i];
      bid[i] = bid1[i] - level * ticks[i];
    }
  }
  const random = mulberry32(seed);
  const scale = 10 ** sizeDecimals;
  const min = 1 / scale;
  const sum5 = out.매도수5호가잔량합;
  const askTotal = out.매도총잔량;
  const bidTotal = out.매수총잔량;
  for (let level = 0; level < 5; level++) {
    const mean = levelSize * (0.6 + 0.1 * level) * scale;
    for (const column of [book[14 - level], book[15 + level]]) {
      const total = column === book[14 - level] ? askTotal : bidTotal;
      for (let i = 0; i < n; i++) {
        const size = Math.max(min, Math.round(mean * EXPONENTIAL[(random() * 4096) | 0]) / scale);
        column[i] = size;
        total[i] += size;
      }
    }
  }
  // the totals cover the whole book, deeper than five levels
  const deep = levelSize * 5 * scale;
  for (let i = 0; i < n; i++) {
    sum5[i] = Math.round((askTotal[i] + bidTotal[i]) * scale) / scale;
    askTotal[i] = Math.round(askTotal[i] * 2.5 * scale + deep * EXPONENTIAL[(random() * 4096) | 0]) / scale;
    bidTotal[i] = Math.round(bidTotal[i] * 2.5 * scale + deep * EXPONENTIAL[(random() * 4096) | 0]) / scale;
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
