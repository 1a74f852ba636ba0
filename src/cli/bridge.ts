import { readFileSync } from "node:fs";
import path from "node:path";
import { type Command, Option } from "commander";
import pino from "pino";
import { Bridge } from "../bridge/bridge.ts";
import { exposure } from "../bridge/exposure.ts";
import { credentialsFromEnv } from "../bridge/kis/config.ts";
import { REDACT, startServer } from "../bridge/server.ts";
import { MIN_TOKEN_LENGTH, TOKEN_ENV, tokenProblem } from "../bridge/token.ts";

const number = (name: string) => (value: string) => {
  const x = Number(value);
  if (!Number.isFinite(x)) throw new Error(`invalid ${name}: ${value}`);
  return x;
};

interface BridgeFlags {
  host: string;
  tlsCert?: string;
  tlsKey?: string;
  insecure?: boolean;
  maxTickAge: number;
  port: number;
  journal: string;
  /** deprecated alias of --journal */
  data?: string;
  confirmLive?: boolean;
  allowOrigin?: string[];
  maxNotional?: number;
  maxPositions?: number;
  maxDailyLoss?: number;
  profitStop?: number;
  maxOrdersPerMinute: number;
  sessionEnd?: string;
  cash: number;
  commission: number;
  replay?: string;
  replaySnapshots?: string;
  strategies?: string;
  warmup: number;
  speed: string;
  catalog?: string;
}

/** `stom bridge` (the server) and `stom promote` (its client). */
export function registerBridgeCommands(program: Command): void {
  program
    .command("bridge")
    .description(
      `run the live bridge (paper by default); needs ${TOKEN_ENV} (>= ${MIN_TOKEN_LENGTH} random characters: openssl rand -hex 32)`,
    )
    .option(
      "--host <host>",
      "address to bind (off loopback: needs --tls-cert/--tls-key or --insecure)",
      "127.0.0.1",
    )
    .option("--tls-cert <file>", "serve HTTPS with this certificate (PEM)")
    .option("--tls-key <file>", "the private key of --tls-cert (PEM)")
    .option(
      "--insecure",
      "allow plain HTTP on a non-loopback --host (the token crosses the network in clear)",
    )
    .option(
      "--max-tick-age <seconds>",
      "refuse trades older than this behind the clock (0: no bound; off in a replay)",
      number("max-tick-age"),
      3_600,
    )
    .option("--port <n>", "port", number("port"), 8787)
    .option("--journal <dir>", "journal folder (paper.sqlite, live.sqlite)", "bridge-data")
    // `--data` names bar files everywhere else in the CLI; the bridge's folder is its journal
    .addOption(new Option("--data <dir>", "deprecated: use --journal").hideHelp())
    .option("--confirm-live", "allow live promotions (keys from STOM_API_KEY / STOM_API_SECRET)")
    .option(
      "--allow-origin <origin>",
      "browser origin allowed to call the API (repeatable)",
      (v: string, p: string[] = []) => [...p, v],
    )
    .option("--max-notional <n>", "largest notional of one order", number("max-notional"))
    .option("--max-positions <n>", "most open positions", number("max-positions"))
    .option(
      "--max-daily-loss <n>",
      "stop new entries after this loss today (손실중지)",
      number("max-daily-loss"),
    )
    .option("--profit-stop <n>", "stop new entries after this profit today (수익중지)", number("profit-stop"))
    .option("--max-orders-per-minute <n>", "order-rate cap", number("max-orders-per-minute"), 30)
    .option("--session-end <HH:MM>", "liquidate at this time each day (전략종료시간)")
    .option("--cash <n>", "paper cash and live budget per promotion", number("cash"), 10_000)
    .option(
      "--commission <rate>",
      "paper commission per fill (0.0005 = Upbit KRW)",
      number("commission"),
      0.0005,
    )
    .option(
      "--replay <data>",
      "no venue: play recorded bars (a file, a catalog selector, or `sample`) to each paper promotion",
    )
    .option(
      "--replay-snapshots <data>",
      "no venue: play recorded STOM snapshots (a STOM db, or a catalog selector of tick series) to each tick or STOM-text promotion",
    )
    .option("--speed <n|max>", "replay speed in bars (or snapshots) a second, or max", "max")
    .option(
      "--warmup <bars>",
      "closed bars fetched from the venue and fed to each promotion before it trades, so its indicators start warm (0: none)",
      number("warmup"),
      500,
    )
    .option("--catalog <dir>", "catalog for --replay selectors")
    .option(
      "--strategies <dir>",
      "the folder promotions name strategies in: <name>.ts, ticks/<name>.ts, stom/<name>/{buy,sell}.txt (default: notebooks/strategies)",
    )
    .action(async (flags: BridgeFlags, command: Command) => {
      let journal = flags.journal;
      if (flags.data !== undefined) {
        process.stderr.write("stom bridge: --data is deprecated, use --journal\n");
        if (command.getOptionValueSource("journal") === "default") journal = flags.data;
      }
      const token = process.env[TOKEN_ENV] ?? "";
      const weak = tokenProblem(token);
      if (weak) throw new Error(weak);
      const exposed = exposure(flags);
      if (exposed.warning) process.stderr.write(`${exposed.warning}\n`);
      if (exposed.error) throw new Error(exposed.error);
      const tls =
        flags.tlsCert && flags.tlsKey
          ? { cert: readFileSync(flags.tlsCert), key: readFileSync(flags.tlsKey) }
          : undefined;
      const apiKey = process.env.STOM_API_KEY;
      const secret = process.env.STOM_API_SECRET;
      if (flags.confirmLive && !(apiKey && secret)) {
        throw new Error("--confirm-live needs STOM_API_KEY and STOM_API_SECRET in the environment");
      }
      const logger = pino({ level: "info", redact: REDACT });
      let replay: Awaited<ReturnType<typeof replayVenue>> | undefined;
      if (flags.replay !== undefined) {
        if (flags.confirmLive) throw new Error("--replay trades paper only: drop --confirm-live");
        replay = await replayVenue(flags.replay, flags.speed, flags.catalog, (end) => bridge.flush(end));
        logger.info(
          `replaying ${replay.bars} bars of ${replay.name} (${replay.timeframe}) at ${flags.speed === "max" ? "full speed" : `${flags.speed} bars/s`} to each paper promotion`,
        );
      }
      let snapshots: Awaited<ReturnType<typeof snapshotReplay>> | undefined;
      if (flags.replaySnapshots !== undefined) {
        if (flags.confirmLive) throw new Error("--replay-snapshots trades paper only: drop --confirm-live");
        snapshots = await snapshotReplay(flags.replaySnapshots, flags.speed, flags.catalog);
        logger.info(
          `replaying ${snapshots.rows} snapshots of ${snapshots.symbols.length} symbols from ${flags.replaySnapshots} to each tick or STOM-text promotion`,
        );
      }
      const replaying = Boolean(replay || snapshots);
      const bridge: Bridge = await Bridge.open({
        dataDir: path.resolve(journal),
        allowLive: Boolean(flags.confirmLive),
        paper: { cash: flags.cash, commission: flags.commission, unit: 1e-8 },
        liveCash: flags.cash,
        warmupBars: flags.warmup,
        ...(flags.strategies ? { strategyDir: path.resolve(flags.strategies) } : {}),
        // a replay closes its bars on its own clock; the wall clock would fill years of flat bars
        flushMs: replay ? 0 : 1_000,
        ...(replay
          ? {
              venueFactory: async (exchange: string, mode: string) => {
                if (mode === "live") throw new Error(`${exchange}: live trading is off during a replay`);
                return (replay as NonNullable<typeof replay>).venue;
              },
            }
          : {}),
        sessionEnd: flags.sessionEnd,
        // live positions against the venue's balances every minute (a replay has no venue account)
        reconcileMs: replaying ? 0 : 60_000,
        // tick strategies and STOM texts: the replay's rows, or the recorder's live rows (kept in
        // the journal folder's snapshots/<promotion> catalog)
        snapshots:
          snapshots?.source ??
          (async (promotion) => {
            const [{ RecorderSnapshots }, { openFeed, feedKind }] = await Promise.all([
              import("../bridge/snapshot-source.ts"),
              import("../data/record/open-feed.ts"),
            ]);
            return new RecorderSnapshots({
              feed: await openFeed(promotion.exchange, process.env.STOM_CCXT_URL_OVERRIDE),
              catalogDir: path.resolve(journal, "snapshots", promotion.id),
              symbols: promotion.symbols ?? [],
              kind: feedKind(promotion.exchange),
              onWarning: (message) => logger.warn(message),
            });
          }),
        // a live feed's trades against the wall clock; a replay's are old by design
        ticks: {
          maxAgeMs: replaying || !(flags.maxTickAge > 0) ? Number.POSITIVE_INFINITY : flags.maxTickAge * 1000,
        },
        limits: {
          maxNotional: flags.maxNotional,
          maxOpenPositions: flags.maxPositions,
          maxDailyLoss: flags.maxDailyLoss,
          profitStop: flags.profitStop,
          // the cap counts wall-clock minutes, and a replay plays hours of bars a second: off in a
          // replay unless asked for
          maxOrdersPerMinute:
            replaying && command.getOptionValueSource("maxOrdersPerMinute") === "default"
              ? Number.POSITIVE_INFINITY
              : flags.maxOrdersPerMinute,
        },
        venue: { apiKey, secret, urlOverride: process.env.STOM_CCXT_URL_OVERRIDE },
        // KIS (Korean stocks) when its keys are in the environment; the real host only with
        // --confirm-live and KIS_ENV=real, otherwise KIS's mock-trading host.
        kis: process.env.KIS_APPKEY
          ? { credentials: credentialsFromEnv(), env: process.env.KIS_ENV === "real" ? "real" : "mock" }
          : undefined,
      });
      const server = await startServer(bridge, {
        token,
        host: flags.host,
        port: flags.port,
        allowOrigins: flags.allowOrigin ?? [],
        logger,
        tls,
      });
      bridge.on((e) => {
        if (e.type === "risk" || e.type === "kill" || e.type === "promotion")
          logger.info({ event: e }, e.type);
      });
      const stop = async () => {
        logger.info("shutting down");
        await server.close();
        await bridge.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}

/** The replay venue over `data` (a bar file, a catalog selector, or `sample`: the synthetic 1m sample). */
async function replayVenue(
  data: string,
  speedText: string,
  catalog: string | undefined,
  flush: (end: number) => void,
) {
  const speed = speedText === "max" ? "max" : Number(speedText);
  if (speed !== "max" && !(speed > 0)) throw new Error(`invalid speed: ${speedText} (bars a second, or max)`);
  const [{ ReplayVenue }, { timeframeMs }] = await Promise.all([
    import("../bridge/replay-venue.ts"),
    import("../engine/timeframe.ts"),
  ]);
  let loaded: { bars: import("../engine/index.ts").Bars; symbol: string; timeframe: string };
  if (data === "sample") {
    const [{ makeSampleBars }, { toBars }] = await Promise.all([
      import("../data/sample.ts"),
      import("../engine/index.ts"),
    ]);
    const frame = makeSampleBars();
    loaded = { bars: toBars(frame), symbol: frame.symbol, timeframe: frame.timeframe };
  } else {
    const { loadBars } = await import("../app/load-bars.ts");
    loaded = await loadBars(data, catalog);
  }
  const barMs = timeframeMs(loaded.timeframe);
  if (!barMs) throw new Error(`${data}: bars of timeframe ${loaded.timeframe} cannot be replayed`);
  const venue = new ReplayVenue(loaded.bars, barMs, {
    speed,
    onEnd: (_symbol, end) => flush(end),
  });
  return {
    venue,
    bars: loaded.bars.length,
    name: data === "sample" ? "the synthetic sample" : loaded.symbol,
    timeframe: loaded.timeframe,
  };
}

/** Recorded snapshots (a STOM db or catalog tick series) replayed to each snapshot promotion's symbols. */
async function snapshotReplay(data: string, speedText: string, catalog: string | undefined) {
  const speed = speedText === "max" ? "max" : Number(speedText);
  if (speed !== "max" && !(speed > 0))
    throw new Error(`invalid speed: ${speedText} (snapshots a second, or max)`);
  const [{ SnapshotReplay }, { loadStomData }] = await Promise.all([
    import("../bridge/snapshot-source.ts"),
    import("../app/stom-data.ts"),
  ]);
  const { frames } = await loadStomData(data, catalog);
  let rows = 0;
  for (const f of frames) rows += f.length;
  return {
    rows,
    symbols: frames.map((f) => f.symbol),
    source: (promotion: { symbols?: readonly string[] }) =>
      SnapshotReplay.of(frames, promotion.symbols ?? [], { speed }),
  };
}
