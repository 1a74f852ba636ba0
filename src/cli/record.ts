import { Command, Option } from "commander";
import { defaultCatalogDir } from "../data/catalog/types.ts";

/** Repeated here so `stom --help` does not load ccxt and DuckDB: see URL_OVERRIDE_ENV in src/data/fetch. */
const URL_OVERRIDE_ENV = "STOM_CCXT_URL_OVERRIDE";

interface RecordFlags {
  book: string;
  interval: string;
  minutes: boolean;
  top?: string;
  topRefresh: string;
  catalog?: string;
  status?: string;
  commit: string;
  fold: string;
  lateness: string;
  duration?: string;
  quiet?: boolean;
  urlOverride?: string;
}

/** "500ms", "5s", "10m", "1h" (a bare number is seconds) as ms. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`invalid ${flag}: ${text} (e.g. 500ms, 5s, 10m)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? "s"] as number;
  const ms = Number(m[1]) * unit;
  if (!(ms > 0)) throw new Error(`invalid ${flag}: ${text} (must be > 0)`);
  return ms;
}

/**
 * `stom record <exchange> [symbols...]`: STOM's receivers, live. Every second each symbol's trades,
 * book and ticker become one STOM snapshot row; rows are committed every few seconds to a journal
 * and folded into the catalog as ticks (STOM's columns) and 1-minute bars. Ctrl-C stops cleanly.
 */
export function recordCommand(): Command {
  return new Command("record")
    .description("record live STOM tick snapshots (trades + 5-level book + ticker) into the catalog")
    .argument("<exchange>", "upbit, binance, any ccxt.pro exchange with watchTrades, or kis (KRX stocks)")
    .argument("[symbols...]", 'markets: "KRW-BTC", "BTC/USDT", "btcusdt", "005930" (or --top N)')
    .option("--book <levels>", "book levels stored (STOM's layout has 5)", "5")
    .option("--interval <duration>", "how often seconds are closed (snapshots are per second)", "1s")
    .option("--minutes", "also write 1-minute bars", true)
    .option("--no-minutes", "ticks only, no 1-minute bars")
    .option("--top <n>", "record the N symbols with the largest day traded value, re-ranked as STOM does")
    .option("--top-refresh <duration>", "how often --top re-ranks (STOM: 10s)", "10s")
    .option("--catalog <dir>", "catalog directory (default: $STOM_CATALOG or ./catalog)")
    .option("--status <file>", "JSON status file (default: <catalog>/record/<exchange>/status.json)")
    .option("--commit <duration>", "commit interval: a crash loses at most this much", "5s")
    .option("--fold <duration>", "how often commits are folded into the catalog's Parquet files", "1m")
    .option("--lateness <duration>", "how long after its end a second is closed", "500ms")
    .option("--duration <duration>", "stop by itself after this long")
    .option("--quiet", "no progress line")
    .addOption(
      new Option(
        "--url-override <origin>",
        `testing aid: send every request to this origin (or $${URL_OVERRIDE_ENV})`,
      ).hideHelp(),
    )
    .action(async (exchangeId: string, symbols: string[], flags: RecordFlags) => {
      const book = Number(flags.book);
      if (book !== 5) throw new Error(`invalid --book: ${flags.book} (STOM's layout stores 5 levels)`);
      const top = flags.top === undefined ? undefined : Number(flags.top);
      if (top !== undefined && !(Number.isInteger(top) && top > 0))
        throw new Error(`invalid --top: ${flags.top}`);
      if (top === undefined && symbols.length === 0)
        throw new Error("name the symbols to record, or use --top N");
      if (top !== undefined && symbols.length > 0) throw new Error("give symbols or --top N, not both");
      const intervalMs = parseDuration(flags.interval, "--interval");
      const commitMs = parseDuration(flags.commit, "--commit");
      const foldMs = parseDuration(flags.fold, "--fold");
      const latenessMs = flags.lateness === "0" ? 0 : parseDuration(flags.lateness, "--lateness");
      const topRefreshMs = parseDuration(flags.topRefresh, "--top-refresh");
      const durationMs =
        flags.duration === undefined ? undefined : parseDuration(flags.duration, "--duration");
      const catalogDir = flags.catalog ?? defaultCatalogDir();
      const id = exchangeId.toLowerCase();
      if (id === "kis" && top !== undefined) throw new Error("kis: --top is not supported (name the codes)");

      const [{ Recorder }, { progressLine }, { openFeed, feedKind }] = await Promise.all([
        import("../data/record/recorder.ts"),
        import("../data/record/status.ts"),
        import("../data/record/open-feed.ts"),
      ]);
      const feed = await openFeed(id, flags.urlOverride);
      const tty = Boolean(process.stderr.isTTY);
      let lastLine = "";
      const warn = (message: string) => {
        if (tty && lastLine) process.stderr.write("\n");
        lastLine = "";
        process.stderr.write(`stom record: ${message}\n`);
      };
      const recorder = new Recorder({
        feed,
        kind: feedKind(id),
        catalogDir,
        symbols,
        ...(top !== undefined ? { top } : {}),
        topRefreshMs,
        intervalMs,
        commitMs,
        foldMs,
        latenessMs,
        minutes: flags.minutes,
        ...(flags.status ? { statusPath: flags.status } : {}),
        onWarning: warn,
      });
      try {
        await recorder.start();
      } catch (error) {
        await feed.close().catch(() => {});
        throw error;
      }

      // one line, rewritten in place on a terminal; every 10 s as its own line in a log
      const progress = setInterval(
        () => {
          if (flags.quiet) return;
          const line = progressLine(recorder.status());
          if (tty) process.stderr.write(`\r${line}\u001b[K`);
          else process.stderr.write(`${line}\n`);
          lastLine = line;
        },
        tty ? 1000 : 10_000,
      );
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) {
            // a second Ctrl-C: the last commit stands, the rest is lost
            process.stderr.write(`\nstom record: ${signal} again, exiting without the final commit\n`);
            process.exit(130);
          }
          stopping = true;
          resolve();
        };
        process.on("SIGINT", () => stop("SIGINT"));
        process.on("SIGTERM", () => stop("SIGTERM"));
        if (durationMs !== undefined) setTimeout(() => stop("--duration"), durationMs).unref();
      });
      clearInterval(progress);
      await recorder.stop();
      const status = recorder.status();
      if (tty && lastLine) process.stderr.write("\n");
      // everything is committed; ccxt's keep-alive timers must not hold the process open
      const line = flags.quiet ? "" : `stopped: ${progressLine(status)}\n`;
      process.stderr.write(line, () => process.exit(0));
    });
}

/** `stom record`: registered as its own group in ./main.ts. */
export function registerRecordCommand(program: Command): void {
  program.addCommand(recordCommand());
}
