import { Command } from "commander";
import { Catalog } from "../data/catalog/catalog.ts";
import { defaultCatalogDir } from "../data/catalog/types.ts";

/** `stom data query "<SQL>"`: DuckDB over the views `bars` and `ticks`. */
export function queryCommand(): Command {
  return new Command("query")
    .description("run SQL (DuckDB) over the views bars and ticks")
    .argument("<sql>", 'e.g. "select symbol, count(*) from bars group by 1"')
    .option("--catalog <dir>", "catalog directory", defaultCatalogDir())
    .option("--json", "print rows as JSON objects")
    .action(async (sql: string, options: { catalog: string; json?: boolean }) => {
      const catalog = await Catalog.open(options.catalog, { readOnly: true });
      try {
        const { columns, rows } = await catalog.query(sql);
        if (options.json) {
          const objects = rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
          console.log(JSON.stringify(objects, null, 2));
        } else {
          console.log(formatTable(columns, rows));
        }
      } finally {
        await catalog.close();
      }
    });
}

/** Pads rows into aligned columns; numbers right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((row) =>
    row.map((v) => (v instanceof Date ? v.toISOString() : v === null ? "NULL" : String(v))),
  );
  // a loop, not Math.max(...cells): spreading a few hundred thousand rows overflows the stack
  const widths = header.map((h, i) => cells.reduce((w, r) => Math.max(w, width(r[i] ?? "")), width(h)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const line = (r: readonly string[]) =>
    r
      .map((v, i) =>
        numeric[i] ? " ".repeat(widths[i] - width(v)) + v : v + " ".repeat(widths[i] - width(v)),
      )
      .join("  ")
      .trimEnd();
  return [line(header), ...cells.map(line)].join("\n");
}

/** Display width: Hangul and other wide characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s)
    w +=
      /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u.test(
        ch,
      )
        ? 2
        : 1;
  return w;
}
