// A STOM-style tick strategy: buy while 현재가 is above its n-snapshot average and 체결강도 shows
// buyers in charge; sell at ±0.3% after costs or after 5 minutes held. Backtest it with runTicks,
// promote it to the bridge by name (kind "ticks"): the bridge runs it on the same kernel.
import { defineTickStrategy, 이동평균 } from "stom";

export default defineTickStrategy({
  params: {
    n: { default: 60, min: 10, max: 600 },
    strength: { default: 100, min: 50, max: 300 },
  },
  init: (ctx) => ({ ma: ctx.I(이동평균(ctx.columns.현재가, ctx.params.n), "ma") }),
  buy: (ctx, { ma }) => ctx.price.value > ma.value && ctx.col("체결강도").value >= ctx.params.strength,
  sell: (ctx) => ctx.수익률 <= -0.3 || ctx.수익률 >= 0.3 || ctx.보유시간 >= 300,
});
