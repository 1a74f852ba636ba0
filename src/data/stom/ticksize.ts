/**
 * KRX tick size (호가단위) before the 2023-01-25 reform. KOSDAQ stopped at 100 above 50,000;
 * KOSPI went on to 500 and 1,000.
 */
export function krxTickSize2019(price: number, kosdaq = false): number {
  if (price < 1_000) return 1;
  if (price < 5_000) return 5;
  if (price < 10_000) return 10;
  if (price < 50_000) return 50;
  if (kosdaq || price < 100_000) return 100;
  if (price < 500_000) return 500;
  return 1_000;
}

/** Upbit KRW market tick size (as of 2022). */
export function upbitKrwTickSize(price: number): number {
  if (price >= 2_000_000) return 1_000;
  if (price >= 1_000_000) return 500;
  if (price >= 500_000) return 100;
  if (price >= 100_000) return 50;
  if (price >= 10_000) return 10;
  if (price >= 1_000) return 5;
  if (price >= 100) return 1;
  if (price >= 10) return 0.1;
  if (price >= 1) return 0.01;
  if (price >= 0.1) return 0.001;
  return 0.0001;
}
