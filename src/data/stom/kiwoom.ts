// The stock-only columns of STOM's stock_tick / stock_min rows, as STOM V1's Kiwoom receiver
// writes them (Py-CI-Park/STOM@63aa7ef, stock/kiwoom_receiver_tick.py; the minute receiver
// stock/kiwoom_receiver_min.py inherits the same rules). Line numbers are of that commit.
import { msToStomIndex, stomIndexToMs } from "./time.ts";

/**
 * What the source data cannot tell about a stock and the receiver reads from Kiwoom: listed
 * shares and the previous day's trading. The fixture derives plausible constants (fixture.ts).
 */
export interface StockFacts {
  /** listed shares: 회전율, 시가총액 */
  readonly listedShares: number;
  /** shares traded on the previous day: 전일비, 전일동시간비 */
  readonly previousVolume: number;
  /** KRW traded on the previous day: 거래대금증감 */
  readonly previousValue: number;
}

/**
 * STOM's GetVIPrice (utility/static.py:394, plain-Python twin at :508): the static VI band 10%
 * around a base price, the upper price rounded up and the lower one down to the tick grid; the
 * tick is the upper price's. Python's int() truncation is kept, so a float just under a tick
 * multiple rounds as STOM rounds it.
 *
 *   viPrices(49_400, (p) => krxTickSize2019(p))  // {up: 54_400, down: 44_450, unit: 100}
 */
export function viPrices(
  base: number,
  tickSize: (price: number) => number,
): { up: number; down: number; unit: number } {
  let up = Math.trunc(base * 1.1);
  const unit = tickSize(up);
  if (up % unit !== 0) up += unit - (up % unit);
  let down = Math.trunc(base * 0.9);
  const below = tickSize(down);
  if (down % below !== 0) down -= down % below;
  return { up, down, unit };
}

// roundfigure_upper5 (utility/static.py:233): the ranges are the round figure to five ticks above
const ROUND_FIGURES_2019: readonly (readonly [number, number])[] = [
  [1000, 1025],
  [5000, 5050],
  [10000, 10250],
  [50000, 50500],
  [100000, 102500],
  [500000, 505000],
];
const ROUND_FIGURES_2023: readonly (readonly [number, number])[] = [
  [2000, 2025],
  [5000, 5050],
  [20000, 20250],
  [50000, 50500],
  [200000, 202500],
  [500000, 505000],
];

/**
 * STOM's roundfigure_upper5(price, index): the price lies on a round figure or at most five ticks
 * above it, with the tick table of the date (KRX reform of 2023-01-25).
 */
export function roundFigureUpper5(price: number, index: number): boolean {
  const seconds = index < 1e13 ? index * 100 : index;
  const ranges = seconds < 20230125000000 ? ROUND_FIGURES_2019 : ROUND_FIGURES_2023;
  for (const [low, high] of ranges) if (price >= low && price <= high) return true;
  return false;
}

/**
 * Cumulative share of a KRX day's volume traded by the end of each minute since 09:00
 * (0..390): the 09:00 opening auction (3%), a U-shaped continuous session 09:00-15:20 (91%),
 * no trades during the 15:20-15:30 closing auction's order book, its print at 15:30 (6%).
 * A MODEL of yesterday's intraday profile, for 전일동시간비.
 */
export const KRX_VOLUME_PROFILE: Float64Array = (() => {
  const continuous = 380;
  const weights = new Float64Array(continuous);
  let total = 0;
  for (let m = 0; m < continuous; m++) {
    weights[m] = 1 + 4 * Math.exp(-m / 12) + 1.5 * Math.exp(-(continuous - 1 - m) / 15);
    total += weights[m];
  }
  const profile = new Float64Array(391);
  let cum = 0.03;
  for (let m = 0; m <= 390; m++) {
    if (m < continuous) cum += (0.91 * weights[m]) / total;
    profile[m] = m === 390 ? 1 : cum;
  }
  return profile;
})();

/** Per row: the day's open (시가), cumulative volume, price and STOM index, in the DB's zone. */
export interface StockRows {
  readonly index: Float64Array;
  readonly day: Float64Array | Int32Array;
  readonly price: Float64Array;
  /** the row's own high and low (minute bars); ticks use the price */
  readonly high?: Float64Array;
  readonly low?: Float64Array;
  readonly dayOpen: Float64Array;
  readonly cumVolume: Float64Array;
  /** 당일거래대금, millions of KRW */
  readonly turnover: Float64Array;
}

/**
 * Fills 거래대금증감, 전일비, 회전율, 전일동시간비, 시가총액 and 라운드피겨위5호가이내 the way the
 * receiver takes them from Kiwoom's real-time 주식체결 FIDs (kiwoom_receiver_tick.py:427-431),
 * with STOM's own definitions of them (ui/set_text.py:95-99):
 * - 거래대금증감 (FID 29) = 당일거래대금 - 전일거래대금, millions of KRW;
 * - 전일비 (FID 30) = 당일거래량 / 전일거래량 × 100;
 * - 회전율 (FID 31) = 당일거래량 / 상장주식수 × 100;
 * - 전일동시간비 (FID 851 / 100) = 당일거래량 / 전일 동시간 거래량 × 100, yesterday's volume by
 *   the same minute taken from KRX_VOLUME_PROFILE;
 * - 시가총액 (FID 311) = int(현재가 × 상장주식수 / 1억), 억원 (STOM_V3 computes it so:
 *   trade/base_receiver.py:258);
 * - 라운드피겨위5호가이내 = roundfigure_upper5(현재가, 체결시간) (kiwoom_receiver_tick.py:591).
 * Ratios are rounded to 2 decimals, as Kiwoom sends them.
 */
export function stockColumns(out: Record<string, Float64Array>, rows: StockRows, facts?: StockFacts): void {
  const { index, price, cumVolume, turnover } = rows;
  const { listedShares = 0, previousVolume = 0, previousValue = 0 } = facts ?? {};
  const change = out.거래대금증감;
  const previousRatio = out.전일비;
  const turnoverRate = out.회전율;
  const sameTime = out.전일동시간비;
  const cap = out.시가총액;
  const round = out.라운드피겨위5호가이내;
  const previousMillions = Math.round(previousValue / 1e6);
  for (let i = 0; i < price.length; i++) {
    const p = price[i];
    const v = cumVolume[i];
    change[i] = previousValue > 0 ? turnover[i] - previousMillions : 0;
    previousRatio[i] = previousVolume > 0 ? round2((v / previousVolume) * 100) : 0;
    turnoverRate[i] = listedShares > 0 ? round2((v / listedShares) * 100) : 0;
    const m = minutesSinceOpen(index[i]);
    sameTime[i] = previousVolume > 0 ? round2((v / (previousVolume * KRX_VOLUME_PROFILE[m])) * 100) : 0;
    cap[i] = Math.trunc((p * listedShares) / 1e8);
    round[i] = roundFigureUpper5(p, index[i]) ? 1 : 0;
  }
}

/** minutes from 09:00 of the row's hh:mm, clamped to the session 0..390 */
function minutesSinceOpen(index: number): number {
  const hhmm = index >= 1e13 ? Math.floor(index / 100) % 10000 : index % 10000;
  const m = Math.floor(hhmm / 100) * 60 + (hhmm % 100) - 540;
  return Math.max(0, Math.min(390, m));
}

const SECOND = 1000;
/** KRX static VI: a two-minute call auction that ends at a random moment in the next 30 s */
const VI_AUCTION_MS = 120 * SECOND;
const VI_RANDOM_END_S = 30;

/**
 * VI해제시간, VI가격 and VI호가단위 per row, following the receiver's dict_vipr state
 * (kiwoom_receiver_tick.py:358-367, 581-584, 599, 700-713):
 * - the day's first tick calls InsertViPrice(code, 시가): VI가격/VI호가단위 = GetVIPrice(시가)
 *   and VI해제시간 = that tick's time - 3600 s (timedelta_sec(-3600)), so a day without a VI
 *   carries 08:00:xx when trading starts at 09:00:xx;
 * - a VI발동 event (gubun '1', either direction) sets VI해제시간 = trigger + 5 s and keeps the old
 *   VI가격; here a static VI triggers on the first row whose price (a minute's high or low)
 *   reaches VI가격 or falls to the lower band, once the previous VI해제시간 has passed;
 * - the first tick after that calls UpdateViPrice(code, 현재가): VI가격 = GetVIPrice(현재가),
 *   VI해제시간 = that tick + 5 s. In the market that tick is the VI auction's print, two minutes
 *   and a random 0-30 s after the trigger; the source keeps trading through the auction, so the
 *   release is the first row at or after the modeled auction end (minute rows: the end itself).
 * The strategy process stores VI해제시간 as int(strftime('%Y%m%d%H%M%S'))
 * (stock/kiwoom_strategy_tick.py:414).
 */
export function viColumns(
  out: Record<string, Float64Array>,
  rows: StockRows,
  {
    tickSize,
    minutes,
    random,
  }: { tickSize: (price: number) => number; minutes: boolean; random: () => number },
): void {
  const { index, day, price, dayOpen } = rows;
  const high = rows.high ?? price;
  const low = rows.low ?? price;
  const releaseTime = out.VI해제시간;
  const viPrice = out.VI가격;
  const viUnit = out.VI호가단위;
  const span = minutes ? 60 * SECOND : SECOND;
  let currentDay = Number.NaN;
  let band = { up: 0, down: 0, unit: 0 };
  let released = 0;
  let auctionEnd = Number.NaN;
  // VI해제시간 changes a few times a day: convert it to yyyymmddhhmmss only when it does
  let releasedMs = Number.NaN;
  let releasedIndex = 0;
  for (let i = 0; i < price.length; i++) {
    const start = stomIndexToMs(index[i], 0);
    const end = start + span;
    if (day[i] !== currentDay) {
      currentDay = day[i];
      band = viPrices(dayOpen[i], tickSize);
      released = start - 3600 * SECOND;
      auctionEnd = Number.NaN;
    } else if (!Number.isNaN(auctionEnd) && auctionEnd < end) {
      const at = Math.max(auctionEnd, start);
      band = viPrices(price[i], tickSize);
      released = at + 5 * SECOND;
      auctionEnd = Number.NaN;
    }
    if (Number.isNaN(auctionEnd) && (high[i] >= band.up || low[i] <= band.down)) {
      // the trigger moment: the tick itself, or a seeded second of the minute after VI해제시간
      const from = Math.max(start, released + SECOND);
      if (from < end) {
        const trigger = minutes ? from + Math.floor(random() * ((end - from) / SECOND)) * SECOND : start;
        released = trigger + 5 * SECOND;
        auctionEnd = trigger + VI_AUCTION_MS + Math.floor(random() * (VI_RANDOM_END_S + 1)) * SECOND;
      }
    }
    if (released !== releasedMs) {
      releasedMs = released;
      releasedIndex = msToStomIndex(released, 0, true);
    }
    releaseTime[i] = releasedIndex;
    viPrice[i] = band.up;
    viUnit[i] = band.unit;
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
