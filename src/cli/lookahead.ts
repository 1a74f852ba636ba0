import { Command } from "commander";
import { loadBars } from "../app/load-bars.ts";
import { loadStrategy } from "../app/strategy-loader.ts";
import { checkLookahead } from "../engine/index.ts";
import { type RunFlags, runOptions, withRunOptions } from "./flags.ts";

const fmt = (d: unknown) => (d ? JSON.stringify(d) : "nothing");

/** `stom check lookahead <strategy> --data <file> [--cuts n]`: exits 1 when a decision used future data. */
export function lookaheadCommand(): Command {
  const cmd = new Command("lookahead")
    .description("rerun on truncated data and report decisions that change (they used future bars)")
    .argument("<strategy>", "bundled strategy name or path to a strategy module")
    .option("--cuts <n>", "number of truncation points", (v) => Number.parseInt(v, 10), 10)
    .option("--json", "print the report as JSON");
  return withRunOptions(cmd).action(
    async (ref: string, flags: RunFlags & { cuts: number; json?: boolean; data: string }) => {
      if (!(flags.cuts >= 1)) throw new Error(`invalid cuts: ${flags.cuts}`);
      const { strategy } = await loadStrategy(ref);
      const { bars } = await loadBars(flags.data, flags.catalog);
      const report = checkLookahead(strategy, bars, { ...runOptions(flags), cuts: flags.cuts });
      if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else if (report.ok) {
        console.log(`ok: ${report.compared} decisions identical on ${report.cuts.length} truncated runs`);
      } else {
        console.log(
          `look-ahead: decisions changed on ${report.mismatches.length} of ${report.cuts.length} truncated runs`,
        );
        for (const m of report.mismatches) {
          console.log(
            `  cut at ${m.cut} bars, bar ${m.bar}: full run ${fmt(m.full)}, truncated run ${fmt(m.truncated)}`,
          );
        }
      }
      if (!report.ok) process.exitCode = 1;
    },
  );
}
