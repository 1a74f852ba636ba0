// The replay venue drives the whole paper path (HTTP promotion, bar builder, paper session, OMS,
// journal) from recorded bars; the journal's fills equal the backtest's trades on the same bars,
// for each kind of strategy: reversing long/short, SL/TP brackets, a trailing stop, an EMA.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadResolvedStrategy, loadStrategy } from "../../src/app/strategy-loader.ts";
import { Bridge } from "../../src/bridge/bridge.ts";
import { ReplayVenue } from "../../src/bridge/replay-venue.ts";
import { type BridgeServer, startServer } from "../../src/bridge/server.ts";
import { makeSampleBars } from "../../src/data/sample.ts";
import { type BacktestOptions, backtest, toBars } from "../../src/engine/index.ts";
import { tempDir } from "../support/fixtures.ts";
import { ROOT } from "../support/paths.ts";

// random, as `openssl rand -hex 32` makes one: the bridge refuses weak tokens
const TOKEN = "cd9409a7333fb35d716a6414ef858e8eab720ee7430160b8b4bcbb2329f06d4d";
const dir = tempDir("stom-replay-");
const strategies = join(dir, "strategies");
const bars = toBars(makeSampleBars({ bars: 800, seed: 21, timeframe: "1m" }));
const PAPER: BacktestOptions = { cash: 100_000, commission: 0.0005 };

// an indicator with memory, as a user would write it in their own file
const EMA = `import { defineStrategy, ema } from "stom";
export default defineStrategy({
  params: { n: { default: 20 } },
  init: (ctx) => ({ e: ctx.I(ema(ctx.bars.close, ctx.params.n), "ema") }),
  next(ctx, { e }) {
    if (ctx.close.value > e.value && ctx.position.size <= 0) ctx.buy({ size: 0.5 });
    else if (ctx.close.value < e.value && ctx.position.size > 0) ctx.position.close();
  },
});
`;

// a promotion may carry its backtest's settings (a report's): the paper run trades with them
const SETTINGS = {
  cash: 50_000,
  commission: 0.001,
  spread: 0,
  slippage: 0,
  margin: 1,
  unit: 0.01,
  tradeOnClose: false,
  finalizeTrades: false,
  hedging: false,
  exclusiveOrders: false,
  account: "cash" as const,
};

const cases: [name: string, symbol: string, params: Record<string, number>, settings?: typeof SETTINGS][] = [
  ["sma-cross", "REPLAY-SMA", { fast: 10, slow: 30 }],
  ["sma-cross", "REPLAY-SMA-SPOT", { fast: 10, slow: 30 }, SETTINGS],
  ["rsi-bracket", "REPLAY-RSI", { slPct: 0.5, tpPct: 0.5 }],
  ["breakout-trail", "REPLAY-BRK", { trailPct: 0.5 }],
  ["ema-trend", "REPLAY-EMA", { n: 20 }],
];

let bridge: Bridge;
let server: BridgeServer;
const ended = new Map<string, () => void>();
const done = new Map<string, Promise<void>>();

beforeAll(async () => {
  mkdirSync(strategies);
  for (const name of ["sma-cross", "rsi-bracket", "breakout-trail"])
    copyFileSync(join(ROOT, `notebooks/strategies/${name}.ts`), join(strategies, `${name}.ts`));
  writeFileSync(join(strategies, "ema-trend.ts"), EMA);
  for (const [, symbol] of cases) done.set(symbol, new Promise((resolve) => ended.set(symbol, resolve)));
  const venue = new ReplayVenue(bars, 60_000, {
    onEnd: (symbol, end) => {
      bridge.flush(end);
      ended.get(symbol)?.();
    },
  });
  bridge = await Bridge.open({
    dataDir: join(dir, "journal"),
    strategyDir: strategies,
    paper: PAPER,
    venueFactory: async () => venue,
  });
  server = await startServer(bridge, { token: TOKEN, port: 0, logger: pino({ level: "silent" }) });
});

afterAll(async () => {
  await server?.close();
  await bridge?.close();
});

/** signed amount per (time, price): an order that closes one trade and opens another is one fill */
function byTimeAndPrice(rows: { time: number; price: number; amount: number }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.time} ${r.price}`;
    out.set(key, (out.get(key) ?? 0) + r.amount);
  }
  for (const [k, v] of out) if (Math.abs(v) < 1e-9) out.delete(k);
  return out;
}

describe("stom bridge --replay: the paper path equals the backtest", () => {
  for (const [name, symbol, params, settings] of cases) {
    const label = settings ? `${name} with its backtest's settings (cash account, 0.1%, unit 0.01)` : name;
    test(`${label}: the journal's fills are the backtest's trades`, async () => {
      const { fingerprint } = settings
        ? await loadResolvedStrategy(name, params, { dir: strategies, settings })
        : { fingerprint: undefined };
      const res = await fetch(`${server.url}/api/promotions`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          strategy: name,
          params,
          exchange: "binance",
          symbol,
          timeframe: "1m",
          ...(settings ? { settings, fingerprint } : {}),
        }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const promotion = (await res.json()) as { id: string };
      await done.get(symbol);

      const { strategy } = await loadStrategy(name, { dir: strategies });
      // finalized so that trades still open at the end have their entries in the list; their
      // closing fills are on the last bar, which the comparison leaves out
      const options: BacktestOptions = settings ? { ...settings } : PAPER;
      const expected = backtest(strategy, bars, { ...options, params, finalizeTrades: true }).trades;
      if (settings) expect(Array.from(expected.size).every((s) => s > 0)).toBe(true);
      expect(expected.length).toBeGreaterThan(2);
      const last = bars.time[bars.length - 1];
      const want: { time: number; price: number; amount: number }[] = [];
      for (let k = 0; k < expected.length; k++) {
        want.push({ time: expected.entryTime[k], price: expected.entryPrice[k], amount: expected.size[k] });
        want.push({ time: expected.exitTime[k], price: expected.exitPrice[k], amount: -expected.size[k] });
      }

      const store = bridge.stores.paper;
      const orders = store.orders().filter((o) => o.promotionId === promotion.id);
      const side = new Map(orders.map((o) => [o.clientOrderId, o.side === "buy" ? 1 : -1]));
      const got = store
        .fills()
        .filter((f) => side.has(f.clientOrderId))
        .map((f) => ({
          time: f.time,
          price: f.price,
          amount: (side.get(f.clientOrderId) as number) * f.amount,
        }));
      const beforeLast = (rows: typeof want) => byTimeAndPrice(rows.filter((r) => r.time < last));
      const wanted = beforeLast(want);
      const journalled = beforeLast(got);
      expect(wanted.size).toBeGreaterThan(4);
      expect([...journalled.keys()].sort()).toEqual([...wanted.keys()].sort());
      for (const [key, amount] of wanted) expect(journalled.get(key), key).toBeCloseTo(amount, 9);
    });
  }
});
