// STOM's result block (V1.10, Py-CI-Park/STOM@63aa7ef): what its backtester and optimizer print and
// score for one trade list. Every rule below cites the line of STOM it follows:
//   backtester/back_subtotal.py   CollectData (arry_bct), Result (sorting, the held-rows filter)
//   backtester/back_static.py     GetBackResult (@jit, numba) and AddMdd (plain Python + numpy)
// Rounding follows the runtime that computed each number: numba's and numpy's round(x, n) are
// rint(x * 10^n) / 10^n; CPython's round(float, n) is correctly rounded from the exact binary value.

import { npRound } from "../pymath.ts";

/** The fields of a STOM trade the result block needs (STOM's integer time stamps, KST). */
export interface StomTradeLike {
  /** 매수시간: yyyymmddhhmmss (tick DBs) or yyyymmddhhmm (minute DBs) */
  readonly buy: number;
  /** 매도시간, same form as buy */
  readonly sell: number;
  /** 보유시간: seconds on tick DBs, minutes on minute DBs */
  readonly hold: number;
  /** 매수금액 */
  readonly bg: number;
  /** 수익률 % */
  readonly pp: number;
  /** 수익금 */
  readonly sg: number;
}

/** STOM's result tuple (back_static.py:868 + AddMdd's two), by its own variable names. */
export interface StomResultBlock {
  /** 거래횟수 */
  readonly tc: number;
  /** 일평균거래횟수 */
  readonly atc: number;
  /** 익절 (수익금 >= 0) */
  readonly pc: number;
  /** 손절 (수익금 < 0) */
  readonly mc: number;
  /** 승률 % */
  readonly wr: number;
  /** 평균보유기간 */
  readonly ah: number;
  /** 평균수익률 % */
  readonly app: number;
  /** 수익률합계 %: tsg over seed */
  readonly tpp: number;
  /** 수익금합계 */
  readonly tsg: number;
  /** 적정최대보유종목수 */
  readonly mhct: number;
  /** 필요자금 */
  readonly seed: number;
  /** 연간예상수익률 % (linear) */
  readonly cagr: number;
  /** 매매성능지수 */
  readonly tpi: number;
  /** 최대낙폭률 % */
  readonly mdd: number;
  /** 최대낙폭금액 */
  readonly mdd_: number;
}

export const STOM_RESULT_KEYS = [
  "tc",
  "atc",
  "pc",
  "mc",
  "wr",
  "ah",
  "app",
  "tpp",
  "tsg",
  "mhct",
  "seed",
  "cagr",
  "tpi",
  "mdd",
  "mdd_",
] as const satisfies readonly (keyof StomResultBlock)[];

export interface StomResultOptions {
  /** 종목당 배팅금액 (STOM: the UI value × 1,000,000 for KRW) */
  readonly betting: number;
  /** 거래일수: distinct days of the moneytop rows in the backtest window (backtest.py:273-274) */
  readonly days: number;
  /** 'stock' is STOM's ui_gubun 'S' (250 trading days a year), 'coin' is 'C'/'CF' (365) */
  readonly market: "stock" | "coin";
  /**
   * STOM's time grid: the `index` of the DB's `moneytop` rows in the backtest window, ascending
   * (backtest.py:265-278, GetMoneytopQuery back_static.py:108). Without it every second (tick
   * stamps) or minute (minute stamps) inside a trade counts as a row, which is the same thing
   * when moneytop has a row for every second a position is held.
   */
  readonly grid?: ArrayLike<number>;
  /**
   * Which arry_bct rows the 1% trim counts. 'held' (default) drops rows with no position first,
   * as the optimizer's Result does (back_subtotal.py:188) and as STOM's own oracle output shows;
   * 'grid' keeps every grid row, as backtest.py's Report (backtest.py:151) literally does. 'grid'
   * needs `grid`.
   */
  readonly rows?: "held" | "grid";
  /** the trade list's sort key: 매도시간 (default) or 매수시간 (STOM's 백테매수시간기준, back_subtotal.py:95) */
  readonly sortBy?: "sell" | "buy";
  /**
   * A training or validation part (back_subtotal.py Result, :193-210): only the trades whose 매도시간
   * and the arry_bct rows whose time pass this test count, while 수익금합계 is still the running sum
   * over every trade (STOM filters arry_tsg after its cumsum).
   */
  readonly within?: (stamp: number) => boolean;
}

/**
 * STOM's result block for a trade list: GetBackResult then AddMdd (back_static.py:817-868), over
 * the per-row held count and held amount (arry_bct) that back_subtotal.py:102-106 builds.
 *
 *     stomResult(oracle.trades, { betting: 1_000_000, days: 1, market: "stock" })
 *     // { tc: 3, atc: 3, pc: 2, mc: 1, wr: 66.67, ..., seed: 994500, mdd: 2.18, mdd_: 22910 }
 */
export function stomResult(
  trades: readonly StomTradeLike[],
  { betting, days, market, grid, rows = "held", sortBy = "sell", within }: StomResultOptions,
): StomResultBlock {
  if (!(betting > 0) || !Number.isFinite(betting)) throw new Error(`invalid betting: ${betting}`);
  if (market !== "stock" && market !== "coin") throw new Error(`invalid market: ${market}`);
  if (rows !== "held" && rows !== "grid") throw new Error(`invalid rows: ${rows} (expected held or grid)`);
  if (sortBy !== "sell" && sortBy !== "buy")
    throw new Error(`invalid sort key: ${sortBy} (expected sell or buy)`);
  if (rows === "grid" && grid === undefined) throw new Error("rows 'grid' needs the grid (moneytop index)");
  const tc = trades.length;
  if (tc === 0) {
    // GetBackResult returns its zeros (back_static.py:846-848); AddMdd's except gives abs(0), abs(0).
    return freezeBlock(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }
  if (!(days > 0) || !Number.isInteger(days)) throw new Error(`invalid days: ${days}`);
  checkTrades(trades);

  // back_subtotal.py:183-186: DataFrame indexed by str(매도시간) (or 매수시간), sort_index, then
  // 수익금합계 = cumsum. The stamps have one length, so the string order is the numeric order.
  // pandas' quicksort leaves equal stamps in an arbitrary order (and STOM concatenates five
  // collector processes first); this sort is stable, so ties keep the caller's order.
  const key = sortBy === "sell" ? (t: StomTradeLike) => t.sell : (t: StomTradeLike) => t.buy;
  const order = trades.map((_, i) => i).sort((a, b) => key(trades[a]) - key(trades[b]) || a - b);
  const all = order.map((i) => trades[i]);
  // 수익금합계 over every trade, then the part's rows (back_subtotal.py:186, :196-203)
  const running = new Float64Array(all.length);
  all.reduce((sum, t, i) => {
    running[i] = sum + t.sg;
    return running[i];
  }, 0);
  const keep = within ? all.map((t) => within(t.sell)) : all.map(() => true);
  const sorted = all.filter((_, i) => keep[i]);
  const sums = running.filter((_, i) => keep[i]);
  if (sorted.length === 0) return freezeBlock(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  const { mhct, seed } = heldPeaks(all, betting, grid, rows, within);

  // GetBackResult (back_static.py:846-868), numba: sums run element by element in row order.
  let pc = 0;
  let sumHold = 0;
  let sumPp = 0;
  let sumSg = 0;
  let sumPpP = 0;
  let sumPpM = 0;
  for (const t of sorted) {
    sumHold += t.hold;
    sumPp += t.pp;
    sumSg += t.sg;
    if (t.sg >= 0) {
      pc++;
      sumPpP += t.pp;
    } else sumPpM += t.pp;
  }
  const n = sorted.length;
  const mc = n - pc;
  const atc = npRound(n / days, 1);
  const wr = npRound((pc / n) * 100, 2);
  const ah = npRound(sumHold / n, 2);
  const app = npRound(sumPp / n, 2);
  const tsg = Math.trunc(sumSg) + 0;
  const appp = pc > 0 ? sumPpP / pc : 0;
  const ampp = mc > 0 ? Math.abs(sumPpM / mc) : 0;
  const tpp = npRound((tsg / (seed !== 0 ? seed : betting)) * 100, 2);
  const cagr = npRound((tpp / days) * (market === "stock" ? 250 : 365), 2);
  // no losers (or losers averaging 0.00%): STOM's 1.0, never a division by zero
  const tpi = ampp !== 0 ? npRound((wr / 100) * (1 + appp / ampp), 2) : 1.0;

  // AddMdd (back_static.py:817-833): drawdown of the cumulative 수익금 from its running peak,
  // measured from the first trade (not from 0). argmax takes the first of equal values.
  let mdd: number;
  let mdd_: number;
  let peak = -Infinity;
  let lower = 0;
  let worst = -Infinity;
  const cums = sums;
  for (let i = 0; i < n; i++) {
    const cum = cums[i];
    if (cum > peak) peak = cum;
    const dd = peak - cum;
    if (dd > worst) {
      worst = dd;
      lower = i;
    }
  }
  if (lower === 0) {
    // np.argmax(array[:0]) raises on the empty slice: the except branch (back_static.py:829-831)
    mdd = Math.abs(tpp);
    mdd_ = Math.abs(tsg);
  } else {
    let upper = 0;
    for (let i = 1; i < lower; i++) if (cums[i] > cums[upper]) upper = i;
    const fall = Math.abs(cums[upper] - cums[lower]);
    mdd = npRound((fall / (cums[upper] + seed)) * 100, 2);
    mdd_ = Math.trunc(fall) + 0;
  }
  return freezeBlock(n, atc, pc, mc, wr, ah, app, tpp, tsg, mhct, seed, cagr, tpi, mdd, mdd_);
}

function freezeBlock(...v: number[]): StomResultBlock {
  const block: Record<string, number> = {};
  STOM_RESULT_KEYS.forEach((k, i) => {
    block[k] = v[i];
  });
  return Object.freeze(block) as unknown as StomResultBlock;
}

function checkTrades(trades: readonly StomTradeLike[]): void {
  const long = trades[0].buy >= 1e13;
  trades.forEach((t, i) => {
    for (const k of ["buy", "sell", "hold", "bg", "pp", "sg"] as const) {
      if (!Number.isFinite(t[k])) throw new Error(`invalid ${k} of trade ${i}: ${t[k]}`);
    }
    for (const k of ["buy", "sell"] as const) {
      if (!Number.isInteger(t[k]) || t[k] >= 1e13 !== long || t[k] < 1e11) {
        throw new Error(
          `invalid ${k} of trade ${i}: ${t[k]} (expected yyyymmddhhmmss or yyyymmddhhmm, one form per list)`,
        );
      }
    }
    if (t.sell < t.buy) throw new Error(`invalid trade ${i}: sell ${t.sell} before buy ${t.buy}`);
  });
}

/**
 * mhct and seed from arry_bct. STOM adds each trade's 매수금액 to column 2 and 1 to column 1 of
 * every grid row with 매수시간 <= index <= 매도시간 (back_subtotal.py:102-106; 잔량없음 is always
 * True in the backtest engines, backengine_kiwoom_tick.py:868). Result keeps rows holding
 * something (back_subtotal.py:188) and sorts EACH COLUMN on its own, descending
 * (np.sort(axis=0)[::-1], back_subtotal.py:189); GetBackResult then skips the top
 * int(len * 0.01) rows and takes the max of the rest (back_static.py:860-863), i.e. the value at
 * that rank. So seed (필요자금) is the held amount exceeded on only 1% of the held seconds, and
 * mhct (적정최대보유종목수) the held count likewise; with no row at all: 0 and the betting.
 */
function heldPeaks(
  sorted: readonly StomTradeLike[],
  betting: number,
  grid: ArrayLike<number> | undefined,
  rows: "held" | "grid",
  within?: (stamp: number) => boolean,
): { mhct: number; seed: number } {
  // Each trade covers the rows lo..hi (inclusive), in row numbers: grid positions, or seconds /
  // minutes since the epoch on the dense grid.
  const n = sorted.length;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  if (grid !== undefined) {
    for (let i = 1; i < grid.length; i++) {
      if (!(grid[i] > grid[i - 1])) throw new Error(`invalid grid: not ascending at ${i} (${grid[i]})`);
    }
    for (let i = 0; i < n; i++) {
      lo[i] = lowerBound(grid, sorted[i].buy);
      hi[i] = lowerBound(grid, sorted[i].sell + 0.5) - 1;
    }
  } else {
    for (let i = 0; i < n; i++) {
      lo[i] = stampUnits(sorted[i].buy);
      hi[i] = stampUnits(sorted[i].sell);
    }
  }
  // Sweep the boundaries in order; between two of them the set of open trades is constant.
  const byLo: number[] = [];
  for (let i = 0; i < n; i++) if (lo[i] <= hi[i]) byLo.push(i);
  const byEnd = byLo.slice().sort((a, b) => hi[a] - hi[b]);
  byLo.sort((a, b) => lo[a] - lo[b]);
  const counts: number[] = [];
  const amounts: number[] = [];
  const widths: number[] = [];
  const open: number[] = []; // trade numbers, ascending: the order CollectData adds them in
  let held = 0;
  let s = 0;
  let e = 0;
  while (s < byLo.length || e < byEnd.length) {
    const at = Math.min(
      s < byLo.length ? lo[byLo[s]] : Infinity,
      e < byEnd.length ? hi[byEnd[e]] + 1 : Infinity,
    );
    while (e < byEnd.length && hi[byEnd[e]] + 1 === at) open.splice(open.indexOf(byEnd[e++]), 1);
    while (s < byLo.length && lo[byLo[s]] === at) {
      const i = byLo[s++];
      let k = open.length;
      while (k > 0 && open[k - 1] > i) k--;
      open.splice(k, 0, i);
    }
    if (open.length === 0) continue;
    const next = Math.min(s < byLo.length ? lo[byLo[s]] : Infinity, hi[byEnd[e]] + 1);
    let amount = 0;
    for (const i of open) amount += sorted[i].bg; // 0 + bg + bg + ...
    // a part counts only its own rows (back_subtotal.py:197-203)
    let width = next - at;
    if (within) {
      width = 0;
      for (let u = at; u < next; u++)
        if (within(grid !== undefined ? grid[u] : unitsStamp(u, sorted[0].buy >= 1e13))) width++;
      if (width === 0) continue;
    }
    counts.push(open.length);
    amounts.push(amount);
    widths.push(width);
    held += width;
  }
  const total = rows === "grid" ? (grid as ArrayLike<number>).length : held;
  const skip = Math.trunc(total * 0.01);
  if (total === 0 || (rows === "held" && held === 0)) return { mhct: 0, seed: betting };
  // rows 'grid': the idle rows are zeros at the bottom of each sorted column
  return {
    mhct: Math.trunc(valueAtRank(counts, widths, skip)) + 0,
    seed: Math.trunc(valueAtRank(amounts, widths, skip)) + 0,
  };
}

/** The value at 0-based rank `rank` of the multiset {values[i] × widths[i]} sorted descending (0 past the end). */
function valueAtRank(values: readonly number[], widths: readonly number[], rank: number): number {
  const idx = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
  let seen = 0;
  for (const i of idx) {
    seen += widths[i];
    if (rank < seen) return values[i];
  }
  return 0;
}

function lowerBound(xs: ArrayLike<number>, x: number): number {
  let a = 0;
  let b = xs.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (xs[m] < x) a = m + 1;
    else b = m;
  }
  return a;
}

/** The inverse of stampUnits. */
function unitsStamp(units: number, long: boolean): number {
  const d = new Date(long ? units * 1000 : units * 60_000);
  const base =
    d.getUTCFullYear() * 1e8 +
    (d.getUTCMonth() + 1) * 1e6 +
    d.getUTCDate() * 1e4 +
    d.getUTCHours() * 100 +
    d.getUTCMinutes();
  return long ? base * 100 + d.getUTCSeconds() : base;
}

/** yyyymmddhhmmss -> seconds since the epoch; yyyymmddhhmm -> minutes since the epoch. */
function stampUnits(stamp: number): number {
  const long = stamp >= 1e13;
  const s = long ? stamp % 100 : 0;
  let rest = long ? Math.floor(stamp / 100) : stamp;
  const mi = rest % 100;
  rest = Math.floor(rest / 100);
  const h = rest % 100;
  rest = Math.floor(rest / 100);
  const d = rest % 100;
  rest = Math.floor(rest / 100);
  const mo = rest % 100;
  const y = Math.floor(rest / 100);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 || !Number.isFinite(ms)) {
    throw new Error(`invalid time stamp: ${stamp}`);
  }
  return long ? ms / 1000 : ms / 60_000;
}
