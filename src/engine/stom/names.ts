// The names a STOM strategy text may read, after STOM's own backtest engines (Py-CI-Park/STOM_V,
// backtester/back_engine_*): the DB columns as Korean locals, a few derived locals, the sell side's
// position values, and the helper functions over the last n ticks.

import { STOM_COLUMNS } from "./layouts.ts";

/** Every column of STOM's four DB layouts (stock/coin, tick/min), by its Korean name. */
export const STOM_COLUMN_NAMES: ReadonlySet<string> = new Set(
  Object.values(STOM_COLUMNS)
    .flat()
    .filter((name) => name !== "index"),
);
/**
 * Locals STOM derives per tick. 시분초 is hhmmss of the snapshot in the market's zone; 데이터길이 the
 * symbol's ticks so far; 호가단위 the gap between the two best asks (STOM's coin engines; its stock
 * engines use the KRX table, which equals that gap whenever both levels are quoted).
 */
export const DERIVED_NAMES: ReadonlySet<string> = new Set([
  "시분초",
  "데이터길이",
  "호가단위",
  "VI아래5호가",
  "종목코드",
  "종목명",
]);

/** What the sell text sees of the position (TickSellContext); 매수가 is the fill price. */
export const SELL_NAMES: Readonly<Record<string, string>> = {
  수익률: "수익률",
  최고수익률: "최고수익률",
  최저수익률: "최저수익률",
  보유수량: "보유수량",
  보유시간: "보유시간",
  매수가: "entryPrice",
};

export type Window = "mean" | "max" | "min" | "sum";

export interface HelperSpec {
  readonly column: string;
  readonly window: Window;
}

/** name(tick, pre=0): a window of `tick` ticks ending `pre` ticks ago, the current tick included. */
export const WINDOW_HELPERS: Readonly<Record<string, HelperSpec>> = {
  이동평균: { column: "현재가", window: "mean" },
  최고현재가: { column: "현재가", window: "max" },
  최저현재가: { column: "현재가", window: "min" },
  체결강도평균: { column: "체결강도", window: "mean" },
  최고체결강도: { column: "체결강도", window: "max" },
  최저체결강도: { column: "체결강도", window: "min" },
  최고초당매수수량: { column: "초당매수수량", window: "max" },
  최고초당매도수량: { column: "초당매도수량", window: "max" },
  누적초당매수수량: { column: "초당매수수량", window: "sum" },
  누적초당매도수량: { column: "초당매도수량", window: "sum" },
  초당거래대금평균: { column: "초당거래대금", window: "mean" },
  최고분당매수수량: { column: "분당매수수량", window: "max" },
  최고분당매도수량: { column: "분당매도수량", window: "max" },
  누적분당매수수량: { column: "분당매수수량", window: "sum" },
  누적분당매도수량: { column: "분당매도수량", window: "sum" },
  분당거래대금평균: { column: "분당거래대금", window: "mean" },
  최고분봉고가: { column: "분봉고가", window: "max" },
  최저분봉저가: { column: "분봉저가", window: "min" },
};

/** Python built-ins a text may call. */
export const BUILTINS: ReadonlySet<string> = new Set(["abs", "min", "max", "round", "int", "float"]);

/** `<column>N(k)`: the column k ticks ago (현재가N, 체결강도N, 등락율N …). */
export function previousColumn(name: string): string | undefined {
  if (!name.endsWith("N")) return undefined;
  const column = name.slice(0, -1);
  return STOM_COLUMN_NAMES.has(column) ? column : undefined;
}
