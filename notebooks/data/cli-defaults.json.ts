// The defaults of `stom backtest` (src/cli/backtest.ts), read from its option definitions, so the
// Backtest page starts from the same cash, commission and spread as the CLI.
import { Command } from "commander";
import { withRunOptions } from "../../src/cli/flags.ts";
import { run } from "./source.ts";

run(async () => {
  const cmd = withRunOptions(new Command("backtest"));
  const defaults: Record<string, unknown> = {};
  for (const o of cmd.options) defaults[o.attributeName()] = o.defaultValue;
  const { cash, commission, spread } = defaults;
  for (const [k, v] of Object.entries({ cash, commission, spread }))
    if (typeof v !== "number") throw new Error(`stom backtest --${k} has no numeric default (${String(v)})`);
  return `${JSON.stringify({ command: "stom backtest", cash, commission, spread })}\n`;
});
