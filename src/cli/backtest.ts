import { type Command, Option } from "commander";
import { loadBars } from "../app/load-bars.ts";
import { loadStrategy } from "../app/strategy-loader.ts";
import { backtest } from "../engine/index.ts";
import { type RunFlags, runOptions, runSettings, withRunOptions } from "./flags.ts";
import { sparkline, statsTable } from "./format.ts";
import { stomBacktestCommand } from "./stom-backtest.ts";
import { isStomRun, withStomOptions } from "./stom-flags.ts";
import { type UniverseFlags, universeBacktestCommand, withUniverseOptions } from "./universe.ts";

const iso = (t: number) => new Date(t).toISOString();

type BacktestFlags = RunFlags & { json?: boolean; out?: string; data: string; universe?: string };

/** `stom backtest <strategy> --data <file|selector>`, or STOM texts with --stom-buy/--stom-sell. */
export function registerBacktestCommand(program: Command): void {
  const cmd = new (program.constructor as typeof Command)("backtest")
    .description("backtest a strategy (bundled name like sma-cross, or a .ts file) on bar data")
    .argument("[strategy]", "bundled strategy name or path to a strategy module (or --stom-buy/--stom-sell)")
    .addOption(new Option("--json", "print {stats, trades, params, data} as JSON"))
    .option("--out <file>", "write the JSON report (the Report page's and `stom promote`'s input)");
  withStomOptions(withUniverseOptions(cmd));
  withRunOptions(cmd).action(async (ref: string, flags: BacktestFlags, command: Command) => {
    // one backtest per series of a universe, gathered into one table (src/cli/universe.ts)
    if (flags.universe) return universeBacktestCommand(ref, flags as UniverseFlags, command);
    // STOM strategy texts run through STOM's tick engine (the STOM mode of this command)
    if (isStomRun(flags)) return stomBacktestCommand(flags, command);
    if (!ref) throw new Error("give a strategy, or --stom-buy and --stom-sell");
    const loaded = await loadStrategy(ref);
    const { bars, symbol, timeframe } = await loadBars(flags.data, flags.catalog);
    const options = runOptions(flags);
    const result = backtest(loaded.strategy, bars, options);
    const data = {
      file: flags.data,
      symbol,
      timeframe,
      rows: bars.length,
      start: iso(bars.time[0]),
      end: iso(bars.time[bars.length - 1]),
    };
    if (flags.out) {
      const { fingerprint } = await import("../app/fingerprint.ts");
      const { tradeRows, writeReport } = await import("../app/report.ts");
      const settings = runSettings(flags);
      await writeReport(flags.out, {
        version: 1,
        strategy: {
          ref,
          file: loaded.file,
          fingerprint: fingerprint(loaded.source, result.params, settings),
        },
        params: result.params,
        data,
        settings,
        stats: result.stats as unknown as Record<string, number | string | null>,
        trades: tradeRows(result),
        curves: {
          time: Array.from(bars.time),
          equity: Array.from(result.equity),
          drawdown: Array.from(result.drawdown),
        },
      });
    }
    if (flags.json) {
      const { tradeRows } = await import("../app/report.ts");
      const report = { stats: result.stats, trades: tradeRows(result), params: result.params, data };
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return;
    }
    const params = Object.entries(result.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    console.log(
      `${loaded.strategy.name ?? loaded.name} ${params}  on ${symbol} ${timeframe}, ${bars.length} bars\n`,
    );
    console.log(statsTable(result.stats as unknown as Record<string, unknown>));
    console.log(`\nequity  ${sparkline(result.equity)}`);
    for (const w of new Set(result.warnings)) console.error(`warning: ${w}`);
  });
  program.addCommand(cmd);
}
