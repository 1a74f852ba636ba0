// The universe mode of `stom backtest`: `--universe krx:*:1m` (or a file of selectors) runs one
// backtest per series with the same settings and prints one table. It runs in this thread for a
// small universe or --workers 0, on worker threads otherwise, and with --queue as BullMQ jobs for
// `stom worker` processes on any machine; all three print the same bytes.
import os from "node:os";
import type { Command } from "commander";
import { loadStrategy } from "../app/strategy-loader.ts";
import type { UniverseMember, UniverseResult, UniverseTask } from "../app/universe.ts";
import type { UniverseReport } from "../app/universe-report.ts";
import type { Runner, TaskResult } from "../engine/optimize/runner.ts";
import type { TaskFn } from "../parallel/queue-job.ts";
import { type RunFlags, runOptions } from "./flags.ts";
import { progress } from "./progress.ts";

// scripts/build.mjs defines this; under tsx it is undeclared
declare const __STOM_BUNDLED__: boolean | undefined;

export interface UniverseFlags extends RunFlags {
  universe: string;
  workers: number;
  queue?: string;
  queueChunk?: number;
  json?: boolean;
  out?: string;
}

/**
 * Below this many series (and without --workers) one thread beats starting the pool's threads,
 * which each compile the sources and load the strategy (about a second here).
 */
export const SMALL_UNIVERSE = 256;

const log = (line: string) => process.stderr.write(`${line}\n`);

const count = (name: string, min: number) => (v: string) => {
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) throw new Error(`invalid ${name}: ${v}`);
  return x;
};

/** Adds --universe (which makes --data optional), --workers, --queue and --queue-chunk to `stom backtest`. */
export function withUniverseOptions(cmd: Command): Command {
  cmd
    .option(
      "--universe <selector|file>",
      "backtest every bar series a selector names (krx:*:1m, * for any symbol), or those of a file with one selector per line; one table",
    )
    .option(
      "--workers <n>",
      "with --universe: worker threads (0 = in this thread)",
      count("workers", 0),
      os.availableParallelism(),
    )
    .option(
      "--queue <redis-url>",
      "with --universe: run the backtests as BullMQ jobs on redis://host:port[/db] (see `stom worker`)",
    )
    .option(
      "--queue-chunk <n>",
      "with --queue: backtests per job (default: a 64th, at most 32)",
      count("queue-chunk", 1),
    );
  cmd.on("option:universe", () => {
    const data = cmd.options.find((o) => o.long === "--data");
    if (data) data.mandatory = false;
  });
  return cmd;
}

/** A Runner that runs async tasks one after another in this thread. */
function inThread(run: TaskFn): Runner {
  let cancelled = false;
  return {
    concurrency: 1,
    async run(tasks, onResult) {
      cancelled = false;
      for (const task of tasks) {
        if (cancelled) return;
        onResult(await run(task));
      }
    },
    cancel() {
      cancelled = true;
    },
    close: async () => {
      await run.close?.();
    },
  };
}

// + 0 turns -0 (a drawdown of nothing) into 0
const fmt = (x: number | null, digits = 2) =>
  x === null
    ? "-"
    : (x + 0).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The report as a table: one line per series, then the aggregate. */
export function universeTable(report: UniverseReport): string {
  const head = ["series", "bars", "trades", "return%", "b&h%", "sharpe", "maxDD%", "win%", "error"];
  const rows = report.rows.map((r) => [
    r.series + (r.from || r.to ? `@${r.from ?? ""}..${r.to ?? ""}` : ""),
    String(r.bars),
    r.trades === null ? "-" : String(r.trades),
    fmt(r.returnPct),
    fmt(r.buyHoldReturnPct),
    fmt(r.sharpe),
    fmt(r.maxDrawdownPct),
    fmt(r.winRatePct, 1),
    r.error ?? "",
  ]);
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]) =>
    r
      .map((c, k) => (k === 0 || k === r.length - 1 ? c.padEnd(widths[k]) : c.padStart(widths[k])))
      .join("  ")
      .trimEnd();
  const a = report.aggregate;
  const pick = (p: { series: string; returnPct: number } | null) =>
    p ? `${p.series} ${fmt(p.returnPct)}%` : "-";
  return [
    line(head),
    ...rows.map(line),
    "",
    `${a.series} series (${a.failed} failed), ${a.traded} traded, ${a.trades} trades, win rate ${fmt(a.winRatePct, 1)}%`,
    `return: mean ${fmt(a.meanReturnPct)}%, median ${fmt(a.medianReturnPct)}%, ${fmt(a.positivePct, 1)}% of series positive`,
    `mean Sharpe ${fmt(a.meanSharpe)}, max drawdown mean ${fmt(a.meanMaxDrawdownPct)}%, worst ${fmt(a.worstMaxDrawdownPct)}%`,
    `best ${pick(a.best)}, worst ${pick(a.worst)}`,
  ].join("\n");
}

/** `stom backtest <strategy> --universe <selector|file> [--queue redis://...] [--workers N] [--out file]` */
export async function universeBacktestCommand(
  ref: string,
  flags: UniverseFlags,
  command?: Command,
): Promise<void> {
  if (!ref) throw new Error("give a strategy to run on the universe");
  if (flags.data) throw new Error("give --universe or --data, not both");
  const [{ Catalog }, { defaultCatalogDir }, universe, { universeReport }] = await Promise.all([
    import("../data/catalog/catalog.ts"),
    import("../data/catalog/types.ts"),
    import("../app/universe.ts"),
    import("../app/universe-report.ts"),
  ]);
  const catalogDir = flags.catalog ?? defaultCatalogDir();
  const loaded = await loadStrategy(ref);
  const catalog = await Catalog.open(catalogDir, { readOnly: true });
  let members: UniverseMember[];
  try {
    members = universe.universeMembers(catalog.list(), flags.universe);
  } finally {
    await catalog.close();
  }
  const options = runOptions(flags);
  const contextOf = (universeHash?: string) =>
    universe.universeQueueContext({
      strategy: loaded,
      universe: flags.universe,
      universeHash,
      catalog: catalogDir,
      options,
      costs: flags.costs,
    });

  let tasks: UniverseTask[];
  let runner: Runner;
  const started = performance.now();
  if (flags.queue) {
    const [{ studyId }, { queueRunner }] = await Promise.all([
      import("../app/queue-context.ts"),
      import("../parallel/queue-runner.ts"),
    ]);
    // each member's bars are hashed here so a worker with other data refuses (read once, not kept)
    const reading = progress("series read", { json: flags.json, total: members.length });
    const hashed = await universe
      .hashedUniverseTasks(members, catalogDir, { onRead: (n) => reading.update(n) })
      .finally(() => reading.stop());
    tasks = hashed.tasks;
    log(
      `universe: ${members.length} series read and hashed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const context = contextOf(hashed.hash);
    // where the catalog sits and how the universe was spelled do not change what is computed
    const study = studyId({ ...context, catalog: null, universe: null });
    runner = await queueRunner(flags.queue, {
      study,
      context,
      log,
      sigint: true,
      chunk: flags.queueChunk,
      unit: "series",
    });
  } else {
    tasks = members.map((m, id) => ({ id, params: {}, ...m }));
    // a --workers the user gave is obeyed; the default pool is only for a universe worth its start
    const asked = command?.getOptionValueSource("workers") === "cli";
    if (flags.workers === 0 || (members.length < SMALL_UNIVERSE && !asked)) {
      runner = inThread(await universe.universeTaskFn(loaded, options, catalogDir));
    } else {
      const { contextPool } = await import("../parallel/context-pool.ts");
      runner = await contextPool(
        {
          // the threads run the copy of the engine this process runs (thread-boot.ts)
          module: (typeof __STOM_BUNDLED__ !== "undefined"
            ? new URL("../../build/universe.js", import.meta.url)
            : new URL("../app/universe.ts", import.meta.url)
          ).href,
          load: "loadUniverseContext",
          context: contextOf(),
        },
        { workers: flags.workers },
      );
    }
  }

  const results = new Map<number, UniverseResult>();
  const bar = progress("series", { json: flags.json, total: members.length });
  // Ctrl-C stops handing out backtests and prints what reported (the queue runner removes its jobs)
  const onSigint = () => runner.cancel();
  if (!flags.queue) process.once("SIGINT", onSigint);
  try {
    await runner.run(tasks, (r: TaskResult) => {
      results.set(r.id, r as UniverseResult);
      bar.update(results.size);
    });
  } finally {
    bar.stop();
    process.off("SIGINT", onSigint);
    await runner.close();
  }
  const report = universeReport({
    strategy: ref,
    universe: flags.universe,
    params: Object.fromEntries(Object.entries(options.params ?? {}).map(([k, v]) => [k, String(v)])),
    members,
    results,
    cancelled: results.size < members.length,
  });
  const json = `${JSON.stringify(report)}\n`;
  if (flags.out) {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(flags.out, json);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  log(`universe: ${report.rows.length} of ${members.length} series in ${seconds} s`);
  if (flags.json) {
    process.stdout.write(json);
    return;
  }
  console.log(`${loaded.strategy.name ?? loaded.name} on ${flags.universe}: ${members.length} series\n`);
  console.log(universeTable(report));
  if (report.cancelled) console.error("cancelled: the series that reported are shown");
}
