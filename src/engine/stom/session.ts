// STOM texts fed one live snapshot at a time, on the kernel backtestStom drives (kernel.ts).
import { suggest } from "../params.ts";
import { type StomBacktestOptions, type StomRun, sortTrades } from "./backtest.ts";
import type { StomProgram } from "./compile.ts";
import { StomColumns, StomDesk, type StomExecutor, StomSymbol } from "./kernel.ts";
import { type StomLiveOptions, type StomLiveRules, stomLiveRules } from "./live.ts";
import { stomVars } from "./runner.ts";
import { msToStomIndex } from "./time.ts";
import type { StomFill } from "./trade.ts";

export interface StomSessionOptions extends StomBacktestOptions {
  /** every symbol the session may see, in backtestStom's input order (equal times go to the first) */
  readonly symbols: readonly string[];
  /** 종목명 by code (stock DBs' codename); the code when absent */
  readonly names?: Readonly<Record<string, string>>;
  /** `vars<n>` values over the ranges' best values (as runStom) */
  readonly params?: Readonly<Record<string, unknown>>;
  /**
   * STOM's live-trader rules (live.ts, docs/stom.md "Live"): snapshots are decided as they arrive, the
   * day ends at 전략종료시간. Without it the session is STOM's backtester, snapshot by snapshot.
   */
  readonly live?: StomLiveOptions;
  /** a live venue: the session asks it to buy and sell and books what it reports through fill() */
  readonly executor?: StomExecutor;
}

/** An open position as the bridge shows it. */
export interface StomPosition {
  readonly symbol: string;
  readonly qty: number;
  /** 매수가 */
  readonly entryPrice: number;
  /** the snapshot's STOM index of the buy */
  readonly entryIndex: number;
}

interface Slot {
  readonly no: number;
  readonly name: string;
  data: StomColumns | null;
  times: Float64Array;
  symbol: StomSymbol | null;
}

const NO_FILLS: readonly StomFill[] = Object.freeze([]);

const OPTION_KEYS = [
  "symbols",
  "names",
  "params",
  "live",
  "executor",
  "betting",
  "avgTicks",
  "avgList",
  "buyDepth",
  "sellDepth",
  "fill",
  "vars",
  "varsZeroIsAvg",
  "clock",
  "maxPositions",
  "cash",
];
const LIVE_KEYS = [
  "maxPositions",
  "budget",
  "cash",
  "capital",
  "lossStop",
  "profitStop",
  "endTime",
  "liquidate",
];

/** Refuses an option name the session does not know, with a did-you-mean. */
function checkKeys(what: string, given: object | undefined, known: readonly string[]): void {
  for (const key of Object.keys(given ?? {})) {
    if (known.includes(key)) continue;
    const near = suggest(key, known);
    throw new Error(`unknown ${what}: ${key}${near ? `, did you mean ${near}?` : ""}`);
  }
}

/**
 * STOM texts run live: each push appends one snapshot (its `time` in UTC ms and STOM's columns as the
 * catalog stores them; `index` is derived from `time` when absent) to its symbol's growing columns and
 * runs the kernel step backtestStom runs, so AddAvgData's windows, 경과틱수 and TA-Lib values are the
 * backtest's.
 *
 * Without `live`, the session is STOM's backtester one snapshot at a time: the day's last snapshot runs
 * no text and closes what is held (LastSell), and that is known only from the next snapshot, so each
 * snapshot is decided when its symbol's next one (or any later day's, or endDay()) arrives. Pushed in
 * time order (equal times in `symbols` order), result() equals backtestStom over the same rows.
 *
 * With `live`, snapshots are decided as they arrive, under STOM's live-trader rules: 최대매수종목수,
 * 투자금, 손실중지/수익중지, 전략종료시간 (which closes the day), orders in flight (live.ts).
 *
 *     const session = new StomSession(compileStom(buy, sell, { kind }), { symbols: ["005930"], live: {} });
 *     for (const [symbol, row] of feed) for (const fill of session.push(symbol, row)) journal(fill);
 */
export class StomSession {
  readonly symbols: readonly string[];
  readonly rules: StomLiveRules | null;
  readonly #program: StomProgram;
  readonly #desk: StomDesk;
  readonly #slots = new Map<string, Slot>();
  readonly #names: Readonly<Record<string, string>>;
  /** held-back snapshots (no `live`): decided once their day's end is known, in push order */
  readonly #queue: { slot: Slot; r: number }[] = [];
  #head = 0;
  #lastTime = Number.NEGATIVE_INFINITY;
  #day = Number.NaN;
  /** 전략종료시간 has passed today (the trader's JangoCheongsan ran) */
  #ended = false;

  constructor(program: StomProgram, options: StomSessionOptions) {
    checkKeys("session option", options, OPTION_KEYS);
    checkKeys("live option", options.live, LIVE_KEYS);
    const { symbols, names = {}, params, live, executor, ...rest } = options;
    if (!symbols?.length) throw new Error("invalid symbols: none given");
    const vars = rest.vars ?? stomVars(program, params);
    this.rules = live ? stomLiveRules(program.kind, live) : null;
    const rules = this.rules;
    const desk = new StomDesk(program, {
      varsZeroIsAvg: program.vars.has(0),
      ...rest,
      vars,
      ...(rules
        ? {
            betting: live?.budget !== undefined ? rules.betting : (rest.betting ?? rules.betting),
            maxPositions: rules.maxPositions,
            cash: rules.cash ?? rest.cash,
          }
        : {}),
    });
    desk.live = rules;
    desk.executor = executor ?? null;
    this.#program = program;
    this.#desk = desk;
    this.#names = names;
    this.symbols = Object.freeze([...symbols]);
    this.symbols.forEach((name, no) => {
      if (this.#slots.has(name)) throw new Error(`invalid symbols: ${name} is listed twice`);
      this.#slots.set(name, { no, name, data: null, times: new Float64Array(64), symbol: null });
    });
  }

  #slot(symbol: string): Slot {
    const slot = this.#slots.get(symbol);
    if (!slot) throw new Error(`unknown symbol: ${symbol} (the session has ${this.symbols.join(", ")})`);
    return slot;
  }

  #collect(run: () => void): readonly StomFill[] {
    const fills: StomFill[] = [];
    this.#desk.fills = fills;
    try {
      run();
    } finally {
      this.#desk.fills = null;
    }
    return fills.length ? fills : NO_FILLS;
  }

  /** Appends the row to its symbol's columns (the first row fixes the columns); returns its row number. */
  #append(slot: Slot, row: Readonly<Record<string, number>>, time: number): number {
    const desk = this.#desk;
    const index = typeof row.index === "number" ? row.index : msToStomIndex(time, desk.offsetMs, desk.tick);
    if (!slot.data) {
      const cols: Record<string, Float64Array> = {};
      for (const [name, v] of Object.entries(row))
        if (name !== "time" && typeof v === "number") cols[name] = new Float64Array(64);
      cols.index = new Float64Array(64);
      const data = new StomColumns(cols, 0, true);
      // a row lacking a column the engine or the texts need is refused before anything is kept
      slot.symbol = new StomSymbol(
        desk,
        slot.no,
        slot.name,
        this.#names[slot.name] ?? slot.name,
        data,
        () => slot.times,
      );
      slot.data = data;
    }
    const data = slot.data;
    const r = data.length;
    data.append(row, index);
    if (slot.times.length <= r) {
      const t = new Float64Array(slot.times.length * 2);
      t.set(slot.times);
      slot.times = t;
    }
    slot.times[r] = time;
    return r;
  }

  /**
   * One snapshot of `symbol`: `time` (UTC ms, not before the last push) and STOM's columns. Returns the
   * fills it caused (in executor mode: none; the venue's come back through fill()).
   */
  push(symbol: string, row: Readonly<Record<string, number>>): readonly StomFill[] {
    const slot = this.#slot(symbol);
    const time = row.time;
    if (typeof time !== "number" || !Number.isFinite(time))
      throw new Error(`invalid time: ${time} (symbol ${symbol})`);
    if (time < this.#lastTime)
      throw new Error(`snapshot at ${time} is before the last one (${this.#lastTime})`);
    this.#lastTime = time;
    const r = this.#append(slot, row, time);
    const desk = this.#desk;
    const data = slot.data as StomColumns;
    const day = Math.floor(data.cols.index[r] / desk.dayDiv);
    return this.#collect(() => {
      if (!this.rules) {
        const newDay = day !== this.#day;
        this.#day = day;
        // the earlier day's held-back snapshots close it; its 수익금 is not today's
        this.#drain(false);
        if (newDay) desk.realizedToday = 0;
        this.#queue.push({ slot, r });
        return;
      }
      if (day !== this.#day) {
        // a new trading day: the trader's day P&L, 매수전략중지 and 잔고청산 start over
        this.#day = day;
        this.#ended = false;
        desk.buyStopped = false;
        desk.realizedToday = 0;
      }
      (slot.symbol as StomSymbol).step(r, false);
      this.#liveRules(desk, data.cols.index[r]);
    });
  }

  /** Decides the held-back snapshots whose day's end is now known (all of them at the day's end). */
  #drain(all: boolean): void {
    const q = this.#queue;
    const div = this.#desk.dayDiv;
    while (this.#head < q.length) {
      const { slot, r } = q[this.#head];
      const index = (slot.data as StomColumns).cols.index;
      const n = (slot.data as StomColumns).length;
      const day = Math.floor(index[r] / div);
      let dayEnd: boolean;
      if (r + 1 < n) dayEnd = Math.floor(index[r + 1] / div) !== day;
      else if (all || this.#day > day) dayEnd = true;
      else break;
      this.#head++;
      (slot.symbol as StomSymbol).step(r, dayEnd);
    }
    if (this.#head === q.length) {
      q.length = 0;
      this.#head = 0;
    }
  }

  /** The trader's rules over all symbols after a snapshot at `index` (live.ts). */
  #liveRules(desk: StomDesk, index: number): void {
    const rules = this.rules as StomLiveRules;
    const hms = desk.tick ? index % 1e6 : (index % 1e4) * 100;
    // Scheduler: `전략종료시간 < inthms` runs JangoCheongsan('자동') once; it sells only with 잔고청산 (kiwoom_trader.py:353, 439)
    if (hms > rules.endTime && !this.#ended) {
      this.#ended = true;
      if (rules.liquidate) this.#closeAll(0);
    }
    if (rules.lossStop === false && rules.profitStop === false) return;
    // UpdateTotaljango: 평가손익 of what is held plus today's 수익금 against 추정예탁자산 (kiwoom_trader.py:839-845)
    let tsg = desk.realizedToday;
    for (const slot of this.#slots.values()) {
      const p = slot.symbol?.pos;
      if (!p || !slot.symbol) continue;
      const price = (slot.data as StomColumns).cols.현재가[slot.symbol.last];
      tsg += desk.fees(p.qty * p.bp, p.qty * price).sg;
    }
    const capital = rules.capital as number;
    const loss = rules.lossStop !== false && (capital * rules.lossStop) / 100 < -tsg;
    const profit = rules.profitStop !== false && (capital * rules.profitStop) / 100 < tsg;
    if (loss || profit) {
      // StrategyStop: 매수전략중지, then JangoCheongsan('수동') sells everything (kiwoom_trader.py:863-866)
      desk.buyStopped = true;
      this.#closeAll(0, loss ? "손실중지" : "수익중지");
    }
  }

  #closeAll(cond: number, reason?: string): void {
    for (const slot of this.#slots.values()) {
      const s = slot.symbol;
      if (s?.pos) s.closeOut(s.last, cond, reason);
    }
  }

  /**
   * The day is over: without `live`, the held-back snapshots are decided as the data's last (the day's
   * last snapshot closes what is held, as in the backtest); with `live`, what is still held is sold on
   * its symbol's last snapshot (전략종료청산). Pushes of a later day may follow.
   */
  endDay(): readonly StomFill[] {
    return this.#collect(() => {
      if (!this.rules) this.#drain(true);
      else this.#closeAll(0);
    });
  }

  /**
   * A venue's report of the order in flight on `symbol` (executor mode): booked at `avgPrice` on the
   * symbol's latest snapshot, at `time` (UTC ms); qty 0 means it ended unfilled. Returns the fill.
   */
  fill(
    symbol: string,
    side: "buy" | "sell",
    qty: number,
    avgPrice: number,
    time: number,
  ): readonly StomFill[] {
    const s = this.#slot(symbol).symbol;
    if (!s) throw new Error(`no ${side} order in flight for ${symbol}`);
    return this.#collect(() => s.filled(side, qty, avgPrice, time));
  }

  /** Forgets the venue order in flight on `symbol` (refused or cancelled there: STOM's 매수취소/매도취소). */
  cancel(symbol: string): void {
    const s = this.#slot(symbol).symbol;
    if (s) s.awaiting = null;
  }

  /** What backtestStom returns over the rows pushed so far; ends the day first (endDay). */
  result(): StomRun {
    this.endDay();
    const desk = this.#desk;
    return { trades: sortTrades([...desk.trades]), days: desk.days.size, snapshots: desk.snapshots };
  }

  /** free cash under the live rules' 추정예수금 (Infinity when unlimited) */
  get cash(): number {
    return this.#desk.cash;
  }

  /** 수익금 of the trades closed today (the day of the last push) */
  get dayPnl(): number {
    return this.#desk.realizedToday;
  }

  /** positions held */
  get openPositions(): number {
    return this.#desk.open;
  }

  /** The position held on `symbol`, or null. */
  position(symbol: string): StomPosition | null {
    const s = this.#slot(symbol);
    const p = s.symbol?.pos;
    if (!p || !s.data) return null;
    return Object.freeze({ symbol, qty: p.qty, entryPrice: p.bp, entryIndex: s.data.cols.index[p.row] });
  }

  /** The compiled program the session runs. */
  get program(): StomProgram {
    return this.#program;
  }
}
