import { Command } from "commander";
import { Catalog } from "../data/catalog/catalog.ts";
import { defaultCatalogDir } from "../data/catalog/types.ts";
import { readGaps } from "../data/record/gaps.ts";
import { formatTable } from "./data-query.ts";

/** `stom data ls`: one line per series, times in the market's zone. */
export function lsCommand(): Command {
  return new Command("ls")
    .description("list the series in the catalog")
    .option("--catalog <dir>", "catalog directory", defaultCatalogDir())
    .option("--json", "print JSON (times as UTC epoch ms)")
    .action(async (options: { catalog: string; json?: boolean }) => {
      const catalog = await Catalog.open(options.catalog, { readOnly: true });
      try {
        const series = catalog.list();
        if (options.json) {
          console.log(JSON.stringify(series, null, 2));
          return;
        }
        if (series.length === 0) {
          console.log(`no series in ${options.catalog}`);
          return;
        }
        const header = ["kind", "market", "symbol", "timeframe", "rows", "start", "end", "tz", "gaps"];
        const rows = series.map((s) => [
          s.kind,
          s.market,
          s.symbol,
          s.timeframe,
          s.rows,
          localTime(s.start, s.tz),
          localTime(s.end, s.tz),
          s.tz,
          s.gaps,
        ]);
        console.log(formatTable(header, rows));
        printRecordingGaps(
          options.catalog,
          new Map(series.map((s) => [`${s.market}\u0000${s.symbol}`, s.tz])),
        );
      } finally {
        await catalog.close();
      }
    });
}

/** The spans `stom record` has no complete data for (see src/data/record/gaps.ts), after the series. */
function printRecordingGaps(dir: string, zones: ReadonlyMap<string, string>): void {
  const gaps = readGaps(dir);
  if (gaps.length === 0) return;
  const header = ["recording gap", "market", "symbol", "start", "end", "seconds", "trades", "book"];
  const rows = gaps.map((g) => {
    const tz = zones.get(`${g.market}\u0000${g.symbol}`) ?? "UTC";
    return [
      g.reason,
      g.market,
      g.symbol,
      localTime(g.start, tz),
      localTime(g.end, tz),
      Math.round((g.end - g.start) / 1000),
      g.trades,
      g.book,
    ];
  });
  console.log("");
  console.log(formatTable(header, rows));
}

/** "2019-09-20 09:00:00" in the given zone; seconds only when they are not zero would vary widths, so always. */
export function localTime(ms: number, tz: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: tz,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}:${get("second")}`;
}
