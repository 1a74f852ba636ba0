// The STOM fixture the STOM page publishes (the e2e test rebuilds it for `stom backtest`): one hour
// of coin_tick snapshots made from real Upbit KRW-BTC trades, with a modeled 5-level book.
export const STOM_FIXTURE = {
  kind: "coin_tick",
  trades: "upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-26.csv",
  minutes: 60,
  seed: 42,
} as const;

/** A pair that trades on the fixture: buy on strong 체결강도 above the 30-tick mean, sell at ±0.4% or 5 min. */
export const STOM_EXAMPLE = {
  buy: `매수 = True
if not (체결강도 >= self.vars[0] and 현재가 > 이동평균(30)):
    매수 = False
if 매수:
    self.Buy()
self.vars[0] = [[60, 120, 10], 80]
`,
  sell: `매도 = False
if 수익률 <= -0.4 or 수익률 >= 0.4 or 보유시간 >= 300:
    매도 = True
if 매도:
    self.Sell()
`,
} as const;
