import { Command } from "commander";
import { Catalog } from "../data/catalog/catalog.ts";
import { defaultCatalogDir } from "../data/catalog/types.ts";
import type { Frame } from "../data/frame.ts";
import { makeSampleBars, makeSampleTicks } from "../data/sample.ts";
import { STOM_KINDS, type StomKind } from "../data/stom/columns.ts";
import { writeStomFixture } from "../data/stom/fixture.ts";

function integer(flag: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`invalid ${flag}: ${value} (expected an integer >= ${min})`);
    return n;
  };
}

/** `stom data sample`: synthetic bars (and optionally ticks) so a first run needs no data. */
export function sampleCommand(): Command {
  return new Command("sample")
    .description(
      'write SYNTHETIC sample data (market "sample") into the catalog, for a first run with no data',
    )
    .option("--catalog <dir>", "catalog directory", defaultCatalogDir())
    .option("--bars <n>", "number of bars", integer("--bars", 1), 10_000)
    .option("--seed <n>", "random seed (same seed, same data)", integer("--seed", 0), 42)
    .option("--timeframe <tf>", "bar timeframe: 1m, 5m, 1h, 1d ...", "1m")
    .option("--symbol <name>", "symbol, prefixed with SAMPLE-", "SAMPLE")
    .option("--ticks <n>", "also write this many STOM-style one-second ticks", integer("--ticks", 0), 0)
    .action(
      async (options: {
        catalog: string;
        bars: number;
        seed: number;
        timeframe: string;
        symbol: string;
        ticks: number;
      }) => {
        const frames: Frame[] = [
          makeSampleBars({
            bars: options.bars,
            seed: options.seed,
            timeframe: options.timeframe,
            symbol: options.symbol,
          }),
        ];
        if (options.ticks > 0) {
          frames.push(makeSampleTicks({ ticks: options.ticks, seed: options.seed, symbol: options.symbol }));
        }
        const catalog = await Catalog.open(options.catalog);
        try {
          const result = await catalog.write(frames);
          for (const f of frames)
            console.log(`${f.kind} ${f.market} ${f.symbol} ${f.timeframe}: ${f.length} rows`);
          console.log(
            `wrote ${result.rowsAdded} new rows (${result.duplicates} already there) to ${options.catalog}`,
          );
        } finally {
          await catalog.close();
        }
      },
    );
}

/** `stom data stom-fixture <out.db>`: a DB in STOM's own layout, built from the real data fixtures. */
export function stomFixtureCommand(): Command {
  return new Command("stom-fixture")
    .description(
      "write a SQLite DB in STOM's layout (from real Upbit trades / KRX bars) to try the stom-sqlite importer",
    )
    .argument("<out>", "database file to write (replaced if it exists)")
    .requiredOption("--kind <kind>", `one of ${STOM_KINDS.join(", ")}`)
    .option("--source <path>", "coin: an Upbit trades CSV; stock: a folder of Creon 1-minute CSVs")
    .option("--symbols <codes>", "stock: comma-separated codes from the folder")
    .option("--minutes <n>", "minutes of data to keep from the start", integer("--minutes", 1))
    .option("--seed <n>", "seed of the modeled order book", integer("--seed", 0), 42)
    .action(
      (
        out: string,
        options: { kind: string; source?: string; symbols?: string; minutes?: number; seed: number },
      ) => {
        if (!STOM_KINDS.includes(options.kind as StomKind)) {
          throw new Error(`invalid --kind: ${options.kind} (expected ${STOM_KINDS.join(", ")})`);
        }
        const summary = writeStomFixture(out, {
          kind: options.kind as StomKind,
          source: options.source,
          symbols: options.symbols?.split(",").map((s) => s.trim()),
          minutes: options.minutes,
          seed: options.seed,
        });
        const rows = Object.entries(summary.rows);
        const total = rows.reduce((sum, [, n]) => sum + n, 0);
        console.log(
          `${out}: ${summary.kind}, ${rows.length} tables, ${total} rows, moneytop ${summary.moneytopRows} rows`,
        );
      },
    );
}
