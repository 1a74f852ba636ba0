/**
 * STOM's four SQLite layouts, column for column, in the order STOM's collectors write them
 * (pandas `to_sql` of one DataFrame per symbol: `index` INTEGER, everything else REAL).
 *
 * Units follow the collectors: prices in KRW; stock 당일거래대금/초당거래대금 in millions of KRW
 * (Kiwoom's unit), 시가총액 in 100 million KRW (억원); coin 당일거래대금/초당거래대금 in KRW.
 * 체결강도 = 100 × cumulative taker-buy volume / taker-sell volume, capped at 500.
 */
export type StomKind = "stock_tick" | "stock_min" | "coin_tick" | "coin_min";

export const STOM_KINDS: readonly StomKind[] = ["stock_tick", "stock_min", "coin_tick", "coin_min"];

const ASK_PRICES = ["매도호가5", "매도호가4", "매도호가3", "매도호가2", "매도호가1"] as const;
const BID_PRICES = ["매수호가1", "매수호가2", "매수호가3", "매수호가4", "매수호가5"] as const;
const ASK_SIZES = ["매도잔량5", "매도잔량4", "매도잔량3", "매도잔량2", "매도잔량1"] as const;
const BID_SIZES = ["매수잔량1", "매수잔량2", "매수잔량3", "매수잔량4", "매수잔량5"] as const;

/** the 5-level book as STOM orders it: asks far to near, bids near to far, then sizes alike */
export const BOOK_COLUMNS: readonly string[] = [...ASK_PRICES, ...BID_PRICES, ...ASK_SIZES, ...BID_SIZES];

const BOOK_TAIL = ["매도총잔량", "매수총잔량", ...BOOK_COLUMNS, "매도수5호가잔량합", "관심종목"];

export const STOCK_TICK_COLUMNS: readonly string[] = Object.freeze([
  "index",
  "현재가",
  "시가",
  "고가",
  "저가",
  "등락율",
  "당일거래대금",
  "체결강도",
  "거래대금증감",
  "전일비",
  "회전율",
  "전일동시간비",
  "시가총액",
  "라운드피겨위5호가이내",
  "초당매수수량",
  "초당매도수량",
  "VI해제시간",
  "VI가격",
  "VI호가단위",
  "초당거래대금",
  "고저평균대비등락율",
  ...BOOK_TAIL,
]);

export const STOCK_MIN_COLUMNS: readonly string[] = Object.freeze([
  "index",
  "현재가",
  "시가",
  "고가",
  "저가",
  "등락율",
  "당일거래대금",
  "체결강도",
  "거래대금증감",
  "전일비",
  "회전율",
  "전일동시간비",
  "시가총액",
  "라운드피겨위5호가이내",
  "분당매수수량",
  "분당매도수량",
  "VI해제시간",
  "VI가격",
  "VI호가단위",
  "분봉시가",
  "분봉고가",
  "분봉저가",
  "분당거래대금",
  "고저평균대비등락율",
  ...BOOK_TAIL,
]);

export const COIN_TICK_COLUMNS: readonly string[] = Object.freeze([
  "index",
  "현재가",
  "시가",
  "고가",
  "저가",
  "등락율",
  "당일거래대금",
  "체결강도",
  "초당매수수량",
  "초당매도수량",
  "초당거래대금",
  "고저평균대비등락율",
  ...BOOK_TAIL,
]);

export const COIN_MIN_COLUMNS: readonly string[] = Object.freeze([
  "index",
  "현재가",
  "시가",
  "고가",
  "저가",
  "등락율",
  "당일거래대금",
  "체결강도",
  "분당매수수량",
  "분당매도수량",
  "분봉시가",
  "분봉고가",
  "분봉저가",
  "분당거래대금",
  "고저평균대비등락율",
  ...BOOK_TAIL,
]);

export const STOM_COLUMNS: Readonly<Record<StomKind, readonly string[]>> = Object.freeze({
  stock_tick: STOCK_TICK_COLUMNS,
  stock_min: STOCK_MIN_COLUMNS,
  coin_tick: COIN_TICK_COLUMNS,
  coin_min: COIN_MIN_COLUMNS,
});
