import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Command, Option } from "commander";
import { Catalog } from "../data/catalog/catalog.ts";
import { defaultCatalogDir } from "../data/catalog/types.ts";
import { readInputs } from "../data/formats/index.ts";
import { looksLikeSelector, matchSeries, parseSelector } from "../data/selector.ts";
import { seriesId } from "../data/series-id.ts";
import {
  type BacktestOptions,
  type BacktestResult,
  type Bars,
  backtest,
  type Commission,
  type StrategyDef,
  suggest,
  toBars,
} from "../engine/index.ts";
import { type CostPresetName, costPreset } from "../engine/markets/index.ts";
import { lookaheadCommand } from "./lookahead.ts";
import { isStomRun, stomBacktestCommand, withStomOptions } from "./stom-backtest.ts";

const STRATEGY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../notebooks/strategies");

export interface LoadedStrategy {
  readonly strategy: StrategyDef;
  readonly file: string;
  readonly source: string;
}

/** A bundled name ("sma-cross") resolves to notebooks/strategies/<name>.ts; anything else is a path. */
export async function loadStrategy(ref: string): Promise<LoadedStrategy> {
  const bundled = /^[a-z0-9][a-z0-9-]*$/i.test(ref);
  const file = bundled ? path.join(STRATEGY_DIR, `${ref}.ts`) : path.resolve(ref);
  if (!existsSync(file)) {
    if (bundled) {
      const { readdir } = await import("node:fs/promises");
      const names = (await readdir(STRATEGY_DIR)).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3));
      const hint = suggest(ref, names);
      throw new Error(
        `unknown strategy '${ref}'${hint ? `, did you mean '${hint}'?` : ` (bundled: ${names.join(", ")})`}`,
      );
    }
    throw new Error(`no such strategy file: ${ref}`);
  }
  const mod = await import(pathToFileURL(file).href);
  const strategy = mod.default as StrategyDef | undefined;
  if (
    !strategy ||
    typeof strategy.init !== "function" ||
    typeof strategy.next !== "function" ||
    !strategy.params
  ) {
    throw new Error(
      `${ref}: the default export is not a strategy (use defineStrategy({params, init, next}))`,
    );
  }
  return { strategy, file, source: await readFile(file, "utf8") };
}

/**
 * Reads one bar series: a data file in any format the data layer recognises, or a catalog
 * selector such as `binance:BTC/USDT:1m@2023-04-10..2023-04-20` (see src/data/selector.ts).
 */
export async function loadBars(
  data: string,
  catalogDir = defaultCatalogDir(),
): Promise<{ bars: Bars; symbol: string; timeframe: string }> {
  if (!existsSync(data) && looksLikeSelector(data)) return loadCatalogBars(data, catalogDir);
  const frames = [];
  for await (const frame of readInputs([data])) frames.push(frame);
  if (frames.length !== 1) throw new Error(`${data} holds ${frames.length} series; give a file with one`);
  const frame = frames[0];
  if (frame.kind !== "bars") throw new Error(`${data} holds ${frame.kind}, not bars`);
  return { bars: toBars(frame), symbol: frame.symbol, timeframe: frame.timeframe };
}

async function loadCatalogBars(text: string, catalogDir: string) {
  const selector = parseSelector(text);
  const catalog = await Catalog.open(catalogDir, { readOnly: true });
  try {
    const found = matchSeries(catalog.list(), selector, "bars");
    if (found.length !== 1) {
      const known = (found.length ? found : catalog.list().filter((s) => s.kind === "bars")).map(seriesId);
      const list = known.length ? known.slice(0, 10).join(", ") + (known.length > 10 ? ", ..." : "") : "none";
      throw new Error(
        found.length
          ? `${text} matches ${found.length} bar series (${list}): name the symbol and timeframe`
          : `no bars in ${catalogDir} match ${text} (there: ${list})`,
      );
    }
    const frame = await catalog.read({ ...found[0], start: selector.start, end: selector.end });
    if (frame.length === 0) throw new Error(`${text}: no bars in that range`);
    return { bars: toBars(frame), symbol: frame.symbol, timeframe: frame.timeframe };
  } finally {
    await catalog.close();
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function parseParams(pairs: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`invalid --param '${pair}', expected name=value`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

const number = (name: string) => (value: string) => {
  const x = Number(value);
  if (!Number.isFinite(x)) throw new Error(`invalid ${name}: ${value}`);
  return x;
};

/** "0.001" (relative) or "100,0.01" (fixed, relative). */
export function parseCommission(value: string): Commission {
  const parts = value.split(",").map(Number);
  if (parts.some((x) => !Number.isFinite(x)) || parts.length > 2)
    throw new Error(`invalid commission: ${value}`);
  return parts.length === 2 ? [parts[0], parts[1]] : parts[0];
}

export const COST_PRESETS: readonly CostPresetName[] = ["krx", "upbit", "binance", "binance-futures"];

/**
 * A cost preset as the bar broker's commission callable. The broker passes the trade's signed size
 * on both fills plus whether the fill closes it, so the side, and with it KRX's sell-side tax, is exact.
 */
export function presetCommission(name: string): (size: number, price: number, exit: boolean) => number {
  if (!COST_PRESETS.includes(name as CostPresetName)) {
    const hint = suggest(name, COST_PRESETS);
    throw new Error(
      `unknown cost preset: ${name}${hint ? `, did you mean '${hint}'?` : ` (expected ${COST_PRESETS.join(", ")})`}`,
    );
  }
  const model = costPreset(name as CostPresetName);
  return (size, price, exit) => model.commission(size, price, size > 0 === exit ? "sell" : "buy");
}

export interface RunFlags {
  /** a file or catalog selector, and the catalog it refers to */
  data?: string;
  catalog?: string;
  param?: string[];
  cash: number;
  commission: Commission;
  costs?: string;
  spread: number;
  slippage: number;
  margin: number;
  unit: number;
  tradeOnClose?: boolean;
  finalizeTrades?: boolean;
  hedging?: boolean;
  exclusiveOrders?: boolean;
}

/** Adds the broker and parameter flags shared by backtest and check lookahead. */
export function withRunOptions(cmd: Command): Command {
  return cmd
    .requiredOption(
      "--data <file|selector>",
      "bar data: a file (any format `stom data import` reads) or a catalog selector like binance:BTC/USDT:1m",
    )
    .option("--catalog <dir>", "catalog directory for selectors", defaultCatalogDir())
    .option("--param <name=value>", "strategy parameter (repeatable)", collect)
    .option("--cash <n>", "starting cash", number("cash"), 10_000)
    .option(
      "--commission <rate|fixed,rate>",
      "commission per fill: relative, or fixed and relative",
      parseCommission,
      0,
    )
    .option("--costs <preset>", `market cost preset instead of --commission: ${COST_PRESETS.join("|")}`)
    .option("--spread <f>", "bid-ask spread as a fraction of price", number("spread"), 0)
    .option(
      "--slippage <f>",
      "adverse slippage on market and stop fills, as a fraction",
      number("slippage"),
      0,
    )
    .option("--margin <f>", "margin ratio (0.1 = 10:1 leverage)", number("margin"), 1)
    .option("--unit <f>", "smallest tradable quantity (1e-8 for satoshis)", number("unit"), 1)
    .option("--trade-on-close", "fill market orders at the deciding bar's close")
    .option("--finalize-trades", "close open trades at the end so they count")
    .option("--hedging", "allow long and short trades at once")
    .option("--exclusive-orders", "each new order closes the open position first");
}

export function runOptions(flags: RunFlags): BacktestOptions {
  if (flags.costs !== undefined && flags.commission !== 0) {
    throw new Error(`give --costs ${flags.costs} or --commission ${flags.commission}, not both`);
  }
  return {
    params: parseParams(flags.param),
    cash: flags.cash,
    commission: flags.costs === undefined ? flags.commission : presetCommission(flags.costs),
    spread: flags.spread,
    slippage: flags.slippage,
    margin: flags.margin,
    unit: flags.unit,
    tradeOnClose: Boolean(flags.tradeOnClose),
    finalizeTrades: Boolean(flags.finalizeTrades),
    hedging: Boolean(flags.hedging),
    exclusiveOrders: Boolean(flags.exclusiveOrders),
  };
}

const iso = (t: number) => new Date(t).toISOString();

/** Trades as JSON rows (the columns stay the engine's format). */
export function tradeRows(result: BacktestResult): Record<string, unknown>[] {
  const t = result.trades;
  const rows: Record<string, unknown>[] = [];
  for (let k = 0; k < t.length; k++) {
    const indicators: Record<string, [number, number]> = {};
    for (const [name, v] of Object.entries(t.indicators)) indicators[name] = [v.entry[k], v.exit[k]];
    rows.push({
      size: t.size[k],
      entryBar: t.entryBar[k],
      exitBar: t.exitBar[k],
      entryPrice: t.entryPrice[k],
      exitPrice: t.exitPrice[k],
      sl: Number.isNaN(t.sl[k]) ? null : t.sl[k],
      tp: Number.isNaN(t.tp[k]) ? null : t.tp[k],
      pnl: t.pnl[k],
      commission: t.commission[k],
      returnPct: t.returnPct[k],
      entryTime: iso(t.entryTime[k]),
      exitTime: iso(t.exitTime[k]),
      tag: t.tag[k],
      indicators,
    });
  }
  return rows;
}

const SPARKS = "▁▂▃▄▅▆▇█";

/** A one-line text chart of a series, `width` characters wide (last value of each bucket). */
export function sparkline(values: Float64Array, width = 60): string {
  const n = values.length;
  const w = Math.min(width, n);
  const picked: number[] = [];
  for (let k = 0; k < w; k++) picked.push(values[Math.min(n - 1, Math.floor(((k + 1) * n) / w) - 1)]);
  const lo = Math.min(...picked);
  const hi = Math.max(...picked);
  return picked
    .map((v) => SPARKS[hi > lo ? Math.round(((v - lo) / (hi - lo)) * (SPARKS.length - 1)) : 0])
    .join("");
}

function formatValue(value: unknown): string {
  if (typeof value !== "number") return String(value);
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value.toLocaleString("en-US", { maximumFractionDigits: 4 });
}

export function statsTable(stats: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(stats).map((k) => k.length));
  return Object.entries(stats)
    .map(([k, v]) => `${k.padEnd(width)}  ${formatValue(v)}`)
    .join("\n");
}

export function registerBacktestCommands(program: Command): void {
  const cmd = new (program.constructor as typeof Command)("backtest")
    .description("backtest a strategy (bundled name like sma-cross, or a .ts file) on bar data")
    .argument("[strategy]", "bundled strategy name or path to a strategy module (or --stom-buy/--stom-sell)")
    .addOption(new Option("--json", "print {stats, trades, params, data} as JSON"))
    .option("--out <file>", "write the JSON report with a fingerprint for promotion");
  withStomOptions(cmd);
  withRunOptions(cmd).action(
    async (
      ref: string,
      flags: RunFlags & { json?: boolean; out?: string; data: string },
      command: Command,
    ) => {
      // STOM strategy texts run through the tick simulator (src/cli/stom-backtest.ts)
      if (isStomRun(flags)) return stomBacktestCommand(flags, command);
      if (!ref) throw new Error("give a strategy, or --stom-buy and --stom-sell");
      const loaded = await loadStrategy(ref);
      const { bars, symbol, timeframe } = await loadBars(flags.data, flags.catalog);
      const options = runOptions(flags);
      const result = backtest(loaded.strategy, bars, options);
      const report = {
        stats: result.stats,
        trades: tradeRows(result),
        params: result.params,
        data: {
          file: flags.data,
          symbol,
          timeframe,
          rows: bars.length,
          start: iso(bars.time[0]),
          end: iso(bars.time[bars.length - 1]),
        },
      };
      if (flags.out) {
        const fingerprint = createHash("sha256")
          .update(loaded.source)
          .update(JSON.stringify(result.params))
          .digest("hex");
        const { params: _p, ...settings } = options;
        const out = {
          ...report,
          strategy: { ref, file: loaded.file, fingerprint },
          settings: { ...settings, costs: flags.costs },
        };
        // per-bar curves for the Report page, one compact line each: 2-space JSON would put every
        // number of a long run on its own line
        const line = (xs: ArrayLike<number>) => JSON.stringify(Array.from(xs));
        const curves = `"curves": {\n    "time": ${line(bars.time)},\n    "equity": ${line(result.equity)},\n    "drawdown": ${line(result.drawdown)}\n  }`;
        const text = `${JSON.stringify(out, null, 2).slice(0, -2)},\n  ${curves}\n}`;
        await writeFile(flags.out, `${text}\n`);
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return;
      }
      const name = loaded.strategy.name ?? path.basename(loaded.file, ".ts");
      const params = Object.entries(result.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
      console.log(`${name} ${params}  on ${symbol} ${timeframe}, ${bars.length} bars\n`);
      console.log(statsTable(result.stats as unknown as Record<string, unknown>));
      console.log(`\nequity  ${sparkline(result.equity)}`);
      for (const w of new Set(result.warnings)) console.error(`warning: ${w}`);
    },
  );
  program.addCommand(cmd);
  const check =
    program.commands.find((c) => c.name() === "check") ??
    program.command("check").description("checks on strategies");
  check.addCommand(lookaheadCommand());
}
