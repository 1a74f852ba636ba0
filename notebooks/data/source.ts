// Shared by the loaders (run by Framework through tsx, cwd = the repository root). Reads the
// catalog when it holds data, else the seeded sample generator, so a fresh clone builds offline.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { Dictionary, Int32, makeVector, Table, tableToIPC, Utf8, vectorFromArray } from "apache-arrow";
import type { Catalog, SeriesInfo } from "../../src/data/catalog/index.ts";
import type { Frame } from "../../src/data/frame.ts";
import { makeSampleBars, makeSampleTicks } from "../../src/data/sample.ts";
import { seriesId } from "../../src/data/series-id.ts";
import { SAMPLE_BARS, SAMPLE_TICKS } from "./sample-spec.ts";

export { SAMPLE_BARS, SAMPLE_TICKS };

/** Rows kept per series, newest last: the published site stays small. */
export const MAX_ROWS = Number(process.env.STOM_NOTEBOOK_ROWS ?? 20_000);

export interface Source {
  readonly origin: "catalog" | "sample";
  readonly catalog?: Catalog;
  readonly series: readonly SeriesInfo[];
}

function hasData(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).length > 0;
}

/** Opens the catalog only if it exists and lists something; never creates one. */
export async function openSource(): Promise<Source> {
  const dir = path.resolve(process.env.STOM_CATALOG ?? "catalog");
  if (hasData(dir)) {
    // loaded only when there is a catalog: a fresh clone builds from the sample without DuckDB
    const { Catalog } = await import("../../src/data/catalog/index.ts");
    const catalog = await Catalog.open(dir);
    const series = catalog.list();
    if (series.length > 0) return { origin: "catalog", catalog, series };
    await catalog.close();
  }
  return { origin: "sample", series: sampleFrames().map(info) };
}

export function sampleFrames(): Frame[] {
  return [...SAMPLE_BARS.map((o) => makeSampleBars(o)), makeSampleTicks(SAMPLE_TICKS)];
}

function info(frame: Frame): SeriesInfo {
  const time = frame.columns.time as Float64Array;
  return {
    kind: frame.kind,
    market: frame.market,
    symbol: frame.symbol,
    timeframe: frame.timeframe,
    tz: frame.tz,
    rows: frame.length,
    start: time[0],
    end: time[frame.length - 1],
    gaps: 0,
    files: 0,
    columns: Object.keys(frame.columns),
  };
}

// one spelling of a series' id for the CLI, the catalog and the pages
export { seriesId };

/** The last MAX_ROWS rows of every series of one kind, from the catalog or the sample. */
export async function readFrames(source: Source, kind: "bars" | "ticks", columns?: readonly string[]) {
  const wanted = source.series.filter((s) => s.kind === kind);
  if (source.origin === "sample") return sampleFrames().filter((f) => f.kind === kind);
  const out: Frame[] = [];
  for (const s of wanted) {
    // the key alone: a SeriesInfo's `end` is its last bar, a read's `end` is exclusive
    const { kind, market, symbol, timeframe } = s;
    const full = await source.catalog!.read({
      kind,
      market,
      symbol,
      timeframe,
      columns: columns?.filter((c) => s.columns.includes(c)),
    });
    out.push(tail(full, MAX_ROWS));
  }
  return out;
}

function tail(frame: Frame, n: number): Frame {
  if (frame.length <= n) return frame;
  const columns: Record<string, Frame["columns"][string]> = {};
  for (const [k, c] of Object.entries(frame.columns)) columns[k] = c.slice(c.length - n) as typeof c;
  return { ...frame, length: n, columns };
}

/**
 * Concatenates frames into one Arrow table: a dictionary-encoded `series` column
 * ("market:symbol:timeframe") and one Float64 column per wanted name (NaN where a series lacks it).
 */
export function framesToArrow(frames: readonly Frame[], names: readonly string[]): Uint8Array {
  const total = frames.reduce((n, f) => n + f.length, 0);
  const ids: string[] = frames.map(seriesId);
  const keys = new Int32Array(total);
  const cols = names.map(() => new Float64Array(total));
  let row = 0;
  frames.forEach((f, k) => {
    keys.fill(k, row, row + f.length);
    names.forEach((name, j) => {
      const src = f.columns[name];
      if (!src) cols[j].fill(Number.NaN, row, row + f.length);
      else if (Array.isArray(src)) throw new Error(`column ${name} is text, expected numbers`);
      else cols[j].set(src, row);
    });
    row += f.length;
  });
  const dictionary = vectorFromArray(ids, new Utf8());
  const series = makeVector({
    type: new Dictionary(new Utf8(), new Int32(), 0, false),
    data: keys,
    dictionary,
  });
  const vectors: Record<string, ReturnType<typeof makeVector>> = { series };
  names.forEach((name, j) => {
    vectors[name] = makeVector(cols[j]);
  });
  return tableToIPC(new Table(vectors), "stream");
}

/** Loader entry: writes bytes to stdout, reports failures on stderr with a non-zero exit. */
export function run(main: () => Promise<Uint8Array | string>): void {
  main().then(
    (out) => process.stdout.write(out),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
