// A series' id, `market:symbol:timeframe` ("binance:BTC/USDT:1m"): the CLI's messages and selectors,
// the notebooks' series pickers and the page's `series` column all spell it this way. Pure, so the
// browser may import it. Colons separate the parts because symbols contain slashes.

export interface SeriesIdParts {
  readonly market: string;
  readonly symbol: string;
  readonly timeframe: string;
}

/** "binance:BTC/USDT:1m" */
export function seriesId(s: SeriesIdParts): string {
  return `${s.market}:${s.symbol}:${s.timeframe}`;
}

/** "binance:BTC/USDT:1m" -> { market, symbol, timeframe }; throws on anything else. */
export function parseSeriesId(id: string): SeriesIdParts {
  const [market, symbol, timeframe, extra] = id.split(":");
  if (!market || !symbol || !timeframe || extra !== undefined)
    throw new Error(`invalid series id: ${id} (expected market:symbol:timeframe)`);
  return { market, symbol, timeframe };
}
