// `stom worker --queue redis://...`: runs the backtests of any study put on the queue by `stom
// optimize --queue` or `stom backtest --universe --queue` (on this machine or another), until stopped. --concurrency N runs N worker
// processes: a backtest is synchronous CPU work, so parallelism comes from processes, one job each.
import { type ChildProcess, fork } from "node:child_process";
import os from "node:os";
import { type Command, Option } from "commander";

interface WorkerFlags {
  queue: string;
  concurrency: number;
  catalog?: string;
  lockMs: number;
}

const positiveInt = (name: string) => (v: string) => {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw new Error(`invalid ${name}: ${v}`);
  return x;
};

const log = (line: string) => process.stderr.write(`${line}\n`);

export function registerWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description(
      "run the backtests of studies queued by `stom optimize --queue` or `stom backtest --universe --queue` (any number of machines)",
    )
    .requiredOption("--queue <redis-url>", "the queue: redis://host:port[/db]")
    .option(
      "--concurrency <n>",
      "worker processes on this machine (one backtest each at a time)",
      positiveInt("concurrency"),
      os.availableParallelism(),
    )
    .option(
      "--catalog <dir>",
      "this machine's catalog for studies on catalog selectors and universes (default: the study's)",
    )
    .addOption(
      new Option(
        "--lock-ms <ms>",
        "a job not renewed for this long is taken for stalled and run elsewhere (longer than any one backtest)",
      )
        .argParser(positiveInt("lock ms"))
        .default(30_000),
    )
    .action(async (flags: WorkerFlags) => {
      if (flags.concurrency > 1) return supervise(flags);
      return serve(flags);
    });
}

/** One worker in this process, until SIGINT/SIGTERM (or its supervisor goes). */
async function serve(flags: WorkerFlags): Promise<void> {
  const [{ queueWorker }, { loadStudyContext }] = await Promise.all([
    import("../parallel/queue-worker.ts"),
    import("../app/queue-context.ts"),
  ]);
  const worker = await queueWorker(flags.queue, {
    load: (context) =>
      loadStudyContext(context as Parameters<typeof loadStudyContext>[0], { catalog: flags.catalog }),
    lockMs: flags.lockMs,
    log,
  });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      log(`worker ${worker.name} stopping (finishing its job)`);
      worker.close().then(resolve, resolve);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    // a child of `--concurrency N`: its supervisor's end is its own
    process.once("disconnect", stop);
  });
  // a forked child's IPC channel would keep it alive
  if (process.connected) process.disconnect();
}

/** N child processes of `stom worker --concurrency 1`, stopped together. */
async function supervise(flags: WorkerFlags): Promise<void> {
  const script = process.argv[1];
  const args = [
    "worker",
    "--queue",
    flags.queue,
    "--concurrency",
    "1",
    "--lock-ms",
    String(flags.lockMs),
    ...(flags.catalog ? ["--catalog", flags.catalog] : []),
  ];
  const children: ChildProcess[] = Array.from({ length: flags.concurrency }, () =>
    fork(script, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] }),
  );
  const stop = () => {
    for (const child of children) child.kill("SIGTERM");
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const codes = await Promise.all(
    children.map(
      (child) => new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 0))),
    ),
  );
  if (codes.some((c) => c !== 0)) process.exitCode = 1;
}
