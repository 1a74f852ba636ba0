import type { StomProgram, StomReport, StomRunOptions } from "../engine/stom/index.ts";
import type { StomData } from "./stom-data.ts";

/** A STOM run as JSON: STOM's result block, the engine's stats, the trades, the vars and the data. */
export function stomReportJson(
  r: StomReport,
  program: StomProgram,
  data: StomData,
  options: StomRunOptions,
  vars: number[],
) {
  const { stom: _stom, ...stats } = r.stats;
  return {
    stom: r.result,
    stats,
    trades: r.trades.map(({ symbolNo: _s, buyRow: _b, sellRow: _r, ...t }) => t),
    vars: Object.fromEntries([...program.vars.keys()].map((k) => [`vars${k}`, vars[k]])),
    data: {
      source: data.source,
      kind: program.kind,
      symbols: data.frames.map((f) => f.symbol),
      snapshots: r.snapshots,
      days: r.days,
    },
    settings: options,
  };
}
