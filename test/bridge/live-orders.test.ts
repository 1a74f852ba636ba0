// Every engine order type live: rsi-bracket (SL/TP held by the bridge, one cancels the other) and
// breakout-trail (a trailing stop held by the bridge) promoted LIVE over HTTP on a cash account,
// against the replay venue's tape played as a live venue (tape-venue.ts): bar builder, strategy
// host, held orders, OMS, journal. Their fills are compared with backtest() of the same bars, and
// a bridge restarted with held orders outstanding restores them: they trigger once, nothing is
// lost or sent twice, and the run's fills are those of the run without a restart.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import pino from "pino";
import { afterEach, describe, expect, test } from "vitest";
import { loadBars } from "../../src/app/load-bars.ts";
import { loadResolvedStrategy, loadStrategy } from "../../src/app/strategy-loader.ts";
import { Bridge } from "../../src/bridge/bridge.ts";
import type { HeldOrder } from "../../src/bridge/held-orders.ts";
import { startServer } from "../../src/bridge/server.ts";
import { makeSampleBars } from "../../src/data/sample.ts";
import { type BacktestOptions, type Bars, backtest, toBars } from "../../src/engine/index.ts";
import { tempDir } from "../support/fixtures.ts";
import { needShared, ROOT, SHARED_URL } from "../support/paths.ts";
import { type Execution, TapeVenue } from "./tape-venue.ts";

// random, as `openssl rand -hex 32` makes one: the bridge refuses weak tokens
const TOKEN = "5b0e8c1f93a47d26e1f0c8b3a59d7e24f6c1a08b3d9e27f45c6a1b80d3e9f271";
const bars = toBars(makeSampleBars({ bars: 800, seed: 21, timeframe: "1m" }));
const CASH = 100_000;
// the backtest's settings as a report carries them: a spot (cash) account, no costs
const SETTINGS = {
  cash: CASH,
  commission: 0,
  spread: 0,
  slippage: 0,
  margin: 1,
  unit: 1e-8,
  tradeOnClose: false,
  finalizeTrades: false,
  hedging: false,
  exclusiveOrders: false,
  account: "cash" as const,
};
const SYMBOL = "TAPE/USDT";

const dir = tempDir("stom-live-orders-");
const strategies = join(dir, "strategies");
mkdirSync(strategies);
for (const name of ["rsi-bracket", "breakout-trail"])
  copyFileSync(join(ROOT, `notebooks/strategies/${name}.ts`), join(strategies, `${name}.ts`));
// a limit entry below the close with a bracket, as a user would write one: on a venue with limit
// orders the entry rests on the venue's book, its SL and TP are held by the bridge
writeFileSync(
  join(strategies, "dip-limit.ts"),
  `import { defineStrategy, sma } from "stom";
export default defineStrategy({
  params: {
    n: { default: 20 },
    dipPct: { default: 0.1, integer: false },
    slPct: { default: 0.6, integer: false },
    tpPct: { default: 0.4, integer: false },
  },
  init: (ctx) => ({ m: ctx.I(sma(ctx.bars.close, ctx.params.n), "sma") }),
  next(ctx, { m }) {
    if (ctx.trades.length) return;
    // the dip order follows the close: the last bar's is canceled, a new one placed
    for (const o of ctx.orders) o.cancel();
    const c = ctx.close.value;
    const p = ctx.params;
    if (c > m.value)
      ctx.buy({ limit: c * (1 - p.dipPct / 100), sl: c * (1 - p.slPct / 100), tp: c * (1 + p.tpPct / 100) });
  },
});
`,
);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open(venue: TapeVenue, dataDir: string) {
  const bridge = await Bridge.open({
    dataDir,
    strategyDir: strategies,
    allowLive: true,
    liveCash: CASH,
    venueFactory: async () => venue,
    // trades are checked against the venue's clock, not the wall clock
    clock: venue.now,
    // a restarted promotion warms up on the bars the tape has played, as it would on a venue's history
    warmupBars: 1000,
    // an order resting on the venue's book is followed up until it fills
    resolveDelayMs: 1,
  });
  venue.booked = (id) => bridge.stores.live.order(id)?.state;
  const server = await startServer(bridge, { token: TOKEN, port: 0, logger: pino({ level: "silent" }) });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await server.close();
    await bridge.close();
  };
  cleanups.push(close);
  return { bridge, server, close };
}

async function promote(url: string, strategy: string, params: Record<string, number>): Promise<string> {
  const { fingerprint } = await loadResolvedStrategy(strategy, params, {
    dir: strategies,
    settings: SETTINGS,
  });
  const res = await fetch(`${url}/api/promotions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      strategy,
      params,
      exchange: "binance",
      symbol: SYMBOL,
      timeframe: "1m",
      mode: "live",
      fingerprint,
      settings: SETTINGS,
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** A whole live run: promote, play the tape (with a restart after `restartAt` trades, if given). */
async function liveRun(
  strategy: string,
  params: Record<string, number>,
  restartAt?: number,
  tape: () => Promise<TapeVenue> = () => TapeVenue.of(bars, 60_000),
) {
  const venue = await tape();
  const dataDir = join(tempDir("stom-live-run-"), "journal");
  let { bridge, server, close } = await open(venue, dataDir);
  const id = await promote(server.url, strategy, params);
  let atRestart: HeldOrder[] = [];
  if (restartAt !== undefined) {
    await venue.play(restartAt);
    atRestart = bridge.stores.live.heldOrders<HeldOrder>(id, { live: true });
    // the process goes away between two trades; the journal is all that is left
    await close();
    ({ bridge, server, close } = await open(venue, dataDir));
  }
  await venue.play();
  const store = bridge.stores.live;
  const orders = store.orders({ limit: 10_000 }).filter((o) => o.promotionId === id);
  const held = store.heldOrders<HeldOrder>(id);
  return { venue, bridge, store, id, orders, held, atRestart };
}

async function expected(strategy: string, params: Record<string, number>, on: Bars = bars) {
  const { strategy: def } = await loadStrategy(strategy, { dir: strategies });
  return backtest(def, on, { ...(SETTINGS as BacktestOptions), params }).trades;
}

/**
 * Where a held exit fills live: at the first trade of the exit bar (open, high, low, close, in the
 * tape's order) at or through its level, SL checked before TP on each trade, as the engine queues them.
 */
function tapeExit(bar: number, sl: number, tp: number): number {
  for (const p of [bars.open[bar], bars.high[bar], bars.low[bar], bars.close[bar]])
    if (p <= sl || p >= tp) return p;
  return Number.NaN;
}

const barOf = (e: Execution) => Math.floor(e.tick / 4);

const cases: [
  strategy: string,
  params: Record<string, number>,
  closed: number,
  exact: number,
  gapPct: string,
  flipped: number,
][] = [
  // pinned from these runs (seeded bars): closed trades, exits at the backtest's very price, the
  // mean of (live exit − backtest exit) / backtest exit in percent, and exits where one bar reached
  // both SL and TP: the backtest takes the SL (pessimistic), live the tape's first print (its high)
  ["rsi-bracket", { oversold: 40, slPct: 0.5, tpPct: 0.5 }, 13, 0, "0.003", 0],
  ["breakout-trail", { trailPct: 0.5 }, 9, 0, "-0.046", 0],
  ["dip-limit", {}, 23, 0, "0.019", 0],
];

describe("live orders held by the bridge: parity with backtest() on a cash account", () => {
  for (const [strategy, params, closed, exact, gapPct, flipped] of cases) {
    test(`${strategy}: entries at the backtest's bars and prices, exits at its bars, each at the trade that crossed the level`, async () => {
      const trades = await expected(strategy, params);
      const run = await liveRun(strategy, params);
      const ours = new Set(run.orders.map((o) => o.clientOrderId));
      const executions = run.venue.executions.filter((e) => ours.has(e.clientOrderId));
      const buys = executions.filter((e) => e.side === "buy");
      const sells = executions.filter((e) => e.side === "sell");
      expect(trades.length).toBeGreaterThan(5);
      // the backtest's closed trades, and the one still open at the end (bought, not sold yet)
      expect(sells.length).toBe(trades.length);
      expect(buys.length - sells.length).toBeLessThanOrEqual(1);
      let same = 0;
      let gap = 0;
      let flips = 0;
      for (let k = 0; k < trades.length; k++) {
        // a market entry decided on bar i fills at bar i+1's open trade, as the backtest fills it
        expect([barOf(buys[k]), buys[k].price], `entry ${k}`).toEqual([
          trades.entryBar[k],
          trades.entryPrice[k],
        ]);
        const j = trades.exitBar[k];
        expect(barOf(sells[k]), `exit bar ${k}`).toBe(j);
        const sl = Number.isNaN(trades.sl[k]) ? Number.NEGATIVE_INFINITY : trades.sl[k];
        const tp = Number.isNaN(trades.tp[k]) ? Number.POSITIVE_INFINITY : trades.tp[k];
        expect(sells[k].price, `exit ${k}`).toBe(tapeExit(j, sl, tp));
        if (sells[k].price === trades.exitPrice[k]) same++;
        gap += (100 * (sells[k].price - trades.exitPrice[k])) / trades.exitPrice[k];
        if (trades.exitPrice[k] <= sl && sells[k].price >= tp) flips++;
        // spot: each exit sells what the entry bought, no more
        expect(sells[k].amount).toBeCloseTo(buys[k].amount, 9);
      }
      expect([trades.length, same, (gap / trades.length).toFixed(3), flips]).toEqual([
        closed,
        exact,
        gapPct,
        flipped,
      ]);

      // journalled like any other order: every execution is a FILLED journal order with its fill
      expect(run.orders.filter((o) => o.state === "FILLED").length).toBe(executions.length);
      const fills = run.store.fills().filter((f) => ours.has(f.clientOrderId));
      expect(fills.map((f) => [f.clientOrderId, f.price])).toEqual(
        executions.map((e) => [e.clientOrderId, e.price]),
      );
      // every exit was a held order that triggered once; a bracket's other leg was canceled (OCO)
      const triggered = run.held.filter((h) => h.role !== "entry" && h.state === "done");
      expect(triggered.length).toBe(sells.length);
      expect(new Set(triggered.map((h) => h.clientOrderId))).toEqual(
        new Set(sells.map((s) => s.clientOrderId)),
      );
      for (const h of run.held)
        expect(run.store.heldEvents(h.id).filter((e) => e.event === "triggered").length).toBeLessThanOrEqual(
          1,
        );
      if (strategy === "rsi-bracket")
        expect(run.held.filter((h) => h.role === "tp" || h.role === "sl").length).toBe(2 * buys.length);
    }, 60_000);
  }
});

type Trades = Awaited<ReturnType<typeof expected>>;

/** The middle of a trade that lasts: its exits are held when the process goes away. */
function midTrade(trades: Trades): number {
  const k = trades.exitBar.findIndex((x, t) => x - trades.entryBar[t] >= 3 && trades.entryBar[t] > 100);
  expect(k).toBeGreaterThanOrEqual(0);
  // just after the open trade of bar m + 1 (bar m is decided and its trailing stop moved)
  const m = trades.entryBar[k] + 1;
  return 4 * (m + 1) + 1;
}

/** Just after the open trade of a bar whose limit entry rests on the venue's book until a later trade. */
function restingEntry(trades: Trades): number {
  const k = trades.entryBar.findIndex((e, t) => e > 100 && trades.entryPrice[t] < bars.open[e]);
  expect(k).toBeGreaterThanOrEqual(0);
  return 4 * trades.entryBar[k] + 1;
}

const restarts: [
  strategy: string,
  params: Record<string, number>,
  what: string,
  killAt: (t: Trades) => number,
][] = [
  ["rsi-bracket", cases[0][1], "a bracket's SL and TP held", midTrade],
  ["breakout-trail", cases[1][1], "a trailing stop held", midTrade],
  ["dip-limit", cases[2][1], "a limit entry resting on the venue's book, its bracket held", restingEntry],
];

describe("a bridge restarted with orders outstanding", () => {
  for (const [strategy, params, what, killAt] of restarts) {
    test(`${strategy}, ${what}: restored, triggered once, the same fills as without a restart`, async () => {
      const trades = await expected(strategy, params);
      const straight = await liveRun(strategy, params);
      const restarted = await liveRun(strategy, params, killAt(trades));

      const outstanding = restarted.atRestart;
      expect(outstanding.length).toBeGreaterThan(0);
      // the same rows, by id, came back and finished after the restart
      const after = new Map(restarted.held.map((h) => [h.id, h]));
      for (const h of outstanding) expect(["done", "canceled"]).toContain(after.get(h.id)?.state);
      for (const h of restarted.held)
        expect(
          restarted.store.heldEvents(h.id).filter((e) => e.event === "triggered").length,
        ).toBeLessThanOrEqual(1);
      if (strategy === "dip-limit") {
        // the entry was on the venue's book at the restart, and filled there after it
        const entry = outstanding.find((h) => h.role === "entry" && h.state === "sent");
        const order = restarted.orders.find((o) => o.clientOrderId === entry?.clientOrderId);
        expect([order?.type, order?.state]).toEqual(["limit", "FILLED"]);
      }
      // nothing lost, nothing sent twice: the same executions as without the restart
      const view = (run: typeof straight) =>
        run.venue.executions.map((e) => [e.side, e.tick, e.price, Number(e.amount.toFixed(9))]);
      expect(view(restarted)).toEqual(view(straight));
      expect(new Set(restarted.venue.executions.map((e) => e.clientOrderId)).size).toBe(
        restarted.venue.executions.length,
      );
      const audit = restarted.store.audits().find((a) => a.kind === "restore");
      expect(audit?.detail).toMatchObject({ held: expect.any(Number) });
    }, 90_000);
  }
});

// A real tape: the XRP/ETH trades (12,477 prints over 3,560 minutes, 1,091 without any), and the
// backtest of the 1m bars they make (parity.test.ts: the bar builder rebuilds that file exactly).
// Here a held stop fills at the first print through its level, close to it, and a market order
// decided on a bar fills at the next print, which after a quiet minute is in a later bar than the
// backtest's next open.
const { missing } = needShared("freqtrade/XRP_ETH-1m.json", "freqtrade/XRP_ETH-trades.json.gz");

describe.skipIf(missing)("on the XRP/ETH trade tape", () => {
  const tapeCases: [strategy: string, params: Record<string, number>, pinned: unknown[]][] = [
    // backtest trades, live exits, entries at the backtest's (bar, price), exits at its bar, exits at
    // its price, mean (live − backtest) / backtest exit in %, mean |difference| in basis points
    ["rsi-bracket", { oversold: 40, slPct: 0.5, tpPct: 0.5 }, [29, 29, 22, 29, 2, "-0.001", "0.8"]],
    ["breakout-trail", { trailPct: 0.5 }, [37, 36, 15, 23, 5, "0.052", "15.3"]],
  ];
  for (const [strategy, params, pinned] of tapeCases)
    test(`${strategy}: how far live fills are from the backtest's on a real tape`, async () => {
      const { bars: xrp } = await loadBars(new URL("freqtrade/XRP_ETH-1m.json", SHARED_URL).pathname);
      const raw = JSON.parse(
        gunzipSync(readFileSync(new URL("freqtrade/XRP_ETH-trades.json.gz", SHARED_URL))).toString("utf8"),
      ) as [number, string, null, string, number, number][];
      const ticks = raw.map(([time, id, , , price, amount]) => ({ time, id, price, amount }));
      const trades = await expected(strategy, params, xrp);
      const run = await liveRun(strategy, params, undefined, async () =>
        TapeVenue.ofTrades(xrp, 60_000, ticks),
      );
      const ours = new Set(run.orders.map((o) => o.clientOrderId));
      const executions = run.venue.executions.filter((e) => ours.has(e.clientOrderId));
      const barAt = (time: number) => {
        let lo = 0;
        let hi = xrp.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (xrp.time[mid] <= time) lo = mid;
          else hi = mid - 1;
        }
        return lo;
      };
      const buys = executions.filter((e) => e.side === "buy");
      const sells = executions.filter((e) => e.side === "sell");
      let entries = 0;
      let exitBars = 0;
      let exitPrices = 0;
      let gap = 0;
      let absBps = 0;
      const n = Math.min(trades.length, sells.length);
      for (let k = 0; k < n; k++) {
        if (barAt(buys[k].time) === trades.entryBar[k] && buys[k].price === trades.entryPrice[k]) entries++;
        if (barAt(sells[k].time) === trades.exitBar[k]) exitBars++;
        if (sells[k].price === trades.exitPrice[k]) exitPrices++;
        const d = (sells[k].price - trades.exitPrice[k]) / trades.exitPrice[k];
        gap += 100 * d;
        absBps += 10_000 * Math.abs(d);
      }
      const measured = [
        trades.length,
        sells.length,
        entries,
        exitBars,
        exitPrices,
        (gap / n).toFixed(3),
        (absBps / n).toFixed(1),
      ];
      expect(measured).toEqual(pinned);
    }, 120_000);
});
