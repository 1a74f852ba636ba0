import { KST_OFFSET_MS } from "../engine/markets/kst.ts";

/**
 * The venues a promotion may name. One list: the HTTP schema (server.ts), the CLI's `--exchange`
 * help (cli/promote.ts) and the table in docs/bridge.md are all generated from it, so a venue the
 * docs describe is a venue the API takes.
 */
export interface VenueInfo {
  readonly id: string;
  readonly name: string;
  readonly market: string;
  /** how a symbol is written, for people */
  readonly symbolSyntax: string;
  readonly symbolExample: string;
  /** bar timeframes the venue also serves as candles (warm-up history, the backtest's data) */
  readonly timeframes: readonly string[];
  /** the session day daily loss and profit stops count in: offset of its midnight from UTC */
  readonly dayZone: "UTC" | "KST";
  /** the currency P&L is in, from a symbol */
  quote(symbol: string): string;
  /** the asset a position is held in, from a symbol */
  base(symbol: string): string;
}

const KST = KST_OFFSET_MS;

export const VENUES: readonly VenueInfo[] = Object.freeze([
  Object.freeze({
    id: "binance",
    name: "Binance spot",
    market: "crypto, around the clock",
    symbolSyntax: "BASE/QUOTE (ccxt)",
    symbolExample: "BTC/USDT",
    timeframes: ["1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d"],
    dayZone: "UTC",
    quote: (symbol: string) => symbol.split("/")[1] ?? "",
    base: (symbol: string) => symbol.split("/")[0],
  }),
  Object.freeze({
    id: "upbit",
    name: "Upbit",
    market: "crypto, around the clock",
    symbolSyntax: "QUOTE-BASE (Upbit) or BASE/QUOTE (ccxt)",
    symbolExample: "KRW-BTC",
    timeframes: ["1m", "3m", "5m", "10m", "15m", "30m", "1h", "4h", "1d"],
    dayZone: "KST",
    quote: (symbol: string) => (symbol.includes("-") ? symbol.split("-")[0] : (symbol.split("/")[1] ?? "")),
    base: (symbol: string) => (symbol.includes("-") ? (symbol.split("-")[1] ?? "") : symbol.split("/")[0]),
  }),
  Object.freeze({
    id: "kis",
    name: "KIS (Korea Investment & Securities)",
    market: "KRX stocks, 09:00-15:30 KST on weekdays",
    symbolSyntax: "6-character KRX code",
    symbolExample: "005930",
    timeframes: ["1m", "3m", "5m", "10m", "15m", "30m", "1h", "1d"],
    dayZone: "KST",
    quote: () => "KRW",
    base: (symbol: string) => symbol,
  }),
]);

export const VENUE_IDS = VENUES.map((v) => v.id) as [string, ...string[]];

export function venueInfo(id: string): VenueInfo | undefined {
  return VENUES.find((v) => v.id === id);
}

/** The quote currency of a promotion's symbol ("?" for an unknown venue, so it shares nothing). */
export function quoteOf(exchange: string, symbol: string): string {
  return venueInfo(exchange)?.quote(symbol) || "?";
}

/** The asset a position in the symbol is held in ("BTC" for KRW-BTC and BTC/USDT). */
export function baseOf(exchange: string, symbol: string): string {
  return venueInfo(exchange)?.base(symbol) || symbol;
}

/** The session day a time falls in, "YYYY-MM-DD" in the venue's day zone (UTC when unknown). */
export function sessionDay(exchange: string, time: number): string {
  const offset = venueInfo(exchange)?.dayZone === "KST" ? KST : 0;
  return new Date(time + offset).toISOString().slice(0, 10);
}

/** For `--exchange` help: "binance (BTC/USDT), upbit (KRW-BTC), kis (005930)". */
export function exchangeHelp(): string {
  return VENUES.map((v) => `${v.id} (${v.symbolExample})`).join(", ");
}

/** The venue table of docs/bridge.md, as markdown. */
export function venueTable(): string {
  const rows = VENUES.map(
    (v) =>
      `| \`${v.id}\` | ${v.name} | ${v.market} | ${v.symbolSyntax}, e.g. \`${v.symbolExample}\` | ` +
      `${v.timeframes.join(" ")} | ${v.dayZone} |`,
  );
  return [
    "| exchange | venue | market | symbol | timeframes | day of the daily stops |",
    "|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}
