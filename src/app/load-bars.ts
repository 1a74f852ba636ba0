import { existsSync } from "node:fs";
import { Catalog } from "../data/catalog/catalog.ts";
import { defaultCatalogDir } from "../data/catalog/types.ts";
import { readInputs } from "../data/formats/index.ts";
import { looksLikeSelector, matchSeries, parseSelector } from "../data/selector.ts";
import { seriesId } from "../data/series-id.ts";
import { type Bars, toBars } from "../engine/index.ts";

export interface LoadedBars {
  readonly bars: Bars;
  readonly symbol: string;
  readonly timeframe: string;
}

/**
 * Reads one bar series: a data file in any format the data layer recognises, or a catalog
 * selector such as `binance:BTC/USDT:1m@2023-04-10..2023-04-20` (see src/data/selector.ts).
 * `shared`: bars worker threads will view; a catalog read puts them in shared memory directly.
 */
export async function loadBars(
  data: string,
  catalogDir = defaultCatalogDir(),
  { shared = false }: { shared?: boolean } = {},
): Promise<LoadedBars> {
  if (!existsSync(data) && looksLikeSelector(data)) return loadCatalogBars(data, catalogDir, shared);
  const frames = [];
  for await (const frame of readInputs([data])) frames.push(frame);
  if (frames.length !== 1) throw new Error(`${data} holds ${frames.length} series; give a file with one`);
  const frame = frames[0];
  if (frame.kind !== "bars") throw new Error(`${data} holds ${frame.kind}, not bars`);
  return { bars: toBars(frame), symbol: frame.symbol, timeframe: frame.timeframe };
}

async function loadCatalogBars(text: string, catalogDir: string, shared: boolean): Promise<LoadedBars> {
  const selector = parseSelector(text);
  const catalog = await Catalog.open(catalogDir, { readOnly: true });
  try {
    const found = matchSeries(catalog.list(), selector, "bars");
    if (found.length !== 1) {
      const known = (found.length ? found : catalog.list().filter((s) => s.kind === "bars")).map(seriesId);
      const list = known.length ? known.slice(0, 10).join(", ") + (known.length > 10 ? ", ..." : "") : "none";
      throw new Error(
        found.length
          ? `${text} matches ${found.length} bar series (${list}): name the symbol and timeframe`
          : `no bars in ${catalogDir} match ${text} (there: ${list})`,
      );
    }
    const frame = await catalog.read({ ...found[0], start: selector.start, end: selector.end }, { shared });
    if (frame.length === 0) throw new Error(`${text}: no bars in that range`);
    return { bars: toBars(frame), symbol: frame.symbol, timeframe: frame.timeframe };
  } finally {
    await catalog.close();
  }
}
