import type { Command } from "commander";
import { moneytopGrid, type StomData } from "../app/stom-data.ts";
import type { StomRunOptions } from "../engine/stom/index.ts";
import { collect, number } from "./flags.ts";

export interface StomFlags {
  stomBuy?: string;
  stomSell?: string;
  stomVars?: string;
  stomGaVars?: string;
  stomCond?: string[];
  data: string;
  catalog?: string;
  budget?: number;
  avgTicks?: number;
  buyDepth?: number;
  sellDepth?: number;
  fill?: string;
  sameSnapshot?: boolean;
  maxPositions?: number;
  cash?: number;
  param?: string[];
  json?: boolean;
}

/** The STOM flags shared by `stom backtest` and `stom optimize`. */
export function withStomOptions(cmd: Command): Command {
  return cmd
    .option("--stom-buy <file>", "STOM buy text (매수 ... if 매수: self.Buy()); runs STOM's backtest engine")
    .option("--stom-sell <file>", "STOM sell text (매도 ... if 매도: self.Sell())")
    .option("--stom-vars <file>", "STOM 최적화 범위: self.vars[n] = [[start, end, step], best] lines")
    .option("--stom-ga-vars <file>", "STOM GA ranges: self.vars[n] = [[v1, v2, ...], best] lines")
    .option(
      "--stom-cond <name=expr>",
      "STOM 경과틱수설정: a named condition for 경과틱수('name') (repeatable)",
      collect,
    )
    .option("--budget <n>", "STOM 투자금 (배팅금액): KRW per buy (default 1000000)", number("budget"))
    .option(
      "--avg-ticks <n>",
      "STOM 평균값계산틱수 (default 30; self.vars[0] when the texts have ranges)",
      number("avg ticks"),
    )
    .option(
      "--buy-depth <n>",
      "STOM 매수시장가잔량범위: ask levels a buy may take (default 3)",
      number("buy depth"),
    )
    .option(
      "--sell-depth <n>",
      "STOM 매도시장가잔량범위: bid levels a sell may take (default 5)",
      number("sell depth"),
    )
    .option(
      "--fill <rule>",
      "same: fill on the deciding snapshot (STOM, default); next: on the next one (stricter)",
    )
    .option("--same-snapshot", "the default for STOM texts (kept for old scripts)")
    .option(
      "--max-positions <n>",
      "refused: STOM's backtester has no position cap (its live trader does)",
      number("max positions"),
    );
}

/** backtestStom options from the flags (STOM's defaults: 1,000,000 a buy, 30 snapshots, 3 and 5 levels). */
export function stomRunOptions(flags: StomFlags, command?: Command, data?: StomData): StomRunOptions {
  // --cash has a default for bar strategies; for STOM texts it counts only when given
  const cash = command && command.getOptionValueSource("cash") !== "default" ? flags.cash : undefined;
  const fill = flags.fill ?? "same";
  if (fill !== "same" && fill !== "next") throw new Error(`invalid --fill: ${fill} (expected same or next)`);
  return {
    betting: flags.budget ?? 1_000_000,
    ...(flags.avgTicks !== undefined ? { avgTicks: flags.avgTicks } : {}),
    buyDepth: flags.buyDepth ?? 3,
    sellDepth: flags.sellDepth ?? 5,
    fill,
    ...(flags.maxPositions !== undefined ? { maxPositions: flags.maxPositions } : {}),
    ...(cash !== undefined ? { cash } : {}),
    ...(data?.moneytop && data.kind ? { grid: moneytopGrid(data.moneytop, data.kind) } : {}),
  };
}

/** True when the command line asks for a STOM text run (--stom-buy or --stom-sell). */
export function isStomRun(flags: object): boolean {
  const f = flags as StomFlags;
  return Boolean(f.stomBuy || f.stomSell);
}
