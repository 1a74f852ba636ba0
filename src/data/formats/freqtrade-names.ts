import { stem } from "./files.ts";

const PAIR =
  /(?:^|_)([A-Z0-9]+)_([A-Z0-9]+)(?:_([A-Z0-9]+))?-(\d+(?:[smhdwM]|Mo))(?:-(?:spot|futures|mark|index|premiumIndex|funding_rate))?$/;
const TRADES = /(?:^|_)([A-Z0-9]+)_([A-Z0-9]+)(?:_([A-Z0-9]+))?-trades$/;

function pair(base: string, quote: string, settle?: string): string {
  return settle ? `${base}/${quote}:${settle}` : `${base}/${quote}`;
}

/** freqtrade's data file names: "ETH_BTC-1m.json" -> {symbol "ETH/BTC", timeframe "1m"}; any prefix before the pair is ignored. */
export function freqtradeOhlcvName(file: string): { symbol: string; timeframe: string } | undefined {
  const m = PAIR.exec(stem(file));
  if (!m) return undefined;
  return { symbol: pair(m[1], m[2], m[3]), timeframe: m[4] === "1Mo" ? "1M" : m[4] };
}

/** "XRP_ETH-trades.json.gz" -> "XRP/ETH". */
export function freqtradeTradesName(file: string): string | undefined {
  const m = TRADES.exec(stem(file));
  return m ? pair(m[1], m[2], m[3]) : undefined;
}
