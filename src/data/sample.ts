import { gaussian, mulberry32 } from "../engine/optimize/rng.ts";
import { timeframeMs } from "../engine/timeframe.ts";
import { type Frame, makeFrame } from "./frame.ts";
import { COIN_TICK_COLUMNS } from "./stom/columns.ts";
import { buildStomColumns } from "./stom/snapshot.ts";
import { upbitKrwTickSize } from "./stom/ticksize.ts";

/**
 * SYNTHETIC market data, so a first run works with no data at all. Everything here is made up
 * by a seeded generator and labelled so: market "sample", symbols "SAMPLE-...".
 */
export const SAMPLE_MARKET = "sample";

/** the timeframes the sample offers */
const SAMPLE_TIMEFRAMES: readonly string[] = ["1m", "3m", "5m", "15m", "30m", "1h", "4h", "1d"];

function sampleSymbol(symbol: string): string {
  return symbol.startsWith("SAMPLE") ? symbol : `SAMPLE-${symbol}`;
}

/**
 * Market states the walk switches between: quiet, trending up, trending down, turbulent.
 * drift and vol are per sqrt(minute) multiples of the base volatility.
 */
const REGIMES = [
  { drift: 0, vol: 0.6 },
  { drift: 0.08, vol: 1 },
  { drift: -0.1, vol: 1.2 },
  { drift: 0, vol: 2.4 },
] as const;

export interface SampleBarsOptions {
  symbol?: string;
  bars?: number;
  seed?: number;
  timeframe?: string;
  /** UTC ms of the first bar */
  start?: number;
  /** first open */
  price?: number;
}

/**
 * Deterministic synthetic OHLCV: a geometric random walk with regime changes, intrabar ranges
 * that grow with volatility, and volume that grows with the size of the move.
 *
 *   makeSampleBars({ bars: 1_000, seed: 7 }) // market "sample", symbol "SAMPLE"
 */
export function makeSampleBars({
  symbol = "SAMPLE",
  bars = 10_000,
  seed = 42,
  timeframe = "1m",
  start = Date.UTC(2024, 0, 2),
  price = 100,
}: SampleBarsOptions = {}): Frame {
  const step = SAMPLE_TIMEFRAMES.includes(timeframe) ? timeframeMs(timeframe) : undefined;
  if (step === undefined)
    throw new Error(`invalid timeframe: ${timeframe} (expected ${SAMPLE_TIMEFRAMES.join(", ")})`);
  if (!Number.isInteger(bars) || bars < 1) throw new Error(`invalid bars: ${bars}`);
  if (!(price > 0)) throw new Error(`invalid price: ${price}`);
  const uniform = mulberry32(seed);
  const normal = gaussian(uniform);
  // 0.08% per minute is about 3% a day, a busy crypto or small-cap stock
  const baseVol = 0.0008 * Math.sqrt(step / 60_000);
  const time = new Float64Array(bars);
  const open = new Float64Array(bars);
  const high = new Float64Array(bars);
  const low = new Float64Array(bars);
  const close = new Float64Array(bars);
  const volume = new Float64Array(bars);
  let regime = 0;
  let last = round2(price);
  for (let i = 0; i < bars; i++) {
    // regimes last about 300 bars
    if (uniform() < 1 / 300) regime = Math.floor(uniform() * REGIMES.length);
    const { drift, vol } = REGIMES[regime];
    const sigma = baseVol * vol;
    const r = drift * baseVol + sigma * normal();
    const o = last;
    const c = round2(Math.max(0.01, o * Math.exp(r)));
    time[i] = start + i * step;
    open[i] = o;
    close[i] = c;
    high[i] = round2(Math.max(o, c) * Math.exp(Math.abs(normal()) * sigma * 0.7));
    low[i] = round2(Math.min(o, c) * Math.exp(-Math.abs(normal()) * sigma * 0.7));
    volume[i] =
      Math.round(1000 * Math.exp(0.5 * normal()) * (0.3 + Math.abs(r) / baseVol) * vol) / 1000 + 0.001;
    last = c;
  }
  return makeFrame({
    kind: "bars",
    market: SAMPLE_MARKET,
    symbol: sampleSymbol(symbol),
    timeframe,
    tz: "UTC",
    columns: { time, open, high, low, close, volume },
  });
}

export interface SampleTicksOptions {
  symbol?: string;
  ticks?: number;
  seed?: number;
  /** UTC ms of the first snapshot */
  start?: number;
  /** ms between snapshots; STOM records at most one per second */
  intervalMs?: number;
  /** first price, KRW */
  price?: number;
}

/**
 * Deterministic synthetic one-second snapshots in STOM's coin_tick shape: time, seq, price,
 * amount, side plus every coin_tick column (현재가 .. the 5-level book .. 관심종목) under its
 * Korean name. Prices move on Upbit's KRW tick grid. Typed arrays only, so 10M ticks fit.
 */
export function makeSampleTicks({
  symbol = "SAMPLE",
  ticks = 100_000,
  seed = 42,
  start = Date.UTC(2024, 0, 2),
  intervalMs = 1000,
  price = 50_000_000,
}: SampleTicksOptions = {}): Frame {
  if (!Number.isInteger(ticks) || ticks < 1) throw new Error(`invalid ticks: ${ticks}`);
  if (!(intervalMs > 0)) throw new Error(`invalid intervalMs: ${intervalMs}`);
  if (!(price > 0)) throw new Error(`invalid price: ${price}`);
  const uniform = mulberry32(seed);
  const normal = gaussian(uniform);
  const n = ticks;
  const time = new Float64Array(n);
  const day = new Int32Array(n);
  const prices = new Float64Array(n);
  const buyQty = new Float64Array(n);
  const sellQty = new Float64Array(n);
  const value = new Float64Array(n);
  const lastSide = new Int8Array(n);
  const side = new Int8Array(n);
  const amount = new Float64Array(n);
  const interest = new Float64Array(n).fill(1);
  let p = upbitKrwTickSize(price) * Math.round(price / upbitKrwTickSize(price));
  let regime = 0;
  let s = 1;
  for (let i = 0; i < n; i++) {
    if (uniform() < 1 / 3000) regime = Math.floor(uniform() * REGIMES.length);
    const { drift, vol } = REGIMES[regime];
    const tick = upbitKrwTickSize(p);
    // about 1.5 ticks of noise a second at 50M KRW, scaled by the regime
    const move = Math.round((drift * 0.3 + normal() * 1.5 * vol) * (1000 / tick) * (p / 50_000_000));
    const next = Math.max(tick, p + move * tick);
    if (next > p) s = 1;
    else if (next < p) s = -1;
    else if (uniform() < 0.3) s = -s;
    p = next;
    const t = start + i * intervalMs;
    time[i] = t;
    day[i] = Math.floor(t / 86_400_000);
    prices[i] = p;
    const qty = Math.round(-Math.log(1 - uniform()) * 0.05 * vol * 1e8) / 1e8 + 1e-8;
    const buyShare = s > 0 ? 0.6 + 0.4 * uniform() : 0.4 * uniform();
    buyQty[i] = Math.round(qty * buyShare * 1e8) / 1e8;
    sellQty[i] = Math.round((qty - buyQty[i]) * 1e8) / 1e8;
    amount[i] = buyQty[i] + sellQty[i];
    value[i] = amount[i] * p;
    lastSide[i] = s;
    side[i] = s;
  }
  const stom = buildStomColumns(
    "coin_tick",
    { index: new Float64Array(n), day, price: prices, buyQty, sellQty, value, lastSide, interest },
    { tickSize: upbitKrwTickSize, levelSize: 0.3, sizeDecimals: 8, seed: seed + 1 },
  );
  const columns: Record<string, Float64Array | Int32Array | Int8Array> = {
    time,
    seq: new Int32Array(n),
    price: stom.현재가,
    amount,
    side,
  };
  for (const name of COIN_TICK_COLUMNS) if (name !== "index") columns[name] = stom[name];
  return makeFrame({
    kind: "ticks",
    market: SAMPLE_MARKET,
    symbol: sampleSymbol(symbol),
    timeframe: "tick",
    tz: "UTC",
    columns,
  });
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
