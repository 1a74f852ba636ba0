import { Command } from "commander";
import { registerBacktestCommands } from "./backtest.ts";
import { registerBridgeCommands } from "./bridge.ts";
import { registerDataCommands } from "./data.ts";
import { demoCommand } from "./demo.ts";
import { registerOptimizeCommand } from "./optimize.ts";

const program = new Command()
  .name("stom")
  .description(
    "STOM in TypeScript: market data catalog, backtests, optimization, notebooks and a live bridge",
  )
  .version("0.1.0")
  .showHelpAfterError();

registerDataCommands(program);
registerBacktestCommands(program);
registerBridgeCommands(program);
registerOptimizeCommand(program);
program.addCommand(demoCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Errors meant for users are short and say what was wrong; a stack helps nobody here.
  console.error(`stom: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
