import { kstMidnight } from "./kst.ts";

export type KrxBoard = "kospi" | "kosdaq";
export type RoundMode = "down" | "up" | "nearest";

/** Price bands as [upper bound (exclusive), tick] pairs, the last with Infinity. */
type Table = readonly (readonly [number, number])[];

/** KRX unified the tables of all boards and split three bands on 2023-01-25 (KRX rule change, 13 years after the previous one). */
export const KRX_TICK_CHANGE = kstMidnight(2023, 1, 25);

// Sources: STOM utility/static.py GetHogaunit (index < 20230125000000 selects the old tables), and the
// press on the 2023 revision (Chosun/Daum 2022-11-01, Hankyung 2023-01-17: "1,000-2,000: 5 -> 1,
// 10,000-20,000: 50 -> 10, 100,000-200,000: 500 -> 100; boards unified above 100,000").
const KRX_SINCE_2023: Table = [
  [2_000, 1],
  [5_000, 5],
  [20_000, 10],
  [50_000, 50],
  [200_000, 100],
  [500_000, 500],
  [Infinity, 1_000],
];
const KOSPI_BEFORE_2023: Table = [
  [1_000, 1],
  [5_000, 5],
  [10_000, 10],
  [50_000, 50],
  [100_000, 100],
  [500_000, 500],
  [Infinity, 1_000],
];
// KOSDAQ stopped at 100 won above 50,000 (Hankyung 2003-05-29 for the 100 won cap; STOM's table)
const KOSDAQ_BEFORE_2023: Table = [
  [1_000, 1],
  [5_000, 5],
  [10_000, 10],
  [50_000, 50],
  [Infinity, 100],
];

/**
 * KRX stock tick size (호가단위) in won for a price on a date (UTC ms). The pre-2023 tables are the ones in
 * force since 2010 (the 1-won band under 1,000 won); earlier dates get them too.
 *
 * @example krxTickSize(15_000, Date.UTC(2024, 0, 2)) // 10
 */
export function krxTickSize(price: number, date: number, board: KrxBoard = "kospi"): number {
  checkPrice(price);
  if (!Number.isFinite(date)) throw new Error(`invalid date: ${date}`);
  if (board !== "kospi" && board !== "kosdaq")
    throw new Error(`invalid board: ${board} (expected kospi or kosdaq)`);
  const table =
    date >= KRX_TICK_CHANGE ? KRX_SINCE_2023 : board === "kospi" ? KOSPI_BEFORE_2023 : KOSDAQ_BEFORE_2023;
  return lookup(table, price);
}

// Upbit KRW market. Sources: docs.upbit.com "원화 마켓 주문 가격 단위" v1.4.1 (before 2024-01-29) and v1.4.5
// (from 2024-01-29: every band under 10,000 won finer), changelog "원화 마켓 호가 단위 변경 안내 (16개 종목 한정)"
// (2024-10-01: 100-1,000 won back to 1 for 16 markets), "USDT/KRW, USDC/KRW 마켓 호가 단위 변경" (2025-03-21:
// 1,000-10,000 won 0.5 for those two), and docs/krw-market-info (from 2025-07-31, a new table).
export const UPBIT_TICK_CHANGES = {
  finer: kstMidnight(2024, 1, 29),
  sixteen: kstMidnight(2024, 10, 1),
  stablecoins: kstMidnight(2025, 3, 21),
  table2025: kstMidnight(2025, 7, 31),
} as const;

/** The 16 markets that went back to a 1-won tick between 100 and 1,000 won on 2024-10-01. */
export const UPBIT_SIXTEEN = new Set([
  "ADA",
  "ALGO",
  "BLUR",
  "CELO",
  "ELF",
  "EOS",
  "GRS",
  "GRT",
  "ICX",
  "MANA",
  "MINA",
  "POL",
  "SAND",
  "SEI",
  "STG",
  "TRX",
]);

const UPBIT_BEFORE_2024: Table = [
  [0.1, 0.0001],
  [1, 0.001],
  [10, 0.01],
  [100, 0.1],
  [1_000, 1],
  [10_000, 5],
  [100_000, 10],
  [500_000, 50],
  [1_000_000, 100],
  [2_000_000, 500],
  [Infinity, 1_000],
];
const UPBIT_2024: Table = [
  [0.0001, 0.00000001],
  [0.001, 0.0000001],
  [0.01, 0.000001],
  [0.1, 0.00001],
  [1, 0.0001],
  [10, 0.001],
  [100, 0.01],
  [1_000, 0.1],
  [10_000, 1],
  [100_000, 10],
  [500_000, 50],
  [1_000_000, 100],
  [2_000_000, 500],
  [Infinity, 1_000],
];
// The stored copy of the 2025 table stops at 100 won; below that the 2024 bands are assumed unchanged.
const UPBIT_2025: Table = [
  ...UPBIT_2024.slice(0, 7),
  [1_000, 1],
  [5_000, 1],
  [10_000, 5],
  [50_000, 10],
  [100_000, 50],
  [500_000, 100],
  [1_000_000, 500],
  [Infinity, 1_000],
];

/**
 * Upbit KRW-market price unit for a price on a date (UTC ms; omitted = the current table). `market` is the
 * coin ("ADA" or "KRW-ADA") for the per-market exceptions of 2024-10 and 2025-03. The live rule per market
 * is `GET /v1/orderbook/instruments`; this table is for backtests.
 *
 * @example upbitKrwTickSize(1_500, Date.UTC(2023, 5, 1)) // 5
 */
export function upbitKrwTickSize(
  price: number,
  date: number = Number.POSITIVE_INFINITY,
  { market }: { market?: string } = {},
): number {
  checkPrice(price);
  if (Number.isNaN(date)) throw new Error(`invalid date: ${date}`);
  if (date >= UPBIT_TICK_CHANGES.table2025) return lookup(UPBIT_2025, price);
  if (date < UPBIT_TICK_CHANGES.finer) return lookup(UPBIT_BEFORE_2024, price);
  const coin = market?.toUpperCase().replace(/^KRW-/, "");
  if (coin && price >= 100 && price < 1_000 && date >= UPBIT_TICK_CHANGES.sixteen && UPBIT_SIXTEEN.has(coin))
    return 1;
  if (
    (coin === "USDT" || coin === "USDC") &&
    price >= 1_000 &&
    price < 10_000 &&
    date >= UPBIT_TICK_CHANGES.stablecoins
  ) {
    return 0.5;
  }
  return lookup(UPBIT_2024, price);
}

/**
 * Rounds a price to a multiple of `tick`, down, up or to the nearest (ties up). Prices already on the grid
 * up to float noise (0.1 + 0.2) stay put, and decimal ticks give clean decimals.
 *
 * @example roundToTick(1_234.6, 5, "down") // 1230
 */
export function roundToTick(price: number, tick: number, mode: RoundMode = "nearest"): number {
  if (!Number.isFinite(price)) throw new Error(`invalid price: ${price}`);
  if (!(tick > 0) || !Number.isFinite(tick)) throw new Error(`invalid tick: ${tick}`);
  const q = price / tick;
  const r = Math.round(q);
  let k: number;
  if (Math.abs(q - r) < 1e-9) k = r;
  else if (mode === "down") k = Math.floor(q);
  else if (mode === "up") k = Math.ceil(q);
  else if (mode === "nearest") k = r;
  else throw new Error(`invalid mode: ${mode} (expected down, up or nearest)`);
  const d = decimals(tick);
  return d === 0 ? k * tick : Number((k * tick).toFixed(d));
}

function decimals(tick: number): number {
  let d = 0;
  while (d < 15 && Math.abs(Math.round(tick * 10 ** d) - tick * 10 ** d) > 1e-9) d++;
  return d;
}

function lookup(table: Table, price: number): number {
  for (const [upper, tick] of table) if (price < upper) return tick;
  return table[table.length - 1][1];
}

function checkPrice(price: number): void {
  if (!Number.isFinite(price) || price < 0) throw new Error(`invalid price: ${price}`);
}
