import type { CostModel } from "../markets/costs.ts";

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
