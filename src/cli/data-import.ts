import { Command, InvalidArgumentError, Option } from "commander";
import { Catalog } from "../data/catalog/catalog.ts";
import { defaultCatalogDir } from "../data/catalog/types.ts";
import { readInputs } from "../data/formats/index.ts";
import { progress } from "./progress.ts";

interface ImportOptions {
  format: string;
  market?: string;
  symbol?: string;
  catalog: string;
  json?: boolean;
  threads?: number;
}

function parseThreads(value: string): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1))
    throw new InvalidArgumentError(`invalid threads: '${value}' (a whole number >= 1)`);
  return n;
}

/** `stom data import <file|dir>...`: read, validate, write atomically, summarise. */
export function importCommand(): Command {
  return new Command("import")
    .description("import files or directories into the catalog (all or nothing)")
    .argument("<paths...>", "files or directories")
    .addOption(new Option("--format <name>", "input format, or auto to sniff each file").default("auto"))
    .option("--market <market>", "override the market")
    .option("--symbol <symbol>", "override the symbol")
    .option("--catalog <dir>", "catalog directory", defaultCatalogDir())
    .option(
      "--threads <n>",
      "threads that parse a KRX tarball, this one included (default for 1 MiB or more: the idle cores but one, which writes the catalog, at most 4; 1: no workers)",
      parseThreads,
    )
    .option("--json", "print the summary as JSON")
    .action(async (paths: string[], options: ImportOptions) => {
      const issues: { file: string; level: string; message: string }[] = [];
      const skipped: { file: string; reason: string }[] = [];
      const bar = progress("rows", { json: options.json });
      const catalog = await Catalog.open(options.catalog);
      try {
        const frames = readInputs(paths, {
          format: options.format,
          market: options.market,
          symbol: options.symbol,
          threads: options.threads,
          onIssues: (file, _frame, found) => {
            for (const i of found) issues.push({ file, level: i.level, message: i.message });
          },
          onSkip: (file, reason) => skipped.push({ file, reason }),
        });
        const result = await catalog.write(frames, { onRows: (rows) => bar.update(rows) });
        bar.stop();
        const summary = { catalog: options.catalog, ...result, issues, skipped };
        if (options.json) {
          console.log(JSON.stringify(summary, null, 2));
          return;
        }
        console.log(
          `imported ${result.series} series: ${result.rowsIn} rows in, ${result.rowsAdded} added, ` +
            `${result.duplicates} duplicates, ${result.filesWritten} files written`,
        );
        for (const i of issues) console.log(`${i.level}: ${i.file}: ${i.message}`);
        for (const s of skipped) console.log(`skipped: ${s.file}: ${s.reason}`);
      } finally {
        bar.stop();
        await catalog.close();
      }
    });
}
