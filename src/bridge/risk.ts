import { checkKrxOrder, type KrxMarket } from "./krx-rules.ts";

/** Limits set by the operator; every one is optional. Money is in the quote currency. */
export interface RiskLimits {
  /** largest notional (amount × price) of one order */
  maxNotional?: number;
  /** most promotions holding a position at once */
  maxOpenPositions?: number;
  /** stop opening positions once the day's P&L is at or below -maxDailyLoss (STOM 손실중지) */
  maxDailyLoss?: number;
  /** stop opening positions once the day's P&L reaches this (STOM 수익중지) */
  profitStop?: number;
  /** most orders sent in any 60-second window */
  maxOrdersPerMinute?: number;
}

/** A market's trading rules, from the venue's market data (ccxt does not enforce them). */
export interface MarketRules {
  minNotional?: number;
  minAmount?: number;
  /** amount step (lot size); amounts are rounded down to it */
  amountStep?: number;
  /** a KRX stock: whole shares, session, daily price limits and ticks apply (krx-rules.ts) */
  krx?: KrxMarket;
}

export interface RiskOrder {
  readonly side: "buy" | "sell";
  /** NaN while sized as a fraction of equity */
  readonly amount: number;
  readonly fraction: number;
  readonly reduceOnly: boolean;
  readonly refPrice: number;
  /** a flattening order sent by the kill switch itself */
  readonly flatten?: boolean;
}

export interface RiskContext {
  readonly equity: number;
  readonly openPositions: number;
  /** this promotion already holds a position (so an entry does not add one) */
  readonly hasPosition: boolean;
  readonly dailyPnl: number;
  readonly market?: MarketRules;
}

export type RiskVerdict = { ok: true; amount: number } | { ok: false; rule: string; message: string };

/** Rounds down to a step without binary noise (0.1 + 0.2 style), to the step's decimals. */
export function floorToStep(x: number, step: number): number {
  if (!(step > 0)) return x;
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  const k = Math.floor(x / step + 1e-9);
  return Number((k * step).toFixed(Math.min(decimals, 20)));
}

/**
 * The gate every order passes before the venue: kill switch, order-rate cap, daily loss and profit
 * stops, open-position cap, then the market's precision, minimums and the notional cap. A refusal
 * names the rule; the OMS journals and streams it.
 */
export class RiskGate {
  /** bumped each time the switch goes on, so "refuse and journal once per kill" can tell kills apart */
  killEpoch = 0;
  #killed = false;
  readonly limits: RiskLimits;
  readonly #sent: number[] = [];

  constructor(limits: RiskLimits = {}) {
    this.limits = limits;
  }

  get killed(): boolean {
    return this.#killed;
  }

  set killed(on: boolean) {
    if (on && !this.#killed) this.killEpoch++;
    this.#killed = on;
  }

  check(order: RiskOrder, ctx: RiskContext, now = Date.now()): RiskVerdict {
    const {
      maxNotional = Number.POSITIVE_INFINITY,
      maxOpenPositions = Number.POSITIVE_INFINITY,
      maxDailyLoss = Number.POSITIVE_INFINITY,
      profitStop = Number.POSITIVE_INFINITY,
      maxOrdersPerMinute = Number.POSITIVE_INFINITY,
    } = this.limits;
    if (this.killed && !order.flatten) return refuse("kill", "kill switch is on");
    while (this.#sent.length && this.#sent[0] <= now - 60_000) this.#sent.shift();
    if (!order.flatten && this.#sent.length >= maxOrdersPerMinute) {
      return refuse("rate", `order rate cap of ${maxOrdersPerMinute}/min reached`);
    }
    if (!order.reduceOnly) {
      if (ctx.dailyPnl <= -maxDailyLoss) {
        return refuse("daily-loss", `daily loss ${ctx.dailyPnl.toFixed(2)} hit the stop of -${maxDailyLoss}`);
      }
      if (ctx.dailyPnl >= profitStop) {
        return refuse("profit-stop", `daily profit ${ctx.dailyPnl.toFixed(2)} hit the stop of ${profitStop}`);
      }
      if (!ctx.hasPosition && ctx.openPositions >= maxOpenPositions) {
        return refuse(
          "max-positions",
          `already ${ctx.openPositions} open positions (max ${maxOpenPositions})`,
        );
      }
    }
    let amount = order.amount;
    const price = order.refPrice;
    if (ctx.market?.krx) {
      const v = checkKrxOrder({ amount, price, time: ctx.market.krx.clock?.() ?? now }, ctx.market.krx);
      if (!v.ok) return refuse(v.rule, v.message);
      amount = v.amount;
    }
    if (Number.isFinite(amount)) {
      const m = ctx.market ?? {};
      if (m.amountStep) amount = floorToStep(amount, m.amountStep);
      if (!(amount > 0))
        return refuse("precision", `amount ${order.amount} rounds to 0 at step ${m.amountStep}`);
      if (m.minAmount !== undefined && amount < m.minAmount) {
        return refuse("min-amount", `amount ${amount} is below the minimum ${m.minAmount}`);
      }
      if (Number.isFinite(price) && m.minNotional !== undefined && amount * price < m.minNotional) {
        return refuse("min-notional", `notional ${amount * price} is below the minimum ${m.minNotional}`);
      }
    }
    const notional = Number.isFinite(amount) ? amount * price : order.fraction * ctx.equity;
    if (!order.reduceOnly && notional > maxNotional) {
      return refuse("max-notional", `notional ${notional} exceeds the cap of ${maxNotional}`);
    }
    this.#sent.push(now);
    return { ok: true, amount };
  }
}

function refuse(rule: string, message: string): RiskVerdict {
  return { ok: false, rule, message };
}
