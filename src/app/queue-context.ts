// A study on the queue, as it travels: the coordinator names the strategy (or STOM texts) and the
// data by reference and by content hash; a worker loads its own copies, hashes them and refuses a
// study whose hashes differ, so no machine ever answers with another version of the code or data.
import { existsSync } from "node:fs";
import path from "node:path";
import type { BacktestOptions, Bars } from "../engine/index.ts";
import { presetCommission } from "../engine/markets/index.ts";
import { Evaluator } from "../engine/optimize/evaluate.ts";
import type { Task, TaskResult } from "../engine/optimize/runner.ts";
import { compileStom, type StomInput, type StomRunOptions, stomTask } from "../engine/stom/index.ts";
import { jsonHash, type StomTexts, type TaskFn } from "../parallel/index.ts";
import { contentHash } from "./content-hash.ts";
import { loadBars } from "./load-bars.ts";
import {
  loadStomData,
  moneytopGrid,
  readStomTexts,
  type StomTextFiles,
  stomInputs,
  stomKindOf,
} from "./stom-data.ts";
import { type LoadedStrategy, loadStrategy, STRATEGY_DIR } from "./strategy-loader.ts";
import type { UniverseQueueContext } from "./universe.ts";

/** A bar strategy's study: strategy file and bar series by reference and sha256. */
export interface BarsQueueContext {
  readonly kind: "bars";
  /** a bundled name (resolved in each worker's checkout) or an absolute path */
  readonly strategy: string;
  readonly strategyHash: string;
  /** an absolute file path or a catalog selector */
  readonly data: string;
  readonly dataHash: string;
  /** the coordinator's catalog; a worker's --catalog takes precedence */
  readonly catalog?: string;
  /** backtest options as JSON; a cost preset travels by name (`costs`), not as a function */
  readonly options: Omit<BacktestOptions, "params" | "commission"> & {
    commission?: number | [number, number];
  };
  readonly costs?: string;
  readonly memo: boolean;
}

/** A STOM text study: the text files and the STOM data by reference and sha256. */
export interface StomQueueContext {
  readonly kind: "stom";
  /** the --stom-* files as absolute paths */
  readonly files: StomTextFiles;
  readonly textsHash: string;
  /** a STOM DB path or a catalog selector */
  readonly data: string;
  readonly dataHash: string;
  readonly catalog?: string;
  readonly options: Omit<StomRunOptions, "grid" | "vars" | "params" | "clock">;
  /** the run uses the DB's moneytop grid: each worker rebuilds it from its own (hashed) data */
  readonly grid: boolean;
}

export type StudyContext = BarsQueueContext | StomQueueContext | UniverseQueueContext;

/** A study's id: a hash of everything that defines it, so running it again finds its results. */
export function studyId(definition: unknown): string {
  return jsonHash(definition).slice(0, 16);
}

/** A bar series' content hash (its columns' bytes). */
export const barsHash = (bars: Bars): string => contentHash(bars.columns);

/** STOM inputs' content hash: every symbol's columns, and the moneytop grid when the run uses one. */
export const stomDataHash = (inputs: readonly StomInput[], grid?: ArrayLike<number>): string =>
  contentHash({
    inputs: inputs.map((input) => ({ symbol: input.symbol, columns: input.columns })),
    grid: grid ? Float64Array.from(grid) : null,
  });

/** What of STOM texts decides a run (not the paths they were read from). */
export const stomTextsHash = (texts: StomTexts): string => {
  const { kind, conditions, vars, gaVars, extraColumns } = texts.compile;
  return contentHash({ buy: texts.buy, sell: texts.sell, kind, conditions, vars, gaVars, extraColumns });
};

const dataRef = (data: string) => (existsSync(data) ? path.resolve(data) : data);

/** The context of a bar strategy study, from what `stom optimize` loaded. */
export function barsQueueContext({
  strategy,
  data,
  catalog,
  bars,
  options,
  costs,
  memo = true,
}: {
  strategy: LoadedStrategy;
  data: string;
  catalog?: string;
  bars: Bars;
  options: Omit<BacktestOptions, "params">;
  costs?: string;
  memo?: boolean;
}): BarsQueueContext {
  const bundled = strategy.file === path.join(STRATEGY_DIR, `${strategy.name}.ts`);
  const { commission, ...rest } = options;
  if (costs === undefined && typeof commission === "function")
    throw new Error("a commission function cannot travel to workers: use --commission or --costs");
  return {
    kind: "bars",
    strategy: bundled ? strategy.name : strategy.file,
    strategyHash: contentHash(strategy.source),
    data: dataRef(data),
    dataHash: barsHash(bars),
    ...(catalog ? { catalog } : {}),
    options: {
      ...rest,
      ...(costs === undefined ? { commission: commission as number | [number, number] } : {}),
    },
    ...(costs !== undefined ? { costs } : {}),
    memo,
  };
}

/** The context of a STOM text study, from what `stom optimize --stom-*` loaded. */
export function stomQueueContext({
  files,
  data,
  catalog,
  inputs,
  texts,
  options,
}: {
  files: StomTextFiles;
  data: string;
  catalog?: string;
  inputs: readonly StomInput[];
  texts: StomTexts;
  options: StomRunOptions;
}): StomQueueContext {
  const { grid, vars: _v, params: _p, clock, ...rest } = options;
  if (clock) throw new Error("a clock cannot travel to workers");
  const abs = (f?: string) => (f ? path.resolve(f) : undefined);
  return {
    kind: "stom",
    files: {
      stomBuy: abs(files.stomBuy),
      stomSell: abs(files.stomSell),
      ...(files.stomVars ? { stomVars: abs(files.stomVars) } : {}),
      ...(files.stomGaVars ? { stomGaVars: abs(files.stomGaVars) } : {}),
      ...(files.stomCond?.length ? { stomCond: files.stomCond } : {}),
    },
    textsHash: stomTextsHash(texts),
    data: dataRef(data),
    dataHash: stomDataHash(inputs, grid),
    ...(catalog ? { catalog } : {}),
    options: rest,
    grid: grid !== undefined,
  };
}

const short = (hash: string) => hash.slice(0, 12);
const differs = (what: string, mine: string, theirs: string) =>
  new Error(`${what} differs: sha256 ${short(mine)} here, ${short(theirs)} in the study`);

/**
 * A worker's side: loads the context's strategy (or texts) and data from this machine, refuses
 * when a hash differs, and returns the function that runs one task. `catalog` (the worker's
 * --catalog) replaces the coordinator's catalog folder for selectors.
 */
export async function loadStudyContext(
  context: StudyContext,
  { catalog }: { catalog?: string } = {},
): Promise<TaskFn | ((task: Task) => TaskResult)> {
  if (context.kind === "bars") {
    const loaded = await loadStrategy(context.strategy);
    const strategyHash = contentHash(loaded.source);
    if (strategyHash !== context.strategyHash)
      throw differs(`strategy ${context.strategy}`, strategyHash, context.strategyHash);
    const { bars } = await loadBars(context.data, catalog ?? context.catalog);
    const dataHash = barsHash(bars);
    if (dataHash !== context.dataHash) throw differs(`data ${context.data}`, dataHash, context.dataHash);
    const options: Omit<BacktestOptions, "params"> = {
      ...context.options,
      ...(context.costs !== undefined ? { commission: presetCommission(context.costs) } : {}),
    };
    const evaluator = new Evaluator(loaded.strategy, bars, options, { memo: context.memo });
    return (task) => evaluator.run(task);
  }
  if (context.kind === "stom") {
    const data = await loadStomData(context.data, catalog ?? context.catalog);
    const inputs = stomInputs(data);
    const grid = context.grid && data.moneytop ? moneytopGrid(data.moneytop, stomKindOf(data)) : undefined;
    const dataHash = stomDataHash(inputs, grid);
    if (dataHash !== context.dataHash) throw differs(`data ${context.data}`, dataHash, context.dataHash);
    const texts = await readStomTexts(context.files, data);
    const textsHash = stomTextsHash(texts);
    if (textsHash !== context.textsHash)
      throw differs(
        `stom texts ${context.files.stomBuy} + ${context.files.stomSell}`,
        textsHash,
        context.textsHash,
      );
    const program = compileStom(texts.buy, texts.sell, texts.compile);
    return stomTask(program, inputs, { ...context.options, ...(grid ? { grid } : {}) });
  }
  if (context.kind === "universe") {
    // loaded on demand: optimize studies never open a catalog per task
    const { loadUniverseContext } = await import("./universe.ts");
    return loadUniverseContext(context, { catalog });
  }
  throw new Error(`unknown study kind: ${(context as { kind: unknown }).kind}`);
}
