import type { SeriesInfo } from "./catalog/types.ts";
import type { Kind } from "./frame.ts";

/**
 * A catalog selector names series on the command line where a file path would go:
 *
 *   binance:BTC/USDT:1m                      one series
 *   krx:005930                               every timeframe of a symbol (must resolve to one for bars)
 *   upbit                                    every series of a market
 *   binance:BTC/USDT:1m@2023-04-10..2023-04-20   a UTC date range, end exclusive (either side may be empty)
 *
 * Colons separate the parts because symbols contain slashes.
 */
export interface Selector {
  readonly market: string;
  readonly symbol?: string;
  readonly timeframe?: string;
  /** UTC epoch ms, inclusive start and exclusive end */
  readonly start?: number;
  readonly end?: number;
}

function parseTime(text: string, selector: string): number | undefined {
  if (text === "") return undefined;
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : /T/.test(text) ? `${text}Z` : `${text}T00:00:00Z`;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new Error(`invalid date in selector ${selector}: ${text}`);
  return t;
}

/** Parses `market[:symbol[:timeframe]][@start..end]`. */
export function parseSelector(text: string): Selector {
  const [series, range] = text.split("@", 2);
  const [market, symbol, timeframe, extra] = series.split(":");
  if (!market || extra !== undefined || symbol === "" || timeframe === "")
    throw new Error(`invalid selector: ${text} (expected market[:symbol[:timeframe]][@start..end])`);
  let start: number | undefined;
  let end: number | undefined;
  if (range !== undefined) {
    const parts = range.split("..");
    if (parts.length !== 2) throw new Error(`invalid range in selector ${text}: expected start..end`);
    start = parseTime(parts[0], text);
    end = parseTime(parts[1], text);
  }
  return { market, symbol, timeframe, start, end };
}

/** True when `text` reads as a selector rather than a file name. */
export function looksLikeSelector(text: string): boolean {
  return /^[a-z0-9_-]+(:|$)/i.test(text) && (text.includes(":") || !text.includes("."));
}

/** The series of a listing that a selector names, optionally of one kind. */
export function matchSeries(list: readonly SeriesInfo[], selector: Selector, kind?: Kind): SeriesInfo[] {
  return list.filter(
    (s) =>
      s.market === selector.market &&
      (selector.symbol === undefined || s.symbol === selector.symbol) &&
      (selector.timeframe === undefined || s.timeframe === selector.timeframe) &&
      (kind === undefined || s.kind === kind),
  );
}
