import { Command } from "commander";

/**
 * `stom demo`: the first run. Puts the SYNTHETIC sample into the catalog when it is not there
 * yet, then backtests the bundled sma-cross strategy on it: no data, no network, no settings.
 */
export function demoCommand(): Command {
  return new Command("demo")
    .description("write the synthetic sample into the catalog and backtest sma-cross on it")
    .option("--catalog <dir>", "catalog directory (default: $STOM_CATALOG or ./catalog)")
    .action(async (options: { catalog?: string }) => {
      // Loaded here so that `stom --help` does not pay for DuckDB and the engine.
      const [{ Catalog }, { defaultCatalogDir }, { makeSampleBars }, { backtest }, { loadStrategy }, format] =
        await Promise.all([
          import("../data/catalog/catalog.ts"),
          import("../data/catalog/types.ts"),
          import("../data/sample.ts"),
          import("../engine/index.ts"),
          import("../app/strategy-loader.ts"),
          import("./format.ts"),
        ]);
      const dir = options.catalog ?? defaultCatalogDir();
      const sample = makeSampleBars({ bars: 20_000, timeframe: "1h" });
      const key = {
        kind: "bars",
        market: sample.market,
        symbol: sample.symbol,
        timeframe: sample.timeframe,
      } as const;
      const catalog = await Catalog.open(dir);
      try {
        if (catalog.lastTime(key) === undefined) {
          await catalog.write([sample]);
          console.log(
            `wrote ${sample.length} synthetic bars (${sample.symbol} ${sample.timeframe}) to ${dir}`,
          );
        }
        const frame = await catalog.read(key);
        const { strategy } = await loadStrategy("sma-cross");
        const result = backtest(strategy, frame, {
          cash: 10_000_000,
          commission: 0.0005,
          finalizeTrades: true,
        });
        console.log(
          `sma-cross fast=10 slow=30 on ${frame.symbol} ${frame.timeframe} (synthetic), ${frame.length} bars`,
        );
        console.log("costs: 0.05% each side, cash 10,000,000\n");
        console.log(format.statsTable(result.stats as unknown as Record<string, unknown>));
        console.log(`\nequity  ${format.sparkline(result.equity)}`);
        console.log(
          `\nnext: stom data ls --catalog ${dir}   ·   stom backtest sma-cross --data <file> --param fast=20`,
        );
      } finally {
        await catalog.close();
      }
    });
}
