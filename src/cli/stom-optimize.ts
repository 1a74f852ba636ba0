// `stom optimize --stom-buy ... --stom-sell ...`: STOM's own searches over self.vars (grid rounds, GA)
// or random/TPE, scored by STOM's 기준값, on the worker pool; STOM's 학습/검증/확인 split
// (--validate) and its rolling 전진분석 (--walk-forward).
import type { Command } from "commander";
import { loadStomData, readStomTexts, stomInputs } from "../app/stom-data.ts";
import { stomReportJson } from "../app/stom-report.ts";
import {
  type Method,
  objective as makeObjective,
  optimize,
  parseGrid,
  searchSpace,
} from "../engine/optimize/index.ts";
import { rng } from "../engine/optimize/rng.ts";
import type { Runner, TaskResult } from "../engine/optimize/runner.ts";
import { type StomGaVar, stomGa } from "../engine/stom/ga.ts";
import {
  compileStom,
  type DaySpan,
  runStom,
  STOM_RESULT_KEYS,
  type StomInput,
  type StomKind,
  type StomParts,
  type StomProgram,
  type StomReport,
  type StomRunOptions,
  type StomSplit,
  type StomSplitSpec,
  stomPartsScore,
  stomResult,
  stomRunner,
  stomSplit,
  stomVars,
  stomWalkWindows,
  withIndex,
} from "../engine/stom/index.ts";
import {
  parseStomBounds,
  STOM_OBJECTIVES,
  type StomBounds,
  type StomObjective,
  stomObjective,
} from "../engine/stom/objectives.ts";
import { type StomVarRange, stomGridSearch } from "../engine/stom/search.ts";
import { type StomTexts, stomWorkerPool } from "../parallel/index.ts";
import { parseParams } from "./flags.ts";
import { padWide, RESULT_LABELS } from "./format.ts";
import { type QueueFlags, stomQueueRunner } from "./queue-flags.ts";
import { type StomFlags, stomRunOptions } from "./stom-flags.ts";

export interface StomOptimizeFlags extends StomFlags, QueueFlags {
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

/** Weeks in `--validate` / `--walk-forward` parts: `2w` or `2`. */
function weeks(part: string, value: string): number {
  const m = /^(\d+)w?$/.exec(value.trim());
  if (!m) throw new Error(`invalid part '${part}' (weeks, like validation=2w)`);
  return Number(m[1]);
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

/** `--walk-forward train=4w,test=1w[,validation=1w][,flat]` for STOM texts (STOM's 전진분석). */
export function parseStomWalk(text: string, cross: boolean) {
  let train = 0;
  let valid = 0;
  let test = 0;
  let weighted = true;
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, value = ""] = part.split("=");
    if (key === "flat" && value === "") weighted = false;
    else if (key === "train") train = weeks(part, value);
    else if (key === "validation" || key === "valid") valid = weeks(part, value);
    else if (key === "test") test = weeks(part, value);
    else throw new Error(`invalid --walk-forward part '${part}' (train=4w,test=1w[,validation=1w][,flat])`);
  }
  if (train === 0 || test === 0)
    throw new Error(`invalid --walk-forward '${text}': give train= and test= weeks`);
  return { spec: { train, valid, test, cross }, weighted };
}

/** What one search needs: the texts, the data, the objective. */
interface SearchContext {
  readonly flags: StomOptimizeFlags;
  readonly program: StomProgram;
  readonly texts: StomTexts;
  readonly inputs: readonly StomInput[];
  readonly options: StomRunOptions;
  readonly name: StomObjective;
  readonly bounds: StomBounds;
  readonly weighted: boolean;
}

interface SearchResult {
  readonly best: readonly number[];
  readonly value: number;
  readonly trials: number;
  readonly method: string;
}

/** STOM's score of one run: its 기준값, or the validation folds' combined value (SendTextAndStd). */
function scoreOf(ctx: SearchContext, stats: unknown): number {
  const s = stats as { stom: StomReport["result"]; parts?: StomParts };
  const betting = ctx.options.betting ?? 1_000_000;
  if (s.parts)
    return stomPartsScore(s.parts, ctx.name, { betting, bounds: ctx.bounds, weighted: ctx.weighted });
  return stomObjective(s.stom.tc > 0 ? s.stom : null, ctx.name, { betting, bounds: ctx.bounds });
}

/** One search over the self.vars ranges, on `split` when given, on the worker pool. */
async function searchStom(ctx: SearchContext, split?: StomSplit): Promise<SearchResult> {
  const { flags, program, name } = ctx;
  const sign = flags.minimize ? -1 : 1;
  const fixed = stomVars(program, parseParams(flags.param));
  const runOptions = { ...ctx.options, ...(split ? { split } : {}) };
  const workers = flags.workers ?? 0;
  const runner: Runner = flags.queue
    ? await stomQueueRunner(flags, ctx.texts, ctx.inputs, runOptions)
    : workers === 0
      ? stomRunner(program, ctx.inputs, runOptions)
      : await stomWorkerPool(ctx.texts, ctx.inputs, runOptions, { workers });
  const score = (r: TaskResult): number => {
    if (!r.stats) throw new Error(r.error ?? "a STOM run failed");
    return scoreOf(ctx, r.stats);
  };
  /** runs vectors of self.vars values on the runner, scores in input order */
  const evaluateBatch = async (batch: readonly (readonly number[])[]): Promise<number[]> => {
    const scores = new Array<number>(batch.length);
    const tasks = batch.map((vars, id) => ({
      id,
      params: Object.fromEntries(vars.flatMap((v, k) => (v === undefined ? [] : [[`vars${k}`, v]]))),
    }));
    await runner.run(tasks, (r) => {
      scores[r.id] = sign * score(r);
    });
    return scores;
  };
  const evaluate = async (vars: readonly number[]) => (await evaluateBatch([vars]))[0];
  const size = Math.max(...program.vars.keys()) + 1;
  const given = (k: number) => flags.param?.some((p) => p.startsWith(`vars${k}=`));
  const log = (text: string) => {
    if (!flags.json) console.error(text);
  };
  try {
    if (flags.method === "grid") {
      const space: StomVarRange[] = [];
      for (let k = 0; k < size; k++) {
        const v = program.vars.get(k);
        space.push(
          v?.range && !given(k) ? [v.range, v.best] : [[fixed[k] ?? 0, fixed[k] ?? 0, 0], fixed[k] ?? 0],
        );
      }
      const res = await stomGridSearch(space, evaluate, {
        evaluateBatch,
        onRound: (round) =>
          log(
            `round ${round.round}: ${round.candidates.length} backtests, best ${round.best.join(",")} ${name} ${sign * round.score}`,
          ),
      });
      return { best: res.best, value: sign * res.score, trials: res.evaluations, method: "stom-grid" };
    }
    if (flags.method === "ga") {
      // STOM's GA over the GA form's lists (--stom-ga-vars), else each range's values
      const space: StomGaVar[] = [];
      for (let k = 0; k < size; k++) {
        const v = program.vars.get(k);
        space.push(v && !given(k) ? [v.gaValues ?? v.values, v.best] : [[fixed[k] ?? 0], fixed[k] ?? 0]);
      }
      const res = await stomGa(space, evaluate, {
        evaluateBatch,
        random: rng(flags.seed),
        onGeneration: (g) =>
          log(
            `generation ${g.generation}: ${g.combinations} combinations left, best ${name} ${sign * g.score}`,
          ),
      });
      return { best: res.best, value: sign * res.score, trials: res.evaluations, method: "stom-ga" };
    }
    const space = searchSpace(program.params, parseGrid(flags.grid), {
      fixed: Object.fromEntries(Object.entries(parseParams(flags.param)).map(([k, v]) => [k, Number(v)])),
    });
    const res = await optimize(runner, {
      space,
      method: flags.method,
      objective: makeObjective((s) => scoreOf(ctx, s), {
        name,
        direction: flags.minimize ? "minimize" : "maximize",
      }),
      trials: flags.trials,
      seed: flags.seed,
      top: flags.top,
    });
    if (!res.best) throw new Error("no trial qualified");
    return {
      best: stomVars(program, res.best.params),
      value: res.best.value,
      trials: res.trials,
      method: flags.method,
    };
  } finally {
    await runner.close();
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

const blockLine = (label: string, b: StomReport["result"]) =>
  `${label.padEnd(12)} tc ${b.tc}  TP ${b.tpp}  TG ${b.tsg}  TPI ${b.tpi}  MDD ${b.mdd}`;

const span = ([a, b, n]: DaySpan) => `${a}..${b} (${n} days)`;

/** `stom optimize --stom-buy ... --stom-sell ...` */
export async function stomOptimizeCommand(input: object, command: Command): Promise<void> {
  const flags = input as StomOptimizeFlags;
  if (flags.constraint)
    throw new Error("--constraint is not supported for STOM texts: use --bound, e.g. MDD<=10");
  if (flags.validate && flags.walkForward) throw new Error("give --validate or --walk-forward, not both");
  if (flags.crossValidate !== undefined && !flags.validate && !flags.walkForward)
    throw new Error("--cross-validate needs --validate or --walk-forward");
  if (flags.maximize && flags.minimize) throw new Error("give --maximize or --minimize, not both");
  const name = (flags.maximize ?? flags.minimize ?? "TP").toUpperCase() as StomObjective;
  if (!STOM_OBJECTIVES.includes(name))
    throw new Error(`unknown STOM 기준값 '${name}' (one of ${STOM_OBJECTIVES.join(" ")})`);
  const data = await loadStomData(flags.data, flags.catalog);
  const texts = await readStomTexts(flags, data);
  const program = compileStom(texts.buy, texts.sell, texts.compile);
  for (const warning of program.warnings) process.stderr.write(`warning: ${warning}\n`);
  if (program.vars.size === 0)
    throw new Error("the STOM texts have no self.vars[n] = [[start, end, step], best] ranges to optimize");
  const options = stomRunOptions(flags, command, data);
  const inputs = stomInputs(data);
  const cross = flags.crossValidate !== undefined;
  const validation = flags.validate ? parseStomValidate(flags.validate, cross) : null;
  const walk = flags.walkForward ? parseStomWalk(flags.walkForward, cross) : null;
  const ctx: SearchContext = {
    flags,
    program,
    texts,
    inputs,
    options,
    name,
    bounds: parseStomBounds((flags.bound ?? []).join(";")),
    weighted: (validation ?? walk)?.weighted ?? true,
  };
  const days = tradingDays(inputs, program.kind);
  if (walk) return walkForwardCommand(ctx, stomWalkWindows(days, walk.spec));

  const split = validation ? stomSplit(days, validation.spec) : undefined;
  const res = await searchStom(ctx, split);
  const r = runStom(program, inputs, { ...options, ...(split ? { split } : {}), vars: [...res.best] });
  const out = {
    method: res.method,
    objective: name,
    value: res.value,
    trials: res.trials,
    ...stomReportJson(r, program, data, options, [...res.best]),
    ...(split && r.parts ? { validation: { split, weighted: ctx.weighted, ...r.parts } } : {}),
  };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  console.log(
    `${flags.stomBuy} + ${flags.stomSell} on ${data.frames.length} symbols: ${res.method}, ${res.trials} backtests, ${flags.minimize ? "minimize" : "maximize"} ${name}\n`,
  );
  const shown = Object.entries(out.vars).map(([k, v]) => `${k}=${v}`);
  console.log(`best ${shown.join(" ")}  ${name} ${res.value}\n`);
  for (const key of STOM_RESULT_KEYS) console.log(`${padWide(RESULT_LABELS[key], 30)}${r.result[key]}`);
  if (split && r.parts) {
    console.log(`\ntraining ${span(split.train)}`);
    r.parts.valid.forEach((b, i) => {
      console.log(blockLine(`TRAIN${i + 1}`, r.parts?.train[i] as StomReport["result"]));
      console.log(blockLine(`VALID${i + 1}`, b));
      if (split.valid) console.log(`             validation ${span(split.valid[i])}`);
    });
    if (r.parts.all) console.log(blockLine("TOTAL", r.parts.all));
    if (r.parts.test && split.test) console.log(blockLine("TEST", r.parts.test), ` ${span(split.test)}`);
  }
}

/**
 * STOM's 전진분석 (rolling_walk_forward_test.py): each window is searched on its training weeks (its
 * validation folds inside), its best values run on the following out-of-sample weeks, and the
 * out-of-sample trades of every window make one result block (counted over the days they sold on,
 * as its Report does).
 */
async function walkForwardCommand(
  ctx: SearchContext,
  windows: readonly ReturnType<typeof stomWalkWindows>[number][],
) {
  const { flags, program, inputs, options, name } = ctx;
  const steps = [];
  const trades: StomReport["trades"][number][] = [];
  for (const [k, w] of windows.entries()) {
    const res = await searchStom(ctx, w.train);
    const oos = runStom(program, inputs, { ...options, days: [w.test[0], w.test[1]], vars: [...res.best] });
    trades.push(...oos.trades);
    steps.push({
      window: k + 1,
      train: w.train.train,
      valid: w.train.valid,
      test: w.test,
      vars: Object.fromEntries([...program.vars.keys()].map((i) => [`vars${i}`, res.best[i]])),
      inSample: res.value,
      trials: res.trials,
      outOfSample: oos.result,
    });
    if (!flags.json)
      console.log(
        `[IN] ${span(w.train.train)} ${name} ${res.value}  [OUT] ${blockLine(span(w.test), oos.result)}`,
      );
  }
  const soldOn = new Set(
    trades.map((t) => Math.floor(t.sell / (program.kind.endsWith("_tick") ? 1e6 : 1e4))),
  );
  const result = stomResult(trades, {
    betting: options.betting ?? 1_000_000,
    days: Math.max(1, soldOn.size),
    market: program.kind.startsWith("stock") ? "stock" : "coin",
  });
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ method: flags.method, objective: name, walkForward: steps, stom: result, trades })}\n`,
    );
    return;
  }
  console.log("\nout-of-sample, all windows:");
  for (const key of STOM_RESULT_KEYS) console.log(`${padWide(RESULT_LABELS[key], 30)}${result[key]}`);
}
