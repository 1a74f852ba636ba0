// STOM's language and engine rules on small made-up snapshots, where the expected value can be worked
// out by hand from STOM's source (Py-CI-Park/STOM@63aa7ef backtester/backengine_kiwoom_tick.py).
import { describe, expect, it } from "vitest";
import { npRound, pyRound } from "../../../src/engine/pymath.ts";
import { computeStats } from "../../../src/engine/stats.ts";
import {
  backtestStom,
  compileStom,
  STOM_COLUMNS,
  type StomInput,
  StomRuntimeError,
  StomSyntaxError,
} from "../../../src/engine/stom/index.ts";

/** `rows` one-second stock snapshots per day from 09:00:00; 현재가 from `price(r)`, a deep book around it. */
function stockInput(days: string[], rows: number, price: (r: number, day: number) => number): StomInput {
  const n = days.length * rows;
  const columns: Record<string, Float64Array> = {};
  for (const name of STOM_COLUMNS.stock_tick) columns[name] = new Float64Array(n);
  for (let d = 0; d < days.length; d++)
    for (let r = 0; r < rows; r++) {
      const k = d * rows + r;
      const p = price(r, d);
      const s = 9 * 3600 + r;
      columns.index[k] = Number(
        `${days[d]}${String(Math.floor(s / 3600)).padStart(2, "0")}${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}${String(s % 60).padStart(2, "0")}`,
      );
      columns.현재가[k] = p;
      columns.등락율[k] = 5;
      columns.체결강도[k] = 100 + r;
      columns.관심종목[k] = 1;
      columns.시가총액[k] = 3000;
      columns.VI해제시간[k] = Number(`${days[d]}080000`);
      for (let l = 1; l <= 5; l++) {
        columns[`매도호가${l}`][k] = p + 10 * l;
        columns[`매수호가${l}`][k] = p - 10 * (l - 1);
        columns[`매도잔량${l}`][k] = 1_000_000;
        columns[`매수잔량${l}`][k] = 1_000_000;
      }
    }
  return { symbol: "005930", name: "삼성전자", columns };
}

const SELL_LATE = "if 시분초 >= 90040:\n    매도 = True\n";

describe("STOM texts: the language", () => {
  it("errors name the file, line and column, with a did-you-mean for a misspelt name", () => {
    expect(() => compileStom("if 현재가 > 1\n    매수 = False\n", SELL_LATE, { buyFile: "b.txt" })).toThrow(
      "b.txt:1:11: expected ':'",
    );
    const e = (() => {
      try {
        compileStom("if 체결강도평귱(30) > 1:\n    매수 = False\n", SELL_LATE);
      } catch (error) {
        return error as StomSyntaxError;
      }
    })();
    expect(e).toBeInstanceOf(StomSyntaxError);
    expect(e?.message).toBe("buy:1:4: unknown function '체결강도평귱', did you mean '체결강도평균'?");
    expect(() => compileStom("if 수익률 > 1:\n    매수 = False\n", SELL_LATE)).toThrow(
      "buy:1:4: 수익률 is only known in the sell text",
    );
  });

  it("drops what follows `if 매수:` as STOM does, and numbers the sell conditions by their lines", () => {
    const p = compileStom(
      "매수 = True\nif 매수:\n    self.Buy(종목코드, 이런건없다)\n",
      "if 수익률 > 1:\n    매도 = True\nelif 보유시간 > 5:  \n    매도 = True\n",
    );
    expect(p.sellConditions[1]).toBe("if 수익률 > 1:");
    expect(p.sellConditions[2]).toBe("elif 보유시간 > 5:  ");
    expect(p.sellConditions[0]).toBe("전략종료청산");
  });

  it("reads the range and GA forms of self.vars", () => {
    const p = compileStom("if 현재가 < self.vars[1]:\n    매수 = False\n", SELL_LATE, {
      vars: "self.vars[0] = [[30, 30, 0], 30]\nself.vars[1] = [[25, 15, -5], 20]\n",
      gaVars: "self.vars[1] = [[1, 2, 3, 4, 5], 3]\n",
    });
    expect(p.vars.get(1)?.values).toEqual([25, 20, 15]);
    expect(p.vars.get(1)?.gaValues).toEqual([1, 2, 3, 4, 5]);
    expect(p.params.vars1.default).toBe(20);
  });
});

describe("STOM texts: the engine", () => {
  const day = ["20190920"];

  it("waits 평균값계산틱수 snapshots each day, fills on the deciding snapshot and closes at the day's end", () => {
    const input = stockInput(["20190920", "20190923"], 60, (r) => 10_000 + r * 10);
    const p = compileStom("if 데이터길이 != 30:\n    매수 = False\n", "매도 = False\n");
    const { trades, days } = backtestStom(p, [input], { betting: 1_000_000 });
    expect(days).toBe(2);
    expect(trades).toHaveLength(2);
    for (const [k, t] of trades.entries()) {
      // the 30th snapshot of each day buys on its own asks: 10,000 + 29 × 10 + 10
      expect(t.buy).toBe(Number(`${["20190920", "20190923"][k]}090029`));
      expect(t.bp).toBe(10_300);
      expect(t.qty).toBe(Math.trunc(1_000_000 / 10_290));
      // the last snapshot runs no text: LastSell takes the bids there, condition 0
      expect(t.sell).toBe(Number(`${["20190920", "20190923"][k]}090059`));
      expect(t.sp).toBe(10_590);
      expect(t.cond).toBe("전략종료청산");
    }
  });

  it("--fill next fills on the next snapshot's book", () => {
    const input = stockInput(day, 60, (r) => 10_000 + r * 10);
    const p = compileStom("if 데이터길이 != 30:\n    매수 = False\n", SELL_LATE);
    const [same] = backtestStom(p, [input]).trades;
    const [next] = backtestStom(p, [input], { fill: "next" }).trades;
    expect(next.buy).toBe(same.buy + 1);
    expect(next.bp).toBe(same.bp + 10);
    expect(next.sell).toBe(same.sell + 1);
  });

  it("window helpers count today only and give 0 when the window does not fit", () => {
    const input = stockInput(["20190920", "20190923"], 60, (r, d) => 10_000 + r + d * 1000);
    // 최고현재가(45) fits from the 45th snapshot of a day; before, STOM returns 0
    const p = compileStom(
      "if not (데이터길이 == 40 and 최고현재가(45) == 0 and 이동평균(40) > 0):\n    매수 = False\n",
      "매도 = False\n",
    );
    expect(backtestStom(p, [input]).trades).toHaveLength(2);
  });

  it("a column divided by zero is numpy's inf, a Python number divided by zero stops the run", () => {
    const input = stockInput(day, 60, () => 10_000);
    const numpy = compileStom("if not (현재가 / 거래대금증감 > 1):\n    매수 = False\n", SELL_LATE);
    // 현재가 / 0.0 is inf > 1: it buys (and buys again after each sell at 09:00:40 on)
    expect(backtestStom(numpy, [input]).trades.length).toBeGreaterThan(0);
    const python = compileStom("x = 초당거래대금평균(60) / 초당거래대금평균(120)\n", SELL_LATE, {
      buyFile: "b.txt",
    });
    expect(() => backtestStom(python, [input])).toThrow(StomRuntimeError);
    expect(() => backtestStom(python, [input])).toThrow("b.txt:1:5: ZeroDivisionError: division by zero");
  });

  it("in, tuples, slices and try/except run as Python runs them", () => {
    const input = stockInput(day, 60, () => 10_000);
    const text = (code: string, x: number) =>
      `try:\n    x = (1, 2)[5]\nexcept IndexError:\n    x = 7\nif not (종목코드 in ['${code}', '000660'] and str(시분초)[:2] == '90' and x == ${x}):\n    매수 = False\n`;
    expect(backtestStom(compileStom(text("005930", 7), SELL_LATE), [input]).trades.length).toBeGreaterThan(0);
    expect(backtestStom(compileStom(text("005930", 8), SELL_LATE), [input]).trades).toHaveLength(0);
    expect(backtestStom(compileStom(text("035420", 7), SELL_LATE), [input]).trades).toHaveLength(0);
  });

  it("records which sell condition fired", () => {
    const input = stockInput(day, 60, (r) => 10_000 + r * 100);
    const p = compileStom(
      "if 데이터길이 != 30:\n    매수 = False\n",
      "if 수익률 >= 3:\n    매도 = True\nelif 수익률 <= -3:\n    매도 = True\n",
    );
    const [t] = backtestStom(p, [input]).trades;
    expect(t.cond).toBe("if 수익률 >= 3:");
    expect(t.pp).toBeGreaterThanOrEqual(3);
  });
});

describe("Python's and numpy's rounding", () => {
  it("match CPython and numpy on halfway cases", () => {
    // CPython: round(2.675, 2) == 2.67 (the double is below the half); numpy: np.round(2.675, 2) == 2.68
    expect(pyRound(2.675, 2)).toBe(2.67);
    expect(npRound(2.675, 2)).toBe(2.68);
    expect(pyRound(0.125, 2)).toBe(0.12);
    expect(pyRound(0.375, 2)).toBe(0.38);
    expect(npRound(2.5)).toBe(2);
    expect(npRound(-3.5)).toBe(-4);
  });
});

describe("STOM texts on a DB with more columns (STOM_V3)", () => {
  it("reads the data's extra columns as locals and as <column>N(k)", () => {
    const input = stockInput(["20190920"], 60, (r) => 10_000 + r * 10);
    const extra = new Float64Array(60).map((_, r) => r * 1_000);
    const withExtra = { ...input, columns: { ...input.columns, 초당매수금액: extra } };
    const text = "if not (초당매수금액 > 초당매수금액N(1) and 데이터길이 == 31):\n    매수 = False\n";
    expect(() => compileStom(text, SELL_LATE)).toThrow("unknown name '초당매수금액'");
    const p = compileStom(text, SELL_LATE, { extraColumns: ["초당매수금액"] });
    const [t] = backtestStom(p, [withExtra]).trades;
    expect(t.buy).toBe(20190920090030);
  });
});

describe("TPI in the backtesting.py-style stats", () => {
  const trades = (returns: number[]) => {
    const f = (xs: number[]) => Float64Array.from(xs);
    const k = returns.map((_, i) => i);
    return {
      pnl: f(returns.map((r) => r * 1000)),
      returns: f(returns),
      entryBar: f(k),
      exitBar: f(k.map((i) => i + 1)),
      entryTime: f(k.map((i) => i * 60_000)),
      exitTime: f(k.map((i) => (i + 1) * 60_000)),
    };
  };
  const stats = (returns: number[]) => {
    const n = returns.length + 1;
    const time = Float64Array.from({ length: n }, (_, i) => i * 60_000);
    const equity = Float64Array.from({ length: n }, (_, i) => 10_000 + i);
    return computeStats(time, equity, equity, trades(returns));
  };
  it("follows STOM's rule: 1 without losses, 0 without wins, wr × (1 + win / loss) otherwise", () => {
    expect(stats([0.01, 0.02]).tpi).toBe(1);
    expect(stats([-0.01, -0.02]).tpi).toBe(0);
    expect(stats([0.03, -0.01]).tpi).toBeCloseTo(0.5 * (1 + 0.03 / 0.01), 12);
  });
});
