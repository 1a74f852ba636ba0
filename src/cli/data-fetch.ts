import { SingleBar } from "cli-progress";
import { Command, Option } from "commander";
import { defaultCatalogDir } from "../data/catalog/types.ts";
import type { FetchProgress, FetchResult } from "../data/fetch/index.ts";

/** Repeated here so `stom --help` does not load ccxt and DuckDB: see URL_OVERRIDE_ENV in src/data/fetch. */
const URL_OVERRIDE_ENV = "STOM_CCXT_URL_OVERRIDE";

interface FetchFlags {
  timeframe?: string;
  trades?: boolean;
  since?: string;
  until?: string;
  catalog?: string;
  json?: boolean;
  batchPages: string;
  urlOverride?: string;
}

/**
 * `stom data fetch <exchange> <symbol> (--timeframe 1m | --trades) --since ISO [--until ISO]`
 *
 * Upbit series are stored as "KRW-BTC" (Upbit's code, as in STOM); other venues as ccxt's unified
 * symbol ("BTC/USDT"). Either spelling is accepted on the command line.
 */
export function fetchCommand(): Command {
  return new Command("fetch")
    .description(
      "fetch candles or trades from an exchange (any ccxt id: upbit, binance, ...) into the catalog",
    )
    .argument("<exchange>", "ccxt exchange id: upbit, binance, okx, ...")
    .argument(
      "<symbol>",
      'market, unified or in the venue\'s spelling: "BTC/USDT", "BTCUSDT", "KRW-BTC", "BTC/KRW"',
    )
    .option("--timeframe <tf>", "candles of this timeframe: 1m, 5m, 1h, 1d ...")
    .option("--trades", "trades (ticks) instead of candles")
    .option("--since <iso>", "start, inclusive (ISO 8601; no zone means UTC); required except for kis")
    .option("--until <iso>", "end, exclusive (default: now); candles still open are never stored")
    .option("--catalog <dir>", "catalog directory (default: $STOM_CATALOG or ./catalog)")
    .option("--json", "print the result as JSON")
    .option("--batch-pages <n>", "pages per catalog commit", "10")
    .addOption(
      new Option(
        "--url-override <origin>",
        `testing aid: send every request to this origin (or $${URL_OVERRIDE_ENV})`,
      ).hideHelp(),
    )
    .action(async (exchangeId: string, symbol: string, flags: FetchFlags) => {
      if (exchangeId.toLowerCase() === "kis") return fetchKis(symbol, flags);
      if (Boolean(flags.timeframe) === Boolean(flags.trades))
        throw new Error("give one of --timeframe <tf> or --trades");
      if (flags.since === undefined) throw new Error("--since <iso> is required");
      const since = parseTime(flags.since, "--since");
      const until = flags.until === undefined ? undefined : parseTime(flags.until, "--until");
      if (until !== undefined && until <= since)
        throw new Error(`--until ${flags.until} is not after --since ${flags.since}`);
      const batchPages = Number(flags.batchPages);
      if (!Number.isInteger(batchPages) || batchPages < 1)
        throw new Error(`invalid --batch-pages: ${flags.batchPages}`);

      const [{ createExchange, fetchOhlcv, fetchTrades }, { Catalog }] = await Promise.all([
        import("../data/fetch/index.ts"),
        import("../data/catalog/catalog.ts"),
      ]);
      const exchange = createExchange(exchangeId, {
        need: flags.trades ? "fetchTrades" : "fetchOHLCV",
        urlOverride: flags.urlOverride ?? process.env[URL_OVERRIDE_ENV],
      });
      const catalog = await Catalog.open(flags.catalog ?? defaultCatalogDir());
      const bar = progressBar();
      let result: FetchResult;
      try {
        const options = { symbol, since, until, batchPages, onProgress: bar.update };
        result = flags.trades
          ? await fetchTrades(exchange, catalog, options)
          : await fetchOhlcv(exchange, catalog, { ...options, timeframe: flags.timeframe });
      } finally {
        bar.stop();
        await catalog.close();
      }
      const summary = {
        exchange: exchange.id,
        symbol: result.key.symbol,
        kind: result.key.kind,
        timeframe: result.key.timeframe,
        from: iso(result.from),
        to: iso(result.to),
        first: iso(result.first),
        last: iso(result.last),
        rows: result.rows,
        rowsAdded: result.rowsAdded,
        pages: result.pages,
        batches: result.batches,
      };
      if (flags.json) console.log(JSON.stringify(summary));
      else {
        console.log(
          `${summary.exchange} ${summary.symbol} ${summary.timeframe}: ${summary.rows} rows fetched, ` +
            `${summary.rowsAdded} new, ${summary.pages} pages (${summary.first ?? "-"} .. ${summary.last ?? "-"})`,
        );
      }
    });
}

/**
 * `stom data fetch kis <code> --timeframe 1m`: today's minute bars from KIS (keys from KIS_APPKEY,
 * KIS_APPSECRET, KIS_ACCOUNT; the mock host unless KIS_ENV=real; STOM_KIS_URL points it elsewhere)
 * into the catalog as market "krx", Asia/Seoul.
 */
async function fetchKis(code: string, flags: FetchFlags): Promise<void> {
  if (flags.trades || (flags.timeframe ?? "1m") !== "1m")
    throw new Error(`kis serves 1m bars only (got ${flags.trades ? "--trades" : flags.timeframe})`);
  const [{ KisClient, credentialsFromEnv }, { fetchKisMinutes }, { Catalog }] = await Promise.all([
    import("../bridge/kis/index.ts"),
    import("../data/fetch/kis.ts"),
    import("../data/catalog/catalog.ts"),
  ]);
  const env = process.env.KIS_ENV === "real" ? "real" : "mock";
  const baseUrl = flags.urlOverride ?? process.env.STOM_KIS_URL;
  const client = new KisClient(credentialsFromEnv(), { env, baseUrl });
  const frame = await fetchKisMinutes(client, { code });
  // the chart endpoint serves today only: --since/--until do not apply
  const t = frame.columns.time as Float64Array;
  const catalog = await Catalog.open(flags.catalog ?? defaultCatalogDir());
  let rowsAdded = 0;
  try {
    rowsAdded = (await catalog.write([frame])).rowsAdded;
  } finally {
    await catalog.close();
  }
  const summary = {
    exchange: "kis",
    market: "krx",
    symbol: code,
    timeframe: "1m",
    first: iso(t[0]),
    last: iso(t[t.length - 1]),
    rows: frame.length,
    rowsAdded,
  };
  if (flags.json) console.log(JSON.stringify(summary));
  else
    console.log(
      `kis ${code} 1m: ${summary.rows} rows, ${rowsAdded} new (${summary.first ?? "-"} .. ${summary.last ?? "-"})`,
    );
}

/** ISO 8601 to UTC epoch ms; a time without a zone is read as UTC, never as this machine's zone. */
export function parseTime(text: string, flag: string): number {
  const zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(text) || /^\d{4}-\d\d-\d\d$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms))
    throw new Error(`invalid ${flag}: ${text} (expected ISO 8601, e.g. 2024-01-31T09:00Z)`);
  return ms;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString();
}

/** A bar on stderr (silent when stderr is not a terminal), driven by the fetched share of the span. */
function progressBar(): { update: (p: FetchProgress) => void; stop: () => void } {
  const bar = new SingleBar({
    stream: process.stderr,
    format: "fetch [{bar}] {percentage}% | {rows} rows | eta {eta_formatted}",
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    update: ({ done, total, rows }) => {
      const scale = 10_000;
      const value = total > 0 ? Math.round((done / total) * scale) : scale;
      if (!started) {
        bar.start(scale, value, { rows });
        started = true;
      } else bar.update(value, { rows });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
