import { BOOK_COLUMNS, isStockKind, isTickKind, STOM_COLUMNS, type StomKind } from "./columns.ts";
import { mulberry32 } from "./random.ts";
import { krxTickSize2019 } from "./ticksize.ts";

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
  /** stocks: listed shares for 회전율 and 시가총액; KOSDAQ for VI tick sizes */
  listedShares?: number;
  kosdaq?: boolean;
}

/**
 * Derives every STOM column from per-period trading facts, the way STOM's collectors do:
 * 시가/고가/저가 of the day so far, 등락율 against the previous close, cumulative 당일거래대금,
 * 체결강도 = 100 × cumulative buy / sell volume (500 when nothing was sold yet, capped at 500).
 * The 5-level book is MODELED: trades carry no book, so the best level sits at the last trade
 * (ask if it was a taker buy, bid if a sell), levels are one tick apart and the resting sizes
 * are seeded exponential draws around `levelSize`, deeper levels a little larger.
 * Stock-only columns with no source (거래대금증감, 전일비, 전일동시간비, VI해제시간) are 0.
 */
export function buildStomColumns(
  kind: StomKind,
  periods: Periods,
  {
    tickSize,
    previousClose,
    levelSize,
    sizeDecimals = 4,
    seed = 1,
    listedShares = 0,
    kosdaq = false,
  }: SnapshotOptions,
): Record<string, Float64Array> {
  const n = periods.price.length;
  const names = STOM_COLUMNS[kind];
  const out: Record<string, Float64Array> = {};
  for (const name of names) out[name] = new Float64Array(n);
  const tick = isTickKind(kind);
  const stock = isStockKind(kind);
  const per = tick ? "초당" : "분당";
  // Kiwoom reports money in millions of KRW; Upbit in KRW
  const moneyUnit = stock ? 1e6 : 1;
  const random = mulberry32(seed);
  const scale = 10 ** sizeDecimals;
  const size = (depth: number) =>
    Math.max(
      1 / scale,
      Math.round(levelSize * (0.6 + 0.1 * depth) * -Math.log(1 - random()) * scale) / scale,
    );

  out.index.set(periods.index);
  const { day, price, buyQty, sellQty, value, lastSide } = periods;
  const cur = out.현재가;
  const dayOpen = out.시가;
  const dayHigh = out.고가;
  const dayLow = out.저가;
  const change = out.등락율;
  const turnover = out.당일거래대금;
  const strength = out.체결강도;
  const perBuy = out[`${per}매수수량`];
  const perSell = out[`${per}매도수량`];
  const perValue = out[`${per}거래대금`];
  const hlChange = out.고저평균대비등락율;
  const askTotal = out.매도총잔량;
  const bidTotal = out.매수총잔량;
  const sum5 = out.매도수5호가잔량합;
  const interest = out.관심종목;
  const book = BOOK_COLUMNS.map((name) => out[name]);

  let currentDay = Number.NaN;
  let open = 0;
  let high = 0;
  let low = 0;
  let reference = 0;
  let cumValue = 0;
  let cumBuy = 0;
  let cumSell = 0;
  let cumVolume = 0;
  for (let i = 0; i < n; i++) {
    const p = price[i];
    const periodHigh = periods.high ? periods.high[i] : p;
    const periodLow = periods.low ? periods.low[i] : p;
    if (day[i] !== currentDay) {
      currentDay = day[i];
      open = periods.open ? periods.open[i] : p;
      high = periodHigh;
      low = periodLow;
      reference = previousClose ? previousClose(currentDay, open) : open;
      cumValue = 0;
      cumBuy = 0;
      cumSell = 0;
      cumVolume = 0;
    }
    if (periodHigh > high) high = periodHigh;
    if (periodLow < low) low = periodLow;
    cumValue += value[i];
    cumBuy += buyQty[i];
    cumSell += sellQty[i];
    cumVolume += buyQty[i] + sellQty[i];
    cur[i] = p;
    dayOpen[i] = open;
    dayHigh[i] = high;
    dayLow[i] = low;
    change[i] = round2((p / reference - 1) * 100);
    turnover[i] = stock ? Math.round(cumValue / moneyUnit) : Math.round(cumValue);
    strength[i] = cumSell === 0 ? 500 : Math.min(500, round2((cumBuy / cumSell) * 100));
    perBuy[i] = buyQty[i];
    perSell[i] = sellQty[i];
    perValue[i] = stock ? Math.round(value[i] / moneyUnit) : Math.round(value[i]);
    hlChange[i] = round2((p / ((high + low) / 2) - 1) * 100);

    const t = tickSize(p);
    const bestAsk = lastSide[i] > 0 ? p : p + t;
    const bestBid = bestAsk - t;
    let asks = 0;
    let bids = 0;
    for (let level = 0; level < 5; level++) {
      // asks are stored far to near (매도호가5..1), bids near to far (매수호가1..5)
      book[4 - level][i] = bestAsk + level * t;
      book[5 + level][i] = bestBid - level * t;
      const askSize = size(level);
      const bidSize = size(level);
      book[14 - level][i] = askSize;
      book[15 + level][i] = bidSize;
      asks += askSize;
      bids += bidSize;
    }
    // totals cover the whole book, deeper than five levels
    askTotal[i] = Math.round((asks * 2.5 + size(5) * 5) * scale) / scale;
    bidTotal[i] = Math.round((bids * 2.5 + size(5) * 5) * scale) / scale;
    sum5[i] = Math.round((asks + bids) * scale) / scale;
    interest[i] = periods.interest ? periods.interest[i] : 0;

    if (!tick) {
      out.분봉시가[i] = periods.open ? periods.open[i] : p;
      out.분봉고가[i] = periodHigh;
      out.분봉저가[i] = periodLow;
    }
    if (stock) {
      out.회전율[i] = listedShares > 0 ? round2((cumVolume / listedShares) * 100) : 0;
      out.시가총액[i] = Math.round((p * listedShares) / 1e8);
      out.라운드피겨위5호가이내[i] = aboveRoundFigure(p, t) ? 1 : 0;
      // static VI triggers 10% above the reference, on the tick grid of that price
      const viTick = krxTickSize2019(reference * 1.1, kosdaq);
      out.VI가격[i] = Math.ceil((reference * 1.1) / viTick) * viTick;
      out.VI호가단위[i] = viTick;
    }
  }
  return out;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** within five ticks above a round figure: a multiple of the price's leading power of ten */
function aboveRoundFigure(price: number, tick: number): boolean {
  const unit = 10 ** Math.floor(Math.log10(price));
  const over = price - Math.floor(price / unit) * unit;
  return over <= 5 * tick;
}
