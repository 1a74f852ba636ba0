import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMoneytop, stomSqlite } from "../../src/data/formats/stom-sqlite.ts";
import type { Frame } from "../../src/data/frame.ts";
import { writeStomFixture } from "../../src/data/stom/fixture.ts";
import { 이동평균, 최고현재가 } from "../../src/engine/indicators/index.ts";
import { costPreset } from "../../src/engine/markets/index.ts";
import { optimize, searchSpace } from "../../src/engine/optimize/index.ts";
import { resolveParams } from "../../src/engine/params.ts";
import { defineTickStrategy, runTicks, type TickResult } from "../../src/engine/portfolio/index.ts";
import { compileStom, StomSyntaxError, stomRunner } from "../../src/engine/stom/index.ts";

// Real data: STOM-layout DBs written by the data layer from real Upbit trades (coin_tick) and real
// Creon minute bars (stock_min). The strategy texts below are written for these tests in STOM's style.
const SHARED = resolve("../shared/data");
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
  dir = mkdtempSync(join(tmpdir(), "stom-text-"));
  writeStomFixture(join(dir, "coin_tick.db"), { kind: "coin_tick", source: TRADES, minutes: 240 });
  writeStomFixture(join(dir, "stock_min.db"), {
    kind: "stock_min",
    source: CREON,
    symbols: ["000660", "005930", "035420", "035720", "068270"],
    moneytopSize: 3,
  });
  coin = await readAll(join(dir, "coin_tick.db"));
  stock = await readAll(join(dir, "stock_min.db"));
  moneytop = readMoneytop(join(dir, "stock_min.db"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cols = (f: Frame) => f.columns as unknown as Record<string, Float64Array>;
const UPBIT = { cash: 100_000_000, budget: 10_000_000, costs: costPreset("upbit"), unit: 1e-8 };

function sameTrades(a: TickResult, b: TickResult): void {
  expect(a.trades.length).toBe(b.trades.length);
  expect(Array.from(a.trades.symbol)).toEqual(Array.from(b.trades.symbol));
  expect(Array.from(a.trades.entryRow)).toEqual(Array.from(b.trades.entryRow));
  expect(Array.from(a.trades.exitRow)).toEqual(Array.from(b.trades.exitRow));
  expect(Array.from(a.trades.pnl)).toEqual(Array.from(b.trades.pnl));
  expect(Array.from(a.trades.exitReason)).toEqual(Array.from(b.trades.exitReason));
}

/** The compiled buy() decision on every row of one symbol (no position logic), for checking semantics. */
function decisions(
  text: string,
  frame: Frame,
  params: Record<string, number> = {},
  utcOffsetMs = 0,
): Uint8Array {
  const s = compileStom(text, "매도 = False", { utcOffsetMs });
  const columns: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(frame.columns)) if (v instanceof Float64Array) columns[k] = v;
  const state = s.init({
    symbol: frame.symbol,
    length: frame.length,
    columns,
    params: resolveParams(s.params, params),
    I: (v: Float64Array) => v as never,
  });
  const ctx = { i: 0 } as never as Parameters<typeof s.buy>[0];
  const out = new Uint8Array(frame.length);
  for (let i = 0; i < frame.length; i++) {
    (ctx as { i: number }).i = i;
    out[i] = s.buy(ctx, state) ? 1 : 0;
  }
  return out;
}

const BUY_TREND = `
# 상승 추세 매수: 평균 위, 매수세 우위
매수 = True
if not (-1 <= 등락율 <= 25):
    매수 = False
elif 현재가 <= 이동평균(self.vars[0]):
    매수 = False
elif not (체결강도 >= self.vars[1] and 초당매수수량 > 초당매도수량):
    매수 = False
if 매수:
    self.Buy(종목코드, 현재가, 매도호가1, 매수호가1, 매수수량, 데이터길이)

self.vars[0] = [[10, 60, 10], 30]
self.vars[1] = [[90, 120, 10], 100]
`;
const SELL_BRACKET = `매도 = False
if 수익률 <= -0.4 or 수익률 >= 0.4:
    매도 = True
elif 보유시간 >= 300:
    매도 = True
if 매도:
    self.Sell(종목코드, 종목명, 매도수량, 현재가, 매도호가1, 매수호가1, 강제청산)
`;

describe("STOM texts compiled to tick strategies", () => {
  it("self.vars ranges become parameters with STOM's [[start, end, step], best]", () => {
    const s = compileStom(BUY_TREND, SELL_BRACKET);
    expect(s.params).toEqual({
      vars0: { default: 30, min: 10, max: 60, step: 10, integer: true },
      vars1: { default: 100, min: 90, max: 120, step: 10, integer: true },
    });
    // a descending range and float values
    const f = compileStom(
      "매수 = 현재가 > self.vars[2]\nself.vars[2] = [[3.0, 1.0, -0.5], 2.5]",
      "매도 = False",
    );
    expect(f.params).toEqual({ vars2: { default: 2.5, min: 1, max: 3, step: 0.5, integer: false } });
  });

  it("if/elif chains, chained comparisons, and/or/not match the same rules written in JS on every row", () => {
    const frame = coin[0];
    const c = cols(frame);
    const got = decisions(BUY_TREND, frame, { vars0: 20, vars1: 100 });
    let buys = 0;
    for (let i = 0; i < frame.length; i++) {
      // a plain loop mean, independent of the rolling indicator
      let ma = Number.NaN;
      if (i >= 19) {
        ma = 0;
        for (let k = i - 19; k <= i; k++) ma += c.현재가[k];
        ma /= 20;
      }
      const want =
        -1 <= c.등락율[i] &&
        c.등락율[i] <= 25 &&
        !(c.현재가[i] <= ma) &&
        c.체결강도[i] >= 100 &&
        c.초당매수수량[i] > c.초당매도수량[i];
      expect(got[i], `row ${i}`).toBe(want ? 1 : 0);
      buys += got[i];
    }
    expect(buys).toBeGreaterThan(50);
    expect(buys).toBeLessThan(frame.length / 2);
  });

  it("arithmetic follows Python: // and % floor, ** powers, round half to even, nested if/else", () => {
    const frame = coin[0];
    const c = cols(frame);
    const text = `
매수 = False
틱 = 현재가 // 1000 % 7
if 틱 >= 3:
    if 현재가N(1) < 현재가 and 2 ** 3 == 8:
        매수 = True
    else:
        매수 = round(체결강도) % 2 == 0
elif -현재가 % 1000 == 0:
    매수 = True
if 매수:
    self.Buy()
`;
    const got = decisions(text, frame);
    const pyMod = (a: number, b: number) => ((a % b) + b) % b;
    const pyRound = (x: number) => {
      const r = Math.round(x);
      return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
    };
    let ones = 0;
    for (let i = 0; i < frame.length; i++) {
      const tick = pyMod(Math.floor(c.현재가[i] / 1000), 7);
      let want: boolean;
      if (tick >= 3) want = i > 0 && c.현재가[i - 1] < c.현재가[i] ? true : pyRound(c.체결강도[i]) % 2 === 0;
      else want = pyMod(-c.현재가[i], 1000) === 0;
      expect(got[i], `row ${i}`).toBe(want ? 1 : 0);
      ones += got[i];
    }
    expect(ones).toBeGreaterThan(0);
    expect(ones).toBeLessThan(frame.length);
  });

  it("시분초 is hhmmss in the market's zone (KST for KRX minute DBs)", () => {
    const frame = stock[0];
    const got = decisions("매수 = 93000 <= 시분초 < 100000", frame, {}, KST);
    const c = cols(frame);
    let n = 0;
    for (let i = 0; i < frame.length; i++) {
      const d = new Date(c.time[i] + KST);
      const hhmm = d.getUTCHours() * 100 + d.getUTCMinutes();
      expect(got[i]).toBe(hhmm >= 930 && hhmm < 1000 ? 1 : 0);
      n += got[i];
    }
    expect(n).toBe(30); // 09:30 .. 09:59, one bar per minute in the Creon day
  });

  it("경과틱수('name') counts ticks since a named condition last held (STOM's 경과틱수설정)", () => {
    const frame = coin[0];
    const c = cols(frame);
    const s = compileStom("매수 = 경과틱수('급등') == 3", "매도 = False", {
      conditions: { 급등: "초당거래대금 > 50000000" },
    });
    const columns: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(frame.columns)) if (v instanceof Float64Array) columns[k] = v;
    const st = s.init({
      symbol: frame.symbol,
      length: frame.length,
      columns,
      params: {},
      I: (v) => v as never,
    });
    let last = 0;
    let hits = 0;
    for (let i = 0; i < frame.length; i++) {
      if (c.초당거래대금[i] > 50_000_000) last = i;
      const want = last !== 0 && i - last === 3;
      expect(s.buy({ i } as never, st)).toBe(want);
      hits += want ? 1 : 0;
    }
    expect(hits).toBeGreaterThan(3);
  });
});

describe("STOM texts run on the STOM fixture DBs", () => {
  it("a text strategy and the same strategy written in TypeScript give identical trades (coin_tick)", () => {
    const text = compileStom(BUY_TREND, SELL_BRACKET);
    const hand = defineTickStrategy({
      params: { n: { default: 30 }, strength: { default: 100 } },
      init: (ctx) => ({ ma: ctx.I(이동평균(ctx.columns.현재가, ctx.params.n), "ma") }),
      buy: (ctx, { ma }) => {
        const 등락율 = ctx.col("등락율").value;
        return (
          -1 <= 등락율 &&
          등락율 <= 25 &&
          !(ctx.price.value <= ma.value) &&
          ctx.col("체결강도").value >= ctx.params.strength &&
          ctx.col("초당매수수량").value > ctx.col("초당매도수량").value
        );
      },
      sell: (ctx) => ctx.수익률 <= -0.4 || ctx.수익률 >= 0.4 || ctx.보유시간 >= 300,
    });
    for (const [vars0, vars1] of [
      [30, 100],
      [20, 90],
    ]) {
      const a = runTicks(text, coin, { ...UPBIT, params: { vars0, vars1 } });
      const b = runTicks(hand, coin, { ...UPBIT, params: { n: vars0, strength: vars1 } });
      expect(a.trades.length).toBeGreaterThan(5);
      sameTrades(a, b);
      expect(a.stats.tpi).toBe(b.stats.tpi);
      // STOM's same-snapshot fill as an option
      sameTrades(
        runTicks(text, coin, { ...UPBIT, fillOn: "same", params: { vars0, vars1 } }),
        runTicks(hand, coin, { ...UPBIT, fillOn: "same", params: { n: vars0, strength: vars1 } }),
      );
    }
  });

  it("five KRX symbols from a stock_min DB: interest list, 시분초 window and trailing exit match a TS twin", () => {
    const buy = `매수 = True
if not (관심종목 == 1):
    매수 = False
elif not (90500 <= 시분초 <= 143000):
    매수 = False
elif not (현재가 >= 최고현재가(5) and 체결강도 >= 100):
    매수 = False
if 매수:
    self.Buy()
`;
    const sell = `매도 = False
if 수익률 <= -1 or 수익률 >= 1.5:
    매도 = True
elif 최고수익률 > 0.5 and 최고수익률 - 수익률 >= 0.4:
    매도 = True
elif 보유시간 >= 1800:
    매도 = True
if 매도:
    self.Sell()
`;
    const opts = {
      cash: 30_000_000,
      budget: 5_000_000,
      maxPositions: 3,
      costs: costPreset("krx"),
      utcOffsetMs: KST,
      interest: moneytop,
    };
    const text = compileStom(buy, sell, { utcOffsetMs: KST });
    const hand = defineTickStrategy({
      params: {},
      init: (ctx) => ({ hi: ctx.I(최고현재가(ctx.columns.현재가, 5), "hi") }),
      buy: (ctx, { hi }) => {
        const d = new Date(ctx.time + KST);
        const hms = d.getUTCHours() * 10_000 + d.getUTCMinutes() * 100 + d.getUTCSeconds();
        return (
          ctx.col("관심종목").value === 1 &&
          90500 <= hms &&
          hms <= 143000 &&
          ctx.price.value >= hi.value &&
          ctx.col("체결강도").value >= 100
        );
      },
      sell: (ctx) =>
        ctx.수익률 <= -1 ||
        ctx.수익률 >= 1.5 ||
        (ctx.최고수익률 > 0.5 && ctx.최고수익률 - ctx.수익률 >= 0.4) ||
        ctx.보유시간 >= 1800,
    });
    const a = runTicks(text, stock, opts);
    const b = runTicks(hand, stock, opts);
    expect(a.trades.length).toBeGreaterThan(5);
    sameTrades(a, b);
    expect(new Set(a.trades.symbol).size).toBeGreaterThan(1);
    // every position is closed the same day (STOM closes at the day's end)
    for (let k = 0; k < a.trades.length; k++)
      expect(Math.floor((a.trades.exitTime[k] + KST) / 86_400_000)).toBe(
        Math.floor((a.trades.entryTime[k] + KST) / 86_400_000),
      );
  });

  it("optimizes self.vars through the optimizer with a STOM objective (TPI) and bound", async () => {
    const s = compileStom(BUY_TREND, SELL_BRACKET);
    const space = searchSpace(s.params, { vars0: { start: 10, end: 30, step: 10 }, vars1: [90, 100] });
    const res = await optimize(stomRunner(s, coin, UPBIT), {
      space,
      method: "grid",
      objective: "TPI",
      bounds: "trades >= 3",
    });
    expect(res.trials).toBe(6);
    expect(res.best).toBeDefined();
    // the best equals a direct run with its parameters
    const direct = runTicks(s, coin, { ...UPBIT, params: res.best?.params });
    expect(res.best?.value).toBe(direct.stats.tpi);
    for (const t of res.top) expect(t.value).toBeLessThanOrEqual(res.best?.value as number);
  });
});

describe("STOM text errors point at the line and column", () => {
  const cases: [string, string, number, number, RegExp][] = [
    ["missing colon", "매수 = True\nif 현재가 > 1000\n    매수 = False\n", 2, 14, /expected ':'/],
    ["bad dedent", "if 현재가 > 1:\n        매수 = False\n    매수 = True\n", 3, 5, /unindent/],
    [
      "unknown name",
      "매수 = True\nif 체결강동 > 100:\n    매수 = False\n",
      2,
      4,
      /unknown name '체결강동', did you mean '체결강도'/,
    ],
    [
      "unknown helper",
      "매수 = 현재가 > 이동평귱(60)\n",
      1,
      12,
      /unknown function '이동평귱', did you mean '이동평균'/,
    ],
    [
      "sell value in buy text",
      "매수 = True\nif 수익률 > 1:\n    매수 = False\n",
      2,
      4,
      /only known in the sell text/,
    ],
    ["vars without range", "매수 = 현재가 > 이동평균(self.vars[3])\n", 1, 17, /self\.vars\[3\] has no range/],
    ["unclosed bracket", "매수 = (현재가 > 1\n", 1, 6, /unclosed '\('/],
    ["unsupported loop", "매수 = True\nfor x in 현재가:\n    pass\n", 2, 1, /unsupported statement 'for'/],
    [
      "stray elif",
      "매수 = True\nelif 현재가 > 1:\n    매수 = False\n",
      2,
      1,
      /'elif' without a matching 'if'/,
    ],
    [
      "helper arg not constant",
      "매수 = 현재가 > 이동평균(체결강도)\n",
      1,
      17,
      /must be numbers or self.vars/,
    ],
    ["sell order in buy text", "매수 = True\nif 매수:\n    self.Sell()\n", 3, 5, /belongs in the sell text/],
    ["bad character", "매수 = 현재가 > 1 ? 2\n", 1, 14, /unexpected character '\?'/],
  ];
  for (const [what, text, line, column, message] of cases) {
    it(what, () => {
      let err: unknown;
      try {
        compileStom(text, "매도 = False", { buyFile: "buy.txt" });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StomSyntaxError);
      const e = err as StomSyntaxError;
      expect(e.reason).toMatch(message);
      expect([e.line, e.column]).toEqual([line, column]);
      expect(e.message.startsWith(`buy.txt:${line}:${column}: `)).toBe(true);
    });
  }

  it("a column the data lacks fails at init, naming the symbol and the place in the text", () => {
    const s = compileStom("매수 = True\nif 시가총액 < 3000:\n    매수 = False\n", "매도 = False");
    expect(() => runTicks(s, coin, UPBIT)).toThrow(/buy:2:4: column 시가총액 is not in the data of KRW-BTC/);
  });
});
