// The STOM fixture the STOM page publishes (the e2e test rebuilds it for `stom backtest`): one hour
// of coin_tick snapshots made from real Upbit KRW-BTC trades, with a modeled 5-level book.
export const STOM_FIXTURE = {
  kind: "coin_tick",
  trades: "upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-26.csv",
  minutes: 60,
  seed: 42,
} as const;

/**
 * A pair that trades on the fixture: buy on strong 체결강도 above the 30-tick mean, sell at ±0.4% or
 * 5 min. As in STOM, the ranges are a separate 최적화 범위 text and self.vars[0] is 평균값계산틱수.
 */
export const STOM_EXAMPLE = {
  buy: `if not (체결강도 >= self.vars[1] and 현재가 > 이동평균(30)):
    매수 = False

if 매수:
    self.Buy(종목코드, 현재가, 매도호가1, 매수호가1, 매수수량, 데이터길이)
`,
  sell: `if 수익률 <= -0.4 or 수익률 >= 0.4 or 보유시간 >= 300:
    매도 = True

if 매도:
    self.Sell(종목코드, 현재가, 매도호가1, 매수호가1, 매도수량, 강제청산)
`,
  vars: `self.vars[0] = [[30, 30, 0], 30]
self.vars[1] = [[60, 120, 10], 80]
`,
} as const;

/** The shared STOM cases (buy.txt, sell.txt, kind, vars.txt) the page offers, under the shared data folder. */
export const STOM_CASES_DIR = "stom/cases";

/** The shared STOM DBs (gzip) the page embeds, one Arrow attachment each, under the shared data folder. */
export const STOM_DBS_DIR = "stom/dbs";

/**
 * Every DB of stom/dbs, by the name the cases' stom_v1_oracle.json `db` field gives it. Framework
 * needs one loader file per output: notebooks/data/stom-db-<stem>.arrow.ts, and the page names the
 * same attachments literally (FileAttachment takes only a literal).
 */
export const STOM_DBS = [
  "coin_min_shift5.db",
  "coin_tick_shift5.db",
  "stock_min_movers_vi_rich.db",
  "stock_tick_movers_vi_rich.db",
] as const;

/** The attachment of one shared DB, relative to notebooks/: data/stom-db-<stem>.arrow */
export const stomDbAttachment = (db: string) => `data/stom-db-${db.replace(/\.db$/, "")}.arrow`;
