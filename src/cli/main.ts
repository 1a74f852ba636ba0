import { Command } from "commander";

type Register = (program: Command) => void;

// Each group is imported only when its command runs: the bridge alone pulls in ccxt and express
// (seconds of start-up), which `stom data ls` should not pay for. `stom --help` loads them all.
const groups: Record<string, () => Promise<Register>> = {
  data: async () => (await import("./data.ts")).registerDataCommands,
  backtest: async () => (await import("./backtest.ts")).registerBacktestCommands,
  optimize: async () => (await import("./optimize.ts")).registerOptimizeCommand,
  bridge: async () => (await import("./bridge.ts")).registerBridgeCommands,
  demo: async () => {
    const { demoCommand } = await import("./demo.ts");
    return (program) => program.addCommand(demoCommand());
  },
};
// commands registered by another group's function
const alias: Record<string, string> = { check: "backtest", promote: "bridge" };

const program = new Command()
  .name("stom")
  .description(
    "STOM in TypeScript: market data catalog, backtests, optimization, notebooks and a live bridge",
  )
  .version("0.1.0")
  .showHelpAfterError();

const name = process.argv[2] ?? "";
const group = groups[alias[name] ?? name];
for (const load of group ? [group] : Object.values(groups)) (await load())(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Errors meant for users are short and say what was wrong; a stack helps nobody here.
  console.error(`stom: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
