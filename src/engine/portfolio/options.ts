import type { CostModel } from "../markets/costs.ts";
import { type ParamSpecs, type ParamValues, resolveParams } from "../params.ts";

/** STOM's interest list over time (readMoneytop's shape): the codes listed from each time on. */
export interface InterestList {
  readonly time: ArrayLike<number>;
  readonly codes: readonly (readonly string[])[];
}

export interface TickRunOptions {
  /** strategy parameter overrides */
  params?: Readonly<Record<string, unknown>>;
  /** starting cash, shared by all symbols */
  cash?: number;
  /** 투자금: cash per position; the size is floor(budget / 현재가 at the decision) in `unit`s */
  budget?: number;
  /** 최대매수종목수: open positions plus pending buys at once */
  maxPositions?: number;
  /** smallest tradable quantity: 1 for KRX shares, 1e-8 for Upbit coins */
  unit?: number;
  /** fees and taxes per fill (src/engine/markets costPreset); none by default */
  costs?: CostModel;
  /** "next": decide on snapshot i, fill on the symbol's snapshot i+1; "same": fill on i (STOM's backtester) */
  fillOn?: "next" | "same";
  /** book levels an order may walk (STOM's 시장가잔량범위) */
  depth?: number;
  /** stop buying for the day, and liquidate, once the day's realised P&L is <= -lossStop (cash, 손실중지) */
  lossStop?: number;
  /** the same when the day's realised P&L is >= profitStop (cash, 수익중지) */
  profitStop?: number;
  /** 전략종료시간: time of day in the market zone ("15:15", "15:15:30" or seconds) to liquidate and stop for the day */
  sessionEnd?: string | number;
  /** close every position at the last snapshot of each day, as STOM does */
  closeAtDayEnd?: boolean;
  /** offset of the market's zone from UTC in ms: days and sessionEnd are counted in it (KST 9 h for KRX) */
  utcOffsetMs?: number;
  /** buy only while listed: a column name (value > 0 = listed, e.g. 관심종목) or a moneytop list */
  interest?: string | InterestList | null;
  /** equity is sampled at the last event of each bucket of this many ms */
  equityEveryMs?: number;
  /** annual risk-free rate for Sharpe and Sortino */
  riskFreeRate?: number;
}

const DAY_SECONDS = 86_400;

/** "15:15", "15:15:30" or a number of seconds after midnight, as seconds after midnight. */
export function parseTimeOfDay(value: string | number): number {
  if (typeof value === "number") {
    if (!(value >= 0 && value < DAY_SECONDS)) throw new Error(`invalid time of day: ${value}`);
    return value;
  }
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) throw new Error(`invalid time of day: ${value} (expected HH:MM or HH:MM:SS)`);
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) throw new Error(`invalid time of day: ${value}`);
  return h * 3600 + mi * 60 + s;
}

/** TickRunOptions checked, with defaults filled in: what the kernel runs on. */
export interface TickConfig<P extends ParamSpecs = ParamSpecs> {
  readonly params: ParamValues<P>;
  readonly cash: number;
  readonly budget: number;
  readonly maxPositions: number;
  readonly unit: number;
  /** decimals a size keeps (8 for unit 1e-8), 0 for whole units */
  readonly unitDecimals: number;
  readonly costs: CostModel;
  readonly fillOn: "next" | "same";
  readonly depth: number;
  readonly lossStop: number;
  readonly profitStop: number;
  /** sessionEnd as seconds after midnight; Infinity without one */
  readonly endSecond: number;
  readonly closeAtDayEnd: boolean;
  readonly utcOffsetMs: number;
  readonly interest: string | InterestList | null;
  readonly equityEveryMs: number;
  readonly riskFreeRate: number;
}

const NO_COSTS: CostModel = Object.freeze({ name: "none", commission: () => 0 });

function checkPositive(value: number, name: string): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`invalid ${name}: ${value}`);
}

/** Checks the options (errors name the bad value) and fills in the defaults. */
export function resolveTickOptions<P extends ParamSpecs>(
  specs: P,
  {
    params: overrides = {},
    cash = 10_000_000,
    budget = 1_000_000,
    maxPositions = 10,
    unit = 1,
    costs = NO_COSTS,
    fillOn = "next",
    depth = 5,
    lossStop = Number.POSITIVE_INFINITY,
    profitStop = Number.POSITIVE_INFINITY,
    sessionEnd,
    closeAtDayEnd = true,
    utcOffsetMs = 0,
    interest = null,
    equityEveryMs = 1000,
    riskFreeRate = 0,
  }: TickRunOptions = {},
): TickConfig<P> {
  checkPositive(cash, "cash");
  checkPositive(budget, "budget");
  checkPositive(unit, "unit");
  checkPositive(equityEveryMs, "equityEveryMs");
  if (!Number.isInteger(maxPositions) || maxPositions < 1)
    throw new Error(`invalid maxPositions: ${maxPositions}`);
  if (fillOn !== "next" && fillOn !== "same")
    throw new Error(`invalid fillOn: ${fillOn} (expected next or same)`);
  if (!Number.isInteger(depth) || depth < 1 || depth > 5) throw new Error(`invalid depth: ${depth}`);
  if (!(lossStop > 0)) throw new Error(`invalid lossStop: ${lossStop}`);
  if (!(profitStop > 0)) throw new Error(`invalid profitStop: ${profitStop}`);
  if (!Number.isFinite(utcOffsetMs)) throw new Error(`invalid utcOffsetMs: ${utcOffsetMs}`);
  return Object.freeze({
    params: resolveParams(specs, overrides),
    cash,
    budget,
    maxPositions,
    unit,
    unitDecimals: unit < 1 ? Math.min(15, Math.ceil(-Math.log10(unit) - 1e-9)) : 0,
    costs,
    fillOn,
    depth,
    lossStop,
    profitStop,
    endSecond: sessionEnd === undefined ? Number.POSITIVE_INFINITY : parseTimeOfDay(sessionEnd),
    closeAtDayEnd,
    utcOffsetMs,
    interest,
    equityEveryMs,
    riskFreeRate,
  });
}
