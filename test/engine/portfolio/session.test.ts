// TickSession against runTicks: the same kernel fed one snapshot at a time must give the same run.
// Each case pushes the symbols' snapshots one by one in runTicks' merge order and compares
// session.result() with runTicks over the whole columns: trades, equity samples, stats, orders.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMoneytop, stomSqlite } from "../../../src/data/formats/stom-sqlite.ts";
import type { Frame } from "../../../src/data/frame.ts";
import { makeSampleTicks } from "../../../src/data/sample.ts";
import { writeStomFixture } from "../../../src/data/stom/fixture.ts";
import { 이동평균 } from "../../../src/engine/indicators/index.ts";
import { costPreset, walkAsks, walkBids } from "../../../src/engine/markets/index.ts";
import type { ParamSpecs } from "../../../src/engine/params.ts";
import {
  defineTickStrategy,
  EXIT_REASONS,
  mergeOrder,
  runTicks,
  type TickExecutor,
  type TickFill,
  type TickInput,
  type TickResult,
  type TickRunOptions,
  TickSession,
  type TickStrategyDef,
} from "../../../src/engine/portfolio/index.ts";
import { needShared, SHARED } from "../../support/paths.ts";

type Row = Record<string, number>;

/** Every snapshot as (symbol, row object) in runTicks' merge order (time, then input order). */
function feed(inputs: readonly TickInput[]): [string, Row][] {
  const numeric = inputs.map(
    (x) =>
      Object.entries(x.columns).filter(([, c]) => ArrayBuffer.isView(c)) as [string, ArrayLike<number>][],
  );
  const { symbol, row } = mergeOrder(inputs.map((x) => x.columns.time as ArrayLike<number>));
  const out: [string, Row][] = [];
  for (let k = 0; k < symbol.length; k++) {
    const r: Row = {};
    for (const [name, col] of numeric[symbol[k]]) r[name] = Number(col[row[k]]);
    out.push([inputs[symbol[k]].symbol, r]);
  }
  return out;
}

interface Pushed<P extends ParamSpecs> {
  session: TickSession<P, unknown>;
  fills: TickFill[];
}

function pushAll<P extends ParamSpecs, S>(
  strategy: TickStrategyDef<P, S>,
  inputs: readonly TickInput[],
  options: TickRunOptions,
): Pushed<P> {
  const session = new TickSession(strategy, { ...options, symbols: inputs.map((x) => x.symbol) });
  const fills: TickFill[] = [];
  for (const [symbol, row] of feed(inputs)) fills.push(...session.push(symbol, row));
  return { session: session as TickSession<P, unknown>, fills };
}

/** The session's fills are the trades as they happened: every buy an entry, every sell an exit. */
function expectFillsMatch(fills: readonly TickFill[], r: TickResult): void {
  const sells = fills.filter((f) => f.kind === "sell");
  const buys = fills.filter((f) => f.kind === "buy");
  expect(buys.length).toBe(r.orders.buys);
  // trades closed at the end of the data are result()'s, not fills
  expect(sells.length).toBeLessThanOrEqual(r.trades.length);
  sells.forEach((f, k) => {
    expect(f.symbol).toBe(r.trades.symbols[r.trades.symbol[k]]);
    expect([f.time, f.price, f.qty, f.pnl]).toEqual([
      r.trades.exitTime[k],
      r.trades.exitPrice[k],
      r.trades.size[k],
      r.trades.pnl[k],
    ]);
    expect(f.reason).toBe(EXIT_REASONS[r.trades.exitReason[k]]);
  });
}

/** session.result() deeply equal to runTicks, and the per-push fills equal to its trades. */
function expectParity<P extends ParamSpecs, S>(
  strategy: TickStrategyDef<P, S>,
  inputs: readonly TickInput[],
  options: TickRunOptions,
): TickResult<P> {
  const expected = runTicks(strategy, inputs, options);
  const { session, fills } = pushAll(strategy, inputs, options);
  const actual = session.result();
  expect(actual.trades).toEqual(expected.trades);
  expect(actual.equity).toEqual(expected.equity);
  expect(actual.stats).toEqual(expected.stats);
  expect(actual.orders).toEqual(expected.orders);
  expect(actual.events).toBe(expected.events);
  expect(actual.params).toEqual(expected.params);
  expectFillsMatch(fills, expected);
  return expected;
}

function sample(n: number, { seeds = [1, 2, 3], intervalMs = 1000 } = {}): TickInput[] {
  return seeds.map((seed, s) => {
    const f = makeSampleTicks({
      symbol: `S${s}`,
      ticks: n,
      seed,
      intervalMs,
      start: Date.UTC(2024, 0, 2) + s * 250,
    });
    return { symbol: `S${s}`, columns: f.columns };
  });
}

function pastColumn(p: Float64Array, n: number): Float64Array {
  const past = new Float64Array(p.length).fill(Number.NaN);
  for (let i = n; i < p.length; i++) past[i] = p[i - n];
  return past;
}

// test/golden/tick-run.test.ts's strategy
const goldenMomentum = defineTickStrategy({
  params: { n: { default: 60, min: 10, max: 600 }, strength: { default: 100, min: 50, max: 300 } },
  init: (ctx) => ({ ma: ctx.I(이동평균(ctx.columns.현재가, ctx.params.n), "ma") }),
  buy: (ctx, { ma }) => ctx.price.value > ma.value && ctx.col("체결강도").value >= ctx.params.strength,
  sell: (ctx) => ctx.수익률 <= -0.3 || ctx.수익률 >= 0.3 || ctx.보유시간 >= 300,
});

// test/engine/portfolio/portfolio.test.ts's strategy
const pastMomentum = defineTickStrategy({
  params: { n: { default: 30, min: 2, max: 600 } },
  init: (ctx) => ({ past: ctx.I(pastColumn(ctx.columns.현재가, ctx.params.n), "past") }),
  buy: (ctx, { past }) => ctx.price.value > past.value * 1.0005 && ctx.col("체결강도").value > 100,
  sell: (ctx) => ctx.수익률 >= 0.3 || ctx.수익률 <= -0.3 || ctx.보유시간 >= 120,
});

// bench/ticks.bench.ts's strategy
const benchMomentum = defineTickStrategy({
  params: { n: { default: 30, min: 2, max: 600 } },
  init: (ctx) => ({ past: ctx.I(pastColumn(ctx.columns.현재가, ctx.params.n), "past") }),
  buy: (ctx, { past }) => ctx.price.value > past.value * 1.0003 && ctx.col("체결강도").value > 100,
  sell: (ctx) => ctx.수익률 >= 0.3 || ctx.수익률 <= -0.3 || ctx.보유시간 >= 120,
});

// an indicator with memory over the whole history (a cumulative mean) and the sell-side extremes
const memory = defineTickStrategy({
  params: {},
  init: (ctx) => {
    const p = ctx.columns.현재가;
    const mean = new Float64Array(p.length);
    let sum = 0;
    for (let i = 0; i < p.length; i++) {
      sum += p[i];
      mean[i] = sum / (i + 1);
    }
    return { mean: ctx.I(mean, "mean") };
  },
  buy: (ctx, { mean }) => ctx.price.value < mean.value * 0.999,
  sell: (ctx) => ctx.최고수익률 - ctx.수익률 >= 0.2 || ctx.최저수익률 <= -0.5 || ctx.보유시간 >= 600,
});

// buys whenever it may, sells on a small gain or after a while: positions overlap, for the day's stops
const churn = defineTickStrategy({
  params: {
    take: { default: 0.02, min: 0, max: 10, integer: false },
    hold: { default: 120, min: 1, max: 3600 },
  },
  init: () => null,
  buy: () => true,
  sell: (ctx) => ctx.수익률 >= ctx.params.take || ctx.보유시간 >= ctx.params.hold,
});

const UPBIT = { budget: 5_000_000, maxPositions: 2, costs: costPreset("upbit"), unit: 1e-8 } as const;
const reasons = (r: TickResult) => new Set([...r.trades.exitReason].map((x) => EXIT_REASONS[x]));

describe("TickSession pushed snapshot by snapshot equals runTicks", () => {
  // one snapshot a second for 50 minutes; one every 45 s for two days
  const data = sample(3000);
  const days = sample(4000, { intervalMs: 45_000 });
  const kst = { ...UPBIT, utcOffsetMs: 9 * 3_600_000 };

  it("the golden run's strategy on next-snapshot fills", () => {
    const r = expectParity(goldenMomentum, data, UPBIT);
    expect(r.trades.length).toBeGreaterThan(5);
  });

  it("portfolio.test's and the bench's momentum, next and same fills, parameters overridden", () => {
    // over 50 minutes of BTC-priced ticks a 30-snapshot move rarely reaches 0.03%: look back 600
    for (const strategy of [pastMomentum, benchMomentum]) {
      for (const fillOn of ["next", "same"] as const) {
        const r = expectParity(strategy, data, { ...UPBIT, fillOn, params: { n: 600 } });
        expect(r.trades.length).toBeGreaterThan(10);
      }
    }
  });

  it("an indicator with memory over the whole history", () => {
    const r = expectParity(memory, days, { ...UPBIT, maxPositions: 3 });
    expect(r.trades.length).toBeGreaterThan(2);
  });

  it("with the day's loss and profit stops", () => {
    const o = { ...UPBIT, budget: 1_000_000, maxPositions: 3 };
    const loss = expectParity(churn, days, { ...o, params: { take: 10, hold: 600 }, lossStop: 3_000 });
    expect(reasons(loss)).toContain("loss-stop");
    const profit = expectParity(churn, data, { ...o, params: { take: 0.02, hold: 3600 }, profitStop: 300 });
    expect(reasons(profit)).toContain("profit-stop");
  });

  it("over several days: day ends, a KST session end, carried positions", () => {
    const dayEnds = expectParity(goldenMomentum, days, kst);
    expect(reasons(dayEnds)).toContain("day-end");
    const ended = expectParity(goldenMomentum, days, { ...kst, sessionEnd: "15:15" });
    expect(reasons(ended)).toContain("session-end");
    expectParity(memory, days, { ...kst, closeAtDayEnd: false, fillOn: "same" });
    expectParity(goldenMomentum, days, {
      ...UPBIT,
      lossStop: 60_000,
      profitStop: 15_000,
      sessionEnd: 50_000,
    });
  });

  it("buys only while listed: an interest column and a moneytop list", () => {
    const listed = data.map((x, s) => {
      const time = x.columns.time as Float64Array;
      const flag = time.map((_, i) => ((i >> 8) + s) % 2);
      return { symbol: x.symbol, columns: { ...x.columns, 관심종목: flag } };
    });
    expectParity(benchMomentum, listed, { ...UPBIT, interest: "관심종목", params: { n: 600 } });
    const t0 = Date.UTC(2024, 0, 2);
    const moneytop = {
      time: [t0 + 200_000, t0 + 900_000, t0 + 1_800_000],
      codes: [["S0", "S2"], ["S1"], ["S0", "S1", "S2"]],
    };
    expectParity(benchMomentum, data, { ...UPBIT, interest: moneytop, params: { n: 600 } });
  });

  it("result() mid-session is the run so far and leaves the session going", () => {
    const rows = feed(data);
    const half = rows.length >> 1;
    const session = new TickSession(pastMomentum, { ...UPBIT, symbols: data.map((x) => x.symbol) });
    for (const [symbol, row] of rows.slice(0, half)) session.push(symbol, row);
    const cut = data.map((x) => {
      const time = x.columns.time as Float64Array;
      const until = rows[half - 1][1].time;
      let n = 0;
      while (n < time.length && time[n] <= until) n++;
      const columns: Record<string, ArrayLike<unknown>> = {};
      for (const [name, col] of Object.entries(x.columns))
        columns[name] = (col as Float64Array).subarray(0, n);
      return { symbol: x.symbol, columns };
    });
    const cash = session.cash;
    const open = session.positions();
    expect(session.result()).toEqual(runTicks(pastMomentum, cut, UPBIT));
    expect(session.cash).toBe(cash);
    expect(session.positions()).toEqual(open);
    for (const [symbol, row] of rows.slice(half)) session.push(symbol, row);
    expect(session.result()).toEqual(runTicks(pastMomentum, data, UPBIT));
  });
});

describe("TickSession accessors and input checks", () => {
  const data = sample(3000);

  it("reports open positions, cash and the day's P&L as it goes", () => {
    const session = new TickSession(goldenMomentum, { ...UPBIT, symbols: data.map((x) => x.symbol) });
    let sawOpen = false;
    let pnl = 0;
    for (const [symbol, row] of feed(data)) {
      for (const f of session.push(symbol, row)) {
        if (f.kind === "buy") {
          const p = session.position(f.symbol);
          expect(p).toEqual({ symbol: f.symbol, qty: f.qty, entryPrice: f.price, entryTime: f.time });
          sawOpen = true;
        } else {
          expect(session.position(f.symbol)).toBeNull();
          pnl += f.pnl ?? 0;
        }
      }
      expect(session.positions().length).toBeLessThanOrEqual(2);
    }
    expect(sawOpen).toBe(true);
    // one UTC day: the day's P&L is every closed trade's
    expect(session.dayPnl).toBeCloseTo(pnl, 6);
    const held = session.positions().reduce((sum, p) => sum + p.qty * p.entryPrice * 1.0005, 0);
    expect(session.cash + held).toBeCloseTo(10_000_000 + pnl, 0);
  });

  it("rejects snapshots out of time order, unknown symbols and missing book columns", () => {
    const rows = feed(data);
    const session = new TickSession(pastMomentum, { symbols: ["S0", "S1", "S2"] });
    session.push(rows[5][0], rows[5][1]);
    expect(() => session.push(rows[0][0], rows[0][1])).toThrow(/snapshot at \d+ is before the last one/);
    expect(() => session.push("XX", rows[6][1])).toThrow(/unknown symbol: XX/);
    const { 매수잔량3: _, ...thin } = rows[6][1];
    expect(() => session.push(rows[6][0], thin)).toThrow(/missing column: 매수잔량3/);
    expect(() => new TickSession(pastMomentum, { symbols: ["A", "A"] })).toThrow(/duplicate symbols/);
    expect(() => new TickSession(pastMomentum, { symbols: ["A"], depth: 9 })).toThrow(/invalid depth: 9/);
  });
});

/**
 * A venue that fills at once on the symbol's current book, as fillOn "same" does: walks the asks or
 * the bids, refuses (cancel) when the book is too thin.
 */
function syncVenue(latest: Map<string, Row>, session: () => TickSession): TickExecutor {
  const book = (symbol: string) => {
    const r = latest.get(symbol) as Row;
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, [v]])) as never;
  };
  const fill = { ok: false, filled: 0, avgPrice: 0, levels: 0, notional: 0 };
  return {
    buy(symbol, qty, time) {
      walkAsks(book(symbol), 0, qty, {}, fill);
      if (fill.ok) session().fill(symbol, "buy", qty, fill.avgPrice, time);
      else session().cancel(symbol);
    },
    sell(symbol, qty, time) {
      walkBids(book(symbol), 0, qty, {}, fill);
      if (fill.ok) session().fill(symbol, "sell", qty, fill.avgPrice, time);
      else session().cancel(symbol);
    },
  };
}

describe("TickSession with an executor (a live venue)", () => {
  const data = sample(3000);

  it("a venue filling at once on the current book trades as runTicks with fillOn same", () => {
    const options = { ...UPBIT, cash: 1e12, fillOn: "same", params: { n: 600 } } as const;
    const expected = runTicks(pastMomentum, data, options);
    expect(expected.orders.refusedThin + expected.orders.refusedCash).toBe(0);
    const latest = new Map<string, Row>();
    const session: TickSession = new TickSession(pastMomentum, {
      ...options,
      symbols: data.map((x) => x.symbol),
      executor: syncVenue(latest, () => session),
    }) as TickSession;
    const fills: TickFill[] = [];
    for (const [symbol, row] of feed(data)) {
      latest.set(symbol, row);
      fills.push(...session.push(symbol, row));
    }
    const actual = session.result();
    expect(expected.trades.length).toBeGreaterThan(10);
    // the venue reports avgPrice, so its notional is qty × avgPrice: equal to the walk's up to rounding
    const t = actual.trades;
    const e = expected.trades;
    expect([t.symbol, t.entryTime, t.exitTime, t.entryRow, t.exitRow, t.size, t.exitReason]).toEqual([
      e.symbol,
      e.entryTime,
      e.exitTime,
      e.entryRow,
      e.exitRow,
      e.size,
      e.exitReason,
    ]);
    for (let k = 0; k < e.length; k++) {
      expect(t.entryPrice[k]).toBe(e.entryPrice[k]);
      expect(t.exitPrice[k]).toBe(e.exitPrice[k]);
      expect(Math.abs(t.pnl[k] - e.pnl[k])).toBeLessThanOrEqual(1e-6);
    }
    expect(actual.equity.time).toEqual(expected.equity.time);
    expect(fills.filter((f) => f.kind === "buy").length).toBe(e.length);
  });

  it("waits for the venue: pending between order and fill, booked at the venue's price and time", () => {
    const orders: { side: string; symbol: string; qty: number; time: number }[] = [];
    const executor: TickExecutor = {
      buy: (symbol, qty, time) => orders.push({ side: "buy", symbol, qty, time }),
      sell: (symbol, qty, time) => orders.push({ side: "sell", symbol, qty, time }),
    };
    const always = defineTickStrategy({
      params: {},
      init: () => null,
      buy: () => true,
      sell: (ctx) => ctx.보유시간 >= 10,
    });
    const session = new TickSession(always, {
      budget: 1_000_000,
      unit: 1e-8,
      maxPositions: 1,
      symbols: ["S0", "S1"],
      executor,
    });
    const rows = feed(sample(100, { seeds: [1, 2] }));
    const [sym0, row0] = rows[0];
    expect(session.push(sym0, row0)).toEqual([]);
    // ordered, not filled: pending, counted against maxPositions, no second order
    expect(orders).toEqual([{ side: "buy", symbol: "S0", qty: orders[0].qty, time: row0.time }]);
    expect(orders[0].qty * row0.현재가).toBeLessThanOrEqual(1_000_000);
    expect(orders[0].qty * row0.현재가).toBeGreaterThan(999_000);
    expect(session.pending("S0")).toBe("buy");
    expect(session.position("S0")).toBeNull();
    expect(session.openPositions).toBe(1);
    for (const [symbol, row] of rows.slice(1, 6)) session.push(symbol, row);
    expect(orders.length).toBe(1);
    // the venue fills: booked at its price and time
    const qty = orders[0].qty;
    const fillTime = rows[5][1].time + 10;
    const [buyPrice, sellPrice] = [row0.현재가 + 1000, row0.현재가 + 3000];
    const booked = session.fill("S0", "buy", qty, buyPrice, fillTime);
    expect(booked).toEqual([{ kind: "buy", symbol: "S0", time: fillTime, price: buyPrice, qty, fee: 0 }]);
    expect(session.position("S0")).toEqual({ symbol: "S0", qty, entryPrice: buyPrice, entryTime: fillTime });
    expect(session.cash).toBe(10_000_000 - qty * buyPrice);
    expect(session.pending("S0")).toBeNull();
    // held 10 s: a sell order goes out, and nothing more until its fill
    let k = 6;
    while (orders.length < 2) session.push(...rows[k++]);
    expect(orders[1]).toMatchObject({ side: "sell", symbol: "S0", qty });
    expect(session.pending("S0")).toBe("sell");
    session.push(...rows[k++]);
    expect(orders.length).toBe(2);
    const sellTime = rows[k][1].time;
    expect(() => session.fill("S0", "sell", qty / 2, sellPrice, sellTime)).toThrow(/sell fill of/);
    const [sold] = session.fill("S0", "sell", qty, sellPrice, sellTime);
    expect(sold).toMatchObject({ kind: "sell", symbol: "S0", time: sellTime, price: sellPrice, qty });
    expect(sold).toMatchObject({ fee: 0, reason: "signal" });
    expect(sold.pnl).toBeCloseTo(qty * 2000, 6);
    expect(session.position("S0")).toBeNull();
    expect(session.dayPnl).toBe(sold.pnl);
    // a refused order is forgotten with cancel(), and the next snapshot decides again
    session.push(...rows[k++]);
    expect(orders.length).toBe(3);
    const pendingSymbol = orders[2].symbol;
    session.cancel(pendingSymbol);
    expect(session.pending(pendingSymbol)).toBeNull();
    session.push(...rows[k++]);
    expect(orders.length).toBe(4);
    expect(() => session.fill("S1", "sell", 1, 1, 0)).toThrow(/no sell pending for S1/);
    const r = session.result();
    expect(r.trades.length).toBe(1);
    expect([r.trades.entryPrice[0], r.trades.exitPrice[0]]).toEqual([buyPrice, sellPrice]);
    expect([r.trades.entryTime[0], r.trades.exitTime[0]]).toEqual([fillTime, sellTime]);
  });

  it("a forced exit at the day end goes to the venue with its reason", () => {
    const sells: string[] = [];
    const session: TickSession = new TickSession(
      defineTickStrategy({ params: {}, init: () => null, buy: () => true, sell: () => false }),
      {
        budget: 1_000,
        symbols: ["S0"],
        executor: { buy: () => {}, sell: (symbol) => sells.push(symbol) },
      },
    ) as TickSession;
    const day1 = Date.UTC(2024, 0, 2, 23, 59, 58);
    const book = (t: number): Row => {
      const row: Row = { time: t, 현재가: 100 };
      for (let l = 1; l <= 5; l++) {
        row[`매도호가${l}`] = 100 + l;
        row[`매도잔량${l}`] = 1000;
        row[`매수호가${l}`] = 100 - l;
        row[`매수잔량${l}`] = 1000;
      }
      return row;
    };
    session.push("S0", book(day1));
    session.fill("S0", "buy", 10, 101, day1 + 100);
    session.push("S0", book(day1 + 1000));
    expect(sells).toEqual([]);
    session.push("S0", book(day1 + 2000));
    expect(sells).toEqual(["S0"]);
    const [fill] = session.fill("S0", "sell", 10, 99, day1 + 2100);
    expect(fill).toMatchObject({ reason: "day-end", pnl: -20 });
  });
});

// Real data: STOM-layout DBs built by the data layer from real Upbit trades and real Creon minute bars.
const { missing } = needShared(
  "upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-26.csv",
  "krx/creon_1m_20190920",
);

describe.skipIf(missing)("TickSession on real STOM DBs equals runTicks", () => {
  let dir: string;
  let coin: Frame[];
  let stock: Frame[];
  let moneytop: { time: Float64Array; codes: string[][] };
  const readAll = async (file: string) => {
    const frames: Frame[] = [];
    for await (const frame of stomSqlite.read(file, {})) frames.push(frame);
    return frames;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tick-session-"));
    writeStomFixture(join(dir, "coin_tick.db"), {
      kind: "coin_tick",
      source: join(SHARED, "upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-26.csv"),
      minutes: 60,
    });
    writeStomFixture(join(dir, "stock_tick.db"), {
      kind: "stock_tick",
      source: join(SHARED, "krx/creon_1m_20190920"),
      symbols: ["000660", "005930", "035420", "035720", "068270"],
      minutes: 20,
      moneytopSize: 2,
    });
    coin = await readAll(join(dir, "coin_tick.db"));
    stock = await readAll(join(dir, "stock_tick.db"));
    moneytop = readMoneytop(join(dir, "stock_tick.db"));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // test/engine/portfolio/stom.test.ts's strategy
  const stomLike = defineTickStrategy({
    params: { n: { default: 30, min: 5, max: 600 } },
    init: (ctx) => ({ ma: ctx.I(이동평균(ctx.columns.현재가, ctx.params.n), "ma") }),
    buy: (ctx, { ma }) => ctx.price.value > ma.value && ctx.col("체결강도").value >= 100,
    sell: (ctx) => ctx.수익률 >= 0.4 || ctx.수익률 <= -0.4 || ctx.보유시간 >= 300,
  });

  it("an hour of KRW-BTC snapshots from real Upbit trades, next and same fills", () => {
    const opts = { cash: 100_000_000, budget: 10_000_000, costs: costPreset("upbit"), unit: 1e-8 } as const;
    expect(expectParity(stomLike, coin, opts).trades.length).toBeGreaterThan(3);
    expectParity(stomLike, coin, { ...opts, fillOn: "same" });
  });

  it("five KRX symbols with a moneytop list, KST session end and KRX costs", () => {
    const r = expectParity(stomLike, stock, {
      cash: 30_000_000,
      budget: 5_000_000,
      maxPositions: 3,
      costs: costPreset("krx"),
      utcOffsetMs: 9 * 3_600_000,
      interest: moneytop,
      sessionEnd: "09:15",
    });
    expect(r.trades.length).toBeGreaterThan(3);
  });
});
