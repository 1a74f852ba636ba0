// StomSession: STOM texts fed one snapshot at a time on the kernel backtestStom drives. Pushed in time
// order, the session's trades are backtestStom's (and STOM's own, on the shared oracle cases); with
// `live`, STOM's live-trader rules (docs/stom.md "Live") apply; with an executor, a venue fills.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  backtestStom,
  compileStom,
  KST_OFFSET_MS,
  STOM_COLUMNS,
  type StomBacktestOptions,
  type StomFill,
  type StomInput,
  type StomKind,
  type StomProgram,
  StomSession,
  type StomSessionOptions,
  type StomTrade,
  stomIndexToMs,
  stomLiveDefaults,
} from "../../../src/engine/stom/index.ts";
import { needShared } from "../../support/paths.ts";
import { loadStomDb, STOM_CASES } from "../../support/stom-cases.ts";

const tickKind = (kind: StomKind) => kind.endsWith("_tick");
const pad = (x: number) => String(x).padStart(2, "0");

/**
 * `rows` snapshots a day from 09:00 (seconds on tick kinds, minutes on minute kinds) for one symbol:
 * 현재가 from `price(r, day)`, 체결강도 from `strength(r, day)`, a deep book around the price.
 */
function synth(
  kind: StomKind,
  symbol: string,
  days: readonly string[],
  rows: number,
  price: (r: number, day: number) => number,
  strength: (r: number, day: number) => number = (r) => 100 + r,
): StomInput {
  const n = days.length * rows;
  const columns: Record<string, Float64Array> = {};
  for (const name of STOM_COLUMNS[kind]) columns[name] = new Float64Array(n);
  for (let d = 0; d < days.length; d++)
    for (let r = 0; r < rows; r++) {
      const k = d * rows + r;
      const p = price(r, d);
      if (tickKind(kind)) {
        const s = 9 * 3600 + r;
        columns.index[k] = Number(
          `${days[d]}${pad(Math.floor(s / 3600))}${pad(Math.floor(s / 60) % 60)}${pad(s % 60)}`,
        );
      } else {
        const m = 9 * 60 + r;
        columns.index[k] = Number(`${days[d]}${pad(Math.floor(m / 60))}${pad(m % 60)}`);
      }
      columns.현재가[k] = p;
      columns.등락율[k] = 5;
      columns.체결강도[k] = strength(r, d);
      columns.관심종목[k] = 1;
      if (columns.시가총액) columns.시가총액[k] = 3000;
      if (columns.VI해제시간) columns.VI해제시간[k] = Number(`${days[d]}080000`);
      if (columns.분봉고가) {
        columns.분봉시가[k] = p;
        columns.분봉고가[k] = p + 20;
        columns.분봉저가[k] = p - 20;
        columns.분당거래대금[k] = 1000 + (r % 7) * 100;
      }
      for (let l = 1; l <= 5; l++) {
        columns[`매도호가${l}`][k] = p + 10 * l;
        columns[`매수호가${l}`][k] = p - 10 * (l - 1);
        columns[`매도잔량${l}`][k] = 1_000_000;
        columns[`매수잔량${l}`][k] = 1_000_000;
      }
    }
  return { symbol, name: symbol, columns };
}

const ORDERS = new WeakMap<readonly StomInput[], Int32Array>();

/**
 * The inputs' snapshots merged in time order (equal times in input order), as catalog rows: `time` in
 * UTC ms, no `index`. One row object per symbol is refilled for each of its snapshots (the session
 * copies what it is pushed), so a 67,000-snapshot DB replays without 67,000 objects.
 */
function* feed(inputs: readonly StomInput[], kind: StomKind): Generator<[string, Record<string, number>]> {
  const offset = kind.startsWith("stock") ? KST_OFFSET_MS : 0;
  let order = ORDERS.get(inputs);
  if (!order) {
    const all: [number, number, number][] = [];
    inputs.forEach((input, k) => {
      const index = input.columns.index as Float64Array;
      for (let r = 0; r < index.length; r++) all.push([index[r], k, r]);
    });
    all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    order = Int32Array.from(all.flatMap(([, k, r]) => [k, r]));
    ORDERS.set(inputs, order);
  }
  const names = inputs.map((input) => Object.keys(input.columns).filter((c) => c !== "index"));
  const rows = names.map((cols) => Object.fromEntries([["time", 0], ...cols.map((c) => [c, 0])]));
  for (let j = 0; j < order.length; j += 2) {
    const k = order[j];
    const r = order[j + 1];
    const columns = inputs[k].columns as Record<string, Float64Array>;
    const row = rows[k];
    row.time = stomIndexToMs((columns.index as Float64Array)[r], offset);
    for (const name of names[k]) row[name] = columns[name][r];
    yield [inputs[k].symbol, row];
  }
}

/** The feed as separate rows, to push one by one. */
const snapshots = (inputs: readonly StomInput[], kind: StomKind): [string, Record<string, number>][] =>
  Array.from(feed(inputs, kind), ([symbol, row]) => [symbol, { ...row }]);

/** Pushes every snapshot, then ends the day; returns the session and every fill it handed back. */
function replay(
  program: StomProgram,
  inputs: readonly StomInput[],
  options: Omit<StomSessionOptions, "symbols"> = {},
): { session: StomSession; fills: StomFill[] } {
  const session = new StomSession(program, { ...options, symbols: inputs.map((i) => i.symbol) });
  const fills: StomFill[] = [];
  for (const [symbol, row] of feed(inputs, program.kind)) fills.push(...session.push(symbol, row));
  fills.push(...session.endDay());
  return { session, fills };
}

/** The fills a trade list makes: a buy and a sell per trade, in time order. */
function fillsOf(trades: readonly StomTrade[], kind: StomKind): StomFill[] {
  const offset = kind.startsWith("stock") ? KST_OFFSET_MS : 0;
  const out = trades.flatMap((t) => [
    { kind: "buy" as const, symbol: t.code, time: stomIndexToMs(t.buy, offset), price: t.bp, qty: t.qty },
    {
      kind: "sell" as const,
      symbol: t.code,
      time: stomIndexToMs(t.sell, offset),
      price: t.sp,
      qty: t.qty,
      reason: t.cond,
      pnl: t.sg,
    },
  ]);
  return out.sort((a, b) => a.time - b.time || (a.kind === b.kind ? 0 : a.kind === "sell" ? -1 : 1));
}

const byTime = (fills: readonly StomFill[]) =>
  [...fills].sort((a, b) => a.time - b.time || (a.kind === b.kind ? 0 : a.kind === "sell" ? -1 : 1));

const wave = (s: number) => (r: number, d: number) => 10_000 + 10 * Math.round(20 * Math.sin(r / 6 + s + d));
const DAYS = ["20240102", "20240103"];
/** an end time no synthetic day reaches */
const LATE = 235959;

const BUY = [
  "if not (체결강도 >= 체결강도평균(30)):",
  "    매수 = False",
  "elif not (현재가 > 현재가N(1) and 현재가 >= 최고현재가(10)):",
  "    매수 = False",
  "",
].join("\n");
const SELL = [
  "if 수익률 >= 1 or 수익률 <= -1:",
  "    매도 = True",
  "elif 보유시간 > 40 and 현재가 < 이동평균(60):",
  "    매도 = True",
  "",
].join("\n");

describe("StomSession: backtestStom one snapshot at a time", () => {
  const inputs = ["000001", "000002", "000003"].map((s, k) =>
    synth("stock_tick", s, DAYS, 400, wave(k), (r) => 100 + 30 * Math.sin(r / 4 + k)),
  );
  const program = compileStom(BUY, SELL, { kind: "stock_tick" });

  it("gives backtestStom's trades, days and snapshots, and hands back each trade's fills", () => {
    const expected = backtestStom(program, inputs);
    expect(expected.trades.length).toBeGreaterThan(5);
    const { session, fills } = replay(program, inputs);
    expect(session.result()).toEqual(expected);
    expect(byTime(fills)).toEqual(fillsOf(expected.trades, "stock_tick"));
  });

  it("decides a snapshot when its symbol's next one shows it did not close the day", () => {
    const one = [inputs[0]];
    const first = backtestStom(program, one).trades[0];
    const session = new StomSession(program, { symbols: ["000001"] });
    const rows = snapshots(one, "stock_tick");
    const at = rows.findIndex(([, row]) => row.time === stomIndexToMs(first.buy, KST_OFFSET_MS));
    for (let k = 0; k <= at; k++) expect(session.push(...rows[k])).toEqual([]);
    const [buy] = session.push(...rows[at + 1]);
    expect(buy).toEqual({
      kind: "buy",
      symbol: "000001",
      time: rows[at][1].time,
      price: first.bp,
      qty: first.qty,
    });
    expect(session.position("000001")).toMatchObject({ qty: first.qty, entryPrice: first.bp });
  });

  it("equals backtestStom with --fill next and with the max-positions and cash options", () => {
    for (const options of [
      { fill: "next" },
      { maxPositions: 1 },
      { cash: 1_500_000 },
    ] as StomBacktestOptions[]) {
      const expected = backtestStom(program, inputs, options);
      expect(replay(program, inputs, options).session.result(), JSON.stringify(options)).toEqual(expected);
    }
  });

  it("runs a minute text's TA-Lib values and 이동평균 row by row, equal to the whole-column ones", () => {
    const minutes = ["000001", "000002"].map((s, k) => synth("stock_min", s, DAYS, 150, wave(k)));
    const p = compileStom(
      [
        "self.indicator['RSI_timeperiod'] = 14",
        "if not (RSI < 55 and RSI_N(1) < RSI):",
        "    매수 = False",
        "elif not (현재가 > 이동평균(5)):",
        "    매수 = False",
        "",
      ].join("\n"),
      "if 수익률 >= 0.5 or 수익률 <= -0.5 or 보유시간 > 15:\n    매도 = True\n",
      { kind: "stock_min" },
    );
    const expected = backtestStom(p, minutes);
    expect(expected.trades.length).toBeGreaterThan(3);
    expect(replay(p, minutes).session.result()).toEqual(expected);
  });

  it("refuses an unknown symbol, a first row without the book, a row back in time and a row without time", () => {
    const session = new StomSession(program, { symbols: ["000001"] });
    const [[, row]] = feed([inputs[0]], "stock_tick");
    expect(() => session.push("999999", row)).toThrow("unknown symbol: 999999 (the session has 000001)");
    const { 매도호가1: _, ...thin } = row;
    expect(() => session.push("000001", thin)).toThrow("missing column: 매도호가1 (symbol 000001)");
    session.push("000001", row);
    expect(() => session.push("000001", { ...row, time: row.time - 1000 })).toThrow(/is before the last one/);
    expect(() => session.push("000001", { ...row, time: Number.NaN })).toThrow(
      "invalid time: NaN (symbol 000001)",
    );
  });
});

interface Oracle {
  trades: Record<string, number | string>[];
  db: string;
  days: number;
  settings: { betting: number };
  valid_as_expected_output?: boolean;
  caveat?: string;
  stom_error?: string;
}

const { missing } = needShared("stom/cases", "stom/dbs");
const text = (dir: string, file: string) =>
  existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8") : undefined;
/** the cases cases.test.ts checks trade for trade against STOM (valid oracle, no runtime error) */
const oracleCases = missing
  ? []
  : readdirSync(STOM_CASES)
      .sort()
      .filter((name) => {
        const o = JSON.parse(readFileSync(join(STOM_CASES, name, "stom_v1_oracle.json"), "utf8")) as Oracle;
        return !o.stom_error && o.caveat === undefined && o.valid_as_expected_output !== false;
      });
const tradeKey = (t: Record<string, unknown>) => `${t.sell}:${t.name}:${t.buy}`;
const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  tradeKey(a) < tradeKey(b) ? -1 : tradeKey(a) > tradeKey(b) ? 1 : 0;

describe.skipIf(missing)("StomSession on the shared cases: STOM's own trades, snapshot by snapshot", () => {
  it("has the 45 cases STOM's backtester ran", () => {
    expect(oracleCases.length).toBe(45);
  });

  for (const name of oracleCases) {
    it(name, () => {
      const dir = join(STOM_CASES, name);
      const oracle = JSON.parse(readFileSync(join(dir, "stom_v1_oracle.json"), "utf8")) as Oracle;
      const kind = (text(dir, "kind") as string).trim() as StomKind;
      const program = compileStom(text(dir, "buy.txt") as string, text(dir, "sell.txt") as string, {
        kind,
        vars: text(dir, "vars.txt"),
        gaVars: text(dir, "ga_vars.txt"),
      });
      const vars: number[] = [];
      for (const [k, v] of program.vars) vars[k] = v.best;
      const options = { betting: oracle.settings.betting, vars, varsZeroIsAvg: program.vars.has(0) };
      const inputs = loadStomDb(oracle.db);
      const got = replay(program, inputs, options).session.result();
      expect(got).toEqual(backtestStom(program, inputs, options));
      expect(got.days).toBe(oracle.days);
      const trades = got.trades
        .map((t) => ({
          name: t.code,
          buy: t.buy,
          sell: t.sell,
          hold: t.hold,
          bp: t.bp,
          sp: t.sp,
          bg: t.bg,
          pg: t.pg,
          pp: t.pp,
          sg: t.sg,
          cond: t.cond,
        }))
        .sort(byKey);
      expect(trades).toEqual([...oracle.trades].sort(byKey));
    });
  }
});

describe.skipIf(missing)("StomSession live on a shared DB", () => {
  it("a02 (stock_min) under 최대매수종목수 2 and 전략종료시간 15:00: never more than 2 held, nothing bought after it", () => {
    const dir = join(STOM_CASES, "a02_example_stock_min");
    const program = compileStom(text(dir, "buy.txt") as string, text(dir, "sell.txt") as string, {
      kind: "stock_min",
    });
    const inputs = loadStomDb("stock_min_movers_vi_rich.db");
    const { session, fills } = replay(program, inputs, {
      live: { maxPositions: 2, budget: 1_000_000, endTime: 150000 },
    });
    let held = 0;
    let most = 0;
    for (const f of fills) {
      held += f.kind === "buy" ? 1 : -1;
      most = Math.max(most, held);
    }
    expect(most).toBe(2);
    expect(held).toBe(0);
    expect(session.openPositions).toBe(0);
    const hms = (t: number) => {
      const d = new Date(t + KST_OFFSET_MS);
      return d.getUTCHours() * 10000 + d.getUTCMinutes() * 100 + d.getUTCSeconds();
    };
    const buys = fills.filter((f) => f.kind === "buy");
    expect(buys.length).toBeGreaterThan(2);
    expect(buys.every((f) => hms(f.time) < 150000)).toBe(true);
  });
});

describe("StomSession live: STOM's live-trader rules", () => {
  // every symbol buys on the day's first decidable snapshot and holds (the sell text never fires)
  const BUY_ALL = "if not (현재가 > 0):\n    매수 = False\n";
  const HOLD = "if 수익률 > 1000:\n    매도 = True\n";
  const flat = () => 10_000;

  it("defaults to STOM's settings DB (utility/database_check.py:70, 80)", () => {
    expect(stomLiveDefaults("stock_tick")).toMatchObject({
      maxPositions: 10,
      betting: 20_000_000,
      endTime: 93000,
      liquidate: true,
      lossStop: false,
      profitStop: false,
    });
    expect(stomLiveDefaults("coin_min")).toMatchObject({ betting: 1_000_000_000, endTime: 235000 });
    const p = compileStom(BUY_ALL, HOLD, { kind: "stock_tick" });
    expect(() => new StomSession(p, { symbols: ["a"], live: { lossStop: 2 } })).toThrow(
      "loss stop needs capital (STOM's 추정예탁자산)",
    );
    expect(() => new StomSession(p, { symbols: ["a"], live: { maxPositions: 0 } })).toThrow(
      "invalid max positions: 0",
    );
    expect(() => new StomSession(p, { symbols: ["a"], live: { endtime: 90000 } as object })).toThrow(
      "unknown live option: endtime, did you mean endTime?",
    );
    expect(() => new StomSession(p, { symbols: ["a"], beting: 1 } as StomSessionOptions)).toThrow(
      "unknown session option: beting, did you mean betting?",
    );
  });

  it("최대매수종목수 refuses the buy beyond the cap; 투자금 sizes each buy", () => {
    const inputs = ["000001", "000002", "000003"].map((s) => synth("stock_tick", s, ["20240102"], 60, flat));
    const p = compileStom(BUY_ALL, HOLD, { kind: "stock_tick" });
    const { session, fills } = replay(p, inputs, {
      live: { maxPositions: 2, budget: 1_000_000, endTime: LATE },
    });
    const buys = fills.filter((f) => f.kind === "buy");
    expect(buys.map((f) => f.symbol)).toEqual(["000001", "000002"]);
    // 투자금 1,000,000 at 10,010 (the ask) buys int(1,000,000 / 10,000) = 100 shares
    expect(buys.map((f) => f.qty)).toEqual([100, 100]);
    expect(session.position("000003")).toBeNull();
    // the backtester has no cap: all three buy
    expect(backtestStom(p, inputs).trades).toHaveLength(3);
  });

  it("손실중지 stops buying for the day and sells everything; the next day buys again", () => {
    // the price falls 10 won a snapshot from the 35th on
    const falling = (r: number) => (r < 35 ? 10_000 : 10_000 - 10 * (r - 35));
    const inputs = ["000001", "000002"].map((s) => synth("stock_tick", s, DAYS, 80, falling));
    const p = compileStom(BUY_ALL, HOLD, { kind: "stock_tick" });
    const live = { budget: 1_000_000, capital: 10_000_000, lossStop: 0.1, endTime: LATE };
    const { fills } = replay(p, inputs, { live });
    const day1 = fills.filter((f) => f.time < stomIndexToMs(20240103000000, KST_OFFSET_MS));
    const sells = day1.filter((f) => f.kind === "sell");
    expect(sells.map((f) => [f.symbol, f.reason])).toEqual([
      ["000001", "손실중지"],
      ["000002", "손실중지"],
    ]);
    // today's loss passed 0.1% of 추정예탁자산 (10,000 won) at the stop, not before
    const loss = -sells.reduce((s, f) => s + (f.pnl as number), 0);
    expect(loss).toBeGreaterThan(10_000);
    // no buy after the stop that day, though the buy text would (매수전략중지)
    expect(day1.filter((f) => f.kind === "buy")).toHaveLength(2);
    const day2 = fills.filter((f) => f.time >= stomIndexToMs(20240103000000, KST_OFFSET_MS));
    expect(day2.filter((f) => f.kind === "buy")).toHaveLength(2);
  });

  it("수익중지 does the same on today's profit", () => {
    const rising = (r: number) => (r < 35 ? 10_000 : 10_000 + 10 * (r - 35));
    const inputs = [synth("stock_tick", "000001", ["20240102"], 80, rising)];
    const p = compileStom(BUY_ALL, HOLD, { kind: "stock_tick" });
    const { fills } = replay(p, inputs, {
      live: { budget: 1_000_000, capital: 1_000_000, profitStop: 1, endTime: LATE },
    });
    expect(fills.map((f) => [f.kind, f.reason])).toEqual([
      ["buy", undefined],
      ["sell", "수익중지"],
    ]);
    expect(fills[1].pnl).toBeGreaterThan(10_000);
  });

  it("전략종료시간: no text after it, and what is held is sold once it has passed (잔고청산)", () => {
    const inputs = [synth("stock_tick", "000001", ["20240102"], 120, flat)];
    const p = compileStom(BUY_ALL, HOLD, { kind: "stock_tick" });
    const end = 90100; // 09:01:00 KST
    const { fills } = replay(p, inputs, { live: { budget: 1_000_000, endTime: end } });
    expect(fills.map((f) => [f.kind, f.reason, f.time])).toEqual([
      ["buy", undefined, stomIndexToMs(20240102090029, KST_OFFSET_MS)],
      // the first snapshot after 09:01:00
      ["sell", "전략종료청산", stomIndexToMs(20240102090101, KST_OFFSET_MS)],
    ]);
    // 잔고청산 off: held on past the end time (and sold only when the day is ended by hand)
    const kept = replay(p, inputs, { live: { budget: 1_000_000, endTime: end, liquidate: false } });
    expect(kept.fills.map((f) => f.time)).toEqual([
      stomIndexToMs(20240102090029, KST_OFFSET_MS),
      stomIndexToMs(20240102090159, KST_OFFSET_MS),
    ]);
    // after the end time the buy text does not run: an end before the first decision buys nothing
    expect(replay(p, inputs, { live: { budget: 1_000_000, endTime: 90010 } }).fills).toEqual([]);
  });

  it("decides on arrival; 최고/최저수익률 start at the first 수익률, and 체결강도평균 0 decides nothing", () => {
    const inputs = [synth("stock_tick", "000001", ["20240102"], 60, flat)];
    const p = compileStom(BUY_ALL, "if 최고수익률 < 0:\n    매도 = True\n", { kind: "stock_tick" });
    const session = new StomSession(p, { symbols: ["000001"], live: { budget: 1_000_000, endTime: LATE } });
    const rows = snapshots(inputs, "stock_tick");
    // the 30th snapshot (평균값계산틱수) buys on its own push
    for (let k = 0; k < 29; k++) expect(session.push(...rows[k])).toEqual([]);
    expect(session.push(...rows[29]).map((f) => f.kind)).toEqual(["buy"]);
    // live, 최고수익률 starts at the first 수익률 (below 0 after fees): the next snapshot sells;
    // the backtester starts it at 0 and holds to the day's end
    expect(session.push(...rows[30]).map((f) => f.kind)).toEqual(["sell"]);
    expect(backtestStom(p, inputs).trades.map((t) => t.cond)).toEqual(["전략종료청산"]);
    const still = [synth("stock_tick", "000001", ["20240102"], 60, flat, () => 0)];
    expect(replay(p, still, { live: { budget: 1_000_000, endTime: LATE } }).fills).toEqual([]);
    expect(backtestStom(p, still).trades).toHaveLength(1);
  });
});

describe("StomSession with an executor: a venue fills", () => {
  it("sends the orders, decides nothing on the symbol while one is in flight, books what the venue reports", () => {
    const inputs = [synth("stock_tick", "000001", ["20240102"], 80, (r) => (r < 40 ? 10_000 : 10_200))];
    const p = compileStom("if not (현재가 > 0):\n    매수 = False\n", "if 수익률 >= 1:\n    매도 = True\n", {
      kind: "stock_tick",
    });
    const orders: [string, string, number, number][] = [];
    const executor = {
      buy: (symbol: string, qty: number, time: number) => orders.push(["buy", symbol, qty, time]),
      sell: (symbol: string, qty: number, time: number) => orders.push(["sell", symbol, qty, time]),
    };
    const session = new StomSession(p, {
      symbols: ["000001"],
      live: { budget: 1_000_000, endTime: LATE },
      executor,
    });
    const rows = snapshots(inputs, "stock_tick");
    for (let k = 0; k < 35; k++) expect(session.push(...rows[k])).toEqual([]);
    // one buy order, on the 30th snapshot; none after it while the venue has not answered
    expect(orders).toEqual([["buy", "000001", 100, rows[29][1].time]]);
    expect(session.position("000001")).toBeNull();
    const t = rows[34][1].time + 200;
    expect(session.fill("000001", "buy", 100, 10_010, t)).toEqual([
      { kind: "buy", symbol: "000001", time: rows[34][1].time, price: 10_010, qty: 100 },
    ]);
    expect(session.position("000001")).toMatchObject({ qty: 100, entryPrice: 10_010 });
    for (let k = 35; k < 45; k++) expect(session.push(...rows[k])).toEqual([]);
    // the price jumps on the 41st snapshot: 수익률 >= 1 sends one sell order
    expect(orders.slice(1)).toEqual([["sell", "000001", 100, rows[40][1].time]]);
    const [sell] = session.fill("000001", "sell", 100, 10_200, rows[44][1].time);
    expect(sell).toMatchObject({ kind: "sell", symbol: "000001", price: 10_200, qty: 100 });
    expect(sell.pnl).toBe(session.result().trades[0].sg);
    expect(session.position("000001")).toBeNull();
    expect(() => session.fill("000001", "sell", 100, 10_200, 0)).toThrow(
      "no sell order in flight for 000001",
    );
  });

  it("a refused order (cancel) frees the symbol to decide again", () => {
    const inputs = [synth("stock_tick", "000001", ["20240102"], 40, () => 10_000)];
    const p = compileStom("if not (현재가 > 0):\n    매수 = False\n", "if 수익률 >= 1:\n    매도 = True\n", {
      kind: "stock_tick",
    });
    let buys = 0;
    const session = new StomSession(p, {
      symbols: ["000001"],
      live: { budget: 1_000_000, endTime: LATE },
      executor: { buy: () => buys++, sell: () => {} },
    });
    const rows = snapshots(inputs, "stock_tick");
    for (let k = 0; k < 32; k++) session.push(...rows[k]);
    expect(buys).toBe(1);
    session.cancel("000001");
    session.push(...rows[32]);
    expect(buys).toBe(2);
  });
});
