/** Formats a stat for reading; the exact value stays in data-value for tests and copy. */
export function formatStat(value) {
  if (typeof value !== "number") return value instanceof Date ? value.toISOString() : String(value ?? "");
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value.toLocaleString("en-US", { maximumFractionDigits: 4 });
}

// backtesting.py's names for the shared vocabulary, plus STOM's own stats
const LABELS = {
  start: "Start",
  end: "End",
  durationDays: "Duration [days]",
  exposurePct: "Exposure Time [%]",
  equityFinal: "Equity Final",
  equityPeak: "Equity Peak",
  returnPct: "Return [%]",
  buyHoldReturnPct: "Buy & Hold Return [%]",
  returnAnnPct: "Return (Ann.) [%]",
  volatilityAnnPct: "Volatility (Ann.) [%]",
  cagrPct: "CAGR [%]",
  sharpe: "Sharpe Ratio",
  sortino: "Sortino Ratio",
  calmar: "Calmar Ratio",
  alphaPct: "Alpha [%]",
  beta: "Beta",
  maxDrawdownPct: "Max. Drawdown [%]",
  avgDrawdownPct: "Avg. Drawdown [%]",
  maxDrawdownDays: "Max. Drawdown Duration [days]",
  avgDrawdownDays: "Avg. Drawdown Duration [days]",
  trades: "# Trades",
  winRatePct: "Win Rate [%]",
  bestTradePct: "Best Trade [%]",
  worstTradePct: "Worst Trade [%]",
  avgTradePct: "Avg. Trade [%]",
  maxTradeDays: "Max. Trade Duration [days]",
  avgTradeDays: "Avg. Trade Duration [days]",
  profitFactor: "Profit Factor",
  expectancyPct: "Expectancy [%]",
  sqn: "SQN",
  kelly: "Kelly Criterion",
  tpi: "TPI (매매성능지수)",
  totalPnl: "Total P&L (수익금합계)",
  requiredCapital: "Required capital (필요자금)",
  linearAnnReturnPct: "Linear Ann. Return [%]",
};

/** The stats object as a two-column table: `<tr data-key=k><td>label</td><td data-value=raw>`. */
export function statsTable(stats, { keys = Object.keys(stats) } = {}) {
  const table = document.createElement("table");
  table.className = "stats";
  const body = table.createTBody();
  for (const key of keys) {
    const value = stats[key];
    const row = body.insertRow();
    row.dataset.key = key;
    const name = row.insertCell();
    name.textContent = LABELS[key] ?? key;
    name.title = key;
    const cell = row.insertCell();
    cell.className = "value";
    cell.dataset.value = typeof value === "number" ? String(value) : JSON.stringify(value ?? null);
    cell.textContent = formatStat(value);
  }
  return table;
}
