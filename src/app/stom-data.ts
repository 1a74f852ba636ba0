// STOM's inputs for a run: its DB (or catalog series with a 5-level book), its texts compiled for
// the data's layout, and the symbols as the engine takes them. Used by `stom backtest` and `stom
// optimize` with STOM texts, and by the worker threads through the texts they are sent.
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { Catalog, defaultCatalogDir } from "../data/catalog/index.ts";
import { detectStomKind, readCodenames, readMoneytop, stomSqlite } from "../data/formats/stom-sqlite.ts";
import type { Frame } from "../data/frame.ts";
import { matchSeries, parseSelector } from "../data/selector.ts";
import type { InterestList } from "../engine/portfolio/index.ts";
import {
  compileStom,
  KST_OFFSET_MS,
  msToStomIndex,
  STOM_COLUMNS,
  type StomInput,
  type StomKind,
  type StomProgram,
} from "../engine/stom/index.ts";
import type { StomTexts } from "../parallel/index.ts";

const SQLITE_MAGIC = "SQLite format 3\0";

/** The text files of a STOM strategy (the --stom-* flags). */
export interface StomTextFiles {
  readonly stomBuy?: string;
  readonly stomSell?: string;
  readonly stomVars?: string;
  readonly stomGaVars?: string;
  /** 경과틱수설정: name=expression */
  readonly stomCond?: readonly string[];
}

export interface StomData {
  readonly frames: Frame[];
  /** the DB's STOM layout (set by stomKindOf) */
  kind?: StomKind;
  readonly moneytop: InterestList | null;
  readonly market: string;
  /** where the data came from, for reports */
  readonly source: string;
}

function isSqlite(file: string): boolean {
  if (!existsSync(file)) return false;
  const head = readFileSync(file).subarray(0, 16);
  return head.toString("latin1") === SQLITE_MAGIC;
}

/**
 * A STOM DB (every symbol table, and moneytop when the DB has it), or a catalog selector
 * (`market[:symbol[:timeframe]][@start..end]`) naming tick or bar series that carry the 5-level book.
 */
export async function loadStomData(data: string, catalogDir = defaultCatalogDir()): Promise<StomData> {
  if (isSqlite(data)) {
    const frames: Frame[] = [];
    for await (const frame of stomSqlite.read(data, {})) frames.push(frame);
    let moneytop: InterestList | null = null;
    try {
      moneytop = readMoneytop(data);
    } catch (e) {
      if (!(e instanceof Error && /no moneytop/.test(e.message))) throw e;
    }
    return { frames, moneytop, market: frames[0].market, source: data };
  }
  if (existsSync(data)) throw new Error(`not a STOM sqlite db: ${data}`);
  const selector = parseSelector(data);
  const catalog = await Catalog.open(catalogDir, { readOnly: true });
  try {
    const series = matchSeries(catalog.list(), selector).filter((s) => s.columns.includes("매도호가1"));
    if (series.length === 0)
      throw new Error(
        `no series with a 5-level book in ${catalogDir} matching ${data} (give a STOM db or market[:symbol])`,
      );
    const frames: Frame[] = [];
    for (const s of series)
      frames.push(await catalog.read({ ...s, start: selector.start, end: selector.end }));
    return { frames, moneytop: null, market: selector.market, source: `${catalogDir}:${data}` };
  } finally {
    await catalog.close();
  }
}

/** The DB layout of the data: every frame must be one of STOM's four. */
export function stomKindOf(data: StomData): StomKind {
  // the reader turns `index` into `time`
  const kinds = new Set(data.frames.map((f) => detectStomKind(["index", ...Object.keys(f.columns)])));
  if (kinds.size !== 1 || kinds.has(undefined))
    throw new Error(
      `the data is not one STOM layout (found ${[...kinds].map((k) => k ?? "unknown").join(", ")})`,
    );
  return [...kinds][0] as StomKind;
}

/** Reads the text files, parses --stom-cond, and compiles for the data's layout. */
export async function loadStomProgram(flags: StomTextFiles, data: StomData): Promise<StomProgram> {
  const texts = await readStomTexts(flags, data);
  const program = compileStom(texts.buy, texts.sell, texts.compile);
  for (const warning of program.warnings) process.stderr.write(`warning: ${warning}\n`);
  return program;
}

/** The texts and compile options, as they travel to worker threads. */
export async function readStomTexts(flags: StomTextFiles, data: StomData): Promise<StomTexts> {
  const kind = stomKindOf(data);
  if (!flags.stomBuy || !flags.stomSell) throw new Error("give both --stom-buy and --stom-sell");
  const conditions: Record<string, string> = {};
  for (const pair of flags.stomCond ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`invalid --stom-cond '${pair}', expected name=expression`);
    conditions[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  const optional = async (file?: string) => (file ? readFile(file, "utf8") : undefined);
  return {
    buy: await readFile(flags.stomBuy, "utf8"),
    sell: await readFile(flags.stomSell, "utf8"),
    compile: {
      kind,
      name: flags.stomBuy,
      buyFile: flags.stomBuy,
      sellFile: flags.stomSell,
      conditions,
      vars: await optional(flags.stomVars),
      gaVars: await optional(flags.stomGaVars),
      extraColumns: extraColumns(data, kind),
    },
  };
}

/** The data's Korean columns beyond the kind's STOM V1.10 layout (STOM_V2/V3 DBs carry more). */
function extraColumns(data: StomData, kind: StomKind): string[] {
  const known = new Set(STOM_COLUMNS[kind]);
  const names = new Set(data.frames.flatMap((f) => Object.keys(f.columns)));
  return [...names].filter((name) => /[\uac00-\ud7a3]/.test(name) && !known.has(name));
}

/** The engine's inputs: each frame with 종목명 from the DB's codename table. */
export function stomInputs(data: StomData): StomInput[] {
  let names = new Map<string, string>();
  if (isSqlite(data.source)) {
    try {
      names = readCodenames(data.source);
    } catch {
      // coin DBs have no codename table
    }
  }
  return data.frames.map((f) => ({ symbol: f.symbol, name: names.get(f.symbol), columns: f.columns }));
}

/** moneytop's times as the DB's index (STOM's arry_bct rows: backtest.py 265-278). */
export function moneytopGrid(moneytop: InterestList, kind: StomKind): Float64Array {
  const offset = kind.startsWith("stock") ? KST_OFFSET_MS : 0;
  const out = new Float64Array(moneytop.time.length);
  for (let i = 0; i < out.length; i++)
    out[i] = msToStomIndex(moneytop.time[i], offset, kind.endsWith("_tick"));
  // ascending and distinct, as the grid must be
  return Float64Array.from(new Set(out)).sort();
}
