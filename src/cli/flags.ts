// The flags shared by several commands, and their parsers. Not a command: commands import this,
// never each other.
import type { Command } from "commander";
import type { RunSettings } from "../app/report.ts";
import { defaultCatalogDir } from "../data/catalog/types.ts";
import { ACCOUNT_MODELS, type AccountModel, type BacktestOptions, type Commission } from "../engine/index.ts";
import { COST_PRESETS, type CostPresetName, presetCommission } from "../engine/markets/index.ts";

/** commander's repeatable-option reducer */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A parser for a finite number flag; the error names the flag and the value. */
export const number = (name: string) => (value: string) => {
  const x = Number(value);
  if (!Number.isFinite(x)) throw new Error(`invalid ${name}: ${value}`);
  return x;
};

/** `--param name=value` pairs (repeatable) as an object of strings; the strategy's params parse them. */
export function parseParams(pairs: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`invalid --param '${pair}', expected name=value`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/** "0.001" (relative) or "100,0.01" (fixed, relative). */
export function parseCommission(value: string): Commission {
  const parts = value.split(",").map(Number);
  if (parts.some((x) => !Number.isFinite(x)) || parts.length > 2)
    throw new Error(`invalid commission: ${value}`);
  return parts.length === 2 ? [parts[0], parts[1]] : parts[0];
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
  account?: AccountModel;
}

/** Adds the broker and parameter flags shared by backtest, optimize and check lookahead. */
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
    .option("--exclusive-orders", "each new order closes the open position first")
    .option(
      "--account <model>",
      "margin (shorts and leverage, backtesting.py's) or cash (spot: sells only reduce, as live on Upbit, Binance spot, KRX)",
      (v: string) => {
        if (!ACCOUNT_MODELS.includes(v as AccountModel))
          throw new Error(`invalid account: ${v} (margin or cash)`);
        return v as AccountModel;
      },
      "margin",
    );
}

/**
 * The run's broker settings as a report records them (and a promotion carries them, inside the
 * fingerprint): a cost preset by name, or the commission.
 */
export function runSettings(flags: RunFlags): RunSettings {
  if (flags.costs !== undefined && flags.commission !== 0) {
    throw new Error(`give --costs ${flags.costs} or --commission ${flags.commission}, not both`);
  }
  return {
    cash: flags.cash,
    ...(flags.costs === undefined
      ? { commission: flags.commission as number | [number, number] }
      : { costs: flags.costs }),
    spread: flags.spread,
    slippage: flags.slippage,
    margin: flags.margin,
    unit: flags.unit,
    tradeOnClose: Boolean(flags.tradeOnClose),
    finalizeTrades: Boolean(flags.finalizeTrades),
    hedging: Boolean(flags.hedging),
    exclusiveOrders: Boolean(flags.exclusiveOrders),
    account: flags.account ?? "margin",
  };
}

/** The engine's options from the flags: the settings, with a preset turned into its commission. */
export function runOptions(flags: RunFlags): BacktestOptions {
  const { costs, commission, ...settings } = runSettings(flags);
  return {
    params: parseParams(flags.param),
    ...settings,
    commission: costs === undefined ? (commission ?? 0) : presetCommission(costs as CostPresetName),
  };
}
