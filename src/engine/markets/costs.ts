import { suggest } from "../params.ts";
import { npRound, roundHalfEven } from "../pymath.ts";
import { kstMidnight } from "./kst.ts";
import type { KrxBoard } from "./tick-size.ts";

export type Side = "buy" | "sell";

/** How a venue charges a fill. Immutable; `commission` is in quote currency (won, USDT). */
export interface CostModel {
  readonly name: string;
  /** Fees and taxes for a fill of |size| units at `price`; `date` (UTC ms) selects date-dependent taxes. */
  commission(size: number, price: number, side: Side, date?: number): number;
  /** Relative bid-ask spread to assume when the data has no book (0.0002 = 2 bp), as backtesting.py's `spread`. */
  readonly spread?: number;
  /** Relative slippage per fill, on top of the spread. */
  readonly slippage?: number;
}

export interface KrxCostOptions {
  /** Broker fee per side; 0.015% (STOM's Kiwoom rate). */
  feeRate?: number;
  /** Sell-side tax: "stom" = STOM's fixed 0.18%, "statutory" = {@link krxSellTaxRate} on the fill date, or a rate. */
  taxRate?: "stom" | "statutory" | number;
  board?: KrxBoard;
  spread?: number;
  slippage?: number;
}

/** STOM's sell tax on Korean stocks (GetKiwoomPgSgSp: texs = int(cg * 0.0018)). */
export const STOM_KRX_TAX = 0.0018;

// Statutory sell-side tax on listed shares, securities transaction tax plus, on KOSPI, the 0.15% rural
// special tax, from the trade date on. Sources: fntimes 2019-04-02 and Hankook Ilbo 2019-05-21 (0.30% ->
// 0.25% for trades from 2019-05-30), Hankyung 2020-07-22 (0.23% from 2021), Hanyang Securities notice
// 2024-12-26 (0.18% -> 0.15%, KOSPI 0.03% + 0.15% -> 0% + 0.15%, for trades from 2024-12-27), Dong-A
// 2025-12-01 (0.15% -> 0.20% on both boards from 2026-01-01). 0.20% for 2023 is the 2022 tax revision as
// widely reported; not re-verified here. The law taxes the transfer (settlement, T+2); the 2021, 2023,
// 2024 and 2026 steps are placed on 1 January, so the last two December sessions before them are off.
const KRX_TAX_STEPS: readonly (readonly [number, number])[] = [
  [kstMidnight(2026, 1, 1), 0.002],
  [kstMidnight(2024, 12, 27), 0.0015],
  [kstMidnight(2024, 1, 1), 0.0018],
  [kstMidnight(2023, 1, 1), 0.002],
  [kstMidnight(2021, 1, 1), 0.0023],
  [kstMidnight(2019, 5, 30), 0.0025],
];

/**
 * Statutory sell tax rate (total, rural special tax included) on a KRX share sale at `date` (UTC ms). KOSPI
 * and KOSDAQ totals have been equal since 2019; `board` is kept for KONEX-like future splits.
 *
 * @example krxSellTaxRate(Date.UTC(2024, 5, 3)) // 0.0018
 */
export function krxSellTaxRate(date: number, board: KrxBoard = "kospi"): number {
  if (!Number.isFinite(date)) throw new Error(`invalid date: ${date}`);
  if (board !== "kospi" && board !== "kosdaq")
    throw new Error(`invalid board: ${board} (expected kospi or kosdaq)`);
  for (const [from, rate] of KRX_TAX_STEPS) if (date >= from) return rate;
  return 0.003;
}

/** Korean stocks: fee on both sides, tax on sells. */
export function krxCosts({
  feeRate = 0.00015,
  taxRate = "stom",
  board = "kospi",
  spread,
  slippage,
}: KrxCostOptions = {}): CostModel {
  checkRate(feeRate, "feeRate");
  if (typeof taxRate === "number") checkRate(taxRate, "taxRate");
  else if (taxRate !== "stom" && taxRate !== "statutory") {
    throw new Error(`invalid taxRate: ${taxRate} (expected stom, statutory or a number)`);
  }
  return Object.freeze({
    name: "krx",
    spread,
    slippage,
    commission(size: number, price: number, side: Side, date?: number): number {
      const notional = Math.abs(size) * price;
      if (side === "buy") return notional * feeRate;
      let tax: number;
      if (taxRate === "stom") tax = STOM_KRX_TAX;
      else if (taxRate === "statutory") {
        if (date === undefined)
          throw new Error("invalid date: undefined (statutory tax needs the fill date)");
        tax = krxSellTaxRate(date, board);
      } else tax = taxRate;
      return notional * (feeRate + tax);
    },
  });
}

/** A flat fee rate per side of the notional. */
export function flatCosts(
  name: string,
  rate: number,
  { spread, slippage }: { spread?: number; slippage?: number } = {},
): CostModel {
  checkRate(rate, "rate");
  return Object.freeze({
    name,
    spread,
    slippage,
    commission: (size: number, price: number) => Math.abs(size) * price * rate,
  });
}

export type CostPresetName = "krx" | "upbit" | "binance" | "binance-futures";

export interface CostPresetOptions extends KrxCostOptions {
  /** binance (spot): fee per side, 0.1% (taker, no BNB discount). */
  fee?: number;
  /** binance-futures: "market" 0.04% (taker), "limit" 0.02% (maker), STOM's GetBinanceLongPgSgSp rates. */
  orderType?: "market" | "limit";
}

/**
 * A named cost model: krx (0.015% per side + sell tax), upbit (KRW market, 0.05% per side), binance (spot,
 * 0.1%), binance-futures (0.04% market / 0.02% limit).
 *
 * @example costPreset("krx", { taxRate: "statutory" }).commission(10, 70_000, "sell", Date.UTC(2024, 0, 2))
 */
export function costPreset(name: CostPresetName, options: CostPresetOptions = {}): CostModel {
  const { fee = 0.001, orderType = "market", spread, slippage } = options;
  switch (name) {
    case "krx":
      return krxCosts(options);
    case "upbit":
      return flatCosts("upbit", 0.0005, { spread, slippage });
    case "binance":
      return flatCosts("binance", fee, { spread, slippage });
    case "binance-futures":
      if (orderType !== "market" && orderType !== "limit") {
        throw new Error(`invalid orderType: ${orderType} (expected market or limit)`);
      }
      return flatCosts("binance-futures", orderType === "market" ? 0.0004 : 0.0002, { spread, slippage });
    default:
      throw new Error(`unknown cost preset: ${name} (expected krx, upbit, binance or binance-futures)`);
  }
}

export interface Settlement {
  /** 평가금액 after costs (what the sale brings in, net). */
  pg: number;
  /** 수익금: pg - buy amount. */
  sg: number;
  /** 수익률 in %, two decimals. */
  sp: number;
}

/**
 * STOM's GetKiwoomPgSgSp (utility/static.py 353, numba): fees truncated to 10 won, tax to 1 won, at
 * 0.015% and 0.18%. `buyAmount` and `sellAmount` are 매수금액 and 매도(평가)금액 in won.
 */
export function stomKiwoomSettle(buyAmount: number, sellAmount: number): Settlement {
  const tax = Math.trunc(sellAmount * STOM_KRX_TAX);
  const buyFee = Math.trunc((buyAmount * 0.00015) / 10) * 10;
  const sellFee = Math.trunc((sellAmount * 0.00015) / 10) * 10;
  const pg = Math.trunc(sellAmount - tax - buyFee - sellFee);
  return settle(pg, buyAmount);
}

/** STOM's GetUpbitPgSgSp (utility/static.py 364, numba): 0.05% on both amounts, the net rounded to whole won. */
export function stomUpbitSettle(buyAmount: number, sellAmount: number): Settlement {
  const pg = roundHalfEven(sellAmount - buyAmount * 0.0005 - sellAmount * 0.0005);
  return settle(pg, buyAmount);
}

function settle(pg: number, buyAmount: number): Settlement {
  const sg = roundHalfEven(pg - buyAmount);
  // numba rounds a float to n digits as numpy does (rint of the scaled value)
  return { pg, sg, sp: npRound((sg / buyAmount) * 100, 2) };
}

function checkRate(rate: number, name: string): void {
  if (!Number.isFinite(rate) || rate < 0 || rate >= 1) throw new Error(`invalid ${name}: ${rate}`);
}

export const COST_PRESETS: readonly CostPresetName[] = ["krx", "upbit", "binance", "binance-futures"];

/**
 * A cost preset as the bar broker's commission callable. The broker passes the trade's signed size
 * on both fills plus whether the fill closes it, so the side, and with it KRX's sell-side tax, is exact.
 */
export function presetCommission(name: string): (size: number, price: number, exit: boolean) => number {
  if (!COST_PRESETS.includes(name as CostPresetName)) {
    const hint = suggest(name, COST_PRESETS);
    throw new Error(
      `unknown cost preset: ${name}${hint ? `, did you mean '${hint}'?` : ` (expected ${COST_PRESETS.join(", ")})`}`,
    );
  }
  const model = costPreset(name as CostPresetName);
  return (size, price, exit) => model.commission(size, price, size > 0 === exit ? "sell" : "buy");
}
