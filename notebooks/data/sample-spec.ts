// The synthetic series a fresh clone publishes (the e2e test rebuilds the first for `stom backtest`).
// Hourly bars over ~14 months, so the annualised stats a first visitor sees mean something. Priced
// so that `stom backtest`'s default cash (10,000, whole units) buys some: at the generator's 50,000
// the CLI's and the pages' default run would make no trade.
export const SAMPLE_BARS = [
  { symbol: "SAMPLE", bars: 10_000, seed: 42, timeframe: "1h", price: 100 },
  { symbol: "SAMPLE-ALT", bars: 10_000, seed: 7, timeframe: "5m", price: 1_200 },
] as const;
export const SAMPLE_TICKS = { symbol: "SAMPLE", ticks: 3_600, seed: 42 } as const;
