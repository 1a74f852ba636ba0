// A universe backtest: one strategy with one set of settings on every bar series a catalog selector
// (`krx:*:1m`) or a file of selectors names, one backtest per series. The members, the task that
// runs one of them, and the study context that sends them to `stom worker` processes live here; the
// table they gather into is ./universe-report.ts.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Catalog } from "../data/catalog/catalog.ts";
import type { SeriesInfo } from "../data/catalog/types.ts";
import { matchSeries, parseSelector, type Selector } from "../data/selector.ts";
import { seriesId } from "../data/series-id.ts";
import { type BacktestOptions, backtest, toBars } from "../engine/index.ts";
import { presetCommission } from "../engine/markets/index.ts";
import type { Task, TaskResult } from "../engine/optimize/runner.ts";
import type { TaskFn } from "../parallel/queue-job.ts";
import { contentHash } from "./content-hash.ts";
import { type LoadedStrategy, loadStrategy, STRATEGY_DIR } from "./strategy-loader.ts";

/** One series of a universe, with the time range its selector gave (UTC ms, end exclusive). */
export interface UniverseMember {
  readonly series: string;
  readonly from?: number;
  readonly to?: number;
}

/** One member's backtest. `hash` (its bars' sha256) is set for the queue: a worker checks it. */
export interface UniverseTask extends Task, UniverseMember {
  readonly hash?: string;
}

/** One member's result: its stats (null with `error` when its backtest failed) and its bar count. */
export interface UniverseResult extends TaskResult {
  readonly bars: number;
}

/** A universe study as it travels to `stom worker`: strategy and members' data by hash. */
export interface UniverseQueueContext {
  readonly kind: "universe";
  /** a bundled name (resolved in each worker's checkout) or an absolute path */
  readonly strategy: string;
  readonly strategyHash: string;
  /** the --universe text, for messages (the tasks name their series) */
  readonly universe: string;
  /** sha256 of every member's id, range and bars' hash: the catalog's content for this universe */
  readonly universeHash?: string;
  /** the coordinator's catalog; a worker's --catalog takes precedence */
  readonly catalog?: string;
  /** backtest options with the strategy's params; a cost preset travels by name (`costs`) */
  readonly options: Omit<BacktestOptions, "commission"> & { commission?: number | [number, number] };
  readonly costs?: string;
}

/**
 * A selector that may name many series: `*` stands for any symbol or timeframe
 * (`krx:*:1m@2019-09-20..`), and a bare market (`krx`) for all of its bar series.
 */
export function parseUniverseSelector(text: string): Selector {
  const [series, range] = text.split("@", 2);
  const parts = series.split(":");
  const any = parts.map((p, k) => k > 0 && p === "*");
  // parseSelector takes no wildcard: give it a placeholder and drop it after
  const parsed = parseSelector(
    parts.map((p, k) => (any[k] ? "_" : p)).join(":") + (range === undefined ? "" : `@${range}`),
  );
  return {
    ...parsed,
    symbol: any[1] ? undefined : parsed.symbol,
    timeframe: any[2] ? undefined : parsed.timeframe,
  };
}

/**
 * The selectors of `--universe`: the text itself, or the lines of a file (one selector per line;
 * blank lines and `#` comments skipped).
 */
export function universeSelectors(text: string): string[] {
  if (!existsSync(text)) return [text];
  const lines = readFileSync(text, "utf8")
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter(Boolean);
  if (!lines.length) throw new Error(`no selectors in universe file ${text}`);
  return lines;
}

/**
 * The members a universe names in a catalog listing, sorted by series id then range, each once.
 *
 *     universeMembers(catalog.list(), "krx:*:1m") // [{series: "krx:000020:1m"}, ...]
 */
export function universeMembers(list: readonly SeriesInfo[], text: string): UniverseMember[] {
  const seen = new Map<string, UniverseMember>();
  for (const line of universeSelectors(text)) {
    const selector = parseUniverseSelector(line);
    const found = matchSeries(list, selector, "bars");
    if (!found.length) throw new Error(`no bar series in the catalog match ${line}`);
    for (const s of found) {
      const member = {
        series: seriesId(s),
        ...(selector.start !== undefined ? { from: selector.start } : {}),
        ...(selector.end !== undefined ? { to: selector.end } : {}),
      };
      seen.set(`${member.series}@${member.from ?? ""}..${member.to ?? ""}`, member);
    }
  }
  const key = (m: UniverseMember) => m.series;
  return [...seen.values()].sort(
    (a, b) =>
      (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) ||
      (a.from ?? -Infinity) - (b.from ?? -Infinity) ||
      (a.to ?? Infinity) - (b.to ?? Infinity),
  );
}

/** A member's bars' content hash: the same as barsHash (queue-context.ts) of the bars it reads. */
const barsOf = async (catalog: Catalog, byId: ReadonlyMap<string, SeriesInfo>, m: UniverseMember) => {
  const info = byId.get(m.series);
  if (!info) throw new Error(`no bar series ${m.series} in catalog ${catalog.dir}`);
  const frame = await catalog.read({ ...info, start: m.from, end: m.to });
  return frame.length ? toBars(frame) : null;
};

const barSeries = (catalog: Catalog) =>
  new Map(catalog.list().flatMap((s) => (s.kind === "bars" ? [[seriesId(s), s] as const] : [])));

const short = (hash: string) => hash.slice(0, 12);

/**
 * The function that backtests one member, reading its bars from `catalogDir` (opened once) and,
 * when the task carries a hash, refusing bars whose hash differs. Call `close` when done.
 *
 *     const run = await universeTaskFn(strategy, { cash: 10_000 }, "catalog");
 *     const result = await run({ id: 0, params: {}, series: "krx:005930:1m" });
 */
export async function universeTaskFn(
  strategy: LoadedStrategy,
  options: BacktestOptions,
  catalogDir: string,
): Promise<TaskFn> {
  const catalog = await Catalog.open(catalogDir, { readOnly: true });
  const byId = barSeries(catalog);
  const run = async (input: Task): Promise<UniverseResult> => {
    const task = input as UniverseTask;
    const bars = await barsOf(catalog, byId, task);
    if (task.hash !== undefined) {
      const hash = bars ? contentHash(bars.columns) : "";
      if (hash !== task.hash)
        throw new Error(
          `data ${task.series} differs: sha256 ${short(hash) || "(no bars)"} here, ${short(task.hash)} in the study`,
        );
    }
    if (!bars) return { id: task.id, stats: null, error: "no bars in that range", bars: 0 };
    try {
      const result = backtest(strategy.strategy, bars, options);
      return { id: task.id, stats: result.stats, bars: bars.length };
    } catch (e) {
      return {
        id: task.id,
        stats: null,
        error: e instanceof Error ? e.message : String(e),
        bars: bars.length,
      };
    }
  };
  return Object.assign(run, { close: () => catalog.close() });
}

/**
 * The members' tasks with their bars' hashes, and the universe's hash over them (read once here;
 * the queue's workers read them again from their own catalog and compare).
 */
export async function hashedUniverseTasks(
  members: readonly UniverseMember[],
  catalogDir: string,
  { onRead = () => {} }: { onRead?: (done: number) => void } = {},
): Promise<{ tasks: UniverseTask[]; hash: string }> {
  const catalog = await Catalog.open(catalogDir, { readOnly: true });
  try {
    const byId = barSeries(catalog);
    const tasks: UniverseTask[] = [];
    for (const [id, m] of members.entries()) {
      const bars = await barsOf(catalog, byId, m);
      tasks.push({ id, params: {}, ...m, hash: bars ? contentHash(bars.columns) : "" });
      onRead(id + 1);
    }
    const hash = contentHash(
      tasks.map(({ series, from, to, hash }) => [series, from ?? null, to ?? null, hash]),
    );
    return { tasks, hash };
  } finally {
    await catalog.close();
  }
}

/** The context of a universe study, from what `stom backtest --universe` loaded. */
export function universeQueueContext({
  strategy,
  universe,
  universeHash,
  catalog,
  options,
  costs,
}: {
  strategy: LoadedStrategy;
  universe: string;
  universeHash?: string;
  catalog?: string;
  options: BacktestOptions;
  costs?: string;
}): UniverseQueueContext {
  const bundled = strategy.file === path.join(STRATEGY_DIR, `${strategy.name}.ts`);
  const { commission, ...rest } = options;
  if (costs === undefined && typeof commission === "function")
    throw new Error("a commission function cannot travel to workers: use --commission or --costs");
  return {
    kind: "universe",
    strategy: bundled ? strategy.name : strategy.file,
    strategyHash: contentHash(strategy.source),
    universe,
    ...(universeHash ? { universeHash } : {}),
    ...(catalog ? { catalog: path.resolve(catalog) } : {}),
    options: {
      ...rest,
      ...(costs === undefined ? { commission: commission as number | [number, number] } : {}),
    },
    ...(costs !== undefined ? { costs } : {}),
  };
}

/**
 * A worker's side (a `stom worker` process or a thread of the in-process pool): loads the strategy
 * from this machine and refuses a differing one; each task then reads its series from `catalog`
 * (the worker's --catalog, else the study's) and checks its hash.
 */
export async function loadUniverseContext(
  context: UniverseQueueContext,
  { catalog }: { catalog?: string } = {},
): Promise<TaskFn> {
  const loaded = await loadStrategy(context.strategy);
  const strategyHash = contentHash(loaded.source);
  if (strategyHash !== context.strategyHash)
    throw new Error(
      `strategy ${context.strategy} differs: sha256 ${short(strategyHash)} here, ${short(context.strategyHash)} in the study`,
    );
  const dir = catalog ?? context.catalog;
  if (!dir) throw new Error(`no catalog for universe ${context.universe}: give the worker --catalog`);
  const options: BacktestOptions = {
    ...context.options,
    ...(context.costs !== undefined ? { commission: presetCommission(context.costs) } : {}),
  };
  return universeTaskFn(loaded, options, dir);
}
