// STOM's money arithmetic, as utility/static.py computes it (Py-CI-Park/STOM@63aa7ef, the numba
// versions at lines 353-470): fees and tax truncated to whole won, tick sizes and the price five ticks
// under the VI trigger. numba rounds a float to n digits as numpy does (pyRoundNp).

import { npRound } from "../pymath.ts";

export interface PgSgSp {
  /** 매도금액 after fees and tax */
  readonly pg: number;
  /** 수익금 */
  readonly sg: number;
  /** 수익률 % */
  readonly sp: number;
}

/** static.GetKiwoomPgSgSp (line 353): 0.015% fee each side in 10-won steps, 0.18% tax on the sell. */
export function kiwoomPgSgSp(bg: number, cg: number): PgSgSp {
  const texs = Math.trunc(cg * 0.0018);
  const bfee = Math.trunc((bg * 0.00015) / 10) * 10;
  const sfee = Math.trunc((cg * 0.00015) / 10) * 10;
  const pg = Math.trunc(cg - texs - bfee - sfee);
  const sg = npRound(pg - bg, 0);
  return { pg, sg, sp: npRound((sg / bg) * 100, 2) };
}

/** static.GetUpbitPgSgSp (line 364): 0.05% fee each side. */
export function upbitPgSgSp(bg: number, cg: number): PgSgSp {
  const bfee = bg * 0.0005;
  const sfee = cg * 0.0005;
  const pg = npRound(cg - bfee - sfee, 0);
  const sg = npRound(pg - bg, 0);
  return { pg, sg, sp: npRound((sg / bg) * 100, 2) };
}

/** static.GetHogaunit (line 436): KRX tick size; `index` is yyyymmdd... (the 2023-01-25 reform). */
export function kiwoomHogaunit(kosdaq: boolean, price: number, index: number): number {
  if (index < 20230125000000) {
    if (price < 1000) return 1;
    if (price < 5000) return 5;
    if (price < 10000) return 10;
    if (price < 50000) return 50;
    if (kosdaq) return 100;
    if (price < 100000) return 100;
    if (price < 500000) return 500;
    return 1000;
  }
  if (price < 2000) return 1;
  if (price < 5000) return 5;
  if (price < 20000) return 10;
  if (price < 50000) return 50;
  if (price < 200000) return 100;
  if (price < 500000) return 500;
  return 1000;
}

/** static.GetUvilower5 (line 420): the price five ticks under the VI trigger price. */
export function uvilower5(uvi: number, hogaunit: number, index: number): number {
  let upper5 = uvi - hogaunit * 5;
  if (kiwoomHogaunit(true, upper5, index) !== hogaunit) {
    let k = 0;
    let hogaunit2 = 0;
    for (const i of [1, 2, 3, 4, 5]) {
      const unit = kiwoomHogaunit(true, uvi - hogaunit * i, index);
      if (unit !== hogaunit) {
        hogaunit2 = unit;
        break;
      }
      k++;
    }
    upper5 = uvi - hogaunit * k - hogaunit2 * (5 - k);
  }
  return upper5;
}
