import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { Catalog, defaultCatalogDir } from "../data/catalog/index.ts";
import { detectStomKind, readCodenames, readMoneytop, stomSqlite } from "../data/formats/stom-sqlite.ts";
import type { Frame } from "../data/frame.ts";
import { matchSeries, parseSelector } from "../data/selector.ts";
import {
  type Method,
  objective as makeObjective,
  optimize,
  parseGrid,
  searchSpace,
} from "../engine/optimize/index.ts";
import { rng } from "../engine/optimize/rng.ts";
import type { Runner, TaskResult } from "../engine/optimize/runner.ts";
import type { InterestList } from "../engine/portfolio/index.ts";
import { type StomGaVar, stomGa } from "../engine/stom/ga.ts";
import {
  compileStom,
  runStom,
  STOM_RESULT_KEYS,
  type StomBacktestOptions,
  type StomInput,
  type StomKind,
  type StomParts,
  type StomProgram,
  type StomReport,
  type StomSplitSpec,
  stomPartsScore,
  stomRunner,
  stomSplit,
  stomVars,
  withIndex,
} from "../engine/stom/index.ts";
import {
  parseStomBounds,
  STOM_OBJECTIVES,
  type StomObjective,
  stomObjective,
} from "../engine/stom/objectives.ts";
import { type StomVarRange, stomGridSearch } from "../engine/stom/search.ts";
import { type StomTexts, stomWorkerPool } from "../parallel/index.ts";
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
  kind: StomKind,
): Promise<StomProgram> {
  const texts = await readStomTexts(flags, kind);
  const program = compileStom(texts.buy, texts.sell, texts.compile);
  for (const warning of program.warnings) process.stderr.write(`warning: ${warning}\n`);
  return program;
}

/** The texts and compile options, as they travel to worker threads. */
export async function readStomTexts(
  flags: Pick<StomFlags, "stomBuy" | "stomSell" | "stomVars" | "stomGaVars" | "stomCond">,
  kind: StomKind,
): Promise<StomTexts> {
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
    },
  };
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
export function stomRunOptions(flags: StomFlags, command?: Command): StomBacktestOptions {
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
  };
}

/** Pads to a terminal width where Hangul takes two columns. */
const padWide = (text: string, width: number): string => {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]/.test(ch) ? 2 : 1;
  return text + " ".repeat(Math.max(1, width - w));
};

const RESULT_LABELS: Readonly<Record<string, string>> = {
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

function report(
  r: StomReport,
  program: StomProgram,
  data: StomData,
  options: StomBacktestOptions,
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
  const program = await loadStomProgram(flags, stomKindOf(data));
  const options = stomRunOptions(flags, command);
  const vars = stomVars(program, parseParams(flags.param));
  const r = runStom(program, stomInputs(data), { ...options, vars });
  const out = report(r, program, data, options, vars);
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
  walkForward?: string;
  validate?: string;
  crossValidate?: number;
  workers: number;
}

/**
 * `--validate validation=1w,test=1w[,train=4w|ALL][,flat]` for STOM texts: STOM's 학습/검증/확인 weeks
 * (train defaults to ALL: what the other parts leave); `flat` turns 교차검증가중치 off.
 */
export function parseStomValidate(text: string, cross: boolean): { spec: StomSplitSpec; weighted: boolean } {
  let train: number | "ALL" = "ALL";
  let valid = 0;
  let test = 0;
  let weighted = true;
  const weeks = (part: string, value: string): number => {
    const m = /^(\d+)w?$/.exec(value.trim());
    if (!m) throw new Error(`invalid --validate part '${part}' (weeks, like validation=2w)`);
    return Number(m[1]);
  };
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, value = ""] = part.split("=");
    if (key === "flat" && value === "") weighted = false;
    else if (key === "weighted" && value === "") weighted = true;
    else if (key === "train") train = value.trim().toUpperCase() === "ALL" ? "ALL" : weeks(part, value);
    else if (key === "validation" || key === "valid") valid = weeks(part, value);
    else if (key === "test") test = weeks(part, value);
    else throw new Error(`invalid --validate part '${part}' (validation=2w,test=1w[,train=8w|ALL][,flat])`);
  }
  if (valid === 0 && test === 0)
    throw new Error(`invalid --validate '${text}': give validation= or test= weeks`);
  return { spec: { train, valid, test, cross }, weighted };
}

/**
 * `stom optimize --stom-buy ... --stom-sell ...`: STOM's 기준값 (TP, TG, TPI, CAGR, PM ...) over the
 * self.vars ranges; `--method grid` is STOM's own search (one variable at a time from the best, rounds
 * until nothing improves), random/tpe/ga search the same space.
 */
export async function stomOptimizeCommand(input: object, command: Command): Promise<void> {
  const flags = input as StomOptimizeFlags;
  if (flags.walkForward)
    throw new Error("--walk-forward is not supported for STOM texts yet (STOM's 전진분석): use --validate");
  if (flags.constraint)
    throw new Error("--constraint is not supported for STOM texts: use --bound, e.g. MDD<=10");
  const data = await loadStomData(flags.data, flags.catalog);
  const texts = await readStomTexts(flags, stomKindOf(data));
  const program = compileStom(texts.buy, texts.sell, texts.compile);
  for (const warning of program.warnings) process.stderr.write(`warning: ${warning}\n`);
  if (program.vars.size === 0)
    throw new Error("the STOM texts have no self.vars[n] = [[start, end, step], best] ranges to optimize");
  const options = stomRunOptions(flags, command);
  const inputs = stomInputs(data);
  if (flags.maximize && flags.minimize) throw new Error("give --maximize or --minimize, not both");
  const name = (flags.maximize ?? flags.minimize ?? "TP").toUpperCase() as StomObjective;
  if (!STOM_OBJECTIVES.includes(name))
    throw new Error(`unknown STOM 기준값 '${name}' (one of ${STOM_OBJECTIVES.join(" ")})`);
  const bounds = parseStomBounds((flags.bound ?? []).join(";"));
  const betting = options.betting ?? 1_000_000;
  const sign = flags.minimize ? -1 : 1;
  const fixed = stomVars(program, parseParams(flags.param));
  if (flags.crossValidate !== undefined && !flags.validate)
    throw new Error("--cross-validate needs --validate");
  const validation = flags.validate
    ? parseStomValidate(flags.validate, flags.crossValidate !== undefined)
    : null;
  const split = validation ? stomSplit(tradingDays(inputs, program.kind), validation.spec) : undefined;
  const runOptions = { ...options, ...(split ? { split } : {}) };
  /** STOM's score of one run: its 기준값, or the validation folds' combined value */
  const score = (stats: unknown): number => {
    const s = stats as { stom: StomReport["result"]; parts?: StomParts };
    if (s.parts) return stomPartsScore(s.parts, name, { betting, bounds, weighted: validation?.weighted });
    return stomObjective(s.stom.tc > 0 ? s.stom : null, name, { betting, bounds });
  };
  const scoreOf = (r: TaskResult): number => {
    if (!r.stats) throw new Error(r.error ?? "a STOM run failed");
    return score(r.stats);
  };
  const workers = flags.workers ?? 0;
  const runner: Runner =
    workers === 0
      ? stomRunner(program, inputs, runOptions)
      : await stomWorkerPool(texts, inputs, runOptions, { workers });
  /** runs vectors of self.vars values on the runner, scores in input order */
  const evaluateBatch = async (batch: readonly (readonly number[])[]): Promise<number[]> => {
    const scores = new Array<number>(batch.length);
    const tasks = batch.map((vars, id) => ({
      id,
      params: Object.fromEntries(vars.flatMap((v, k) => (v === undefined ? [] : [[`vars${k}`, v]]))),
    }));
    await runner.run(tasks, (r) => {
      scores[r.id] = sign * scoreOf(r);
    });
    return scores;
  };
  let best: readonly number[];
  let value: number;
  let method: string = flags.method;
  let trials: number;
  try {
    if (flags.method === "grid") {
      method = "stom-grid";
      const size = Math.max(...program.vars.keys()) + 1;
      const space: StomVarRange[] = [];
      for (let k = 0; k < size; k++) {
        const v = program.vars.get(k);
        const given = flags.param?.some((p) => p.startsWith(`vars${k}=`));
        space.push(
          v?.range && !given ? [v.range, v.best] : [[fixed[k] ?? 0, fixed[k] ?? 0, 0], fixed[k] ?? 0],
        );
      }
      const res = await stomGridSearch(space, async (vars) => (await evaluateBatch([vars]))[0], {
        evaluateBatch,
        onRound: (round) => {
          if (!flags.json)
            console.error(
              `round ${round.round}: ${round.candidates.length} backtests, best ${round.best.join(",")} ${name} ${sign * round.score}`,
            );
        },
      });
      best = res.best;
      value = sign * res.score;
      trials = res.evaluations;
    } else if (flags.method === "ga") {
      // STOM's GA over the GA form's lists (--stom-ga-vars), else each range's values
      method = "stom-ga";
      const size = Math.max(...program.vars.keys()) + 1;
      const space: StomGaVar[] = [];
      for (let k = 0; k < size; k++) {
        const v = program.vars.get(k);
        const given = flags.param?.some((p) => p.startsWith(`vars${k}=`));
        space.push(v && !given ? [v.gaValues ?? v.values, v.best] : [[fixed[k] ?? 0], fixed[k] ?? 0]);
      }
      const random = rng(flags.seed);
      const res = await stomGa(space, async (vars) => (await evaluateBatch([vars]))[0], {
        evaluateBatch,
        random,
        onGeneration: (g) => {
          if (!flags.json)
            console.error(
              `generation ${g.generation}: ${g.combinations} combinations left, best ${name} ${sign * g.score}`,
            );
        },
      });
      best = res.best;
      value = sign * res.score;
      trials = res.evaluations;
    } else {
      const space = searchSpace(program.params, parseGrid(flags.grid), {
        fixed: Object.fromEntries(Object.entries(parseParams(flags.param)).map(([k, v]) => [k, Number(v)])),
      });
      const res = await optimize(runner, {
        space,
        method: flags.method,
        objective: makeObjective(score, { name, direction: flags.minimize ? "minimize" : "maximize" }),
        trials: flags.trials,
        seed: flags.seed,
        top: flags.top,
      });
      if (!res.best) throw new Error("no trial qualified");
      best = stomVars(program, res.best.params);
      value = res.best.value;
      trials = res.trials;
    }
  } finally {
    await runner.close();
  }
  const r = runStom(program, inputs, { ...runOptions, vars: [...best] });
  const out = {
    method,
    objective: name,
    value,
    trials,
    ...report(r, program, data, options, [...best]),
    ...(split && r.parts ? { validation: { split, weighted: validation?.weighted, ...r.parts } } : {}),
  };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  console.log(
    `${flags.stomBuy} + ${flags.stomSell} on ${data.frames.length} symbols: ${method}, ${trials} backtests, ${flags.minimize ? "minimize" : "maximize"} ${name}\n`,
  );
  console.log(
    `best ${Object.entries(out.vars)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}  ${name} ${value}\n`,
  );
  for (const key of STOM_RESULT_KEYS) console.log(`${padWide(RESULT_LABELS[key], 30)}${r.result[key]}`);
  if (split && r.parts) {
    const line = (label: string, b: StomReport["result"]) =>
      console.log(`${label.padEnd(10)} tc ${b.tc}  TP ${b.tpp}  TG ${b.tsg}  TPI ${b.tpi}  MDD ${b.mdd}`);
    console.log(`\ntraining ${split.train[0]}..${split.train[1]} (${split.train[2]} days)`);
    r.parts.valid.forEach((b, i) => {
      const [s, e, n] = split.valid?.[i] ?? [0, 0, 0];
      line(`TRAIN${i + 1}`, r.parts?.train[i] as StomReport["result"]);
      line(`VALID${i + 1}`, b);
      console.log(`           validation ${s}..${e} (${n} days)`);
    });
    if (r.parts.all) line("TOTAL", r.parts.all);
    if (r.parts.test && split.test) line(`TEST ${split.test[0]}..${split.test[1]}`, r.parts.test);
  }
}

/** The distinct trading days (yyyymmdd) of the inputs. */
function tradingDays(inputs: readonly StomInput[], kind: StomKind): number[] {
  const div = kind.endsWith("_tick") ? 1e6 : 1e4;
  const days = new Set<number>();
  for (const input of inputs) {
    const index = withIndex(input, kind).columns.index as ArrayLike<number>;
    for (let r = 0; r < index.length; r++) days.add(Math.floor(index[r] / div));
  }
  return [...days].sort((a, b) => a - b);
}
