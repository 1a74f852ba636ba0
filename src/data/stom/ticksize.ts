import { krxTickSize, upbitKrwTickSize as upbitTick } from "../../engine/markets/tick-size.ts";

// The fixtures are built from real data of 2019 (KRX) and 2022 (Upbit): price them with the
// tick tables in force then. The tables themselves live in the engine (one source of truth).
const KRX_FIXTURE_DATE = Date.UTC(2019, 8, 20);
const UPBIT_FIXTURE_DATE = Date.UTC(2022, 10, 26);

/** KRX tick size before the 2023-01-25 reform (KOSDAQ capped at 100). */
export function krxTickSize2019(price: number, kosdaq = false): number {
  return krxTickSize(price, KRX_FIXTURE_DATE, kosdaq ? "kosdaq" : "kospi");
}

/** Upbit KRW market tick size as of 2022. */
export function upbitKrwTickSize(price: number): number {
  return upbitTick(price, UPBIT_FIXTURE_DATE);
}
