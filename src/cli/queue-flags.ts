// `--queue` and `--cancel` for `stom optimize` (bar strategies and STOM texts): the runner that puts
// a study's backtests on BullMQ instead of this machine's threads. Not a command: optimize.ts and
// stom-optimize.ts import it; the queue code itself (BullMQ, ioredis) loads only when --queue is given.
import type { Command } from "commander";
import type { LoadedStrategy } from "../app/strategy-loader.ts";
import type { BacktestOptions, Bars } from "../engine/index.ts";
import type { Runner } from "../engine/optimize/runner.ts";
import type { StomInput, StomRunOptions } from "../engine/stom/index.ts";
import type { StomTexts } from "../parallel/pool.ts";

export interface QueueFlags {
  queue?: string;
  cancel?: string;
  queueChunk?: number;
}

// flags that change where or how a study runs, not what it computes
const NOT_DEFINING = new Set(["queue", "cancel", "queueChunk", "workers", "json", "data", "catalog", "memo"]);

const definingFlags = (flags: object) =>
  Object.fromEntries(Object.entries(flags).filter(([k]) => !NOT_DEFINING.has(k)));

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Adds --queue and --cancel; with --cancel, --data is not needed. */
export function withQueueOptions(cmd: Command): Command {
  cmd
    .option(
      "--queue <redis-url>",
      "run the study's backtests as BullMQ jobs on redis://host:port[/db] (see `stom worker`)",
    )
    .option("--cancel <study>", "with --queue: cancel a study (its waiting jobs are removed; results stay)")
    .option(
      "--queue-chunk <n>",
      "with --queue: backtests per job (default: a 64th of a batch, at most 32)",
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new Error(`invalid --queue-chunk: ${v}`);
        return n;
      },
    );
  cmd.on("option:cancel", () => {
    const data = cmd.options.find((o) => o.long === "--data");
    if (data) data.mandatory = false;
  });
  return cmd;
}

/** `stom optimize --queue URL --cancel STUDY` */
export async function cancelQueuedStudy(flags: QueueFlags): Promise<void> {
  if (!flags.queue) throw new Error("--cancel needs --queue redis://host:port");
  const { cancelStudy } = await import("../parallel/queue-cancel.ts");
  const { removed } = await cancelStudy(flags.queue, flags.cancel as string);
  log(`cancelled study ${flags.cancel}: ${removed} waiting jobs removed`);
}

/** The queue runner for a bar strategy study. */
export async function barQueueRunner(
  flags: QueueFlags & { data?: string; catalog?: string; costs?: string; memo?: boolean },
  loaded: LoadedStrategy,
  bars: Bars,
  options: Omit<BacktestOptions, "params">,
): Promise<Runner> {
  const [{ barsQueueContext, studyId }, { queueRunner }] = await Promise.all([
    import("../app/queue-context.ts"),
    import("../parallel/queue-runner.ts"),
  ]);
  const context = barsQueueContext({
    strategy: loaded,
    data: flags.data as string,
    catalog: flags.catalog,
    bars,
    options,
    costs: flags.costs,
    memo: flags.memo,
  });
  const study = studyId({ ...definingFlags(flags), strategy: context.strategyHash, data: context.dataHash });
  return queueRunner(flags.queue as string, { study, context, log, chunk: flags.queueChunk });
}

/** The queue runner for a STOM text study (one per search: a walk-forward window has its own context). */
export async function stomQueueRunner(
  flags: QueueFlags & {
    data: string;
    catalog?: string;
    stomBuy?: string;
    stomSell?: string;
    stomVars?: string;
    stomGaVars?: string;
    stomCond?: string[];
  },
  texts: StomTexts,
  inputs: readonly StomInput[],
  options: StomRunOptions,
): Promise<Runner> {
  const [{ stomQueueContext, studyId }, { queueRunner }] = await Promise.all([
    import("../app/queue-context.ts"),
    import("../parallel/queue-runner.ts"),
  ]);
  const context = stomQueueContext({
    files: flags,
    data: flags.data,
    catalog: flags.catalog,
    inputs,
    texts,
    options,
  });
  const study = studyId({ ...definingFlags(flags), texts: context.textsHash, data: context.dataHash });
  // the STOM searches do not cancel on Ctrl-C themselves
  return queueRunner(flags.queue as string, { study, context, log, sigint: true, chunk: flags.queueChunk });
}
