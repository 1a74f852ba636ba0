import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { Catalog, defaultCatalogDir } from "../data/catalog/index.ts";
import { detectStomKind, readCodenames, readMoneytop, stomSqlite } from "../data/formats/stom-sqlite.ts";
import type { Frame } from "../data/frame.ts";
import { matchSeries, parseSelector } from "../data/selector.ts";
import type { InterestList } from "../engine/portfolio/index.ts";
import {
  compileStom,
  KST_OFFSET_MS,
  msToStomIndex,
  runStom,
  STOM_COLUMNS,
  STOM_RESULT_KEYS,
  type StomInput,
  type StomKind,
  type StomProgram,
  type StomReport,
  type StomRunOptions,
  stomVars,
} from "../engine/stom/index.ts";
import type { StomTexts } from "../parallel/index.ts";
import { parseParams, statsTable } from "./backtest.ts";

const SQLITE_MAGIC = "SQLite format 3\0";
const collect = (value: string, previous: string[] = []) => [...previous, value];
const number = (name: string) => (value: string) => {
  const x = Number(value);
  if (!Number.isFinite(x)) throw new Error(`invalid ${name}: ${value}`);
  return x;
};

export interface StomFlags {
  stomBuy?: string;
  stomSell?: string;
  stomVars?: string;
  stomGaVars?: string;
  stomCond?: string[];
  data: string;
  catalog?: string;
  budget?: number;
  avgTicks?: number;
  buyDepth?: number;
  sellDepth?: number;
  fill?: string;
  sameSnapshot?: boolean;
  maxPositions?: number;
  cash?: number;
  param?: string[];
  json?: boolean;
}

/** The STOM flags shared by `stom backtest` and `stom optimize`. */
export function withStomOptions(cmd: Command): Command {
  return cmd
    .option("--stom-buy <file>", "STOM buy text (매수 ... if 매수: self.Buy()); runs STOM's backtest engine")
    .option("--stom-sell <file>", "STOM sell text (매도 ... if 매도: self.Sell())")
    .option("--stom-vars <file>", "STOM 최적화 범위: self.vars[n] = [[start, end, step], best] lines")
    .option("--stom-ga-vars <file>", "STOM GA ranges: self.vars[n] = [[v1, v2, ...], best] lines")
    .option(
      "--stom-cond <name=expr>",
      "STOM 경과틱수설정: a named condition for 경과틱수('name') (repeatable)",
      collect,
    )
    .option("--budget <n>", "STOM 투자금 (배팅금액): KRW per buy (default 1000000)", number("budget"))
    .option(
      "--avg-ticks <n>",
      "STOM 평균값계산틱수 (default 30; self.vars[0] when the texts have ranges)",
      number("avg ticks"),
    )
    .option(
      "--buy-depth <n>",
      "STOM 매수시장가잔량범위: ask levels a buy may take (default 3)",
      number("buy depth"),
    )
    .option(
      "--sell-depth <n>",
      "STOM 매도시장가잔량범위: bid levels a sell may take (default 5)",
      number("sell depth"),
    )
    .option(
      "--fill <rule>",
      "same: fill on the deciding snapshot (STOM, default); next: on the next one (stricter)",
    )
    .option("--same-snapshot", "the default for STOM texts (kept for old scripts)")
    .option(
      "--max-positions <n>",
      "refused: STOM's backtester has no position cap (its live trader does)",
      number("max positions"),
    );
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
export async function loadStomProgram(
  flags: Pick<StomFlags, "stomBuy" | "stomSell" | "stomVars" | "stomGaVars" | "stomCond">,
  data: StomData,
): Promise<StomProgram> {
  const texts = await readStomTexts(flags, data);
  const program = compileStom(texts.buy, texts.sell, texts.compile);
  for (const warning of program.warnings) process.stderr.write(`warning: ${warning}\n`);
  return program;
}

/** The texts and compile options, as they travel to worker threads. */
export async function readStomTexts(
  flags: Pick<StomFlags, "stomBuy" | "stomSell" | "stomVars" | "stomGaVars" | "stomCond">,
  data: StomData,
): Promise<StomTexts> {
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

/** backtestStom options from the flags (STOM's defaults: 1,000,000 a buy, 30 snapshots, 3 and 5 levels). */
export function stomRunOptions(flags: StomFlags, command?: Command, data?: StomData): StomRunOptions {
  // --cash has a default for bar strategies; for STOM texts it counts only when given
  const cash = command && command.getOptionValueSource("cash") !== "default" ? flags.cash : undefined;
  const fill = flags.fill ?? "same";
  if (fill !== "same" && fill !== "next") throw new Error(`invalid --fill: ${fill} (expected same or next)`);
  return {
    betting: flags.budget ?? 1_000_000,
    ...(flags.avgTicks !== undefined ? { avgTicks: flags.avgTicks } : {}),
    buyDepth: flags.buyDepth ?? 3,
    sellDepth: flags.sellDepth ?? 5,
    fill,
    ...(flags.maxPositions !== undefined ? { maxPositions: flags.maxPositions } : {}),
    ...(cash !== undefined ? { cash } : {}),
    ...(data?.moneytop && data.kind ? { grid: moneytopGrid(data.moneytop, data.kind) } : {}),
  };
}

/** moneytop's times as the DB's index (STOM's arry_bct rows: backtest.py 265-278). */
function moneytopGrid(moneytop: InterestList, kind: StomKind): Float64Array {
  const offset = kind.startsWith("stock") ? KST_OFFSET_MS : 0;
  const out = new Float64Array(moneytop.time.length);
  for (let i = 0; i < out.length; i++)
    out[i] = msToStomIndex(moneytop.time[i], offset, kind.endsWith("_tick"));
  // ascending and distinct, as the grid must be
  return Float64Array.from(new Set(out)).sort();
}

/** Pads to a terminal width where Hangul takes two columns. */
export const padWide = (text: string, width: number): string => {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]/.test(ch) ? 2 : 1;
  return text + " ".repeat(Math.max(1, width - w));
};

export const RESULT_LABELS: Readonly<Record<string, string>> = {
  tc: "거래횟수",
  atc: "일평균거래횟수",
  pc: "익절",
  mc: "손절",
  wr: "승률 %",
  ah: "평균보유기간",
  app: "평균수익률 %",
  tpp: "수익률합계 % (TP)",
  tsg: "수익금합계 (TG)",
  mhct: "최대보유종목수",
  seed: "필요자금",
  cagr: "연간예상수익률 % (CAGR)",
  tpi: "매매성능지수 (TPI)",
  mdd: "최대낙폭률 % (MDD)",
  mdd_: "최대낙폭금액",
};

export function stomReportJson(
  r: StomReport,
  program: StomProgram,
  data: StomData,
  options: StomRunOptions,
  vars: number[],
) {
  const { stom: _stom, ...stats } = r.stats;
  return {
    stom: r.result,
    stats,
    trades: r.trades.map(({ symbolNo: _s, buyRow: _b, sellRow: _r, ...t }) => t),
    vars: Object.fromEntries([...program.vars.keys()].map((k) => [`vars${k}`, vars[k]])),
    data: {
      source: data.source,
      kind: program.kind,
      symbols: data.frames.map((f) => f.symbol),
      snapshots: r.snapshots,
      days: r.days,
    },
    settings: options,
  };
}

/** True when the command line asks for a STOM text run (--stom-buy or --stom-sell). */
export function isStomRun(flags: object): boolean {
  const f = flags as StomFlags;
  return Boolean(f.stomBuy || f.stomSell);
}

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
