import { crossedAbove, defineStrategy, rsi } from "stom";

/**
 * Mean reversion with a bracket: buy when RSI climbs back above `oversold`, with a stop-loss
 * `slPct` below and a take-profit `tpPct` above the close; no new entry while a trade is open.
 */
export default defineStrategy({
  name: "rsi-bracket",
  description: "RSI oversold rebound, long only, with SL/TP bracket",
  params: {
    n: { default: 14, min: 2, max: 100 },
    oversold: { default: 30, min: 5, max: 50 },
    slPct: { default: 3, min: 0.5, max: 20, step: 0.5, integer: false },
    tpPct: { default: 6, min: 0.5, max: 50, step: 0.5, integer: false },
  },
  init(ctx) {
    return { rsi: ctx.I(rsi(ctx.bars.close, ctx.params.n), `RSI(${ctx.params.n})`) };
  },
  next(ctx, { rsi }) {
    if (ctx.trades.length || ctx.orders.length) return;
    if (crossedAbove(rsi, ctx.params.oversold)) {
      const c = ctx.close.at(0);
      ctx.buy({ sl: c * (1 - ctx.params.slPct / 100), tp: c * (1 + ctx.params.tpPct / 100) });
    }
  },
});
