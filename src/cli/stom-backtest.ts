import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { Catalog, defaultCatalogDir } from "../data/catalog/index.ts";
import { readMoneytop, stomSqlite } from "../data/formats/stom-sqlite.ts";
import type { Frame } from "../data/frame.ts";
import { matchSeries, parseSelector } from "../data/selector.ts";
import { type CostPresetName, costPreset } from "../engine/markets/index.ts";
import { heatmapRows, type Method, optimize, parseGrid, searchSpace } from "../engine/optimize/index.ts";
import {
  type InterestList,
  runTicks,
  type TickResult,
  type TickRunOptions,
  tickTradeRows,
} from "../engine/portfolio/index.ts";
import { compileStom, type StomStrategy, stomRunner } from "../engine/stom/index.ts";
import { parseParams, sparkline, statsTable } from "./backtest.ts";

const KST_MS = 9 * 3_600_000;
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
  stomCond?: string[];
  data: string;
  catalog?: string;
  costs?: string;
  cash: number;
  budget?: number;
  maxPositions?: number;
  sameSnapshot?: boolean;
  sessionEnd?: string;
  interest?: boolean;
  param?: string[];
  json?: boolean;
}

/** The STOM flags shared by `stom backtest` and `stom optimize`. */
export function withStomOptions(cmd: Command): Command {
  return cmd
    .option("--stom-buy <file>", "STOM buy text (매수 = True ... if 매수: self.Buy()); runs a tick backtest")
    .option("--stom-sell <file>", "STOM sell text (매도 = False ... if 매도: self.Sell())")
    .option("--stom-vars <file>", "STOM optimization ranges: self.vars[n] = [[start, end, step], best] lines")
    .option(
      "--stom-cond <name=expr>",
      "STOM 경과틱수설정: a named condition for 경과틱수('name') (repeatable)",
      collect,
    )
    .option(
      "--budget <n>",
      "STOM 투자금: cash per position (default: cash / max positions)",
      number("budget"),
    )
    .option("--max-positions <n>", "STOM 최대매수종목수", number("max positions"))
    .option("--same-snapshot", "fill on the deciding snapshot, as STOM's backtester (default: the next one)")
    .option("--session-end <hh:mm>", "STOM 전략종료시간: liquidate and stop for the day at this time")
    .option("--no-interest", "ignore the DB's moneytop interest list");
}

export interface StomData {
  readonly frames: Frame[];
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
  const catalog = await Catalog.open(catalogDir);
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

/** Reads the text files, parses --stom-cond, and compiles. */
export async function loadStomStrategy(
  flags: Pick<StomFlags, "stomBuy" | "stomSell" | "stomVars" | "stomCond">,
  market: string,
): Promise<StomStrategy> {
  if (!flags.stomBuy || !flags.stomSell) throw new Error("give both --stom-buy and --stom-sell");
  const conditions: Record<string, string> = {};
  for (const pair of flags.stomCond ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`invalid --stom-cond '${pair}', expected name=expression`);
    conditions[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return compileStom(await readFile(flags.stomBuy, "utf8"), await readFile(flags.stomSell, "utf8"), {
    name: flags.stomBuy,
    buyFile: flags.stomBuy,
    sellFile: flags.stomSell,
    conditions,
    vars: flags.stomVars ? await readFile(flags.stomVars, "utf8") : undefined,
    utcOffsetMs: market === "krx" ? KST_MS : 0,
  });
}

/** runTicks options from the flags and the data: KST days and whole shares for KRX, UTC and satoshis for Upbit. */
export function stomRunOptions(flags: StomFlags, data: StomData, cashFromDefault: boolean): TickRunOptions {
  const krx = data.market === "krx";
  const preset = (flags.costs ?? (krx ? "krx" : data.market === "upbit" ? "upbit" : undefined)) as
    | CostPresetName
    | undefined;
  const maxPositions = flags.maxPositions ?? (krx ? 10 : 5);
  const budget = flags.budget ?? (cashFromDefault ? 1_000_000 : flags.cash / maxPositions);
  const cash = cashFromDefault ? budget * maxPositions : flags.cash;
  return {
    cash,
    budget,
    maxPositions,
    unit: krx ? 1 : 1e-8,
    costs: preset ? costPreset(preset) : undefined,
    fillOn: flags.sameSnapshot ? "same" : "next",
    sessionEnd: flags.sessionEnd,
    utcOffsetMs: krx ? KST_MS : 0,
    interest: flags.interest === false ? null : data.moneytop,
    closeAtDayEnd: true,
  };
}

function report(result: TickResult, strategy: StomStrategy, data: StomData, options: TickRunOptions) {
  return {
    stats: result.stats,
    trades: tickTradeRows(result.trades),
    params: result.params,
    orders: result.orders,
    data: {
      source: data.source,
      market: data.market,
      symbols: data.frames.map((f) => f.symbol),
      rows: result.events,
      interestList: options.interest ? "moneytop" : null,
    },
    settings: { ...options, costs: options.costs?.name ?? "none", interest: Boolean(options.interest) },
    strategy: { name: strategy.name, params: strategy.params },
  };
}

/** True when the command line asks for a STOM text run (--stom-buy or --stom-sell). */
export function isStomRun(flags: object): boolean {
  const f = flags as StomFlags;
  return Boolean(f.stomBuy || f.stomSell);
}

/** --cash left at its default: STOM users think in 투자금 × 최대매수종목수. */
export const cashIsDefault = (command: Command): boolean =>
  command.getOptionValueSource("cash") === "default";

/** `stom backtest --stom-buy b.txt --stom-sell s.txt --data <db|selector>`. */
export async function stomBacktestCommand(input: object, command: Command): Promise<void> {
  const flags = input as StomFlags;
  const cashFromDefault = cashIsDefault(command);
  const data = await loadStomData(flags.data, flags.catalog);
  const strategy = await loadStomStrategy(flags, data.market);
  const options = stomRunOptions(flags, data, cashFromDefault);
  const result = runTicks(strategy, data.frames, { ...options, params: parseParams(flags.param) });
  const out = report(result, strategy, data, options);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const params = Object.entries(result.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  console.log(
    `${flags.stomBuy} + ${flags.stomSell} ${params}  on ${data.frames.length} symbols (${data.market}), ${result.events} snapshots${options.interest ? ", moneytop interest list" : ""}\n`,
  );
  console.log(statsTable(result.stats as unknown as Record<string, unknown>));
  console.log(
    `\norders  buys ${result.orders.buys}, sells ${result.orders.sells}, refused thin ${result.orders.refusedThin}, refused cash ${result.orders.refusedCash}`,
  );
  console.log(`equity  ${sparkline(result.equity.equity)}`);
}

export interface StomOptimizeFlags extends StomFlags {
  grid?: string[];
  method: Method;
  trials?: number;
  maximize?: string;
  minimize?: string;
  constraint?: string;
  bound?: string[];
  top: number;
  seed: number;
}

/** `stom optimize --stom-buy ... --stom-sell ...`: searches the self.vars ranges in this thread. */
export async function stomOptimizeCommand(input: object, command: Command): Promise<void> {
  const flags = input as StomOptimizeFlags;
  const cashFromDefault = cashIsDefault(command);
  const data = await loadStomData(flags.data, flags.catalog);
  const strategy = await loadStomStrategy(flags, data.market);
  if (Object.keys(strategy.params).length === 0)
    throw new Error("the STOM texts have no self.vars[n] = [[start, end, step], best] ranges to optimize");
  const options = stomRunOptions(flags, data, cashFromDefault);
  const fixed = Object.fromEntries(Object.entries(parseParams(flags.param)).map(([k, v]) => [k, Number(v)]));
  const space = searchSpace(strategy.params, parseGrid(flags.grid), { fixed });
  if (flags.maximize && flags.minimize) throw new Error("give --maximize or --minimize, not both");
  const objective = flags.minimize ? `-${flags.minimize}` : (flags.maximize ?? "TP");
  const runner = stomRunner(strategy, data.frames, options);
  const res = await optimize(runner, {
    space,
    method: flags.method,
    objective,
    constraint: flags.constraint,
    bounds: flags.bound,
    trials: flags.trials,
    seed: flags.seed,
    top: flags.top,
  });
  const trial = (t: (typeof res.top)[number] | undefined) =>
    t ? { params: t.params, value: t.value, stats: t.stats } : null;
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({
        best: trial(res.best),
        top: res.top.map(trial),
        heatmap: heatmapRows(res.heatmap),
        method: res.method,
        objective: res.objective,
        trials: res.trials,
      })}\n`,
    );
    return;
  }
  const names = space.dims.map((d) => d.name);
  console.log(
    `${flags.stomBuy} + ${flags.stomSell} on ${data.frames.length} symbols: ${res.method}, ${res.trials} trials, ${res.direction} ${res.objective}\n`,
  );
  if (!res.best) {
    console.log("no trial qualified");
    return;
  }
  for (const t of res.top)
    console.log(
      `${names.map((n) => `${n}=${t.params[n]}`).join(" ")}  ${res.objective} ${t.value}  trades ${t.stats?.trades}`,
    );
  console.log(`\nbest ${names.map((n) => `${n}=${res.best?.params[n]}`).join(" ")}\n`);
  console.log(statsTable(res.best.stats as unknown as Record<string, unknown>));
}
