import { crossedAbove, crossedBelow, crossSignals, defineStrategy, sma } from "stom";

/**
 * Moving-average crossover, always in the market: long when the fast SMA crosses above the slow
 * one, short when it crosses below (backtesting.py's SmaCross, the golden of test/golden).
 */
export default defineStrategy({
  name: "sma-cross",
  description: "fast/slow SMA crossover, reversing long and short",
  params: {
    fast: { default: 10, min: 2, max: 200, step: 1 },
    slow: { default: 30, min: 3, max: 500, step: 1 },
  },
  init(ctx) {
    const { close } = ctx.bars;
    return {
      fast: ctx.I(sma(close, ctx.params.fast), `SMA(C,${ctx.params.fast})`),
      slow: ctx.I(sma(close, ctx.params.slow), `SMA(C,${ctx.params.slow})`),
    };
  },
  next(ctx, { fast, slow }) {
    if (crossedAbove(fast, slow)) {
      ctx.position.close();
      ctx.buy();
    } else if (crossedBelow(fast, slow)) {
      ctx.position.close();
      ctx.sell();
    }
  },
  // the same decisions over whole columns, for the optimizer (crossSignals: long on a cross above,
  // short on a cross below, as next() does); sma() is shared between an optimizer's runs
  signals(ctx, _state, out) {
    const { close } = ctx.bars;
    return crossSignals(sma(close, ctx.params.fast), sma(close, ctx.params.slow), out);
  },
});
