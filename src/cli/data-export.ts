import { Command, Option } from "commander";
import { Catalog } from "../data/catalog/catalog.ts";
import { defaultCatalogDir } from "../data/catalog/types.ts";
import { STOM_KINDS, type StomKind } from "../data/stom/columns.ts";
import { exportStom } from "../data/stom/export.ts";

interface ExportCliOptions {
  stom: StomKind;
  out: string;
  catalog: string;
  metaFrom?: string;
  json?: boolean;
}

/** `stom data export --stom <kind> --out file.db [selectors...]`: catalog series as a STOM DB. */
export function exportCommand(): Command {
  return new Command("export")
    .description("write catalog series as a database in STOM's own layout (STOM can open it)")
    .argument("[select...]", "selectors (market[:symbol[:timeframe]][@start..end]) or symbols; all when none")
    .addOption(
      new Option("--stom <kind>", "STOM layout to write").choices([...STOM_KINDS]).makeOptionMandatory(),
    )
    .requiredOption("--out <file>", "database file to write (replaced at the end, never half-written)")
    .option("--catalog <dir>", "catalog directory", defaultCatalogDir())
    .option("--meta-from <db>", "copy moneytop and codename from this STOM db instead of rebuilding them")
    .option("--json", "print the summary as JSON")
    .action(async (select: string[], options: ExportCliOptions) => {
      // export only reads: a missing catalog is an error (with a did-you-mean), never created
      const catalog = await Catalog.open(options.catalog, { readOnly: true });
      try {
        const summary = await exportStom(catalog, {
          kind: options.stom,
          out: options.out,
          select,
          metaFrom: options.metaFrom,
        });
        if (options.json) {
          console.log(JSON.stringify(summary, null, 2));
          return;
        }
        const rows = Object.values(summary.tables).reduce((a, b) => a + b, 0);
        console.log(
          `${summary.out}: ${summary.kind}, ${Object.keys(summary.tables).length} tables, ${rows} rows, ` +
            `moneytop ${summary.moneytopRows} rows (${summary.moneytop})`,
        );
      } finally {
        await catalog.close();
      }
    });
}
