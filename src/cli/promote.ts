import path from "node:path";
import type { Command } from "commander";
import { type BacktestReport, readReport } from "../app/report.ts";
import { loadResolvedStrategy } from "../app/strategy-loader.ts";
import { TOKEN_ENV } from "../bridge/token.ts";
import { exchangeHelp, VENUES } from "../bridge/venue-registry.ts";
import { collect, parseParams } from "./flags.ts";

interface PromoteFlags {
  param?: string[];
  params?: string;
  exchange: string;
  symbol?: string;
  kind: string;
  symbols?: string;
  settings?: string;
  strategies?: string;
  timeframe: string;
  mode: "paper" | "live";
  bridge: string;
  report?: string;
  confirmLive?: boolean;
}

/** `stom promote <strategy>`: posts a promotion to a running bridge (code stays on disk). */
export function registerPromoteCommand(program: Command): void {
  program
    .command("promote")
    .description("promote a backtested strategy to a running bridge (paper by default)")
    .argument("<strategy>", "strategy name under notebooks/strategies")
    .option("--param <name=value>", "strategy parameter (repeatable)", collect)
    .option("--params <json>", 'parameters as JSON, e.g. \'{"fast":10,"slow":30}\'')
    .requiredOption("--exchange <id>", `the venue: ${exchangeHelp()}`)
    .option("--symbol <symbol>", `in the venue's syntax: ${VENUES.map((v) => v.symbolExample).join(", ")}`)
    .option(
      "--kind <kind>",
      "bars (a strategy under notebooks/strategies), ticks (notebooks/strategies/ticks) or stom (STOM texts in notebooks/strategies/stom/<name>/)",
      "bars",
    )
    .option(
      "--strategies <dir>",
      "the folder the bridge was given with --strategies (the fingerprint pins the same source)",
    )
    .option("--symbols <list>", "ticks and stom: the symbols to trade, comma separated (KRW-BTC,KRW-ETH)")
    .option(
      "--settings <json>",
      'ticks and stom: the run\'s options as the backtest had them, e.g. \'{"budget":1000000,"maxPositions":5,"costs":"upbit"}\'',
    )
    .option("--timeframe <tf>", "bar timeframe", "1m")
    .option("--mode <mode>", "paper or live", "paper")
    .option("--report <file>", "the report `stom backtest --out` wrote: its fingerprint is sent")
    .option("--confirm-live", "required with --mode live")
    .option("--bridge <url>", "bridge URL", "http://127.0.0.1:8787")
    .action(async (name: string, flags: PromoteFlags) => {
      if (flags.mode !== "paper" && flags.mode !== "live") throw new Error(`invalid mode: ${flags.mode}`);
      if (flags.mode === "live" && !flags.confirmLive) throw new Error("live promotion needs --confirm-live");
      const token = process.env[TOKEN_ENV];
      if (!token) throw new Error(`${TOKEN_ENV} is not set`);
      if (flags.kind === "ticks" || flags.kind === "stom") {
        await promoteSnapshots(name, flags, token);
        return;
      }
      if (flags.kind !== "bars")
        throw new Error(`invalid kind: ${flags.kind} (expected bars, ticks or stom)`);
      if (!flags.symbol) throw new Error("--symbol is required for a bar strategy");
      const report = flags.report ? await readReport(flags.report) : undefined;
      // the report's params are the backtest's; flags given here override them
      const raw = {
        ...report?.params,
        ...(flags.params ? JSON.parse(flags.params) : {}),
        ...parseParams(flags.param),
      };
      // the backtest's settings travel with the promotion, inside the fingerprint
      const loaded = await loadResolvedStrategy(name, raw, {
        namesOnly: true,
        settings: report?.settings,
        ...(flags.strategies ? { dir: path.resolve(flags.strategies) } : {}),
      });
      let fingerprint: string | undefined;
      if (report) {
        fingerprint = report.strategy.fingerprint;
        if (fingerprint !== loaded.fingerprint) {
          throw new Error("the strategy or its params changed since that backtest: backtest again");
        }
      } else if (flags.mode === "live") {
        throw new Error("live promotion needs --report <backtest report> for the fingerprint");
      }
      if (report && flags.mode === "live") refuseWhatSpotCannotCarry(report, flags.exchange);
      const res = await fetch(new URL("/api/promotions", flags.bridge), {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          strategy: name,
          params: loaded.params,
          exchange: flags.exchange,
          symbol: flags.symbol,
          timeframe: flags.timeframe,
          mode: flags.mode,
          fingerprint,
          ...(report ? { settings: report.settings } : {}),
        }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(`bridge answered ${res.status}: ${body.error ?? JSON.stringify(body)}`);
      process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    });
}

/** A tick strategy or STOM texts on the bridge's snapshots (paper): params and settings from the flags. */
async function promoteSnapshots(name: string, flags: PromoteFlags, token: string): Promise<void> {
  const kind = flags.kind as "ticks" | "stom";
  const symbols = (flags.symbols ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (symbols.length === 0) throw new Error(`--symbols is required for --kind ${kind}`);
  if (flags.report)
    throw new Error(`--report takes a bar backtest's report; give --kind ${kind} its --settings`);
  const settings = flags.settings === undefined ? undefined : parseJsonObject(flags.settings, "--settings");
  const params = {
    ...(flags.params ? parseJsonObject(flags.params, "--params") : {}),
    ...parseParams(flags.param),
  };
  const { loadSnapshotStrategy } = await import("../app/snapshot-strategy.ts");
  // loaded here too, so a typo fails before the request, and the fingerprint pins this source
  const loaded = await loadSnapshotStrategy(kind, name, params, {
    settings,
    ...(flags.strategies ? { dir: path.resolve(flags.strategies) } : {}),
  });
  const res = await fetch(new URL("/api/promotions", flags.bridge), {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      kind,
      strategy: name,
      params: loaded.params,
      exchange: flags.exchange,
      symbols,
      mode: flags.mode,
      fingerprint: loaded.fingerprint,
      ...(settings ? { settings } : {}),
    }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`bridge answered ${res.status}: ${body.error ?? JSON.stringify(body)}`);
  process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
}

function parseJsonObject(text: string, flag: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${flag}: not JSON: ${text}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new Error(`${flag}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * Live venues are spot accounts: refused before anything runs, a backtest that ran on a margin
 * account or sold short. Every order type the engine has is carried live: limit buys rest on the
 * venue's book where it has one; stops, stop-limits, SL/TP brackets, trailing stops and limit sells
 * are held by the bridge and trigger on the venue's trades (docs/bridge.md, Live orders).
 */
function refuseWhatSpotCannotCarry(report: BacktestReport, exchange: string): void {
  const { account } = report.settings;
  if (account !== "cash")
    throw new Error(
      `a live ${exchange} account is spot: the backtest ran on a ${account} account; backtest with --account cash and promote that report`,
    );
  const short = report.trades.findIndex((t) => t.size < 0);
  if (short >= 0) throw new Error(`the backtest sold short (trade ${short + 1}); a spot account cannot`);
}
