// STOM's live-trader rules where they differ from its backtester (Py-CI-Park/STOM@63aa7ef), as one
// options object with STOM's defaults (utility/database_check.py:64-82, the settings DB it creates).
import type { StomKind } from "./layouts.ts";
import { isStock } from "./names.ts";

/** STOM's 주식/코인 settings for the live trader; a session's `live` option (every field optional). */
export interface StomLiveOptions {
  /** 최대매수종목수: a buy is refused while this many positions are held (kiwoom_trader.py:209; default 10) */
  readonly maxPositions?: number;
  /**
   * 종목당투자금 in KRW, with 투자금고정 (kiwoom_trader.py:847-848: 투자금, set in millions, × 1,000,000):
   * default 20,000,000 (stock) and 1,000,000,000 (coin), STOM's settings DB
   */
  readonly budget?: number;
  /** 추정예수금: a buy that costs more is refused (kiwoom_trader.py:217); off by default (stom cannot read the account) */
  readonly cash?: number;
  /** 추정예탁자산: the base of the loss and profit stops (kiwoom_trader.py:841, 844) */
  readonly capital?: number;
  /** 손실중지수익률 %: today's loss beyond capital × this stops buying and sells everything (kiwoom_trader.py:840-842); off by default (주식손실중지 0) */
  readonly lossStop?: number | false;
  /** 수익중지수익률 %: the same for today's profit (kiwoom_trader.py:843-845); off by default */
  readonly profitStop?: number | false;
  /** 전략종료시간 hhmmss in the DB's clock (KST stock, UTC coin): default 93000 (stock), 235000 (coin) */
  readonly endTime?: number;
  /** 잔고청산: sell what is held once 전략종료시간 has passed (kiwoom_trader.py:353, 439); default true */
  readonly liquidate?: boolean;
}

/** The rules a session runs with: every field resolved. */
export interface StomLiveRules {
  readonly maxPositions: number;
  readonly betting: number;
  readonly cash: number | undefined;
  readonly capital: number | undefined;
  readonly lossStop: number | false;
  readonly profitStop: number | false;
  readonly endTime: number;
  readonly liquidate: boolean;
}

/** STOM's defaults for a DB kind: utility/database_check.py:70 (stock) and :80 (coin). */
export function stomLiveDefaults(kind: StomKind): StomLiveRules {
  const stock = isStock(kind);
  return {
    maxPositions: 10,
    // 투자금 20.0 / 1000.0 (백만), × 1,000,000 by UpdateTotaljango (kiwoom_trader.py:848, upbit_trader.py:725)
    betting: (stock ? 20 : 1000) * 1_000_000,
    cash: undefined,
    capital: undefined,
    lossStop: false,
    profitStop: false,
    endTime: stock ? 93000 : 235000,
    liquidate: true,
  };
}

/** The live rules for a kind, STOM's defaults under the given ones; refuses a value STOM could not hold. */
export function stomLiveRules(kind: StomKind, options: StomLiveOptions = {}): StomLiveRules {
  const d = stomLiveDefaults(kind);
  const rules: StomLiveRules = {
    maxPositions: options.maxPositions ?? d.maxPositions,
    betting: options.budget ?? d.betting,
    cash: options.cash ?? d.cash,
    capital: options.capital ?? d.capital,
    lossStop: options.lossStop ?? d.lossStop,
    profitStop: options.profitStop ?? d.profitStop,
    endTime: options.endTime ?? d.endTime,
    liquidate: options.liquidate ?? d.liquidate,
  };
  if (!(Number.isInteger(rules.maxPositions) && rules.maxPositions >= 1))
    throw new Error(`invalid max positions: ${rules.maxPositions}`);
  if (!(rules.betting > 0)) throw new Error(`invalid budget: ${options.budget}`);
  if (!(Number.isInteger(rules.endTime) && rules.endTime >= 0 && rules.endTime <= 235959))
    throw new Error(`invalid end time: ${rules.endTime} (hhmmss)`);
  for (const [name, v] of [
    ["loss stop", rules.lossStop],
    ["profit stop", rules.profitStop],
  ] as const) {
    if (v === false) continue;
    if (!(v > 0)) throw new Error(`invalid ${name}: ${v} (a percent of capital)`);
    if (rules.capital === undefined) throw new Error(`${name} needs capital (STOM's 추정예탁자산)`);
  }
  return rules;
}
