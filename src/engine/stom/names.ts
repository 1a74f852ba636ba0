// What a STOM text can name in each of STOM V1.10's four backtest engines (Py-CI-Park/STOM@63aa7ef,
// backtester/backengine_{kiwoom,upbit}_{tick,min}.py, Strategy()): the DB columns as locals, a few
// derived locals, the sell side's position values, `<column>N(k)`, and the window helpers.

import { STOM_INDICATOR_NAMES } from "./indicators.ts";
import { STOM_COLUMNS, type StomKind } from "./layouts.ts";

export const isTick = (kind: StomKind): boolean => kind.endsWith("_tick");
export const isStock = (kind: StomKind): boolean => kind.startsWith("stock");

/** Every column of STOM's four DB layouts, by its Korean name. */
export const STOM_COLUMN_NAMES: ReadonlySet<string> = new Set(
  Object.values(STOM_COLUMNS)
    .flat()
    .filter((name) => name !== "index"),
);

/** The columns a kind's engine unpacks as locals (everything but `index`). */
export function columnNames(kind: StomKind): readonly string[] {
  return STOM_COLUMNS[kind].filter((name) => name !== "index");
}

/** STOM has no `<column>N()` for the VI columns (backengine_kiwoom_tick.py lines 431-525). */
const NO_PREVIOUS = new Set(["VI해제시간", "VI가격", "VI호가단위"]);

/** `<column>N(k)`: the column k snapshots ago, when the engine of `kind` defines it. */
export function previousColumn(name: string, kind: StomKind): string | undefined {
  if (!name.endsWith("N")) return undefined;
  const column = name.slice(0, -1);
  return columnNames(kind).includes(column) && !NO_PREVIOUS.has(column) ? column : undefined;
}

/**
 * Locals STOM derives per snapshot: 종목코드, 데이터길이 (today's snapshots so far), 시분초 (hhmmss of the
 * DB's index; hhmm00 on minute DBs), 호가단위 (매도호가2 − 매도호가1); the stock engines add 종목명,
 * VI해제시간 as a time and VI아래5호가; the coin minute engine 종목명 (= the code).
 */
export function derivedNames(kind: StomKind): readonly string[] {
  const names = ["종목코드", "데이터길이", "시분초", "호가단위", "vturn", "vkey"];
  if (isStock(kind)) names.push("종목명", "VI아래5호가");
  else if (kind === "coin_min") names.push("종목명");
  return names;
}

/** What the sell text sees of the position (SetSellCount); 보유수량 and 매수가 are stom's additions. */
export const SELL_NAMES: readonly string[] = [
  "수익률",
  "최고수익률",
  "최저수익률",
  "보유시간",
  "매수틱번호",
  "보유수량",
  "매수가",
];

export type AreaOp = "max" | "min" | "sum" | "mean";

/**
 * A window helper, name(tick, pre=0):
 * - "area": Parameter_Area over `column` (`tick` snapshots ending `pre` ago), `round3` (체결강도평균)
 *   or `int` (초당거래대금평균) applied as STOM does;
 * - "ma": 이동평균, rounded to 3 (8 on coin ticks) digits, the engine's fixed windows read from
 *   precomputed columns;
 * - "angle": Parameter_Dgree, atan2(change × cf, tick) in degrees, rounded to 2 digits.
 */
export type HelperSpec =
  | { readonly kind: "area"; readonly column: string; readonly op: AreaOp; readonly post?: "round3" | "int" }
  | { readonly kind: "ma"; readonly column: "현재가" }
  | {
      readonly kind: "angle";
      readonly column: string;
      /** the factor of the on-the-fly path (Parameter_Dgree's cf) */
      readonly cf: number;
      /** AddAvgData's precomputed column divides or multiplies: [op, factor] */
      readonly pre: readonly ["*" | "/", number];
    };

/** The helpers of each engine (Strategy() of each backengine file). */
export function helperSpecs(kind: StomKind): Readonly<Record<string, HelperSpec>> {
  const per = isTick(kind) ? "초당" : "분당";
  const out: Record<string, HelperSpec> = {
    이동평균: { kind: "ma", column: "현재가" },
    최고현재가: { kind: "area", column: "현재가", op: "max" },
    최저현재가: { kind: "area", column: "현재가", op: "min" },
    체결강도평균: { kind: "area", column: "체결강도", op: "mean", post: "round3" },
    최고체결강도: { kind: "area", column: "체결강도", op: "max" },
    최저체결강도: { kind: "area", column: "체결강도", op: "min" },
    [`최고${per}매수수량`]: { kind: "area", column: `${per}매수수량`, op: "max" },
    [`최고${per}매도수량`]: { kind: "area", column: `${per}매도수량`, op: "max" },
    [`누적${per}매수수량`]: { kind: "area", column: `${per}매수수량`, op: "sum" },
    [`누적${per}매도수량`]: { kind: "area", column: `${per}매도수량`, op: "sum" },
    [`${per}거래대금평균`]: { kind: "area", column: `${per}거래대금`, op: "mean", post: "int" },
  };
  if (!isTick(kind)) {
    out.최고분봉고가 = { kind: "area", column: "분봉고가", op: "max" };
    out.최저분봉저가 = { kind: "area", column: "분봉저가", op: "min" };
  }
  if (isStock(kind)) {
    // backengine_kiwoom_tick.py 640-647; back_static.AddAvgData 176-181 (round_unit 3)
    out.등락율각도 = { kind: "angle", column: "등락율", cf: 5, pre: ["*", 5] };
    out.당일거래대금각도 = { kind: "angle", column: "당일거래대금", cf: 0.01, pre: ["/", 100] };
    out.전일비각도 = { kind: "angle", column: "전일비", cf: 1, pre: ["*", 1] };
  } else {
    // backengine_upbit_tick.py 618-622; AddAvgData 183-185
    out.등락율각도 = { kind: "angle", column: "등락율", cf: 10, pre: ["*", 10] };
    out.당일거래대금각도 = { kind: "angle", column: "당일거래대금", cf: 0.00000001, pre: ["/", 100_000_000] };
  }
  return out;
}

/** 이동평균's windows read from AddAvgData's columns (back_static.py 131-143). */
export function fixedAverages(kind: StomKind): readonly number[] {
  return isTick(kind) ? [60, 300, 600, 1200] : [5, 10, 20, 60, 120];
}

/** Digits of 이동평균: the on-the-fly mean and AddAvgData's columns (round_unit 3 stock, 8 coin). */
export function averageDigits(kind: StomKind): { readonly live: number; readonly column: number } {
  return { live: kind === "coin_tick" ? 8 : 3, column: isStock(kind) ? 3 : 8 };
}

/** Python built-ins and STOM's module-level functions a text may call. */
export const BUILTINS: ReadonlySet<string> = new Set([
  "abs",
  "min",
  "max",
  "round",
  "int",
  "float",
  "str",
  "len",
  "sum",
  "bool",
  "globals",
  "timedelta_sec",
]);

/** The TA-Lib values the minute engines unpack from GetIndicator (back_static.py 871), and `<name>_N(k)`. */
export const INDICATOR_NAMES: readonly string[] = STOM_INDICATOR_NAMES;
