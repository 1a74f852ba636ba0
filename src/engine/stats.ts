import { ceilTo, DAY_MS, dataPeriodMs, type Freq, resampleLast, resolutionMs, weekday } from "./periods.ts";

/**
 * The shared stat vocabulary (ARCHITECTURE.md), with backtesting.py's definitions, plus STOM's:
 * - totalPnl: sum of trade PnL in cash (commissions included)
 * - requiredCapital: most cash tied up in open trades at entry prices at any bar close
 * - tpi (매매성능지수): winRate × (1 + avgWin% / |avgLoss%|) with winRate a fraction (0..1) and
 *   the averages taken over winning and losing trades' returns; as STOM, 1 without losses, 0 without
 *   wins, NaN only without trades
 * - linearAnnReturnPct: returnPct × 365 / durationDays (simple, not compounded)
 * Durations are in days (fractional for intraday data), ceiled to the data's resolution like the peer.
 */
export interface Stats {
  start: string;
  end: string;
  durationDays: number;
  exposurePct: number;
  equityFinal: number;
  equityPeak: number;
  returnPct: number;
  buyHoldReturnPct: number;
  returnAnnPct: number;
  volatilityAnnPct: number;
  cagrPct: number;
  sharpe: number;
  sortino: number;
  calmar: number;
  alphaPct: number;
  beta: number;
  maxDrawdownPct: number;
  avgDrawdownPct: number;
  maxDrawdownDays: number;
  avgDrawdownDays: number;
  trades: number;
  winRatePct: number;
  bestTradePct: number;
  worstTradePct: number;
  avgTradePct: number;
  maxTradeDays: number;
  avgTradeDays: number;
  profitFactor: number;
  expectancyPct: number;
  sqn: number;
  kelly: number;
  totalPnl: number;
  requiredCapital: number;
  tpi: number;
  linearAnnReturnPct: number;
}

/** The trade columns the stats read. */
export interface TradeStatsInput {
  readonly pnl: Float64Array;
  /** trade returns as fractions (backtesting.py's ReturnPct) */
  readonly returns: Float64Array;
  readonly entryBar: Float64Array;
  readonly exitBar: Float64Array;
  readonly entryTime: Float64Array;
  readonly exitTime: Float64Array;
}

export interface StatsOptions {
  /** bar from which buy & hold is measured (the strategy's indicator warm-up) */
  firstTradingBar?: number;
  /** annual, as a fraction */
  riskFreeRate?: number;
  requiredCapital?: number;
  /** filled with `drawdown(equity)` as a by-product, for a caller that wants that column too */
  drawdownOut?: Float64Array | null;
  /**
   * false: skip the pass over every bar; the stats it feeds (BAR_PASS_STATS) are NaN, the others
   * are computed by the same code as in full. An optimizer screens its cells this way.
   */
  barStats?: boolean;
}

/** The stats that need the pass over every bar's equity (NaN with `barStats: false`). */
export const BAR_PASS_STATS: readonly (keyof Stats)[] = [
  "equityPeak",
  "returnAnnPct",
  "volatilityAnnPct",
  "sharpe",
  "sortino",
  "calmar",
  "alphaPct",
  "beta",
  "maxDrawdownPct",
  "avgDrawdownPct",
  "maxDrawdownDays",
  "avgDrawdownDays",
];

/**
 * The stats that read the trade columns, not only their number (NaN when computeStats is given the
 * number alone: a search screens its cells without them when nothing it scores reads them).
 */
export const TRADE_PASS_STATS: readonly (keyof Stats)[] = [
  "exposurePct",
  "totalPnl",
  "winRatePct",
  "bestTradePct",
  "worstTradePct",
  "avgTradePct",
  "maxTradeDays",
  "avgTradeDays",
  "profitFactor",
  "expectancyPct",
  "sqn",
  "kelly",
  "tpi",
];

/** Zeroed trade columns for n trades. */
export function statsColumns(n: number): TradeStatsInput {
  return {
    pnl: new Float64Array(n),
    returns: new Float64Array(n),
    entryBar: new Float64Array(n),
    exitBar: new Float64Array(n),
    entryTime: new Float64Array(n),
    exitTime: new Float64Array(n),
  };
}

/** The columns of no trades, for stats given only the number of trades. */
const NO_TRADES: TradeStatsInput = Object.freeze(statsColumns(0));

const mean = (a: ArrayLike<number>): number => {
  if (!a.length) return Number.NaN;
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k];
  return s / a.length;
};

/** Sample variance (ddof 1). */
const variance = (a: ArrayLike<number>): number => {
  const n = a.length;
  if (n < 2) return Number.NaN;
  const m = mean(a);
  let s = 0;
  for (let k = 0; k < n; k++) s += (a[k] - m) ** 2;
  return s / (n - 1);
};

/** backtesting.py's geometric_mean: 0 if any return <= -100%. */
export function geometricMean(returns: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < returns.length; k++) {
    const r = Number.isNaN(returns[k]) ? 1 : returns[k] + 1;
    if (r <= 0) return 0;
    s += Math.log(r);
  }
  return Math.exp(s / (returns.length || Number.NaN)) - 1;
}

/** Drawdown (1 - equity / running max) per bar. */
export function drawdown(equity: Float64Array): Float64Array {
  const dd = new Float64Array(equity.length);
  let peak = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < equity.length; k++) {
    if (equity[k] > peak) peak = equity[k];
    dd[k] = 1 - equity[k] / peak;
  }
  return dd;
}

/** Drawdown episodes between zero-drawdown bars: their durations (ms) and peak drawdowns. */
export function drawdownEpisodes(
  dd: Float64Array,
  time: Float64Array,
): { durations: number[]; peaks: number[] } {
  const durations: number[] = [];
  const peaks: number[] = [];
  let prev = -1;
  // deepest drawdown since the bar after `prev`; comparisons with > skip NaN like the old scan
  let deepest = Number.NEGATIVE_INFINITY;
  const n = dd.length;
  for (let k = 0; k < n; k++) {
    const d = dd[k];
    if (d !== 0 && k !== n - 1) {
      if (d > deepest) deepest = d;
      continue;
    }
    if (prev >= 0 && k > prev + 1) {
      durations.push(time[k] - time[prev]);
      let peak = deepest;
      if (dd[prev] > peak) peak = dd[prev];
      if (d > peak) peak = d;
      peaks.push(peak);
    }
    prev = k;
    deepest = Number.NEGATIVE_INFINITY;
  }
  return { durations, peaks };
}

const max = (a: ArrayLike<number>): number => {
  let m = Number.NaN;
  for (let k = 0; k < a.length; k++) if (!(a[k] <= m)) m = a[k];
  return m;
};
const min = (a: ArrayLike<number>): number => {
  let m = Number.NaN;
  for (let k = 0; k < a.length; k++) if (!(a[k] >= m)) m = a[k];
  return m;
};

/** Bars covered by at least one trade (entry to exit bar, inclusive), as a union of intervals. */
function exposedBars(entryBar: Float64Array, exitBar: Float64Array, n: number): number {
  const m = entryBar.length;
  if (!m) return 0;
  let order: Uint32Array | null = null;
  for (let t = 1; t < m; t++) {
    if (entryBar[t] < entryBar[t - 1]) {
      // trades close in exit order, which is usually entry order too: sort only when it is not
      order = new Uint32Array(m);
      for (let k = 0; k < m; k++) order[k] = k;
      order.sort((a, b) => entryBar[a] - entryBar[b]);
      break;
    }
  }
  let count = 0;
  let lo = -1;
  let hi = -2;
  for (let k = 0; k < m; k++) {
    const t = order ? order[k] : k;
    const a = Math.max(0, entryBar[t]);
    const b = Math.min(n - 1, exitBar[t]);
    if (!(a <= b)) continue;
    if (a > hi + 1) {
      count += hi - lo + 1;
      lo = a;
      hi = b;
    } else if (b > hi) hi = b;
  }
  return count + hi - lo + 1;
}

/** Slots of barPass()'s scalar results (a Float64Array: an object literal of mixed small integers
 * and doubles changes its field representations from run to run, and each change deoptimizes). */
const DD_MAX = 0;
const EQUITY_PEAK = 1;
const DURATION_MAX = 2;
const DURATION_MEAN = 3;
const PEAK_MEAN = 4;
const BETA = 5;

/** Slots of tradeSums()'s results. */
const WINS = 0;
const LOSSES = 1;
const WIN_PL = 2;
const LOSS_PL = 3;
const WIN_RET = 4;
const LOSS_RET = 5;
const POS_RET = 6;
const NEG_RET = 7;
const TOTAL_PNL = 8;
const MAX_DUR = 9;
const SUM_DUR = 10;
const TRADE_SUMS = 11;

/**
 * The sums over the trades that computeStats() reads, into `out`. A loop of its own: inside
 * computeStats(), a run's tens of thousands of trades made V8 compile all of computeStats() on
 * stack replacement, 40-100 ms of TurboFan a time (more than a hundred of its calls cost), again
 * in every worker thread of a search and again after each deoptimization.
 */
function tradeSums(
  pnl: Float64Array,
  ret: Float64Array,
  entryTime: Float64Array,
  exitTime: Float64Array,
  out: Float64Array,
): Float64Array {
  const nTrades = pnl.length;
  let wins = 0;
  let losses = 0;
  let winPl = 0;
  let lossPl = 0;
  let winRet = 0;
  let lossRet = 0;
  let posRetSum = 0;
  let negRetSum = 0;
  let totalPnl = 0;
  let maxDur = Number.NaN;
  let sumDur = 0;
  for (let t = 0; t < nTrades; t++) {
    totalPnl += pnl[t];
    if (pnl[t] > 0) {
      wins++;
      winPl += pnl[t];
      winRet += ret[t];
    } else if (pnl[t] < 0) {
      losses++;
      lossPl += pnl[t];
      lossRet += ret[t];
    }
    if (ret[t] > 0) posRetSum += ret[t];
    else if (ret[t] < 0) negRetSum += ret[t];
    const dur = exitTime[t] - entryTime[t];
    if (!(dur <= maxDur)) maxDur = dur;
    sumDur += dur;
  }
  out[WINS] = wins;
  out[LOSSES] = losses;
  out[WIN_PL] = winPl;
  out[LOSS_PL] = lossPl;
  out[WIN_RET] = winRet;
  out[LOSS_RET] = lossRet;
  out[POS_RET] = posRetSum;
  out[NEG_RET] = negRetSum;
  out[TOTAL_PNL] = totalPnl;
  out[MAX_DUR] = maxDur;
  out[SUM_DUR] = sumDur;
  return out;
}

/**
 * Everything the stats need from the million-row columns in one pass, which reads each column
 * once instead of five times: the drawdown (written to `dd`), the peaks (with max()'s NaN rule),
 * drawdownEpisodes()'s count, sum and max of durations and sum of peaks, the last equity of each
 * day, and the sums for beta. Its loop has no path a warm run skips (no array growth, no property
 * access by name): a first visit of such a path deoptimizes the loop for the rest of the run.
 */
function barPass(
  time: Float64Array,
  close: Float64Array,
  equity: Float64Array,
  dd: Float64Array | null,
  dayCapacity: number,
  out: Float64Array,
): Float64Array {
  const n = equity.length;
  // Number.NEGATIVE_INFINITY written out, not a module constant: read from a constant, the start
  // (and reset) value of `deepest` kept the loop's number boxed, a HeapNumber per bar (16 MB a
  // 1M-bar pass, measured), and the pass took 1.5x as long
  let runningPeak = Number.NEGATIVE_INFINITY;
  let ddMax = Number.NaN;
  let equityPeak = Number.NaN;
  let episodes = 0;
  let durationSum = 0;
  let durationMax = Number.NaN;
  let peakSum = 0;
  let prev = -1;
  // the drawdown at bar `prev`, so that no drawdown column is needed when none is asked for
  let ddPrev = Number.NaN;
  let deepest = Number.NEGATIVE_INFINITY;
  let dayStart = Number.NaN;
  let dayEnd = Number.NaN;
  let sampledDay = Number.NaN;
  // sized by dayCount(): no growing inside the loop, whose first use would deoptimize it mid-run
  const daily = new Float64Array(dayCapacity);
  let days = 0;
  let se = 0;
  let sm = 0;
  let sem = 0;
  let smm = 0;
  for (let k = 0; k < n; k++) {
    const e = equity[k];
    const t = time[k];
    // drawdown(equity)
    if (e > runningPeak) runningPeak = e;
    const d = 1 - e / runningPeak;
    if (dd !== null) dd[k] = d;
    if (!(d <= ddMax)) ddMax = d;
    if (!(e <= equityPeak)) equityPeak = e;

    // resampleLast(equity, "D")
    if (!(t >= dayStart && t < dayEnd)) {
      dayStart = Math.floor(t / DAY_MS) * DAY_MS;
      dayEnd = dayStart + DAY_MS;
    }
    if (!Number.isNaN(e)) {
      if (dayStart === sampledDay) daily[days - 1] = e;
      else {
        daily[days++] = e;
        sampledDay = dayStart;
      }
    }

    // the equity's and the close's log returns (the close's computed here each time, not kept in
    // a column per close series: that column cost more in fresh memory, 8 MB a 1M-bar series and
    // ~25 ms of page faults here, than the loop spends on them)
    if (k > 0) {
      const le = logRatio(e, equity[k - 1]);
      const lm = logRatio(close[k], close[k - 1]);
      se += le;
      sm += lm;
      sem += le * lm;
      smm += lm * lm;
    }

    // drawdownEpisodes(dd, time)
    if (d !== 0 && k !== n - 1) {
      if (d > deepest) deepest = d;
      continue;
    }
    if (prev >= 0 && k > prev + 1) {
      const duration = t - time[prev];
      let peak = deepest;
      if (ddPrev > peak) peak = ddPrev;
      if (d > peak) peak = d;
      episodes++;
      durationSum += duration;
      if (!(duration <= durationMax)) durationMax = duration;
      peakSum += peak;
    }
    prev = k;
    ddPrev = d;
    deepest = Number.NEGATIVE_INFINITY;
  }
  // np.cov by sums of products: bar returns have means near zero next to their spread, so the
  // textbook formula loses nothing here and needs no arrays
  const m = n - 1;
  const beta = m > 1 ? (sem - (se * sm) / m) / (smm - (sm * sm) / m) : Number.NaN;
  out[DD_MAX] = ddMax;
  out[EQUITY_PEAK] = equityPeak;
  out[DURATION_MAX] = durationMax;
  out[DURATION_MEAN] = episodes ? durationSum / episodes : Number.NaN;
  out[PEAK_MEAN] = episodes ? peakSum / episodes : Number.NaN;
  out[BETA] = beta;
  return daily.slice(0, days);
}

// The calendar depends only on the time column, which every backtest of an optimization shares:
// computed once per column (columns are immutable by contract).
const calendars = new WeakMap<Float64Array, { days: number; weekend: number }>();

function calendarOf(time: Float64Array): { days: number; weekend: number } {
  let out = calendars.get(time);
  if (!out) {
    out = dayCount(time);
    calendars.set(time, out);
  }
  return out;
}

/**
 * The number of calendar days (UTC) the time column runs through, counted as resampleLast()
 * buckets, and how many of its bars fall on a weekend; the calendar arithmetic is done once per
 * day, not once per bar.
 */
function dayCount(time: Float64Array): { days: number; weekend: number } {
  let days = 0;
  let weekend = 0;
  let dayStart = Number.NaN;
  let dayEnd = Number.NaN;
  let isWeekend = 0;
  for (let k = 0; k < time.length; k++) {
    const t = time[k];
    if (!(t >= dayStart && t < dayEnd)) {
      dayStart = Math.floor(t / DAY_MS) * DAY_MS;
      dayEnd = dayStart + DAY_MS;
      isWeekend = weekday(t) >= 5 ? 1 : 0;
      days++;
    }
    weekend += isWeekend;
  }
  return { days, weekend };
}

/**
 * log(a / b) to within 2 ulp of Math.log(a / b) (numpy's rounding of the ratio is kept): for a
 * ratio near 1, as bar-to-bar returns are, 2·atanh((x-1)/(x+1)) by its series is several times
 * faster than Math.log, and the stats take two million of these on a million bars.
 */
export function logRatio(a: number, b: number): number {
  const x = a / b;
  const u = (x - 1) / (x + 1);
  const u2 = u * u;
  // |u| < 0.01 (x within 2%): the next term, u^11/11, is below 1e-20 relative
  if (u2 < 1e-4) return 2 * u * (1 + u2 * (1 / 3 + u2 * (1 / 5 + u2 * (1 / 7 + u2 * (1 / 9)))));
  return Math.log(x);
}

/** Computes the stats of a run (same formulas as backtesting.py's compute_stats). */
export function computeStats(
  time: Float64Array,
  close: Float64Array,
  equity: Float64Array,
  /** the trade columns, or only the number of trades (then the TRADE_PASS_STATS are NaN) */
  tradesIn: TradeStatsInput | number,
  {
    firstTradingBar = 0,
    riskFreeRate = 0,
    requiredCapital = Number.NaN,
    drawdownOut: dd = null,
    barStats = true,
  }: StatsOptions = {},
): Stats {
  if (!(riskFreeRate > -1 && riskFreeRate < 1)) throw new Error(`invalid riskFreeRate: ${riskFreeRate}`);
  const n = equity.length;
  if (dd && dd.length !== n) throw new Error(`drawdownOut has ${dd.length} values, expected ${n}`);
  const counted = typeof tradesIn === "number";
  const trades = counted ? NO_TRADES : tradesIn;
  const nTrades = counted ? tradesIn : trades.pnl.length;
  const period = dataPeriodMs(time);
  const resolution = resolutionMs(period);
  const days = (ms: number) => ceilTo(ms, resolution) / DAY_MS;

  const bar = new Float64Array(6);
  const daily = barStats ? barPass(time, close, equity, dd, calendarOf(time).days, bar) : new Float64Array(0);
  const exposed = exposedBars(trades.entryBar, trades.exitBar, n);

  const equityFinal = equity[n - 1];
  const returnPct = ((equityFinal - equity[0]) / equity[0]) * 100;
  const c0 = close[firstTradingBar];
  const buyHoldReturnPct = ((close[n - 1] - c0) / c0) * 100;

  const freqDays = Math.floor(period / DAY_MS);
  const freq: Freq = freqDays === 7 ? "W" : freqDays === 31 ? "ME" : freqDays === 365 ? "YE" : "D";
  const sampled = freq === "D" || !barStats ? daily : resampleLast(time, equity, freq);
  const haveWeekends = barStats && calendarOf(time).weekend / n > (2 / 7) * 0.6;
  const annual = freqDays === 7 ? 52 : freqDays === 31 ? 12 : freqDays === 365 ? 1 : haveWeekends ? 365 : 252;
  const dayReturns = new Float64Array(Math.max(0, sampled.length - 1));
  for (let k = 1; k < sampled.length; k++) dayReturns[k - 1] = sampled[k] / sampled[k - 1] - 1;
  const g = geometricMean(dayReturns);
  const annualized = (1 + g) ** annual - 1;
  const volatilityAnnPct =
    Math.sqrt((variance(dayReturns) + (1 + g) ** 2) ** annual - (1 + g) ** (2 * annual)) * 100;
  const durationMs = time[n - 1] - time[0];
  const years = durationMs / DAY_MS / 365.25;
  const cagrPct = years ? ((equityFinal / equity[0]) ** (1 / years) - 1) * 100 : Number.NaN;
  let downside = 0;
  for (let k = 0; k < dayReturns.length; k++) downside += Math.min(dayReturns[k], 0) ** 2;
  downside = Math.sqrt(downside / (dayReturns.length || Number.NaN));

  const ddMax = Number.isNaN(bar[DD_MAX]) ? 0 : bar[DD_MAX];
  const beta = bar[BETA];

  const pnl = trades.pnl;
  const ret = trades.returns;
  const entryTime = trades.entryTime;
  const exitTime = trades.exitTime;
  const sums = tradeSums(pnl, ret, entryTime, exitTime, new Float64Array(TRADE_SUMS));
  const wins = sums[WINS];
  const losses = sums[LOSSES];
  const winPl = sums[WIN_PL];
  const lossPl = sums[LOSS_PL];
  const winRet = sums[WIN_RET];
  const lossRet = sums[LOSS_RET];
  const posRetSum = sums[POS_RET];
  const negRetSum = sums[NEG_RET];
  const totalPnl = sums[TOTAL_PNL];
  const maxDur = sums[MAX_DUR];
  const sumDur = sums[SUM_DUR];
  const winRate = nTrades ? wins / nTrades : Number.NaN;
  const plStd = Math.sqrt(variance(pnl));
  const avgWinRet = wins ? winRet / wins : Number.NaN;
  const avgLossRet = losses ? lossRet / losses : Number.NaN;
  const durationDays = durationMs / DAY_MS;

  const stats: Stats = {
    start: new Date(time[0]).toISOString(),
    end: new Date(time[n - 1]).toISOString(),
    durationDays,
    exposurePct: (exposed / n) * 100,
    equityFinal,
    equityPeak: bar[EQUITY_PEAK],
    returnPct,
    buyHoldReturnPct,
    returnAnnPct: annualized * 100,
    volatilityAnnPct,
    cagrPct,
    sharpe: (annualized * 100 - riskFreeRate * 100) / (volatilityAnnPct || Number.NaN),
    sortino: (annualized - riskFreeRate) / (downside * Math.sqrt(annual)),
    calmar: annualized / (ddMax || Number.NaN),
    alphaPct: returnPct - riskFreeRate * 100 - beta * (buyHoldReturnPct - riskFreeRate * 100),
    beta,
    maxDrawdownPct: -ddMax * 100,
    avgDrawdownPct: -bar[PEAK_MEAN] * 100,
    maxDrawdownDays: days(bar[DURATION_MAX]),
    avgDrawdownDays: days(bar[DURATION_MEAN]),
    trades: nTrades,
    winRatePct: winRate * 100,
    bestTradePct: max(ret) * 100,
    worstTradePct: min(ret) * 100,
    avgTradePct: geometricMean(ret) * 100,
    maxTradeDays: days(maxDur),
    avgTradeDays: days(nTrades ? sumDur / nTrades : Number.NaN),
    profitFactor: posRetSum / (Math.abs(negRetSum) || Number.NaN),
    expectancyPct: mean(ret) * 100,
    sqn: (Math.sqrt(nTrades) * mean(pnl)) / (plStd || Number.NaN),
    kelly: winRate - (1 - winRate) / (winPl / wins / (-lossPl / losses)),
    totalPnl,
    requiredCapital,
    // STOM's rule (back_static.GetBackResult): 1.0 without losses, 0.0 without wins, never NaN once traded
    tpi: !nTrades
      ? Number.NaN
      : !losses || avgLossRet === 0
        ? 1
        : winRate * (1 + (wins ? avgWinRet : 0) / Math.abs(avgLossRet)),
    linearAnnReturnPct: (returnPct * 365) / durationDays,
  };
  if (!barStats)
    for (const key of BAR_PASS_STATS) (stats as unknown as Record<string, number>)[key] = Number.NaN;
  if (counted)
    for (const key of TRADE_PASS_STATS) (stats as unknown as Record<string, number>)[key] = Number.NaN;
  return stats;
}
