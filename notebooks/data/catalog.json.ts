// What the site was built from: the catalog's series list, or the sample's.
import { MAX_ROWS, openSource, run, seriesId } from "./source.ts";

run(async () => {
  const source = await openSource();
  await source.catalog?.close();
  const series = source.series.map((s) => ({ id: seriesId(s), ...s, published: Math.min(s.rows, MAX_ROWS) }));
  return `${JSON.stringify({ origin: source.origin, maxRows: MAX_ROWS, series }, null, 1)}\n`;
});
