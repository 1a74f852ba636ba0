// How much of STOM V1.10 (Py-CI-Park/STOM@63aa7ef) the port covers, measured: every list below is
// copied from STOM's own source, and a name counts as supported only when a tiny text that reads it
// compiles with compileStom and runs through backtestStom on a synthetic day of that kind. A
// NotImplementedError at run time (a TA-Lib value not wired yet) counts as unsupported.

import { backtestStom, type StomInput } from "./backtest.ts";
import { compileStom } from "./compile.ts";
import { STOM_COLUMNS, STOM_KINDS, type StomKind } from "./layouts.ts";
import { type StomObjective, stomObjective } from "./objectives.ts";
import { type StomResultBlock, stomResult } from "./result.ts";

export type CoverageGroup =
  | "columns"
  | "derived"
  | "helpers"
  | "previous (<col>N)"
  | "indicators"
  | "sell values"
  | "objectives"
  | "result block";

export interface CoverageRow {
  readonly group: CoverageGroup;
  readonly kind: StomKind | "all";
  readonly supported: number;
  readonly total: number;
  readonly missing: readonly string[];
}

const BOOK = [
  "매도총잔량",
  "매수총잔량",
  "매도호가5",
  "매도호가4",
  "매도호가3",
  "매도호가2",
  "매도호가1",
  "매수호가1",
  "매수호가2",
  "매수호가3",
  "매수호가4",
  "매수호가5",
  "매도잔량5",
  "매도잔량4",
  "매도잔량3",
  "매도잔량2",
  "매도잔량1",
  "매수잔량1",
  "매수잔량2",
  "매수잔량3",
  "매수잔량4",
  "매수잔량5",
  "매도수5호가잔량합",
  "관심종목",
];

/**
 * The column locals each engine unpacks from self.arry_data in Strategy():
 * backengine_kiwoom_tick.py 656-660, backengine_kiwoom_min.py 425-429,
 * backengine_upbit_tick.py 630-633, backengine_upbit_min.py 404-408.
 */
export const STOM_SOURCE_COLUMNS: Readonly<Record<StomKind, readonly string[]>> = Object.freeze({
  stock_tick: [
    ...[
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
    ],
    ...[
      "전일동시간비",
      "시가총액",
      "라운드피겨위5호가이내",
      "초당매수수량",
      "초당매도수량",
      "VI해제시간",
      "VI가격",
    ],
    ...["VI호가단위", "초당거래대금", "고저평균대비등락율", ...BOOK],
  ],
  stock_min: [
    ...[
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
    ],
    ...[
      "전일동시간비",
      "시가총액",
      "라운드피겨위5호가이내",
      "분당매수수량",
      "분당매도수량",
      "VI해제시간",
      "VI가격",
    ],
    ...["VI호가단위", "분봉시가", "분봉고가", "분봉저가", "분당거래대금", "고저평균대비등락율", ...BOOK],
  ],
  coin_tick: [
    ...[
      "현재가",
      "시가",
      "고가",
      "저가",
      "등락율",
      "당일거래대금",
      "체결강도",
      "초당매수수량",
      "초당매도수량",
    ],
    ...["초당거래대금", "고저평균대비등락율", ...BOOK],
  ],
  coin_min: [
    ...[
      "현재가",
      "시가",
      "고가",
      "저가",
      "등락율",
      "당일거래대금",
      "체결강도",
      "분당매수수량",
      "분당매도수량",
    ],
    ...["분봉시가", "분봉고가", "분봉저가", "분당거래대금", "고저평균대비등락율", ...BOOK],
  ],
});

/**
 * The other locals Strategy() sets per snapshot: backengine_kiwoom_tick.py 655, 661-662;
 * backengine_kiwoom_min.py 424, 430-431; backengine_upbit_tick.py 634; backengine_upbit_min.py 403, 409.
 */
export const STOM_SOURCE_DERIVED: Readonly<Record<StomKind, readonly string[]>> = Object.freeze({
  stock_tick: ["종목명", "종목코드", "데이터길이", "시분초", "호가단위", "VI아래5호가"],
  stock_min: ["종목명", "종목코드", "데이터길이", "시분초", "호가단위", "VI아래5호가"],
  coin_tick: ["종목코드", "데이터길이", "시분초", "호가단위"],
  coin_min: ["종목명", "종목코드", "데이터길이", "시분초", "호가단위"],
});

const HELPERS_COMMON = ["이동평균", "최고현재가", "최저현재가"];
const HELPERS_STRENGTH = ["체결강도평균", "최고체결강도", "최저체결강도"];
const helpersOf = (per: string) => [
  `최고${per}매수수량`,
  `최고${per}매도수량`,
  `누적${per}매수수량`,
  `누적${per}매도수량`,
  `${per}거래대금평균`,
];

/**
 * The helpers defined inside Strategy() (without the private Parameter_Previous, GetArrayIndex,
 * Parameter_Area, Parameter_Dgree, now/now_utc and the `<col>N`/`<ind>_N` defs):
 * backengine_kiwoom_tick.py 563-649, backengine_kiwoom_min.py 183-277,
 * backengine_upbit_tick.py 541-624, backengine_upbit_min.py 165-256.
 */
export const STOM_SOURCE_HELPERS: Readonly<Record<StomKind, readonly string[]>> = Object.freeze({
  stock_tick: [
    ...HELPERS_COMMON,
    ...HELPERS_STRENGTH,
    ...helpersOf("초당"),
    "등락율각도",
    "당일거래대금각도",
    "전일비각도",
    "경과틱수",
  ],
  stock_min: [
    ...HELPERS_COMMON,
    "최고분봉고가",
    "최저분봉저가",
    ...HELPERS_STRENGTH,
    ...helpersOf("분당"),
    "등락율각도",
    "당일거래대금각도",
    "전일비각도",
    "경과틱수",
  ],
  coin_tick: [
    ...HELPERS_COMMON,
    ...HELPERS_STRENGTH,
    ...helpersOf("초당"),
    "등락율각도",
    "당일거래대금각도",
    "경과틱수",
  ],
  coin_min: [
    ...HELPERS_COMMON,
    "최고분봉고가",
    "최저분봉저가",
    ...HELPERS_STRENGTH,
    ...helpersOf("분당"),
    "등락율각도",
    "당일거래대금각도",
    "경과틱수",
  ],
});

const NO_PREVIOUS = new Set(["VI해제시간", "VI가격", "VI호가단위"]);
const previousOf = (kind: StomKind) =>
  STOM_SOURCE_COLUMNS[kind].filter((c) => !NO_PREVIOUS.has(c)).map((c) => `${c}N`);

/**
 * The `<col>N(pre)` defs of Strategy(): every unpacked column but the three VI columns
 * (backengine_kiwoom_tick.py 440-561, backengine_kiwoom_min.py 51-182,
 * backengine_upbit_tick.py 436-540, backengine_upbit_min.py 51-164).
 */
export const STOM_SOURCE_PREVIOUS: Readonly<Record<StomKind, readonly string[]>> = Object.freeze({
  stock_tick: previousOf("stock_tick"),
  stock_min: previousOf("stock_min"),
  coin_tick: previousOf("coin_tick"),
  coin_min: previousOf("coin_min"),
});

/** GetIndicator's 28 TA-Lib values (back_static.py 871-874), unpacked by the minute engines. */
export const STOM_SOURCE_INDICATORS: readonly string[] = [
  ...[
    "AD",
    "ADOSC",
    "ADXR",
    "APO",
    "AROOND",
    "AROONU",
    "ATR",
    "BBU",
    "BBM",
    "BBL",
    "CCI",
    "DIM",
    "DIP",
    "MACD",
  ],
  ...["MACDS", "MACDH", "MFI", "MOM", "OBV", "PPO", "ROC", "RSI", "SAR", "STOCHSK", "STOCHSD", "STOCHFK"],
  ...["STOCHFD", "WILLR"],
];

/**
 * The minute engines' `<ind>_N(pre)` defs, one per GetIndicator value
 * (backengine_kiwoom_min.py 284-419, backengine_upbit_min.py 263-398).
 */
export const STOM_SOURCE_INDICATORS_N: readonly string[] = STOM_SOURCE_INDICATORS.map((n) => `${n}_N`);

/** What SetSellCount gives the sell text (backengine_kiwoom_tick.py 691, backengine_upbit_tick.py 663). */
export const STOM_SOURCE_SELL: readonly string[] = [
  "수익률",
  "최고수익률",
  "최저수익률",
  "보유시간",
  "매수틱번호",
];

/** The 14 기준값 of GetOptiStdText (back_static.py 476-575; the combo box list, ui/set_text.py 71). */
export const STOM_SOURCE_OBJECTIVES: readonly string[] = [
  ...["TG", "TP", "TPI", "CAGR", "GM", "PM", "G2M", "P2M", "GAM", "PAM", "GWM", "PWM", "GTM", "PTM"],
];

/** GetBackResult's 13 (back_static.py 868) and AddMdd's mdd, mdd_ (back_static.py 817-835). */
export const STOM_SOURCE_RESULT: readonly string[] = [
  ...["tc", "atc", "pc", "mc", "wr", "ah", "app", "tpp", "tsg", "mhct", "seed", "cagr", "tpi", "mdd", "mdd_"],
];

const ROWS = 60;

/** One synthetic day of `kind`: every column of its layout, a rising price and a 5-level book. */
export function syntheticStomInput(kind: StomKind): StomInput {
  const tick = kind.endsWith("_tick");
  const stock = kind.startsWith("stock");
  const columns: Record<string, Float64Array> = {};
  for (const name of STOM_COLUMNS[kind]) columns[name] = new Float64Array(ROWS);
  const step = stock ? 10 : 1000;
  for (let i = 0; i < ROWS; i++) {
    const price = (stock ? 10_000 : 50_000_000) + step * (i % 7) + step * Math.floor(i / 3);
    const m = 9 * 60 + i;
    columns.index[i] = tick
      ? 20240102090000 + Math.floor(i / 60) * 100 + (i % 60)
      : 202401020000 + Math.floor(m / 60) * 100 + (m % 60);
    const set = (name: string, v: number) => {
      if (columns[name]) columns[name][i] = v;
    };
    set("현재가", price);
    set("시가", stock ? 10_000 : 50_000_000);
    set("고가", price + step);
    set("저가", stock ? 9_900 : 49_000_000);
    set("등락율", 5 + i / 10);
    set("당일거래대금", 1000 + 50 * i);
    set("체결강도", 100 + (i % 11) * 3);
    set("거래대금증감", 10);
    set("전일비", 150);
    set("회전율", 1.5);
    set("전일동시간비", 120);
    set("시가총액", 3000);
    set("라운드피겨위5호가이내", 0);
    for (const per of ["초당", "분당"]) {
      set(`${per}매수수량`, 100 + i);
      set(`${per}매도수량`, 80 + (i % 5));
      set(`${per}거래대금`, 50 + i);
    }
    set("VI해제시간", 20240102085500);
    set("VI가격", stock ? 9_000 : 0);
    set("VI호가단위", stock ? 10 : 0);
    set("분봉시가", price - step);
    set("분봉고가", price + step);
    set("분봉저가", price - 2 * step);
    set("고저평균대비등락율", 1.2);
    for (let k = 1; k <= 5; k++) {
      set(`매도호가${k}`, price + k * step);
      set(`매수호가${k}`, price - (k - 1) * step);
      set(`매도잔량${k}`, 1000 * k);
      set(`매수잔량${k}`, 900 * k);
    }
    set("매도총잔량", 15_000);
    set("매수총잔량", 13_500);
    set("매도수5호가잔량합", 28_500);
    set("관심종목", 1);
  }
  return { symbol: stock ? "000001" : "KRW-TEST", name: stock ? "테스트" : "KRW-TEST", columns };
}

/** Why a buy and sell text fail on `kind`'s synthetic day, or undefined when they compile and run (other Python errors count as running). */
export function coverageFailure(
  kind: StomKind,
  buy: string,
  sell: string,
  conditions?: Record<string, string>,
): string | undefined {
  let program: ReturnType<typeof compileStom>;
  try {
    program = compileStom(buy, sell, { kind, conditions });
  } catch (e) {
    return `compile: ${e instanceof Error ? e.message : e}`;
  }
  try {
    backtestStom(program, [syntheticStomInput(kind)], { clock: () => Date.UTC(2024, 0, 2, 0, 30) });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (message.includes("NotImplementedError")) return message;
  }
  return undefined;
}

const BUY_ALWAYS = "if 매수:\n    self.Buy()\n";
const SELL_LATER = "if 보유시간 > 5:\n    매도 = True\nif 매도:\n    self.Sell()\n";
const readBuy = (expr: string) => `if not (${expr} == ${expr}):\n    매수 = False\n${BUY_ALWAYS}`;
const readSell = (expr: string) =>
  `if ${expr} == ${expr} and 보유시간 > 5:\n    매도 = True\nif 매도:\n    self.Sell()\n`;

function measure(
  group: CoverageGroup,
  kind: StomKind | "all",
  names: readonly string[],
  works: (name: string) => boolean,
): CoverageRow {
  const missing = names.filter((name) => !works(name));
  return Object.freeze({
    group,
    kind,
    supported: names.length - missing.length,
    total: names.length,
    missing,
  });
}

function helperWorks(kind: StomKind, name: string): boolean {
  if (name === "경과틱수")
    return !coverageFailure(kind, readBuy("경과틱수('c')"), SELL_LATER, { c: "현재가 > 0" });
  return !coverageFailure(kind, readBuy(`${name}(30)`), SELL_LATER);
}

/** A result block from a synthetic run that trades, for the objectives and result rows. */
function syntheticBlock(): StomResultBlock | undefined {
  try {
    const program = compileStom(BUY_ALWAYS, SELL_LATER, { kind: "stock_tick" });
    const { trades, days } = backtestStom(program, [syntheticStomInput("stock_tick")], {});
    // a block without trades scores every objective 0 and proves nothing
    return trades.length ? stomResult(trades, { betting: 1_000_000, days, market: "stock" }) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The coverage table: per group and kind, how many of STOM's names the port supports, measured.
 *
 *     stomCoverage().find((r) => r.group === "helpers" && r.kind === "stock_tick")
 *     // { group: "helpers", kind: "stock_tick", supported: 15, total: 15, missing: [] }
 */
export function stomCoverage(): CoverageRow[] {
  const rows: CoverageRow[] = [];
  for (const kind of STOM_KINDS)
    rows.push(
      measure(
        "columns",
        kind,
        STOM_SOURCE_COLUMNS[kind],
        (n) => !coverageFailure(kind, readBuy(n), SELL_LATER),
      ),
    );
  for (const kind of STOM_KINDS)
    rows.push(
      measure(
        "derived",
        kind,
        STOM_SOURCE_DERIVED[kind],
        (n) => !coverageFailure(kind, readBuy(n), SELL_LATER),
      ),
    );
  for (const kind of STOM_KINDS)
    rows.push(measure("helpers", kind, STOM_SOURCE_HELPERS[kind], (n) => helperWorks(kind, n)));
  for (const kind of STOM_KINDS)
    rows.push(
      measure(
        "previous (<col>N)",
        kind,
        STOM_SOURCE_PREVIOUS[kind],
        (n) => !coverageFailure(kind, readBuy(`${n}(1)`), SELL_LATER),
      ),
    );
  for (const kind of ["stock_min", "coin_min"] as const)
    rows.push(
      measure(
        "indicators",
        kind,
        [...STOM_SOURCE_INDICATORS, ...STOM_SOURCE_INDICATORS_N],
        (n) => !coverageFailure(kind, readBuy(n.endsWith("_N") ? `${n}(1)` : n), SELL_LATER),
      ),
    );
  rows.push(
    measure("sell values", "all", STOM_SOURCE_SELL, (n) =>
      STOM_KINDS.every((kind) => !coverageFailure(kind, BUY_ALWAYS, readSell(n))),
    ),
  );
  const block = syntheticBlock();
  rows.push(
    measure("objectives", "all", STOM_SOURCE_OBJECTIVES, (n) => {
      if (!block) return false;
      try {
        return typeof stomObjective(block, n as StomObjective, { betting: 1_000_000 }) === "number";
      } catch {
        return false;
      }
    }),
  );
  rows.push(
    measure("result block", "all", STOM_SOURCE_RESULT, (n) =>
      block ? typeof (block as unknown as Record<string, unknown>)[n] === "number" : false,
    ),
  );
  return rows;
}

/** The table as Markdown, one row per group and kind, missing names listed (at most 12 shown). */
export function renderCoverage(rows: readonly CoverageRow[]): string {
  const lines = ["| group | kind | supported / total | missing |", "|---|---|---:|---|"];
  for (const r of rows) {
    const shown = r.missing.slice(0, 12).join(", ");
    const more = r.missing.length > 12 ? `, … (${r.missing.length - 12} more)` : "";
    // `<col>` would be read as an HTML tag outside a code span
    const group = r.group.replace("<col>N", "`<col>N`");
    lines.push(`| ${group} | ${r.kind} | ${r.supported} / ${r.total} | ${shown}${more} |`);
  }
  return `${lines.join("\n")}\n`;
}
