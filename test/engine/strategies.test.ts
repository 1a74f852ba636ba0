import { describe, expect, test } from "vitest";
import breakoutTrail from "../../notebooks/strategies/breakout-trail.ts";
import rsiBracket from "../../notebooks/strategies/rsi-bracket.ts";
import { backtest, checkLookahead, toBars } from "../../src/engine/index.ts";
import { DATA_DIR, readOhlcvCsv } from "../support/csv.ts";
import { needShared, sharedOr } from "../support/paths.ts";

const { missing } = needShared("backtesting-py/GOOG.csv");
const GOOG = sharedOr(missing, () => toBars(readOhlcvCsv(`${DATA_DIR}/backtesting-py/GOOG.csv`)));

describe("bundled example strategies on GOOG", () => {
  test.skipIf(missing)("rsi-bracket exits every trade at its SL or TP (or the final close)", () => {
    const r = backtest(rsiBracket, GOOG, { finalizeTrades: true });
    const t = r.trades;
    expect(t.length).toBeGreaterThan(5);
    for (let k = 0; k < t.length - 1; k++) {
      expect(t.size[k]).toBeGreaterThan(0);
      const atSl = Math.abs(t.exitPrice[k] - t.sl[k]) < 1e-9 || t.exitPrice[k] < t.sl[k]; // gaps fill at the open
      const atTp = Math.abs(t.exitPrice[k] - t.tp[k]) < 1e-9 || t.exitPrice[k] > t.tp[k];
      expect(atSl || atTp, `trade ${k}`).toBe(true);
    }
    expect(checkLookahead(rsiBracket, GOOG, { cuts: 4 }).ok).toBe(true);
  });

  test.skipIf(missing)("breakout-trail exits below the best close by at least the trail", () => {
    const r = backtest(breakoutTrail, GOOG, { params: { n: 20, trailPct: 5 } });
    const t = r.trades;
    expect(t.length).toBeGreaterThan(5);
    for (let k = 0; k < t.length; k++) {
      let best = 0;
      for (let i = t.entryBar[k]; i < t.exitBar[k]; i++) best = Math.max(best, GOOG.close[i]);
      expect(t.exitPrice[k]).toBeLessThanOrEqual(best * 0.95 + 1e-9);
    }
    expect(checkLookahead(breakoutTrail, GOOG, { cuts: 4 }).ok).toBe(true);
  });

  test.skipIf(missing)("non-integer parameters are accepted where declared, rejected elsewhere", () => {
    expect(() => backtest(rsiBracket, GOOG, { params: { slPct: 2.5 } })).not.toThrow();
    expect(() => backtest(rsiBracket, GOOG, { params: { n: 2.5 } })).toThrow(
      "parameter 'n' must be an integer, got 2.5",
    );
  });
});
