import { defineStrategy, rollingMax } from "stom";

/**
 * Channel breakout with a trailing stop: buy when the close makes a new `n`-bar high (above the
 * previous bar's channel), exit only through a stop trailing `trailPct` % below the best close.
 */
export default defineStrategy({
  name: "breakout-trail",
  description: "n-bar high breakout, long only, trailing stop exit",
  params: {
    n: { default: 20, min: 2, max: 400 },
    trailPct: { default: 5, min: 0.5, max: 50, step: 0.5, integer: false },
  },
  init(ctx) {
    return { high: ctx.I(rollingMax(ctx.bars.close, ctx.params.n), `MAX(C,${ctx.params.n})`) };
  },
  next(ctx, { high }) {
    if (ctx.trades.length || ctx.orders.length) return;
    // the channel of the previous bar, so today's close can break it
    if (ctx.close.at(0) > high.at(1)) ctx.buy({ trailPct: ctx.params.trailPct });
  },
});
