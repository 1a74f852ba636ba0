// The STOM mode of `stom backtest`: STOM's texts on STOM's tick engine (src/engine/stom).
import type { Command } from "commander";
import { loadStomData, loadStomProgram, stomInputs } from "../app/stom-data.ts";
import { stomReportJson } from "../app/stom-report.ts";
import { runStom, STOM_RESULT_KEYS, stomVars } from "../engine/stom/index.ts";
import { parseParams } from "./flags.ts";
import { padWide, RESULT_LABELS, statsTable } from "./format.ts";
import { type StomFlags, stomRunOptions } from "./stom-flags.ts";

/** `stom backtest --stom-buy b.txt --stom-sell s.txt --data <db|selector>`. */
export async function stomBacktestCommand(input: object, command: Command): Promise<void> {
  const flags = input as StomFlags;
  const data = await loadStomData(flags.data, flags.catalog);
  const program = await loadStomProgram(flags, data);
  const options = stomRunOptions(flags, command, data);
  const vars = stomVars(program, parseParams(flags.param));
  const r = runStom(program, stomInputs(data), { ...options, vars });
  const out = stomReportJson(r, program, data, options, vars);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const shown = Object.entries(out.vars)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  console.log(
    `${flags.stomBuy} + ${flags.stomSell} ${shown}  on ${data.frames.length} symbols (${program.kind}), ${r.snapshots} snapshots, ${r.days} days; fill ${options.fill}\n`,
  );
  for (const key of STOM_RESULT_KEYS) console.log(`${padWide(RESULT_LABELS[key], 30)}${r.result[key]}`);
  console.log("");
  for (const t of r.trades.slice(0, 20))
    console.log(`${t.code} ${t.buy} -> ${t.sell}  ${t.bp} -> ${t.sp}  ${t.pp}%  ${t.sg}  ${t.cond.trim()}`);
  if (r.trades.length > 20) console.log(`... ${r.trades.length - 20} more (--json for all)`);
  console.log(`\n${statsTable(out.stats as unknown as Record<string, unknown>)}`);
}
