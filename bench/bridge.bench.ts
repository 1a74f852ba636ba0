// Bridge load and faults, honestly measured: the bridge runs in its own process (live mode, real
// ccxt) against the mock venue in this one, and the websocket clients run in a third process, so
// neither the venue nor the clients steal the bridge's event loop.
//   1. CLIENTS websocket clients and 20 HTTP callers; the XRP/ETH tape replayed REPEATS times over the
//      venue's websocket: latency from the trade that closes a bar leaving the venue to the order the
//      strategy places on that bar reaching the venue, the bridge's memory over the replay, requests/s.
//   2. The bridge SIGKILLed KILLS times while an order is in flight (the venue takes the order and
//      holds the answer back), restarted on the same journal each time: the journal and the venue
//      must agree, every order exactly once.
// Why a 300-client run used to stall with no output: the clients lived in the server's process, so
// every event became 300 sends plus 300 receive-and-parse callbacks on one thread while the replay
// loop held it (4.3M messages for one tape; 50 clients already took 23 s). Now they are separate.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import pino from "pino";
import { WebSocket } from "ws";
import { loadResolvedStrategy } from "../src/app/strategy-loader.ts";
import { Bridge } from "../src/bridge/bridge.ts";
import { startServer, WS_PROTOCOL_PREFIX } from "../src/bridge/server.ts";
import { Store } from "../src/bridge/store.ts";
import { FINAL_STATES, type OrderRecord } from "../src/bridge/types.ts";
import { type MockVenue, startMockVenue } from "../test/support/mock-venue.ts";

// random, as `openssl rand -hex 32` makes one: the bridge refuses weak tokens
const TOKEN = "a2c6d57cb1e05520c5be135219d73aef7096eb201f387d4e16e96ed8626b3f4a";
const SELF = fileURLToPath(import.meta.url);
const wall = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const role = process.argv[2] ?? "main";
if (role === "bridge") await bridgeProcess();
else if (role === "clients") await clientsProcess();
else await main();

// ---- the bridge's process -----------------------------------------------------------------------

async function bridgeProcess() {
  const bridge = await Bridge.open({
    dataDir: process.env.BENCH_DATA as string,
    allowLive: true,
    liveCash: 50,
    venue: {
      apiKey: "mock-api-key",
      secret: "mock-api-secret",
      urlOverride: process.env.BENCH_VENUE,
      timeout: 10_000,
      pollMs: 50,
    },
    resolveDelayMs: 50,
  });
  const server = await startServer(bridge, { token: TOKEN, port: 0, logger: pino({ level: "silent" }) });
  const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  // the orchestrator gone: nothing left to report to
  process.stdout.on("error", () => process.exit(1));
  say({ ready: server.url });
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  setInterval(() => {
    say({ rss: process.memoryUsage().rss, lagMax: lag.max / 1e6 });
    lag.reset();
  }, 250);
  process.on("SIGTERM", async () => {
    await server.close();
    await bridge.close();
    process.exit(0);
  });
}

// ---- the clients' process -------------------------------------------------------------------------

async function clientsProcess() {
  const url = process.env.BENCH_URL as string;
  const n = Number(process.env.CLIENTS);
  const counts = new Int32Array(n);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, async (_, k) => {
      const s = new WebSocket(`${url.replace("http", "ws")}/ws`, [`${WS_PROTOCOL_PREFIX}${TOKEN}`]);
      s.on("message", () => counts[k]++);
      await new Promise((r, j) => {
        s.once("open", r);
        s.once("error", j);
      });
    }),
  );
  process.send?.({ connected: n, ms: performance.now() - t0 });
  process.on("message", async (m: { cmd: string }) => {
    if (m.cmd === "count") {
      let total = 0;
      let min = Number.POSITIVE_INFINITY;
      for (const c of counts) {
        total += c;
        min = Math.min(min, c);
      }
      process.send?.({ total, min, max: Math.max(...counts) });
    } else if (m.cmd === "rate") {
      const end = performance.now() + 2000;
      let requests = 0;
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (performance.now() < end) {
            const r = await fetch(`${url}/api/positions`, { headers: { Authorization: `Bearer ${TOKEN}` } });
            await r.arrayBuffer();
            requests++;
          }
        }),
      );
      process.send?.({ requests, seconds: 2 });
    } else if (m.cmd === "exit") process.exit(0);
  });
}

// ---- the orchestrator (this process also plays the venue) --------------------------------------------

type TapeRow = [number, string, null, "buy" | "sell", number, number, number];

interface BridgeChild {
  child: ChildProcess;
  url: string;
  rss: number[];
  /** the bridge's worst event-loop delay in each 250 ms, ms */
  lags: number[];
  exited: Promise<number | null>;
}

async function startBridge(venue: MockVenue, dataDir: string): Promise<BridgeChild> {
  const child = spawn(process.execPath, ["--import", "tsx", SELF, "bridge"], {
    env: { ...process.env, BENCH_DATA: dataDir, BENCH_VENUE: venue.url },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const rss: number[] = [];
  const lags: number[] = [];
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stdout?.on("data", (d) => {
      buf += d;
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (line.ready) resolve(line.ready);
        if (line.rss) rss.push(line.rss);
        if (line.lagMax !== undefined) lags.push(line.lagMax);
        nl = buf.indexOf("\n");
      }
    });
    void exited.then((code) => reject(new Error(`bridge exited with ${code} before it was ready`)));
  });
  return { child, url, rss, lags, exited };
}

async function promote(url: string) {
  const params = { fast: 5, slow: 20 };
  const { fingerprint } = await loadResolvedStrategy("sma-cross", params);
  const res = await fetch(`${url}/api/promotions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      strategy: "sma-cross",
      params,
      exchange: "binance",
      symbol: "XRP/ETH",
      timeframe: "1m",
      mode: "live",
      fingerprint,
    }),
  });
  if (res.status !== 201) throw new Error(`promotion refused: ${res.status} ${await res.text()}`);
}

async function waitFor(what: () => boolean, ms: number, label: string) {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await sleep(5);
  }
}

async function journal(url: string): Promise<OrderRecord[]> {
  const res = await fetch(`${url}/api/orders`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return (await res.json()) as OrderRecord[];
}

/**
 * Streams tape trades over the venue's websocket at about `rate` trades/s, `repeat` shifting times
 * and ids past the tape; records when each bar-closing trade (the first of a new minute) left.
 */
function streamer(venue: MockVenue, tape: TapeRow[], rate: number) {
  const span = tape[tape.length - 1][0] - tape[0][0] + 60_000;
  const closers: number[] = [];
  let bucket = Number.NaN;
  let sent = 0;
  const t0 = performance.now();
  return {
    closers,
    get sent() {
      return sent;
    },
    async run(from: number, to: number, repeat = 0, stop: () => boolean = () => false) {
      for (let k = from; k < to && !stop(); k++) {
        const [t, id, , side, price, amount] = tape[k];
        const time = t + repeat * span;
        const b = Math.floor(time / 60_000);
        if (b !== bucket) {
          bucket = b;
          closers.push(wall());
        }
        venue.setNow("binance", time);
        venue.streamTrade("binance", "XRPETH", { time, id: Number(id) + repeat * 1e9, price, amount, side });
        sent++;
        // pace: stay at `rate` on average without a timer per trade
        const ahead = sent / rate - (performance.now() - t0) / 1000;
        if (ahead > 0.002) await sleep(ahead * 1000);
        else if (sent % 50 === 0) await new Promise((r) => setImmediate(r));
      }
    },
  };
}

function quantile(sorted: number[], p: number): string {
  if (!sorted.length) return "n/a";
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(2);
}

async function loadRun(tape: TapeRow[]) {
  const CLIENTS = Number(process.env.CLIENTS ?? 300);
  const REPEATS = Number(process.env.REPEATS ?? 2);
  // ~300 trades/s is far beyond a live XRP/ETH feed yet keeps 300 clients lossless here; at 2000/s
  // the fan-out (560k messages/s) exceeds what one core delivers and slow clients lose events
  const RATE = Number(process.env.RATE ?? 300);
  const venue = await startMockVenue({ binanceNow: tape[0][0], balances: { ETH: 1e9, XRP: 0 } });
  const bridge = await startBridge(venue, mkdtempSync(path.join(os.tmpdir(), "stom-bench-")));
  await promote(bridge.url);
  await waitFor(() => venue.subscribers("binance") > 0, 30_000, "the bridge's subscription");

  const clients = spawn(process.execPath, ["--import", "tsx", SELF, "clients"], {
    env: { ...process.env, BENCH_URL: bridge.url, CLIENTS: String(CLIENTS) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ask = <T>(cmd?: string) =>
    new Promise<T>((r) => {
      clients.once("message", (m) => r(m as T));
      if (cmd) clients.send({ cmd });
    });
  const connected = await ask<{ connected: number; ms: number }>();
  console.log(
    `${connected.connected} websocket clients (own process) connected in ${connected.ms.toFixed(0)} ms`,
  );

  const rss0 = bridge.rss[bridge.rss.length - 1];
  const s = streamer(venue, tape, RATE);
  const t0 = performance.now();
  for (let r = 0; r < REPEATS; r++) await s.run(0, tape.length, r);
  const seconds = (performance.now() - t0) / 1000;
  await sleep(1500);
  const orders = venue.requests.filter((q) => q.method === "POST" && q.path === "/api/v3/order");
  const latencies: number[] = [];
  for (const o of orders) {
    // the bar-closing trade that triggered this order is the last one that left before it arrived
    let lo = 0;
    let hi = s.closers.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s.closers[mid] <= o.at) lo = mid;
      else hi = mid - 1;
    }
    latencies.push(o.at - s.closers[lo]);
  }
  latencies.sort((a, b) => a - b);
  const rssMax = Math.max(...bridge.rss);
  const rss1 = bridge.rss[bridge.rss.length - 1];
  const got = await ask<{ total: number; min: number; max: number }>("count");
  const rate = await ask<{ requests: number; seconds: number }>("rate");
  const mb = (x: number) => (x / 2 ** 20).toFixed(0);
  console.log(
    `replayed ${s.sent} trades (${REPEATS} x tape) over the venue websocket in ${seconds.toFixed(1)} s (${(s.sent / seconds).toFixed(0)} trades/s)`,
  );
  console.log(
    `trade leaves the venue -> order reaches the venue (bridge process, real ccxt, ${CLIENTS} clients): n=${latencies.length} p50 ${quantile(latencies, 0.5)} ms, p99 ${quantile(latencies, 0.99)} ms, max ${quantile(latencies, 1)} ms`,
  );
  console.log(
    `websocket events delivered: ${got.total} (${got.min}..${got.max} per client; a client > 1 MB behind loses events)`,
  );
  console.log(
    `bridge event-loop delay: worst ${Math.max(...bridge.lags).toFixed(0)} ms in any 250 ms window`,
  );
  console.log(`bridge rss: ${mb(rss0)} MB before the replay, max ${mb(rssMax)} MB, ${mb(rss1)} MB after`);
  console.log(
    `GET /api/positions from another process: ${(rate.requests / rate.seconds).toFixed(0)} requests/s (20 keep-alive callers)`,
  );
  clients.send({ cmd: "exit" });
  bridge.child.kill("SIGTERM");
  await bridge.exited;
  await venue.close();
}

async function killRun(tape: TapeRow[]) {
  const KILLS = Number(process.env.KILLS ?? 3);
  const venue = await startMockVenue({ binanceNow: tape[0][0], balances: { ETH: 1e9, XRP: 0 } });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "stom-bench-kill-"));
  let bridge = await startBridge(venue, dataDir);
  await promote(bridge.url);
  await waitFor(() => venue.subscribers("binance") > 0, 30_000, "the bridge's subscription");
  const s = streamer(venue, tape, Number(process.env.RATE ?? 300));
  let k = 0;
  const killed: string[] = [];
  const restartMs: number[] = [];
  for (let n = 0; n < KILLS; n++) {
    venue.inject({ kind: "delay", match: "POST /api/v3/order", ms: 5000 });
    const delayed = () => venue.requests.filter((q) => q.fault === "delay").length;
    const before = delayed();
    const inFlight = () => delayed() > before;
    while (!inFlight() && k < tape.length) {
      await s.run(k, Math.min(k + 20, tape.length), 0, inFlight);
      k += 20;
    }
    await waitFor(inFlight, 30_000, "an order in flight (the tape ended first)");
    // the venue has taken the order and holds the answer: kill the bridge now
    bridge.child.kill("SIGKILL");
    await bridge.exited;
    killed.push([...venue.orders.keys()][venue.orders.size - 1]);
    const t = performance.now();
    bridge = await startBridge(venue, dataDir);
    await waitFor(() => venue.subscribers("binance") > 0, 30_000, "resubscription");
    restartMs.push(performance.now() - t);
  }
  await s.run(k, tape.length);
  let open: OrderRecord[] = [];
  for (let tries = 0; tries < 60; tries++) {
    await sleep(250);
    open = (await journal(bridge.url)).filter((o) => !FINAL_STATES.has(o.state));
    if (!open.length) break;
  }
  bridge.child.kill("SIGTERM");
  await bridge.exited;

  const store = new Store(path.join(dataDir, "live.sqlite"));
  const rows = store.orders({ limit: 1e6 });
  const sent = rows.filter((o) => o.state !== "REJECTED" || venue.orders.has(o.clientOrderId));
  const lost = [...venue.orders.keys()].filter((id) => !store.order(id));
  const duplicated = [...venue.orderRequests.values()].filter((c) => c > 1).length;
  const mismatched = sent.filter((o) => {
    const v = venue.orders.get(o.clientOrderId);
    return !v || o.state !== "FILLED" || Math.abs(o.filled - v.executedQty) > 1e-9;
  });
  const trails = killed.map((id) =>
    store
      .events(id)
      .map((e) => e.to)
      .join(">"),
  );
  store.close();
  console.log(
    `killed mid-order ${KILLS} times (SIGKILL while the venue held the answer), restarted in ${restartMs.map((m) => (m / 1000).toFixed(1)).join(", ")} s:`,
  );
  console.log(
    `  venue orders ${venue.orders.size}, journal orders sent ${sent.length}, lost ${lost.length}, sent twice ${duplicated}, journal != venue ${mismatched.length}, left open ${open.length}`,
  );
  console.log(`  the killed orders' journal trails: ${trails.join(" | ")}`);
  await venue.close();
  if (lost.length || duplicated || mismatched.length || open.length || sent.length !== venue.orders.size)
    process.exitCode = 1;
}

async function main() {
  const tape = JSON.parse(
    gunzipSync(
      readFileSync(new URL("../../shared/data/freqtrade/XRP_ETH-trades.json.gz", import.meta.url)),
    ).toString("utf8"),
  ) as TapeRow[];
  if (process.env.ONLY !== "kill") await loadRun(tape);
  if (process.env.ONLY !== "load") await killRun(tape);
}
