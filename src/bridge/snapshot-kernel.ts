// The engine kernel a snapshot promotion runs: a tick strategy on the tick engine's TickSession
// (the code runTicks drives), or STOM texts compiled and run on StomSession (the code backtestStom
// drives), both with the options the promotion's backtest ran with.
import type { LoadedSnapshotStrategy } from "../app/snapshot-strategy.ts";
import { COST_PRESETS, type CostPresetName, costPreset } from "../engine/markets/index.ts";
import { type TickExecutor, type TickRunOptions, TickSession } from "../engine/portfolio/index.ts";
import { compileStom, type StomKind, StomSession } from "../engine/stom/index.ts";
import type { SnapshotKernel } from "./snapshot-run.ts";

export type SnapshotSettings = Readonly<Record<string, unknown>>;

const TICK_KEYS = new Set([
  "cash",
  "budget",
  "maxPositions",
  "unit",
  "costs",
  "fillOn",
  "depth",
  "lossStop",
  "profitStop",
  "sessionEnd",
  "closeAtDayEnd",
  "utcOffsetMs",
  "equityEveryMs",
]);

/** A tick run's options from a promotion's settings (a cost preset travels by name). */
export function tickOptions(settings: SnapshotSettings = {}): TickRunOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) {
    if (!TICK_KEYS.has(k)) throw new Error(`unknown tick setting: ${k}`);
    out[k] = v;
  }
  if (out.costs !== undefined) {
    if (!COST_PRESETS.includes(out.costs as CostPresetName))
      throw new Error(`invalid costs: ${String(out.costs)} (expected ${COST_PRESETS.join(", ")})`);
    out.costs = costPreset(out.costs as CostPresetName);
  }
  return out as TickRunOptions;
}

/**
 * The kernel of a loaded snapshot strategy; with an `executor` (live) it hands its orders to the
 * venue and books the fills the venue reports, otherwise it fills on its own book walks (paper).
 */
export function snapshotKernel(
  loaded: LoadedSnapshotStrategy,
  settings: SnapshotSettings | undefined,
  symbols: readonly string[],
  executor?: TickExecutor,
): SnapshotKernel {
  if (loaded.kind === "ticks") {
    if (!loaded.tick) throw new Error("no tick strategy");
    return new TickSession(loaded.tick, {
      ...tickOptions(settings),
      params: loaded.params,
      symbols,
      executor,
    });
  }
  const texts = loaded.texts;
  if (!texts) throw new Error("no STOM texts");
  const {
    kind = "coin_tick",
    conditions,
    ...options
  } = (settings ?? {}) as {
    kind?: StomKind;
    conditions?: Record<string, string>;
  } & Record<string, unknown>;
  const program = compileStom(texts.buy, texts.sell, { kind, vars: texts.vars, conditions });
  // live, STOM's live-trader rules apply unless the promotion gives its own (docs/stom.md, "Live"):
  // decisions on arrival, 최대매수종목수, 투자금, 전략종료시간; without them a session is STOM's
  // backtester, which decides each snapshot one snapshot late (the day's last one is special)
  if (executor && options.live === undefined) options.live = {};
  return new StomSession(program, { ...options, params: loaded.params, symbols, executor });
}
