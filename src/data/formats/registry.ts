import { binanceKlineCsv } from "./binance-kline-csv.ts";
import type { Format } from "./format.ts";
import { freqtradeOhlcvJson } from "./freqtrade-ohlcv-json.ts";
import { freqtradeTradesJson } from "./freqtrade-trades-json.ts";
import { krxMinuteCsv } from "./krx-minute-csv.ts";
import { krxMinuteTarball } from "./krx-minute-tarball.ts";
import { ohlcvCsv } from "./ohlcv-csv.ts";
import { stomSqlite } from "./stom-sqlite.ts"; // written by the STOM importer's engineer
import { upbitCandlesJson } from "./upbit-candles-json.ts";
import { upbitLegacyCandlesCsv } from "./upbit-legacy-candles-csv.ts";
import { upbitTradesCsv } from "./upbit-trades-csv.ts";

/**
 * Every input format, in sniffing order: specific formats first, the generic OHLCV CSV last
 * (its header test would also accept several specific CSVs).
 */
export const FORMATS: readonly Format[] = Object.freeze([
  stomSqlite,
  krxMinuteTarball,
  binanceKlineCsv,
  upbitLegacyCandlesCsv,
  upbitTradesCsv,
  krxMinuteCsv,
  freqtradeTradesJson,
  freqtradeOhlcvJson,
  upbitCandlesJson,
  ohlcvCsv,
]);
