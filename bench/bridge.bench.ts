// Bridge load: WebSocket fan-out to many clients, tick-to-order latency, a sustained request rate,
// and memory over a long replay. Paper mode, fed directly (no venue), on loopback.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import pino from "pino";
import { WebSocket } from "ws";
import { Bridge } from "../src/bridge/bridge.ts";
import { startServer, WS_PROTOCOL_PREFIX } from "../src/bridge/server.ts";

const CLIENTS = Number(process.env.CLIENTS ?? 200);
const REPEATS = Number(process.env.REPEATS ?? 1);
const TOKEN = "bench-token-0123456789abcdefghijklmnop";
const tape = JSON.parse(
  gunzipSync(
    readFileSync(new URL("../../shared/data/freqtrade/XRP_ETH-trades.json.gz", import.meta.url)),
  ).toString("utf8"),
) as [number, string, null, string, number, number, number][];

const bridge = await Bridge.open({
  dataDir: mkdtempSync(path.join(os.tmpdir(), "stom-bench-")),
  feed: false,
  window: 100,
  paper: { cash: 10, commission: 0.001 },
});
const server = await startServer(bridge, { token: TOKEN, port: 0, logger: pino({ level: "silent" }) });
const ws = server.url.replace("http", "ws");

const sockets: WebSocket[] = [];
let received = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    const s = new WebSocket(`${ws}/ws`, [`${WS_PROTOCOL_PREFIX}${TOKEN}`]);
    s.on("message", () => received++);
    await new Promise((r) => s.once("open", r));
    sockets.push(s);
  }),
);
console.log(`${CLIENTS} websocket clients connected in ${(performance.now() - t0).toFixed(0)} ms`);

const res = await fetch(`${server.url}/api/promotions`, {
  method: "POST",
  headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
  body: JSON.stringify({
    strategy: "sma-cross",
    params: { fast: 5, slow: 20 },
    exchange: "binance",
    symbol: "XRP/ETH",
    timeframe: "1m",
  }),
});
const { id } = (await res.json()) as { id: string };

// latency: from the trade that closes a bar to the order the strategy places on it
const latencies: number[] = [];
let tickAt = 0;
bridge.on((e) => {
  if (e.type === "order" && e.order.state === "NEW") latencies.push(performance.now() - tickAt);
});
const rss0 = process.memoryUsage().rss;
const span = tape[tape.length - 1][0] - tape[0][0] + 60_000;
let ticks = 0;
const tReplay = performance.now();
for (let r = 0; r < REPEATS; r++) {
  for (const [time, tid, , , price, amount] of tape) {
    tickAt = performance.now();
    bridge.tick(id, { time: time + r * span, id: `${r}:${tid}`, price, amount });
    ticks++;
    if (ticks % 500 === 0) await new Promise((res) => setImmediate(res));
  }
}
const replayMs = performance.now() - tReplay;
await new Promise((r) => setTimeout(r, 500));
const rss1 = process.memoryUsage().rss;
latencies.sort((a, b) => a - b);
const q = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]?.toFixed(3);
console.log(
  `replayed ${ticks} trades (${REPEATS} x tape) in ${replayMs.toFixed(0)} ms: ${((ticks / replayMs) * 1000).toFixed(0)} trades/s with ${CLIENTS} clients`,
);
console.log(
  `trade -> order (in process, incl. journal + fan-out): n=${latencies.length} p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`,
);
console.log(`websocket messages delivered: ${received} (${(received / CLIENTS).toFixed(0)} per client)`);
console.log(`rss before replay ${(rss0 / 2 ** 20).toFixed(0)} MB, after ${(rss1 / 2 ** 20).toFixed(0)} MB`);

// sustained request rate: 20 concurrent keep-alive callers for 2 s
const until = performance.now() + 2000;
let requests = 0;
await Promise.all(
  Array.from({ length: 20 }, async () => {
    while (performance.now() < until) {
      const r = await fetch(`${server.url}/api/positions`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      await r.arrayBuffer();
      requests++;
    }
  }),
);
console.log(`GET /api/positions: ${(requests / 2).toFixed(0)} requests/s sustained (20 callers)`);

for (const s of sockets) s.close();
await server.close();
await bridge.close();
