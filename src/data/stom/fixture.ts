import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { gaussian, mulberry32 } from "../../engine/optimize/rng.ts";
import { isStockKind, isTickKind, STOM_KINDS, type StomKind } from "./columns.ts";
import { writeStomDb } from "./export.ts";
import type { StockFacts } from "./kiwoom.ts";
import { buildStomColumns } from "./snapshot.ts";
import { type CreonBars, readCreonBars, readUpbitTrades } from "./sources.ts";
import { krxTickSize2019, upbitKrwTickSize } from "./ticksize.ts";
import { KST_OFFSET_MS, msToStomIndex, stomIndexToMs } from "./time.ts";

/** the repo's shared real-data folder; STOM_SHARED_DATA overrides */
export function sharedDataDir(): string {
  return process.env.STOM_SHARED_DATA ?? resolve("../shared/data");
}

export interface StomFixtureOptions {
  kind: StomKind;
  /** coin kinds: an Upbit trade CSV; stock kinds: a folder of Creon 1-minute CSVs */
  source?: string;
  /** stock kinds: the codes to take from the folder (default: every CSV in it) */
  symbols?: readonly string[];
  /** coin kinds: the market code of the table (default: from the file name, else KRW-BTC) */
  symbol?: string;
  /** minutes kept from the start of the data (defaults keep tests fast) */
  minutes?: number;
  /** how many codes moneytop lists at a time (stocks) */
  moneytopSize?: number;
  seed?: number;
}

export interface StomFixtureSummary {
  readonly kind: StomKind;
  /** rows per symbol table */
  readonly rows: Readonly<Record<string, number>>;
  readonly moneytopRows: number;
}

const DEFAULT_MINUTES: Record<StomKind, number> = {
  coin_tick: 60,
  coin_min: 1440,
  stock_min: 390,
  stock_tick: 30,
};

/**
 * Approximate 2019 listed common shares and names of the symbols in the Creon fixture folder,
 * so that 회전율 and 시가총액 have realistic magnitudes. Other codes get derived shares
 * (see stockFacts).
 */
const KRX_INFO: Record<string, { name: string; shares: number; kosdaq: boolean }> = {
  "005930": { name: "삼성전자", shares: 5_969_782_550, kosdaq: false },
  "000660": { name: "SK하이닉스", shares: 728_002_365, kosdaq: false },
  "005380": { name: "현대차", shares: 213_668_187, kosdaq: false },
  "035420": { name: "NAVER", shares: 164_263_395, kosdaq: false },
  "035720": { name: "카카오", shares: 83_600_000, kosdaq: false },
  "068270": { name: "셀트리온", shares: 128_400_000, kosdaq: false },
  "091990": { name: "셀트리온헬스케어", shares: 151_000_000, kosdaq: true },
  "247540": { name: "에코프로비엠", shares: 20_900_000, kosdaq: true },
};

interface SymbolTable {
  code: string;
  name: string;
  columns: Record<string, Float64Array>;
}

interface Built {
  tables: SymbolTable[];
  moneytop: { index: number[]; codes: string[][] };
}

/**
 * Writes a SQLite database in exactly STOM's layout, built from the real data fixtures:
 * coin kinds from Upbit KRW trades aggregated per second or minute, stock kinds from Creon
 * minute bars (stock_tick spreads each real bar over modeled one-second snapshots). The book
 * is modeled (see buildStomColumns); everything else derives from the trades or bars.
 *
 *   writeStomFixture("/tmp/coin_tick.db", { kind: "coin_tick" });
 */
export function writeStomFixture(path: string, options: StomFixtureOptions): StomFixtureSummary {
  const { kind } = options;
  if (!STOM_KINDS.includes(kind))
    throw new Error(`invalid kind: ${kind} (expected ${STOM_KINDS.join(", ")})`);
  const minutes = options.minutes ?? DEFAULT_MINUTES[kind];
  if (!(minutes > 0)) throw new Error(`invalid minutes: ${minutes}`);
  const built = isStockKind(kind)
    ? buildStock(kind, { ...options, minutes })
    : buildCoin(kind, { ...options, minutes });
  writeDatabase(path, kind, built);
  const rows: Record<string, number> = {};
  for (const table of built.tables) rows[table.code] = table.columns.index.length;
  return { kind, rows, moneytopRows: built.moneytop.index.length };
}

function buildCoin(kind: StomKind, options: StomFixtureOptions & { minutes: number }): Built {
  const source =
    options.source ?? join(sharedDataDir(), "upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-26.csv");
  const code = options.symbol ?? /KRW-[A-Z0-9]+/.exec(source)?.[0] ?? "KRW-BTC";
  const trades = readUpbitTrades(source);
  if (trades.time.length === 0) throw new Error(`no trades in ${source}`);
  const tick = isTickKind(kind);
  const periodMs = tick ? 1000 : 60_000;
  const t0 = Math.floor(trades.time[0] / 60_000) * 60_000;
  const t1 = t0 + options.minutes * 60_000;

  const cap = trades.time.length;
  const p = emptyPeriods(cap);
  let n = -1;
  let lastKey = Number.NaN;
  for (let i = 0; i < cap; i++) {
    const t = trades.time[i];
    if (t < t0 || t >= t1) continue;
    const key = Math.floor(t / periodMs) * periodMs;
    const price = trades.price[i];
    if (key !== lastKey) {
      n++;
      lastKey = key;
      p.index[n] = msToStomIndex(key, 0, tick);
      // Upbit's trading day starts at 09:00 KST, which is midnight UTC
      p.day[n] = Math.floor(key / 86_400_000);
      p.open[n] = price;
      p.high[n] = price;
      p.low[n] = price;
    }
    const qty = trades.volume[i];
    if (trades.side[i] > 0) p.buyQty[n] += qty;
    else p.sellQty[n] += qty;
    p.value[n] += price * qty;
    if (price > p.high[n]) p.high[n] = price;
    if (price < p.low[n]) p.low[n] = price;
    // trades are in sequential_id order, so the last one seen is the period's last trade
    p.price[n] = price;
    p.lastSide[n] = trades.side[i];
  }
  const periods = slicePeriods(p, n + 1);
  periods.interest.fill(1);
  for (let i = 0; i < periods.buyQty.length; i++) {
    periods.buyQty[i] = round8(periods.buyQty[i]);
    periods.sellQty[i] = round8(periods.sellQty[i]);
  }
  const columns = buildStomColumns(kind, periods, {
    tickSize: upbitKrwTickSize,
    levelSize: 2 * meanVolume(periods),
    sizeDecimals: 8,
    seed: options.seed ?? 42,
  });
  return {
    tables: [{ code, name: code, columns }],
    moneytop: { index: Array.from(periods.index), codes: Array.from(periods.index, () => [code]) },
  };
}

function buildStock(kind: StomKind, options: StomFixtureOptions & { minutes: number }): Built {
  const source = options.source ?? join(sharedDataDir(), "krx/creon_1m_20190920");
  const codes =
    options.symbols ??
    readdirSync(source)
      .filter((f) => f.endsWith(".csv"))
      .map((f) => f.slice(0, -4))
      .sort();
  if (codes.length === 0) throw new Error(`no csv files in ${source}`);
  const bars = codes.map((code) => {
    const file = join(source, `${code}.csv`);
    if (!existsSync(file)) throw new Error(`unknown symbol: ${code} (no ${file})`);
    return readCreonBars(file);
  });
  let t0 = Number.POSITIVE_INFINITY;
  for (const b of bars) if (b.start.length > 0) t0 = Math.min(t0, b.start[0]);
  const t1 = t0 + options.minutes * 60_000;
  const seed = options.seed ?? 42;
  const tick = isTickKind(kind);

  const perSymbol = bars.map((b, s) => {
    const info = KRX_INFO[b.symbol] ?? { name: b.symbol, shares: 0, kosdaq: false };
    const periods = tick ? modelSeconds(b, t0, t1, info.kosdaq, seed + s) : minutePeriods(b, t0, t1);
    return { code: b.symbol, info, periods, facts: stockFacts(b, info.shares, seed) };
  });

  const moneytop = rankByValue(
    perSymbol.map(({ code, periods }) => ({ code, periods })),
    options.moneytopSize ?? 3,
  );
  const tables = perSymbol.map(({ code, info, periods, facts }, s) => {
    const listed = moneytop.members;
    for (let i = 0; i < periods.index.length; i++) {
      periods.interest[i] = listed.get(periods.index[i])?.has(code) ? 1 : 0;
    }
    const columns = buildStomColumns(kind, periods, {
      tickSize: (price) => krxTickSize2019(price, info.kosdaq),
      levelSize: 2 * meanVolume(periods),
      sizeDecimals: 0,
      seed: seed + 1000 + s,
      stock: facts,
    });
    return { code, name: info.name, columns };
  });
  return { tables, moneytop: { index: moneytop.index, codes: moneytop.codes } };
}

/**
 * What Kiwoom knows and the bars do not: listed shares and the previous day's volume and value.
 * DERIVED, deterministic per code and seed, from the whole source file (not the --minutes
 * window), per average trading day of the file:
 * - listed shares: the table above when known, else the day's volume over a daily turnover of
 *   1% × (1 + 30 × the day's high/low range) × a seeded lognormal factor (σ 0.4), clamped to
 *   0.1%..50% and rounded to thousands: quiet large caps turn over about 1%, a stock that ranges
 *   30% in a day about 10% (the acceptance DB's movers end the day at 1-12%);
 * - previous day's volume: the day's volume over (1 + 25 × max(0, range - 2%)) × a seeded
 *   lognormal factor (σ 0.3): a quiet day trades about as much as the day before, a big mover
 *   several times more (전일비 at the close of 100% vs 500-1000%);
 * - previous day's value: that volume at the day's first open (the 등락율 reference).
 */
function stockFacts(b: CreonBars, knownShares: number, seed: number): StockFacts {
  const days = new Map<number, { volume: number; high: number; low: number; open: number }>();
  for (let i = 0; i < b.start.length; i++) {
    if (b.volume[i] <= 0) continue;
    const key = Math.floor((b.start[i] + KST_OFFSET_MS) / 86_400_000);
    const d = days.get(key);
    if (!d) days.set(key, { volume: b.volume[i], high: b.high[i], low: b.low[i], open: b.open[i] });
    else {
      d.volume += b.volume[i];
      if (b.high[i] > d.high) d.high = b.high[i];
      if (b.low[i] < d.low) d.low = b.low[i];
    }
  }
  if (days.size === 0) return { listedShares: knownShares, previousVolume: 0, previousValue: 0 };
  let volume = 0;
  let range = 0;
  for (const d of days.values()) {
    volume += d.volume / days.size;
    range += (d.high / d.low - 1) / days.size;
  }
  const open = days.values().next().value?.open ?? 0;
  const normal = gaussian(mulberry32(codeHash(b.symbol) ^ seed));
  const turnover = Math.min(0.5, Math.max(0.001, 0.01 * (1 + 30 * range) * Math.exp(0.4 * normal())));
  const listedShares =
    knownShares > 0 ? knownShares : Math.max(1000, Math.round(volume / turnover / 1000) * 1000);
  const surge = (1 + 25 * Math.max(0, range - 0.02)) * Math.exp(0.3 * normal());
  const previousVolume = Math.max(1, Math.round(volume / surge));
  return { listedShares, previousVolume, previousValue: previousVolume * open };
}

/** FNV-1a of a code: the derived facts do not depend on which other codes are in the folder */
function codeHash(code: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < code.length; i++) h = Math.imul(h ^ code.charCodeAt(i), 0x01000193);
  return h | 0;
}

type MutablePeriods = {
  index: Float64Array;
  day: Float64Array;
  price: Float64Array;
  buyQty: Float64Array;
  sellQty: Float64Array;
  value: Float64Array;
  lastSide: Int8Array;
  open?: Float64Array;
  high?: Float64Array;
  low?: Float64Array;
  interest: Float64Array;
};

function emptyPeriods(n: number): Required<MutablePeriods> {
  return {
    index: new Float64Array(n),
    day: new Float64Array(n),
    price: new Float64Array(n),
    buyQty: new Float64Array(n),
    sellQty: new Float64Array(n),
    value: new Float64Array(n),
    lastSide: new Int8Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    interest: new Float64Array(n),
  };
}

function slicePeriods(p: Required<MutablePeriods>, n: number): Required<MutablePeriods> {
  const out = {} as Record<string, Float64Array | Int8Array>;
  for (const [key, column] of Object.entries(p)) out[key] = column.slice(0, n);
  return out as Required<MutablePeriods>;
}

/** Creon bars as STOM minute periods: the closing-auction filler rows (volume 0) had no trades. */
function minutePeriods(b: CreonBars, t0: number, t1: number): MutablePeriods {
  const p = emptyPeriods(b.start.length);
  let n = 0;
  for (let i = 0; i < b.start.length; i++) {
    if (b.volume[i] <= 0 || b.start[i] < t0 || b.start[i] >= t1) continue;
    const { open, high, low, close, volume } = b;
    p.index[n] = msToStomIndex(b.start[i], KST_OFFSET_MS, false);
    p.day[n] = Math.floor(p.index[n] / 1e4);
    p.open[n] = open[i];
    p.high[n] = high[i];
    p.low[n] = low[i];
    p.price[n] = close[i];
    // bars carry no taker side: split volume by where the close sits in the bar's range
    const f = high[i] > low[i] ? 0.1 + (0.8 * (close[i] - low[i])) / (high[i] - low[i]) : 0.5;
    p.buyQty[n] = Math.round(volume[i] * f);
    p.sellQty[n] = volume[i] - p.buyQty[n];
    p.value[n] = (volume[i] * (open[i] + high[i] + low[i] + close[i])) / 4;
    p.lastSide[n] = close[i] >= open[i] ? 1 : -1;
    n++;
  }
  return slicePeriods(p, n);
}

/**
 * MODELED one-second snapshots inside each real minute bar: a seeded set of seconds, prices
 * walking open -> low -> high -> close (or via high first on a down bar) on the tick grid,
 * volume split by seeded weights, taker side from the price move.
 */
function modelSeconds(b: CreonBars, t0: number, t1: number, kosdaq: boolean, seed: number): MutablePeriods {
  const random = mulberry32(seed);
  let cap = 0;
  for (let i = 0; i < b.start.length; i++)
    if (b.volume[i] > 0 && b.start[i] >= t0 && b.start[i] < t1) cap += 60;
  const p = emptyPeriods(cap);
  const slots = new Int32Array(60);
  const weights = new Float64Array(60);
  let n = 0;
  let side = 1;
  let previous = Number.NaN;
  for (let i = 0; i < b.start.length; i++) {
    const volume = b.volume[i];
    if (volume <= 0 || b.start[i] < t0 || b.start[i] >= t1) continue;
    const o = b.open[i];
    const h = b.high[i];
    const l = b.low[i];
    const c = b.close[i];
    const k = Math.max(1, Math.min(60, Math.round(Math.sqrt(volume) / 15)));
    for (let s = 0; s < 60; s++) slots[s] = s;
    for (let s = 0; s < k; s++) {
      const j = s + Math.floor(random() * (60 - s));
      const x = slots[s];
      slots[s] = slots[j];
      slots[j] = x;
    }
    const seconds = Array.from(slots.subarray(0, k)).sort((x, y) => x - y);
    const path = c >= o ? [o, l, h, c] : [o, h, l, c];
    let total = 0;
    for (let j = 0; j < k; j++) total += weights[j] = -Math.log(1 - random());
    let left = volume;
    for (let j = 0; j < k; j++) {
      const at = k === 1 ? 3 : (3 * j) / (k - 1);
      const leg = Math.min(2, Math.floor(at));
      const raw = path[leg] + (path[leg + 1] - path[leg]) * (at - leg);
      const tick = krxTickSize2019(raw, kosdaq);
      const price = Math.min(h, Math.max(l, Math.round(raw / tick) * tick));
      const qty = j === k - 1 ? left : Math.min(left, Math.round((volume * weights[j]) / total));
      left -= qty;
      if (price > previous) side = 1;
      else if (price < previous) side = -1;
      previous = price;
      const time = b.start[i] + seconds[j] * 1000;
      p.index[n] = msToStomIndex(time, KST_OFFSET_MS, true);
      p.day[n] = Math.floor(p.index[n] / 1e6);
      p.price[n] = price;
      p.open[n] = price;
      p.high[n] = price;
      p.low[n] = price;
      p.buyQty[n] = Math.round(qty * (side > 0 ? 0.8 : 0.2));
      p.sellQty[n] = qty - p.buyQty[n];
      p.value[n] = qty * price;
      p.lastSide[n] = side;
      n++;
    }
  }
  // a second has no OHL of its own: the builder then uses the price
  const { open: _o, high: _h, low: _l, ...rest } = slicePeriods(p, n);
  return rest;
}

/**
 * STOM's interest list (moneytop): at each time, the codes with the most traded value over the
 * trailing ten minutes, best first.
 */
function rankByValue(
  symbols: { code: string; periods: MutablePeriods }[],
  size: number,
): { index: number[]; codes: string[][]; members: Map<number, Set<string>> } {
  const windowMs = 10 * 60_000;
  const events: { t: number; index: number; s: number; value: number }[] = [];
  symbols.forEach(({ periods }, s) => {
    for (let i = 0; i < periods.index.length; i++) {
      events.push({
        t: stomIndexToMs(periods.index[i], KST_OFFSET_MS),
        index: periods.index[i],
        s,
        value: periods.value[i],
      });
    }
  });
  events.sort((a, b) => a.t - b.t || a.s - b.s);
  const sums = new Float64Array(symbols.length);
  const index: number[] = [];
  const codes: string[][] = [];
  const members = new Map<number, Set<string>>();
  let tail = 0;
  for (let i = 0; i < events.length; ) {
    const t = events[i].t;
    const at = events[i].index;
    while (i < events.length && events[i].t === t) {
      sums[events[i].s] += events[i].value;
      i++;
    }
    while (events[tail].t <= t - windowMs) {
      sums[events[tail].s] -= events[tail].value;
      tail++;
    }
    const ranked = symbols
      .map((_, s) => s)
      .filter((s) => sums[s] > 0.5)
      .sort((a, b) => sums[b] - sums[a] || a - b)
      .slice(0, size)
      .map((s) => symbols[s].code);
    index.push(at);
    codes.push(ranked);
    members.set(at, new Set(ranked));
  }
  return { index, codes, members };
}

function meanVolume(p: { buyQty: Float64Array; sellQty: Float64Array }): number {
  let sum = 0;
  for (let i = 0; i < p.buyQty.length; i++) sum += p.buyQty[i] + p.sellQty[i];
  return p.buyQty.length > 0 ? sum / p.buyQty.length : 1;
}

function round8(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}

/** pandas `to_sql` layout, by the one STOM writer (export.ts) */
function writeDatabase(path: string, kind: StomKind, built: Built): void {
  writeStomDb(path, kind, built.tables, built.moneytop);
}
