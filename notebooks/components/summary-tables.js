/**
 * freqtrade-style summary tables of a run's closed trades: per exit reason and per symbol (count,
 * avg profit %, total profit, wins / draws / losses) and per day, week and month (count, total
 * profit, wins / draws / losses). Pure: `summarize` takes the engine's trade columns
 * (`backtest(...).trades`) or the rows of a saved run (`stom backtest --out`), and
 * `summaryTables` draws its result.
 *
 *     summarize(result.trades, {symbol: "BTC/USDT"}).exitReason
 *     // [{key: "exit_signal", trades: 349, avgProfitPct: 0.12, totalProfit: 8872.56, wins: 170, draws: 3, losses: 176}]
 */

const DAY = 86_400_000;

/**
 * Why a bar-engine trade closed, as freqtrade names it: its stop-loss or take-profit price was
 * reached at the exit, else the strategy's own exit. A trade that carries `exitReason` (STOM's
 * tick runs) keeps its own.
 */
export function exitReason({ size, exitPrice, sl, tp, exitReason: given }) {
  if (given) return given;
  const long = size > 0;
  if (Number.isFinite(sl) && (long ? exitPrice <= sl : exitPrice >= sl)) return "stop_loss";
  if (Number.isFinite(tp) && (long ? exitPrice >= tp : exitPrice <= tp)) return "take_profit";
  return "exit_signal";
}

/** Trade i of columns (typed arrays, times in ms) or of rows (ISO times), as one plain object. */
function reader(trades, symbol) {
  if (Array.isArray(trades))
    return (i) => {
      const t = trades[i];
      return {
        ...t,
        symbol: t.symbol ?? symbol,
        exitTime: typeof t.exitTime === "number" ? t.exitTime : Date.parse(t.exitTime),
      };
    };
  const c = trades;
  return (i) => ({
    size: c.size[i],
    exitPrice: c.exitPrice[i],
    sl: c.sl?.[i],
    tp: c.tp?.[i],
    pnl: c.pnl[i],
    returnPct: c.returnPct[i],
    exitTime: c.exitTime[i],
    exitReason: c.exitReason?.[i],
    symbol: c.symbols && c.symbol ? c.symbols[c.symbol[i]] : symbol,
  });
}

/** "2024-01-07" for the UTC day, the Monday of its week, or "2024-01" for its month. */
function periodKey(ms, period) {
  if (period === "month") return new Date(ms).toISOString().slice(0, 7);
  const day = Math.floor(ms / DAY);
  // 1970-01-01 was a Thursday: day + 3 counts from a Monday
  const start = period === "week" ? day - ((day + 3) % 7) : day;
  return new Date(start * DAY).toISOString().slice(0, 10);
}

function group(rows, key) {
  const groups = new Map();
  for (const r of rows) {
    const k = key(r);
    let g = groups.get(k);
    if (!g) {
      g = { key: k, trades: 0, sumPct: 0, totalProfit: 0, wins: 0, draws: 0, losses: 0 };
      groups.set(k, g);
    }
    g.trades++;
    g.sumPct += r.returnPct;
    g.totalProfit += r.pnl;
    if (r.pnl > 0) g.wins++;
    else if (r.pnl < 0) g.losses++;
    else g.draws++;
  }
  return [...groups.values()].map(({ sumPct, ...g }) => ({ ...g, avgProfitPct: sumPct / g.trades }));
}

/**
 * The run's closed trades grouped five ways: `exitReason` and `symbol` (most trades first), `day`,
 * `week` and `month` (in time order, UTC). `symbol` names the series when the trades do not.
 */
export function summarize(trades, { symbol = "" } = {}) {
  const get = reader(trades, symbol);
  const rows = Array.from({ length: trades.length }, (_, i) => get(i));
  const byCount = (a, b) => b.trades - a.trades || (a.key < b.key ? -1 : 1);
  const byKey = (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return {
    exitReason: group(rows, exitReason).sort(byCount),
    symbol: group(rows, (r) => r.symbol).sort(byCount),
    day: group(rows, (r) => periodKey(r.exitTime, "day")).sort(byKey),
    week: group(rows, (r) => periodKey(r.exitTime, "week")).sort(byKey),
    month: group(rows, (r) => periodKey(r.exitTime, "month")).sort(byKey),
  };
}

const money = (x) => x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const GROUP_COLUMNS = [
  ["trades", "Trades", String],
  ["avgProfitPct", "Avg Profit %", (x) => x.toFixed(2)],
  ["totalProfit", "Tot Profit", money],
  ["wdl", "Win  Draw  Loss", null],
];
const PERIOD_COLUMNS = [
  ["trades", "Trades", String],
  ["totalProfit", "Tot Profit", money],
  ["wdl", "Win  Draw  Loss", null],
];

/** One table; each row carries its exact numbers as data attributes for tests and copying. */
function table(id, keyLabel, rows, columns) {
  const t = document.createElement("table");
  t.id = id;
  t.className = "summary";
  const head = t.createTHead().insertRow();
  for (const label of [keyLabel, ...columns.map((c) => c[1])])
    head.append(Object.assign(document.createElement("th"), { textContent: label }));
  const body = t.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    Object.assign(tr.dataset, {
      key: r.key,
      trades: String(r.trades),
      profit: String(r.totalProfit),
      wins: String(r.wins),
      draws: String(r.draws),
      losses: String(r.losses),
    });
    tr.insertCell().textContent = r.key;
    for (const [field, , format] of columns) {
      const td = tr.insertCell();
      td.textContent = field === "wdl" ? `${r.wins} / ${r.draws} / ${r.losses}` : format(r[field]);
      if (field === "totalProfit") td.className = r.totalProfit >= 0 ? "positive" : "negative";
    }
  }
  if (!rows.length)
    body.insertRow().append(
      Object.assign(document.createElement("td"), {
        colSpan: columns.length + 1,
        textContent: "no closed trades",
      }),
    );
  return t;
}

/** The five tables of `summarize(...)`, the period ones behind a day / week / month choice. */
export function summaryTables(summary) {
  const box = document.createElement("div");
  box.id = "summary-tables";
  box.append(
    Object.assign(document.createElement("h3"), { textContent: "Exit reason stats" }),
    table("summary-exit-reason", "Exit Reason", summary.exitReason, GROUP_COLUMNS),
    Object.assign(document.createElement("h3"), { textContent: "Per-symbol stats" }),
    table("summary-symbol", "Pair", summary.symbol, GROUP_COLUMNS),
    Object.assign(document.createElement("h3"), { textContent: "Periodic breakdown" }),
  );
  const picker = document.createElement("p");
  const periods = document.createElement("div");
  periods.className = "summary-periods";
  for (const period of ["day", "week", "month"]) {
    const t = table(
      `summary-${period}`,
      period[0].toUpperCase() + period.slice(1),
      summary[period],
      PERIOD_COLUMNS,
    );
    t.hidden = period !== "month";
    periods.append(t);
    const label = document.createElement("label");
    const radio = Object.assign(document.createElement("input"), {
      type: "radio",
      name: "summary-period",
      value: period,
      checked: period === "month",
    });
    radio.addEventListener("change", () => {
      for (const el of periods.children) el.hidden = el.id !== `summary-${period}`;
    });
    label.append(radio, ` ${period} `);
    picker.append(label);
  }
  box.append(picker, periods);
  return box;
}
