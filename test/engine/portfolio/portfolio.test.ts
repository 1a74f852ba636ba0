import { describe, expect, it } from "vitest";
import { makeSampleTicks } from "../../../src/data/sample.ts";
import { costPreset } from "../../../src/engine/markets/index.ts";
import {
  defineTickStrategy,
  EXIT_REASONS,
  mergeOrder,
  parseTimeOfDay,
  runTicks,
  type TickInput,
  type TickResult,
  type TickTrades,
} from "../../../src/engine/portfolio/index.ts";

// A snapshot: time (UTC ms), 현재가, the ask and bid ladders best first as [price, size], extra columns.
interface Snap {
  t: number;
  p: number;
  asks?: [number, number][];
  bids?: [number, number][];
  extra?: Record<string, number>;
}

/** Hand-built STOM snapshots: a book one tick either side of 현재가 with 1000 units per level unless given. */
function ticks(symbol: string, snaps: Snap[]): TickInput {
  const n = snaps.length;
  const columns: Record<string, Float64Array> = { time: new Float64Array(n), 현재가: new Float64Array(n) };
  for (const side of ["매도호가", "매도잔량", "매수호가", "매수잔량"])
    for (let l = 1; l <= 5; l++) columns[`${side}${l}`] = new Float64Array(n);
  snaps.forEach((s, i) => {
    columns.time[i] = s.t;
    columns.현재가[i] = s.p;
    const asks = s.asks ?? [1, 2, 3, 4, 5].map((l): [number, number] => [s.p + l, 1000]);
    const bids = s.bids ?? [1, 2, 3, 4, 5].map((l): [number, number] => [s.p - l, 1000]);
    asks.forEach(([price, size], l) => {
      columns[`매도호가${l + 1}`][i] = price;
      columns[`매도잔량${l + 1}`][i] = size;
    });
    bids.forEach(([price, size], l) => {
      columns[`매수호가${l + 1}`][i] = price;
      columns[`매수잔량${l + 1}`][i] = size;
    });
    for (const [name, v] of Object.entries(s.extra ?? {})) {
      columns[name] ??= new Float64Array(n);
      columns[name][i] = v;
    }
  });
  return { symbol, columns };
}

const T0 = Date.UTC(2024, 0, 2, 0, 0, 0);
const sec = (k: number) => T0 + k * 1000;

/** Buys on rows flagged by a `buy` column, sells on rows flagged by a `sell` column. */
const flagged = defineTickStrategy({
  params: {},
  init: () => null,
  buy: (ctx) => ctx.col("buy").value > 0,
  sell: (ctx) => ctx.col("sell").value > 0,
});

const flags = (buy: number, sell: number) => ({ buy, sell });

function trade(t: TickTrades, k: number) {
  return {
    symbol: t.symbols[t.symbol[k]],
    entryTime: t.entryTime[k],
    exitTime: t.exitTime[k],
    entryPrice: t.entryPrice[k],
    exitPrice: t.exitPrice[k],
    size: t.size[k],
    pnl: t.pnl[k],
    reason: EXIT_REASONS[t.exitReason[k]],
  };
}

describe("runTicks book-walk fills", () => {
  it("walks a buy across three ask levels at the volume-weighted price", () => {
    const data = ticks("A", [
      { t: sec(0), p: 100, extra: flags(1, 0) },
      {
        t: sec(1),
        p: 100,
        asks: [
          [101, 5],
          [102, 5],
          [103, 5],
        ],
        extra: flags(0, 0),
      },
      { t: sec(2), p: 100, extra: flags(0, 1) },
      { t: sec(3), p: 100, extra: flags(0, 0) },
    ]);
    const r = runTicks(flagged, [data], { budget: 1200, cash: 10_000 });
    expect(r.trades.length).toBe(1);
    // 12 units: 5 @ 101 + 5 @ 102 + 2 @ 103 = 1221
    expect(trade(r.trades, 0).size).toBe(12);
    expect(trade(r.trades, 0).entryPrice).toBeCloseTo(1221 / 12, 12);
    expect(trade(r.trades, 0).entryTime).toBe(sec(1));
    // the sell decided on row 2 fills on row 3's best bid, 99
    expect(trade(r.trades, 0).exitPrice).toBe(99);
    expect(trade(r.trades, 0).exitTime).toBe(sec(3));
    expect(trade(r.trades, 0).pnl).toBeCloseTo(12 * 99 - 1221, 9);
    expect(r.equity.equity[r.equity.equity.length - 1]).toBeCloseTo(10_000 + 12 * 99 - 1221, 9);
  });

  it("walks a sell across the bids", () => {
    const data = ticks("A", [
      { t: sec(0), p: 100, extra: flags(1, 0) },
      { t: sec(1), p: 100, extra: flags(0, 1) },
      {
        t: sec(2),
        p: 100,
        bids: [
          [99, 3],
          [98, 4],
          [97, 100],
        ],
        extra: flags(0, 0),
      },
    ]);
    const r = runTicks(flagged, [data], { budget: 1000 });
    // 10 units: 3 @ 99 + 4 @ 98 + 3 @ 97 = 980
    expect(trade(r.trades, 0).size).toBe(10);
    expect(trade(r.trades, 0).exitPrice).toBeCloseTo(980 / 10, 12);
  });

  it("refuses a buy the book cannot fill and counts it", () => {
    const thin: [number, number][] = [
      [101, 4],
      [102, 4],
    ];
    const data = ticks("A", [
      { t: sec(0), p: 100, extra: flags(1, 0) },
      { t: sec(1), p: 100, asks: thin, extra: flags(0, 0) },
      { t: sec(2), p: 100, extra: flags(0, 0) },
    ]);
    const r = runTicks(flagged, [data], { budget: 1200 });
    expect(r.trades.length).toBe(0);
    expect(r.orders.refusedThin).toBe(1);
    expect(r.orders.buys).toBe(0);
    expect(r.equity.equity[r.equity.equity.length - 1]).toBe(10_000_000);
  });

  it("respects depth: a buy limited to one level is refused where five would fill", () => {
    const data = ticks("A", [
      { t: sec(0), p: 100, extra: flags(1, 0) },
      { t: sec(1), p: 100, extra: flags(0, 0) },
      { t: sec(2), p: 100, extra: flags(0, 0) },
    ]);
    // 2000 units need two levels of 1000
    expect(runTicks(flagged, [data], { budget: 200_000, depth: 1 }).trades.length).toBe(0);
    expect(runTicks(flagged, [data], { budget: 200_000, depth: 2 }).trades.length).toBe(1);
  });

  it("fills on the next snapshot by default and on the same one with fillOn same", () => {
    const data = ticks("A", [
      { t: sec(0), p: 100, asks: [[100.5, 1000]], extra: flags(1, 0) },
      { t: sec(1), p: 110, asks: [[110.5, 1000]], extra: flags(0, 1) },
      { t: sec(2), p: 120, bids: [[119.5, 1000]], extra: flags(0, 0) },
    ]);
    const next = trade(runTicks(flagged, [data], { budget: 1000 }).trades, 0);
    expect([next.entryPrice, next.entryTime, next.size]).toEqual([110.5, sec(1), 10]);
    expect([next.exitPrice, next.exitTime]).toEqual([119.5, sec(2)]);
    const same = trade(runTicks(flagged, [data], { budget: 1000, fillOn: "same" }).trades, 0);
    expect([same.entryPrice, same.entryTime, same.size]).toEqual([100.5, sec(0), 10]);
    // the sell decided on row 1 fills on row 1's bid 109
    expect([same.exitPrice, same.exitTime]).toEqual([109, sec(1)]);
  });

  it("retries a refused sell while the position stays held", () => {
    const data = ticks("A", [
      { t: sec(0), p: 100, extra: flags(1, 0) },
      { t: sec(1), p: 100, extra: flags(0, 1) },
      { t: sec(2), p: 100, bids: [[99, 1]], extra: flags(0, 1) },
      { t: sec(3), p: 100, extra: flags(0, 0) },
    ]);
    const r = runTicks(flagged, [data], { budget: 1000 });
    expect(r.orders.refusedThin).toBe(1);
    expect(trade(r.trades, 0).exitTime).toBe(sec(3));
    expect(trade(r.trades, 0).reason).toBe("signal");
  });
});

describe("runTicks portfolio", () => {
  const three = ["A", "B", "C"].map((s) =>
    ticks(s, [
      { t: sec(0), p: 100, extra: flags(1, 0) },
      { t: sec(1), p: 100, extra: flags(0, 0) },
      { t: sec(2), p: 100, extra: flags(0, 1) },
      { t: sec(3), p: 100, extra: flags(0, 0) },
    ]),
  );

  it("opens at most maxPositions at once, first symbols first on ties", () => {
    const r = runTicks(flagged, three, { budget: 1000, maxPositions: 2 });
    expect(r.trades.length).toBe(2);
    expect([...r.trades.symbol].map((s) => r.trades.symbols[s]).sort()).toEqual(["A", "B"]);
  });

  it("sizes each position as floor(budget / 현재가) and shares the cash", () => {
    const r = runTicks(flagged, three, { budget: 1050, maxPositions: 3 });
    expect([...r.trades.size]).toEqual([10, 10, 10]);
    // 10 units at 101 = 1010 each: 2020 cash pays for two, the third is refused
    const poor = runTicks(flagged, three, { budget: 1050, maxPositions: 3, cash: 2500 });
    expect(poor.trades.length).toBe(2);
    expect(poor.orders.refusedCash).toBe(1);
    expect(poor.stats.requiredCapital).toBe(2020);
    expect(r.stats.requiredCapital).toBe(3030);
  });

  it("sizes crypto in fractional units", () => {
    const r = runTicks(flagged, [three[0]], { budget: 1000, unit: 1e-8 });
    // 1000 / 100 = 10 exactly; with 현재가 at 101 the size keeps 8 decimals
    expect(r.trades.size[0]).toBe(10);
    const odd = ticks("X", [
      { t: sec(0), p: 300, extra: flags(1, 0) },
      { t: sec(1), p: 300, extra: flags(0, 1) },
      { t: sec(2), p: 300, extra: flags(0, 0) },
    ]);
    expect(runTicks(flagged, [odd], { budget: 1000, unit: 1e-8 }).trades.size[0]).toBe(3.33333333);
    expect(runTicks(flagged, [odd], { budget: 1000 }).trades.size[0]).toBe(3);
  });

  it("stops buying for the day after the loss stop and resumes the next day", () => {
    const day2 = T0 + 86_400_000;
    const data = ticks("A", [
      { t: sec(0), p: 100, extra: flags(1, 0) },
      { t: sec(1), p: 100, extra: flags(0, 1) },
      // sells 10 at 89: a loss of 10 × (101 - 89) = 120
      { t: sec(2), p: 90, extra: flags(1, 0) },
      { t: sec(3), p: 90, extra: flags(1, 0) },
      { t: sec(4), p: 90, extra: flags(0, 0) },
      { t: day2, p: 90, extra: flags(1, 0) },
      { t: day2 + 1000, p: 90, extra: flags(0, 0) },
    ]);
    const stopped = runTicks(flagged, [data], { budget: 1000, lossStop: 100 });
    expect(stopped.trades.length).toBe(2);
    expect(stopped.trades.entryTime[1]).toBe(day2 + 1000);
    const loose = runTicks(flagged, [data], { budget: 1000, lossStop: 200 });
    expect(loose.trades.length).toBe(3);
    expect(loose.trades.entryTime[1]).toBe(sec(3));
  });

  it("liquidates on the profit stop", () => {
    const a = ticks("A", [
      { t: sec(0), p: 100, extra: flags(1, 0) },
      { t: sec(1), p: 100, extra: flags(0, 0) },
      { t: sec(2), p: 100, extra: flags(0, 0) },
      { t: sec(3), p: 100, extra: flags(0, 0) },
      { t: sec(4), p: 100, extra: flags(0, 0) },
    ]);
    const b = ticks("B", [
      { t: sec(0), p: 100, extra: flags(1, 0) },
      { t: sec(1), p: 100, extra: flags(0, 0) },
      { t: sec(2), p: 150, extra: flags(0, 1) },
      { t: sec(3), p: 150, extra: flags(0, 0) },
    ]);
    const r = runTicks(flagged, [a, b], { budget: 1000, profitStop: 100 });
    const rows = [0, 1].map((k) => trade(r.trades, k));
    expect(rows[0]).toMatchObject({ symbol: "B", reason: "signal", exitTime: sec(3), exitPrice: 149 });
    // B's gain of 10 × (149 - 101) = 480 >= 100 closes A at its latest snapshot, row 3's bid 99
    expect(rows[1]).toMatchObject({ symbol: "A", reason: "profit-stop", exitTime: sec(3), exitPrice: 99 });
    const high = runTicks(flagged, [a, b], { budget: 1000, profitStop: 500 });
    expect(trade(high.trades, 1)).toMatchObject({ symbol: "A", reason: "day-end", exitTime: sec(4) });
  });

  it("liquidates at the session end and buys no more that day", () => {
    const at = (h: number, m: number) => Date.UTC(2024, 0, 2, h, m) - 9 * 3_600_000;
    const data = ticks("005930", [
      { t: at(15, 10), p: 100, extra: flags(1, 0) },
      { t: at(15, 11), p: 100, extra: flags(0, 0) },
      { t: at(15, 14), p: 100, extra: flags(1, 0) },
      { t: at(15, 15), p: 100, extra: flags(1, 0) },
      { t: at(15, 16), p: 100, extra: flags(1, 0) },
      { t: at(15, 17), p: 100, extra: flags(0, 0) },
    ]);
    const r = runTicks(flagged, [data], { budget: 1000, sessionEnd: "15:15", utcOffsetMs: 9 * 3_600_000 });
    expect(r.trades.length).toBe(1);
    expect(trade(r.trades, 0)).toMatchObject({ reason: "session-end", exitTime: at(15, 15), exitPrice: 99 });
    // in UTC 15:15 has not come, so the position lives to the day end
    const utc = runTicks(flagged, [data], { budget: 1000, sessionEnd: "15:15" });
    expect(trade(utc.trades, 0)).toMatchObject({ reason: "day-end", exitTime: at(15, 17) });
  });

  it("closes positions at each day's last snapshot, or carries them with closeAtDayEnd false", () => {
    const day2 = T0 + 86_400_000;
    const data = ticks("A", [
      { t: sec(0), p: 100, extra: flags(1, 0) },
      { t: sec(1), p: 100, extra: flags(0, 0) },
      { t: sec(2), p: 105, extra: flags(0, 0) },
      { t: day2, p: 110, extra: flags(0, 1) },
      { t: day2 + 1000, p: 120, extra: flags(0, 0) },
    ]);
    const closed = runTicks(flagged, [data], { budget: 1000 });
    expect(closed.trades.length).toBe(1);
    expect(trade(closed.trades, 0)).toMatchObject({ reason: "day-end", exitTime: sec(2), exitPrice: 104 });
    const carried = runTicks(flagged, [data], { budget: 1000, closeAtDayEnd: false });
    expect(trade(carried.trades, 0)).toMatchObject({
      reason: "signal",
      exitTime: day2 + 1000,
      exitPrice: 119,
    });
  });

  it("buys only while the symbol is on the interest list (column or moneytop)", () => {
    const mk = (s: string, listed: number[]) =>
      ticks(
        s,
        listed.map((l, k) => ({ t: sec(k), p: 100, extra: { ...flags(1, 0), 관심종목: l } })),
      );
    const a = mk("A", [0, 0, 1, 1, 1]);
    const b = mk("B", [0, 0, 0, 0, 0]);
    const entries = (r: TickResult) => Object.fromEntries(tradesOf(r).map((t) => [t.symbol, t.entryTime]));
    expect(entries(runTicks(flagged, [a, b], { budget: 1000 }))).toEqual({ A: sec(1), B: sec(1) });
    // listed from row 2: decided there, filled on row 3
    expect(entries(runTicks(flagged, [a, b], { budget: 1000, interest: "관심종목" }))).toEqual({ A: sec(3) });
    const moneytop = { time: [sec(0), sec(3)], codes: [["B"], ["A"]] };
    expect(entries(runTicks(flagged, [a, b], { budget: 1000, interest: moneytop }))).toEqual({
      A: sec(4),
      B: sec(1),
    });
  });
});

describe("runTicks sell context", () => {
  it("gives STOM's 수익률, extremes, 보유수량 and 보유시간 after costs", () => {
    const seen: number[][] = [];
    const strategy = defineTickStrategy({
      params: {},
      init: () => null,
      buy: (ctx) => ctx.i === 0,
      sell: (ctx) => {
        seen.push([ctx.수익률, ctx.최고수익률, ctx.최저수익률, ctx.보유수량, ctx.보유시간]);
        return false;
      },
    });
    const data = ticks("A", [
      { t: sec(0), p: 100 },
      { t: sec(1), p: 100, asks: [[100, 1000]] },
      { t: sec(3), p: 110 },
      { t: sec(7), p: 95 },
    ]);
    const rate = 0.0005;
    runTicks(strategy, [data], { budget: 1000, costs: costPreset("upbit") });
    // bought 10 at 100: cost 1000 + 0.5; marked at p: (10p - 10p·rate - 1000.5) / 1000 × 100
    const ret = (p: number) => ((10 * p * (1 - rate) - 1000.5) / 1000) * 100;
    expect(seen.length).toBe(3);
    const expected = [
      [ret(100), ret(100), ret(100), 10, 0],
      [ret(110), ret(110), ret(100), 10, 2],
      [ret(95), ret(110), ret(95), 10, 6],
    ];
    for (const [k, row] of seen.entries()) {
      for (const [j, v] of row.entries()) expect(v).toBeCloseTo(expected[k][j], 10);
    }
  });

  it("charges KRX costs with the sell tax in the trade P&L", () => {
    const data = ticks("005930", [
      { t: sec(0), p: 70_000, asks: [[70_000, 100]], extra: flags(1, 0) },
      { t: sec(1), p: 70_000, asks: [[70_000, 100]], extra: flags(0, 1) },
      { t: sec(2), p: 71_000, bids: [[71_000, 100]], extra: flags(0, 0) },
    ]);
    const r = runTicks(flagged, [data], { budget: 1_000_000, costs: costPreset("krx") });
    // 14 shares: buy 980,000 + 0.015%, sell 994,000 - 0.015% - 0.18%
    const pnl = 994_000 * (1 - 0.00015 - 0.0018) - 980_000 * 1.00015;
    expect(r.trades.size[0]).toBe(14);
    expect(r.trades.pnl[0]).toBeCloseTo(pnl, 6);
    expect(r.trades.returnPct[0]).toBeCloseTo((pnl / 980_000) * 100, 10);
    expect(r.stats.totalPnl).toBeCloseTo(pnl, 6);
  });
});

describe("mergeOrder", () => {
  it("orders rows of many symbols by time, ties by symbol", () => {
    const times = [[1, 3, 3, 9], [0, 3, 4], [], [2, 2, 10, 11, 12]];
    const { symbol, row } = mergeOrder(times.map((t) => Float64Array.from(t)));
    const expected = times
      .flatMap((t, s) => t.map((v, r) => [v, s, r]))
      .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    expect([...symbol]).toEqual(expected.map((e) => e[1]));
    expect([...row]).toEqual(expected.map((e) => e[2]));
  });

  it("rejects unsorted times", () => {
    expect(() => mergeOrder([Float64Array.from([1, 0])])).toThrow(/not sorted at row 1/);
  });
});

describe("parseTimeOfDay and option checks", () => {
  it("parses HH:MM and HH:MM:SS", () => {
    expect(parseTimeOfDay("15:15")).toBe(54_900);
    expect(parseTimeOfDay("09:00:30")).toBe(32_430);
    expect(() => parseTimeOfDay("25:00")).toThrow(/invalid time of day: 25:00/);
  });

  it("rejects bad options with the value", () => {
    const d = [ticks("A", [{ t: sec(0), p: 100 }])];
    expect(() => runTicks(flagged, d, { maxPositions: 0 })).toThrow(/invalid maxPositions: 0/);
    expect(() => runTicks(flagged, d, { fillOn: "later" as "next" })).toThrow(/invalid fillOn: later/);
    expect(() => runTicks(flagged, [{ symbol: "A", columns: { time: [1] } }])).toThrow(
      /missing column: 매도호가1/,
    );
  });
});

// the sample generator's 5-level book over three symbols
function sample(n: number, seeds = [1, 2, 3]): TickInput[] {
  return seeds.map((seed, s) => {
    const f = makeSampleTicks({ symbol: `S${s}`, ticks: n, seed, start: Date.UTC(2024, 0, 2) + s * 250 });
    return { symbol: f.symbol, columns: f.columns };
  });
}

const momentum = defineTickStrategy({
  params: { n: { default: 30, min: 2, max: 600 } },
  init: (ctx) => {
    const p = ctx.columns.현재가;
    const past = new Float64Array(p.length).fill(Number.NaN);
    for (let i = ctx.params.n; i < p.length; i++) past[i] = p[i - ctx.params.n];
    return { past: ctx.I(past, "past") };
  },
  buy: (ctx, { past }) => ctx.price.value > past.value * 1.0005 && ctx.col("체결강도").value > 100,
  sell: (ctx) => ctx.수익률 >= 0.3 || ctx.수익률 <= -0.3 || ctx.보유시간 >= 120,
});

const opts = { budget: 5_000_000, maxPositions: 2, costs: costPreset("upbit"), unit: 1e-8 } as const;

function tradesOf(r: TickResult) {
  return Array.from({ length: r.trades.length }, (_, k) => trade(r.trades, k));
}

describe("runTicks on synthetic multi-symbol ticks", () => {
  const data = sample(20_000);

  it("is deterministic: the same input gives identical trades and equity", () => {
    const a = runTicks(momentum, data, opts);
    const b = runTicks(momentum, data, opts);
    expect(a.trades.length).toBeGreaterThan(10);
    expect(tradesOf(b)).toEqual(tradesOf(a));
    expect(b.equity.equity).toEqual(a.equity.equity);
    expect(a.events).toBe(60_000);
  });

  it("keeps its books: final equity = cash + total P&L, at most maxPositions overlap", () => {
    const r = runTicks(momentum, data, opts);
    expect(r.equity.equity[r.equity.equity.length - 1]).toBeCloseTo(10_000_000 + r.stats.totalPnl, 4);
    const events = tradesOf(r).flatMap((t) => [
      [t.entryTime, 1],
      [t.exitTime, -1],
    ]);
    events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let open = 0;
    let most = 0;
    for (const [, d] of events) {
      open += d;
      most = Math.max(most, open);
    }
    expect(most).toBeLessThanOrEqual(2);
    // every entry price lies between the best and fifth ask of its fill snapshot
    const cols = data.map((d) => d.columns as Record<string, Float64Array>);
    for (let k = 0; k < r.trades.length; k++) {
      const c = cols[r.trades.symbol[k]];
      const row = r.trades.entryRow[k];
      expect(c.time[row]).toBe(r.trades.entryTime[k]);
      // a volume-weighted mean of fractional sizes is exact only to float rounding
      expect(r.trades.entryPrice[k]).toBeGreaterThanOrEqual(c.매도호가1[row] * (1 - 1e-12));
      expect(r.trades.entryPrice[k]).toBeLessThanOrEqual(c.매도호가5[row] * (1 + 1e-12));
    }
  });

  it("cannot look ahead: runs on data cut at a time agree on every trade closed before it", () => {
    const full = runTicks(momentum, data, { ...opts, closeAtDayEnd: false });
    const cutTime = Date.UTC(2024, 0, 2) + 12_000 * 1000;
    const cut = data.map((d) => {
      const time = d.columns.time as Float64Array;
      let n = 0;
      while (n < time.length && time[n] < cutTime) n++;
      const columns: Record<string, ArrayLike<unknown>> = {};
      for (const [name, col] of Object.entries(d.columns))
        columns[name] = (col as Float64Array).subarray(0, n);
      return { symbol: d.symbol, columns };
    });
    const part = runTicks(momentum, cut, { ...opts, closeAtDayEnd: false });
    const closedBefore = (r: TickResult) =>
      tradesOf(r).filter((t) => t.exitTime < cutTime - 1000 && t.reason === "signal");
    expect(closedBefore(part).length).toBeGreaterThan(5);
    expect(closedBefore(part)).toEqual(closedBefore(full));
  });

  it("reveals nothing past the current snapshot to buy() and sell()", () => {
    const peeks: number[] = [];
    const probe = defineTickStrategy({
      params: {},
      init: () => null,
      buy: (ctx) => {
        peeks.push(ctx.price.at(-1), ctx.col("매도호가1").at(-1));
        expect(ctx.price.length).toBe(ctx.i + 1);
        expect(ctx.col("현재가").revealed().length).toBe(ctx.i + 1);
        return false;
      },
      sell: () => false,
    });
    runTicks(probe, sample(50), {});
    expect(peeks.length).toBe(300);
    expect(peeks.every(Number.isNaN)).toBe(true);
  });
});
