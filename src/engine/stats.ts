import { ceilTo, DAY_MS, dataPeriodMs, type Freq, resampleLast, resolutionMs, weekday } from "./periods.ts";

/**
 * The shared stat vocabulary (ARCHITECTURE.md), with backtesting.py's definitions, plus STOM's:
 * - totalPnl: sum of trade PnL in cash (commissions included)
 * - requiredCapital: most cash tied up in open trades at entry prices at any bar close
 * - tpi (매매성능지수): winRate × (1 + avgWin% / |avgLoss%|) with winRate a fraction (0..1) and
 *   the averages taken over winning and losing trades' returns; NaN without both wins and losses
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
}

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
  const n = dd.length;
  for (let k = 0; k < n; k++) {
    if (dd[k] !== 0 && k !== n - 1) continue;
    if (prev >= 0 && k > prev + 1) {
      durations.push(time[k] - time[prev]);
      let peak = Number.NEGATIVE_INFINITY;
      for (let j = prev; j <= k; j++) if (dd[j] > peak) peak = dd[j];
      peaks.push(peak);
    }
    prev = k;
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

/** Computes the stats of a run (same formulas as backtesting.py's compute_stats). */
export function computeStats(
  time: Float64Array,
  close: Float64Array,
  equity: Float64Array,
  trades: TradeStatsInput,
  { firstTradingBar = 0, riskFreeRate = 0, requiredCapital = Number.NaN }: StatsOptions = {},
): Stats {
  if (!(riskFreeRate > -1 && riskFreeRate < 1)) throw new Error(`invalid riskFreeRate: ${riskFreeRate}`);
  const n = equity.length;
  const nTrades = trades.pnl.length;
  const period = dataPeriodMs(time);
  const resolution = resolutionMs(period);
  const days = (ms: number) => ceilTo(ms, resolution) / DAY_MS;

  const dd = drawdown(equity);
  const episodes = drawdownEpisodes(dd, time);

  const inPosition = new Uint8Array(n);
  for (let t = 0; t < nTrades; t++) inPosition.fill(1, trades.entryBar[t], trades.exitBar[t] + 1);
  let exposed = 0;
  for (let k = 0; k < n; k++) exposed += inPosition[k];

  const equityFinal = equity[n - 1];
  const returnPct = ((equityFinal - equity[0]) / equity[0]) * 100;
  const c0 = close[firstTradingBar];
  const buyHoldReturnPct = ((close[n - 1] - c0) / c0) * 100;

  const freqDays = Math.floor(period / DAY_MS);
  let weekend = 0;
  for (let k = 0; k < n; k++) if (weekday(time[k]) >= 5) weekend++;
  const haveWeekends = weekend / n > (2 / 7) * 0.6;
  const annual = freqDays === 7 ? 52 : freqDays === 31 ? 12 : freqDays === 365 ? 1 : haveWeekends ? 365 : 252;
  const freq: Freq = freqDays === 7 ? "W" : freqDays === 31 ? "ME" : freqDays === 365 ? "YE" : "D";
  const sampled = resampleLast(time, equity, freq);
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

  const ddMax = Number.isNaN(max(dd)) ? 0 : max(dd);
  let beta = Number.NaN;
  if (n - 1 > 1) {
    // logs are the expensive part at a million bars: take each once
    const le = new Float64Array(n - 1);
    const lm = new Float64Array(n - 1);
    let se = 0;
    let sm = 0;
    for (let k = 1; k < n; k++) {
      se += le[k - 1] = Math.log(equity[k] / equity[k - 1]);
      sm += lm[k - 1] = Math.log(close[k] / close[k - 1]);
    }
    const me = se / (n - 1);
    const mm = sm / (n - 1);
    let cov = 0;
    let varM = 0;
    for (let k = 0; k < n - 1; k++) {
      const dm = lm[k] - mm;
      cov += (le[k] - me) * dm;
      varM += dm * dm;
    }
    beta = cov / varM;
  }

  const pnl = trades.pnl;
  const ret = trades.returns;
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
    const dur = trades.exitTime[t] - trades.entryTime[t];
    if (!(dur <= maxDur)) maxDur = dur;
    sumDur += dur;
  }
  const winRate = nTrades ? wins / nTrades : Number.NaN;
  const plStd = Math.sqrt(variance(pnl));
  const avgWinRet = wins ? winRet / wins : Number.NaN;
  const avgLossRet = losses ? lossRet / losses : Number.NaN;
  const durationDays = durationMs / DAY_MS;

  return {
    start: new Date(time[0]).toISOString(),
    end: new Date(time[n - 1]).toISOString(),
    durationDays,
    exposurePct: (exposed / n) * 100,
    equityFinal,
    equityPeak: max(equity),
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
    avgDrawdownPct: -mean(episodes.peaks) * 100,
    maxDrawdownDays: days(max(episodes.durations)),
    avgDrawdownDays: days(mean(episodes.durations)),
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
    tpi: winRate * (1 + avgWinRet / Math.abs(avgLossRet)),
    linearAnnReturnPct: (returnPct * 365) / durationDays,
  };
}
