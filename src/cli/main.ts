import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { exitQuietlyOnEpipe } from "./epipe.ts";

type Register = (program: Command) => void;

const VERSION = "0.1.0";

// Each group is imported only when its command runs: the bridge alone pulls in ccxt and express
// (seconds of start-up), which `stom data ls` should not pay for.
const groups: Record<string, () => Promise<Register>> = {
  data: async () => (await import("./data.ts")).registerDataCommands,
  backtest: async () => (await import("./backtest.ts")).registerBacktestCommand,
  check: async () => {
    const { lookaheadCommand } = await import("./lookahead.ts");
    return (program) =>
      program.command("check").description("checks on strategies").addCommand(lookaheadCommand());
  },
  optimize: async () => (await import("./optimize.ts")).registerOptimizeCommand,
  bridge: async () => (await import("./bridge.ts")).registerBridgeCommands,
  record: async () => (await import("./record.ts")).registerRecordCommand,
  worker: async () => (await import("./worker.ts")).registerWorkerCommand,
  promote: async () => (await import("./promote.ts")).registerPromoteCommand,
  demo: async () => {
    const { demoCommand } = await import("./demo.ts");
    return (program) => program.addCommand(demoCommand());
  },
};
// Each command is its own module and none imports another (backtest and optimize have their STOM
// modes beside them, stom-backtest.ts and stom-optimize.ts): what they share lives in src/app (the
// application layer: strategy loader, fingerprint, report schema, data loading) and in ./flags.ts.

// scripts/build.mjs defines this; under tsx it is undeclared
declare const __STOM_BUNDLED__: boolean | undefined;
const bundled = typeof __STOM_BUNDLED__ !== "undefined";
const ROOT = new URL("../../", import.meta.url);

// `stom ... | head -1`: a reader that has gone ends the process quietly
exitQuietlyOnEpipe();

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  process.stdout.write(`${VERSION}\n`);
  process.exit(0);
}
// the top-level help, rendered at build time (listing the groups loads them all)
const helpFile = new URL("build/help.txt", ROOT);
if (
  bundled &&
  !process.env.STOM_FULL_HELP &&
  args.length === 1 &&
  (args[0] === "--help" || args[0] === "-h")
) {
  if (existsSync(helpFile)) {
    process.stdout.write(readFileSync(helpFile, "utf8"));
    process.exit(0);
  }
}

const program = new Command()
  .name("stom")
  .description(
    "STOM in TypeScript: market data catalog, backtests, optimization, notebooks and a live bridge",
  )
  .version(VERSION)
  .showHelpAfterError();

const name = args[0] === "help" && args[1] ? args[1] : (args[0] ?? "");
const group = groups[name];
for (const load of group ? [group] : Object.values(groups)) (await load())(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Errors meant for users are short and say what was wrong; a stack helps nobody here, but an
  // error thrown in a strategy names the strategy's own file:line:column (source-mapped).
  const where = error instanceof Error ? userFrame(error.stack ?? "") : "";
  console.error(
    `stom: ${error instanceof Error ? error.message : String(error)}${where ? `\n    at ${where}` : ""}`,
  );
  process.exitCode = 1;
}

/** The innermost stack frame outside stom's own code and Node's: a strategy's file:line:column. */
function userFrame(stack: string): string {
  const own = ["src/", "build/", "bin/"].map((d) => fileURLToPath(new URL(d, ROOT)));
  for (const line of stack.split("\n").slice(1)) {
    const m = /(?:\(|^at )((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)\)?$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].startsWith("file:") ? fileURLToPath(m[1]) : m[1];
    if (file.includes("/node_modules/") || own.some((d) => file.startsWith(d))) continue;
    return `${file}:${m[2]}:${m[3]}`;
  }
  return "";
}
