// STOM's DB layouts across versions. V1 (Py-CI-Park/STOM@63aa7ef, the layouts the engine reads:
// src/engine/stom/layouts.ts) and the two later ones of the STOM_V line, from
// c-guevara/STOM_V3@c215f0c:
//   V2 (V2.42, 2026-02-13): V1 plus 저가대비고가등락율 and nine money columns; the update script
//       utility/update_db_20260211.py at ee6a63f lists them (list_stock_tick ...).
//   V3 (V3.00, 2026-04-14): utility/settings/setting_market.py LIST_STOCK_TICK / LIST_STOCK_MIN /
//       LIST_BASIC_TICK / LIST_BASIC_MIN up to 관심종목 (trade/base_strategy.py:1615 saves
//       `팩터목록[:관심종목 + 1]`), the same lists as utility/db_control/update_db_20260418.py.
//       Stocks lose 거래대금증감, 전일비, 회전율, 전일동시간비 and 라운드피겨위5호가이내; the book
//       is stored near to far on both sides (매도호가1..5, 매도잔량1..5). "basic" is the layout of
//       every non-stock market (Upbit, Binance futures, KRX and overseas futures).
// Both later versions write `to_sql(code, con, index=False)`: "index" is an ordinary INTEGER
// column (no ix_ index), everything else REAL. Times as in V1: stock `index` is KST (LS
// securities' chetime, trade/stock_korea/stock_receiver.py:96), coin `index` UTC
// (str_ymdhms_utc, trade/upbit/upbit_receiver.py:81: the exchange's epoch ms minus nine hours,
// read in the KST local time of the PC running STOM).
import { STOM_COLUMNS, type StomKind } from "../../engine/stom/layouts.ts";

export type StomVersion = 1 | 2 | 3;

export interface StomLayout {
  readonly kind: StomKind;
  readonly version: StomVersion;
  readonly columns: readonly string[];
}

const NEAR_TO_FAR_BOOK = [
  ...[1, 2, 3, 4, 5].map((i) => `매도호가${i}`),
  ...[1, 2, 3, 4, 5].map((i) => `매수호가${i}`),
  ...[1, 2, 3, 4, 5].map((i) => `매도잔량${i}`),
  ...[1, 2, 3, 4, 5].map((i) => `매수잔량${i}`),
];
const FAR_TO_NEAR_BOOK = [
  ...[5, 4, 3, 2, 1].map((i) => `매도호가${i}`),
  ...[1, 2, 3, 4, 5].map((i) => `매수호가${i}`),
  ...[5, 4, 3, 2, 1].map((i) => `매도잔량${i}`),
  ...[1, 2, 3, 4, 5].map((i) => `매수잔량${i}`),
];

/** the money columns V2.42 added: per period (초당/분당) then the day so far */
function money(per: "초당" | "분당"): string[] {
  return [
    `${per}매수금액`,
    `${per}매도금액`,
    "당일매수금액",
    "최고매수금액",
    "최고매수가격",
    "당일매도금액",
    "최고매도금액",
    "최고매도가격",
  ];
}

const HEAD = ["index", "현재가", "시가", "고가", "저가", "등락율", "당일거래대금", "체결강도"];
const VI = ["VI해제시간", "VI가격", "VI호가단위"];
const MINUTE_BAR = ["분봉시가", "분봉고가", "분봉저가"];
const V2_STOCK_EXTRA = [
  "거래대금증감",
  "전일비",
  "회전율",
  "전일동시간비",
  "시가총액",
  "라운드피겨위5호가이내",
];

/** V3.00: the near-to-far book, then 매도총잔량, 매수총잔량, 매도수5호가잔량합, 관심종목 */
const V3_TAIL = [...NEAR_TO_FAR_BOOK, "매도총잔량", "매수총잔량", "매도수5호가잔량합", "관심종목"];
/** V2.42 kept V1's far-to-near book order, with the totals after it */
const V2_TAIL = [...FAR_TO_NEAR_BOOK, "매도총잔량", "매수총잔량", "매도수5호가잔량합", "관심종목"];

export const STOM_V3_COLUMNS: Readonly<Record<StomKind, readonly string[]>> = Object.freeze({
  stock_tick: Object.freeze([
    ...HEAD,
    "초당매수수량",
    "초당매도수량",
    "시가총액",
    ...VI,
    "초당거래대금",
    "고저평균대비등락율",
    "저가대비고가등락율",
    ...money("초당"),
    ...V3_TAIL,
  ]),
  stock_min: Object.freeze([
    ...HEAD,
    "분당매수수량",
    "분당매도수량",
    "시가총액",
    ...VI,
    ...MINUTE_BAR,
    "분당거래대금",
    "고저평균대비등락율",
    "저가대비고가등락율",
    ...money("분당"),
    ...V3_TAIL,
  ]),
  // LIST_BASIC_*: Upbit (coin_tick.db) and every other non-stock market
  coin_tick: Object.freeze([
    ...HEAD,
    "초당매수수량",
    "초당매도수량",
    "초당거래대금",
    "고저평균대비등락율",
    "저가대비고가등락율",
    ...money("초당"),
    ...V3_TAIL,
  ]),
  coin_min: Object.freeze([
    ...HEAD,
    "분당매수수량",
    "분당매도수량",
    ...MINUTE_BAR,
    "분당거래대금",
    "고저평균대비등락율",
    "저가대비고가등락율",
    ...money("분당"),
    ...V3_TAIL,
  ]),
});

export const STOM_V2_COLUMNS: Readonly<Record<StomKind, readonly string[]>> = Object.freeze({
  stock_tick: Object.freeze([
    ...HEAD,
    "초당매수수량",
    "초당매도수량",
    ...V2_STOCK_EXTRA,
    ...VI,
    "초당거래대금",
    "고저평균대비등락율",
    "저가대비고가등락율",
    ...money("초당"),
    ...V2_TAIL,
  ]),
  stock_min: Object.freeze([
    ...HEAD,
    "분당매수수량",
    "분당매도수량",
    ...V2_STOCK_EXTRA,
    ...VI,
    ...MINUTE_BAR,
    "분당거래대금",
    "고저평균대비등락율",
    "저가대비고가등락율",
    ...money("분당"),
    ...V2_TAIL,
  ]),
  coin_tick: Object.freeze([
    ...HEAD,
    "초당매수수량",
    "초당매도수량",
    "초당거래대금",
    "고저평균대비등락율",
    "저가대비고가등락율",
    ...money("초당"),
    ...V2_TAIL,
  ]),
  coin_min: Object.freeze([
    ...HEAD,
    "분당매수수량",
    "분당매도수량",
    ...MINUTE_BAR,
    "분당거래대금",
    "고저평균대비등락율",
    "저가대비고가등락율",
    ...money("분당"),
    ...V2_TAIL,
  ]),
});

const KINDS: readonly StomKind[] = ["stock_tick", "stock_min", "coin_tick", "coin_min"];

/** every known layout, V1 first */
export const STOM_LAYOUTS: readonly StomLayout[] = Object.freeze(
  ([1, 2, 3] as const).flatMap((version) =>
    KINDS.map((kind) =>
      Object.freeze({
        kind,
        version,
        columns: (version === 1 ? STOM_COLUMNS : version === 2 ? STOM_V2_COLUMNS : STOM_V3_COLUMNS)[kind],
      }),
    ),
  ),
);

/**
 * The layout of one symbol table: the largest known layout whose columns the table all has
 * (coin layouts are subsets of the stock ones, and V3's stock layout is a superset of V1's coin
 * layout, so the largest complete one is the most specific). V2's and V3's coin layouts have the
 * same columns in a different book order: the table's own column order decides between them.
 *
 *   detectStomLayout(["index", "현재가", ...])  // {kind: "stock_tick", version: 3, columns}
 */
export function detectStomLayout(columns: readonly string[]): StomLayout | undefined {
  const have = new Set(columns);
  let best: StomLayout | undefined;
  let bestInOrder = false;
  for (const layout of STOM_LAYOUTS) {
    if (best && layout.columns.length < best.columns.length) continue;
    if (!layout.columns.every((name) => have.has(name))) continue;
    const inOrder = sameOrder(layout.columns, columns);
    if (!best || layout.columns.length > best.columns.length || (inOrder && !bestInOrder)) {
      best = layout;
      bestInOrder = inOrder;
    }
  }
  return best;
}

/** the layout's columns appear in the table in the layout's order */
function sameOrder(layout: readonly string[], table: readonly string[]): boolean {
  let at = 0;
  for (const name of table) if (name === layout[at]) at++;
  return at === layout.length;
}
