import type { Stats } from "./stats.ts";

/**
 * backtesting.py's names of the stats we share with it (its `Backtest.run()` Series index), one
 * place for the optimizer's objective aliases, the golden test and anything that prints stats the
 * way backtesting.py does.
 *
 *   BACKTESTING_PY_LABELS["Return [%]"] // "returnPct"
 */
export const BACKTESTING_PY_LABELS: Readonly<Record<string, keyof Stats>> = Object.freeze({
  Start: "start",
  End: "end",
  Duration: "durationDays",
  "Exposure Time [%]": "exposurePct",
  "Equity Final [$]": "equityFinal",
  "Equity Peak [$]": "equityPeak",
  "Return [%]": "returnPct",
  "Buy & Hold Return [%]": "buyHoldReturnPct",
  "Return (Ann.) [%]": "returnAnnPct",
  "Volatility (Ann.) [%]": "volatilityAnnPct",
  "CAGR [%]": "cagrPct",
  "Sharpe Ratio": "sharpe",
  "Sortino Ratio": "sortino",
  "Calmar Ratio": "calmar",
  "Alpha [%]": "alphaPct",
  Beta: "beta",
  "Max. Drawdown [%]": "maxDrawdownPct",
  "Avg. Drawdown [%]": "avgDrawdownPct",
  "Max. Drawdown Duration": "maxDrawdownDays",
  "Avg. Drawdown Duration": "avgDrawdownDays",
  "# Trades": "trades",
  "Win Rate [%]": "winRatePct",
  "Best Trade [%]": "bestTradePct",
  "Worst Trade [%]": "worstTradePct",
  "Avg. Trade [%]": "avgTradePct",
  "Max. Trade Duration": "maxTradeDays",
  "Avg. Trade Duration": "avgTradeDays",
  "Profit Factor": "profitFactor",
  "Expectancy [%]": "expectancyPct",
  SQN: "sqn",
  "Kelly Criterion": "kelly",
});

/** Our stat key -> backtesting.py's name ("returnPct" -> "Return [%]"); keys it lacks are absent. */
export const STAT_LABELS: Readonly<Partial<Record<keyof Stats, string>>> = Object.freeze(
  Object.fromEntries(Object.entries(BACKTESTING_PY_LABELS).map(([label, key]) => [key, label])),
);
