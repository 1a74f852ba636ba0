import {
  type CostModel,
  costPreset,
  type KrxBoard,
  krxTickSize,
  roundToTick,
} from "../engine/markets/index.ts";
import { KST_OFFSET_MS } from "../engine/markets/kst.ts";

/** Daily price limits widened from ±15% to ±30% on 2015-06-15 (KRX). */
export const KRX_LIMIT_CHANGE = Date.UTC(2015, 5, 15) - KST_OFFSET_MS;

/** What the risk gate needs to know about a KRX stock today. */
export interface KrxMarket {
  /** 기준가: normally the previous close */
  readonly basePrice: number;
  readonly board?: KrxBoard;
  /** the venue's own limits (KIS stck_mxpr / stck_llam) when known; otherwise computed */
  readonly upper?: number;
  readonly lower?: number;
  /** the market's clock for session checks (replays); the risk gate's clock otherwise */
  readonly clock?: () => number;
}

/**
 * Upper and lower price limit of a day: base ± 30% (15% before 2015-06-15), the upper rounded down
 * and the lower rounded up to the tick size that applies at that price.
 *
 * @example krxPriceLimits(49_400, Date.UTC(2019, 8, 20)) // { upper: 64_200, lower: 34_600 }
 */
export function krxPriceLimits(
  basePrice: number,
  date: number,
  board: KrxBoard = "kospi",
): { upper: number; lower: number } {
  if (!(basePrice > 0)) throw new Error(`invalid base price: ${basePrice}`);
  const rate = date >= KRX_LIMIT_CHANGE ? 0.3 : 0.15;
  const up = basePrice * (1 + rate);
  const down = basePrice * (1 - rate);
  return {
    upper: roundToTick(up, krxTickSize(up, date, board), "down"),
    lower: roundToTick(down, krxTickSize(down, date, board), "up"),
  };
}

export type KrxPhase = "closed" | "pre-open" | "continuous" | "closing-auction";

/**
 * The KRX regular session at a time (UTC ms): orders for the opening auction 08:30-09:00,
 * continuous trading 09:00-15:20, the closing call auction 15:20-15:30 (one price at 15:30), KST,
 * weekdays. Holidays are not modelled.
 */
export function krxPhase(time: number): KrxPhase {
  const local = new Date(time + KST_OFFSET_MS);
  const day = local.getUTCDay();
  if (day === 0 || day === 6) return "closed";
  const min = local.getUTCHours() * 60 + local.getUTCMinutes();
  if (min >= 8 * 60 + 30 && min < 9 * 60) return "pre-open";
  if (min >= 9 * 60 && min < 15 * 60 + 20) return "continuous";
  if (min >= 15 * 60 + 20 && min < 15 * 60 + 30) return "closing-auction";
  return "closed";
}

export type KrxVerdict = { ok: true; amount: number } | { ok: false; rule: string; message: string };

/**
 * KRX order rules: whole shares, a session that takes orders, and a reference price inside the day's
 * limits and on the tick grid. Market orders are accepted in the closing auction (they fill at the
 * 15:30 price); `allowAuction: false` refuses them there.
 */
export function checkKrxOrder(
  order: { amount: number; price: number; time: number },
  market: KrxMarket,
  { allowAuction = true }: { allowAuction?: boolean } = {},
): KrxVerdict {
  const phase = krxPhase(order.time);
  if (phase === "closed") return { ok: false, rule: "krx-session", message: "krx is closed" };
  if (phase === "closing-auction" && !allowAuction) {
    return { ok: false, rule: "krx-session", message: "krx closing auction (15:20-15:30 kst)" };
  }
  let amount = order.amount;
  if (Number.isFinite(amount)) {
    amount = Math.floor(amount + 1e-9);
    if (amount < 1)
      return { ok: false, rule: "krx-shares", message: `amount ${order.amount} is not a whole share` };
  }
  if (Number.isFinite(order.price)) {
    const limits =
      market.upper !== undefined && market.lower !== undefined
        ? { upper: market.upper, lower: market.lower }
        : krxPriceLimits(market.basePrice, order.time, market.board);
    if (order.price > limits.upper || order.price < limits.lower) {
      return {
        ok: false,
        rule: "krx-limit",
        message: `price ${order.price} outside the daily limits ${limits.lower}-${limits.upper}`,
      };
    }
    const tick = krxTickSize(order.price, order.time, market.board);
    if (roundToTick(order.price, tick) !== order.price) {
      return { ok: false, rule: "krx-tick", message: `price ${order.price} is not on the ${tick} won tick` };
    }
  }
  return { ok: true, amount };
}

/** KRX costs for the bridge: 0.015% fee each side and the statutory sell tax on the fill date. */
export function krxBridgeCosts(board: KrxBoard = "kospi"): CostModel {
  return costPreset("krx", { taxRate: "statutory", board });
}
