// STOM's price arithmetic, as utility/static.py computes it (Py-CI-Park/STOM@63aa7ef, the numba
// versions at lines 394-470): tick sizes and the price five ticks under the VI trigger. Its fees and
// tax (GetKiwoomPgSgSp, GetUpbitPgSgSp) are stomKiwoomSettle / stomUpbitSettle in markets/costs.ts.

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
