import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMoneytop, stomSqlite } from "../../../src/data/formats/stom-sqlite.ts";
import type { Frame } from "../../../src/data/frame.ts";
import { writeStomFixture } from "../../../src/data/stom/fixture.ts";
import { 이동평균 } from "../../../src/engine/indicators/index.ts";
import { costPreset, stomUpbitSettle } from "../../../src/engine/markets/index.ts";
import { defineTickStrategy, EXIT_REASONS, runTicks } from "../../../src/engine/portfolio/index.ts";
import { needShared, SHARED } from "../../support/paths.ts";

// Real data: STOM-layout DBs built by the data layer from real Upbit trades and real Creon minute bars.
const { missing } = needShared(
  "upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-26.csv",
  "krx/creon_1m_20190920",
);
const TRADES = join(SHARED, "upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-26.csv");
const CREON = join(SHARED, "krx/creon_1m_20190920");
const KST = 9 * 3_600_000;

let dir: string;
let coin: Frame[];
let stock: Frame[];
let moneytop: { time: Float64Array; codes: string[][] };

async function readAll(file: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of stomSqlite.read(file, {})) frames.push(frame);
  return frames;
}

beforeAll(async () => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), "portfolio-stom-"));
  writeStomFixture(join(dir, "coin_tick.db"), { kind: "coin_tick", source: TRADES, minutes: 240 });
  writeStomFixture(join(dir, "stock_tick.db"), {
    kind: "stock_tick",
    source: CREON,
    symbols: ["000660", "005930", "035420", "035720", "068270"],
    minutes: 30,
    moneytopSize: 2,
  });
  coin = await readAll(join(dir, "coin_tick.db"));
  stock = await readAll(join(dir, "stock_tick.db"));
  moneytop = readMoneytop(join(dir, "stock_tick.db"));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A STOM-style pair: buy above the 30-tick average with buyers in control; sell at +/-0.4% or after 5 minutes.
const seen: { sym: string; ret: number; qty: number; entry: number; price: number }[] = [];
const stomLike = defineTickStrategy({
  params: { n: { default: 30, min: 5, max: 600 } },
  init: (ctx) => ({ ma: ctx.I(이동평균(ctx.columns.현재가, ctx.params.n), "ma") }),
  buy: (ctx, { ma }) => ctx.price.value > ma.value && ctx.col("체결강도").value >= 100,
  sell: (ctx) => {
    seen.push({
      sym: ctx.symbol,
      ret: ctx.수익률,
      qty: ctx.보유수량,
      entry: ctx.entryPrice,
      price: ctx.price.value,
    });
    return ctx.수익률 >= 0.4 || ctx.수익률 <= -0.4 || ctx.보유시간 >= 300;
  },
});

describe.skipIf(missing)("runTicks on a STOM coin_tick DB from real Upbit trades", () => {
  it("trades, with 수익률 equal to STOM's GetUpbitPgSgSp and fills inside the recorded book", () => {
    expect(coin.length).toBe(1);
    const frame = coin[0];
    seen.length = 0;
    const r = runTicks(stomLike, [frame], {
      cash: 100_000_000,
      budget: 10_000_000,
      costs: costPreset("upbit"),
      unit: 1e-8,
    });
    expect(r.events).toBe(frame.length);
    expect(r.trades.length).toBeGreaterThan(5);
    // STOM's own settlement on the same amounts (rounded to won and to 0.01%)
    expect(seen.length).toBeGreaterThan(r.trades.length);
    for (const s of seen) {
      const sp = stomUpbitSettle(s.qty * s.entry, s.qty * s.price).sp;
      expect(Math.abs(s.ret - sp)).toBeLessThanOrEqual(0.005 + 1e-6);
    }
    const c = frame.columns as Record<string, Float64Array>;
    for (let k = 0; k < r.trades.length; k++) {
      const e = r.trades.entryRow[k];
      const x = r.trades.exitRow[k];
      expect(c.time[e]).toBe(r.trades.entryTime[k]);
      expect(r.trades.entryPrice[k]).toBeGreaterThanOrEqual(c.매도호가1[e] * (1 - 1e-12));
      expect(r.trades.entryPrice[k]).toBeLessThanOrEqual(c.매도호가5[e] * (1 + 1e-12));
      expect(r.trades.exitPrice[k]).toBeLessThanOrEqual(c.매수호가1[x] * (1 + 1e-12));
      expect(r.trades.exitPrice[k]).toBeGreaterThanOrEqual(c.매수호가5[x] * (1 - 1e-12));
      expect(r.trades.exitTime[k]).toBeGreaterThan(r.trades.entryTime[k]);
    }
    const pnl = Array.from(r.trades.pnl);
    const wins = pnl.filter((p) => p > 0).length;
    expect(r.stats.winRatePct).toBeCloseTo((wins / pnl.length) * 100, 10);
    expect(r.stats.totalPnl).toBeCloseTo(
      pnl.reduce((a, b) => a + b, 0),
      6,
    );
    expect(r.equity.equity[r.equity.equity.length - 1]).toBeCloseTo(100_000_000 + r.stats.totalPnl, 3);
    // one position at a time on one symbol: the most committed is the dearest entry
    let dearest = 0;
    for (let k = 0; k < r.trades.length; k++) {
      const cost = r.trades.entryPrice[k] * r.trades.size[k] * 1.0005;
      dearest = Math.max(dearest, cost);
    }
    expect(r.stats.requiredCapital).toBeCloseTo(dearest, 2);
  });

  it("same-snapshot fills (STOM's backtester) trade too and differ from next-snapshot fills", () => {
    const opts = { cash: 100_000_000, budget: 10_000_000, costs: costPreset("upbit"), unit: 1e-8 } as const;
    const next = runTicks(stomLike, coin, opts);
    const same = runTicks(stomLike, coin, { ...opts, fillOn: "same" });
    expect(same.trades.length).toBeGreaterThan(5);
    // same-snapshot entries fill on the deciding row; next-snapshot entries one row later
    expect(Array.from(same.trades.entryRow.slice(0, 3))).not.toEqual(
      Array.from(next.trades.entryRow.slice(0, 3)),
    );
  });
});

describe.skipIf(missing)("runTicks on a STOM stock_tick DB over five KRX symbols", () => {
  it("buys only listed symbols, holds at most maxPositions and closes at the session end", () => {
    expect(stock.length).toBe(5);
    const r = runTicks(stomLike, stock, {
      cash: 30_000_000,
      budget: 5_000_000,
      maxPositions: 3,
      costs: costPreset("krx"),
      utcOffsetMs: KST,
      interest: moneytop,
      sessionEnd: "09:25",
    });
    expect(r.trades.length).toBeGreaterThan(3);
    const byName = new Map(stock.map((f) => [f.symbol, f.columns as Record<string, Float64Array>]));
    const listedAt = (sym: string, t: number) => {
      let m = -1;
      while (m + 1 < moneytop.time.length && moneytop.time[m + 1] <= t) m++;
      return m >= 0 && moneytop.codes[m].includes(sym);
    };
    const spans: [number, number][] = [];
    for (let k = 0; k < r.trades.length; k++) {
      const sym = r.trades.symbols[r.trades.symbol[k]];
      const c = byName.get(sym) as Record<string, Float64Array>;
      // decided on the row before the fill
      expect(listedAt(sym, c.time[r.trades.entryRow[k] - 1])).toBe(true);
      expect(Number.isInteger(r.trades.size[k])).toBe(true);
      expect(r.trades.size[k]).toBe(Math.floor(5_000_000 / c.현재가[r.trades.entryRow[k] - 1]));
      spans.push([r.trades.entryTime[k], r.trades.exitTime[k]]);
    }
    const open = spans.flatMap(([a, b]) => [
      [a, 1],
      [b, -1],
    ]);
    open.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let n = 0;
    let most = 0;
    for (const [, d] of open) {
      n += d;
      most = Math.max(most, n);
    }
    expect(most).toBeLessThanOrEqual(3);
    // 09:25 KST ends the session: nothing is held past it
    const end = Date.UTC(2019, 8, 20, 9, 25) - KST;
    for (const [, exit] of spans) expect(exit).toBeLessThanOrEqual(end);
    const reasons = new Set(Array.from(r.trades.exitReason, (x) => EXIT_REASONS[x]));
    expect([...reasons].every((x) => x === "signal" || x === "session-end")).toBe(true);
  });
});
