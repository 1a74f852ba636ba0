// Snapshot builder speed: whole real trade tapes replayed through rebuildSnapshots (STOM's receiver
// rules, one row per traded second), side by side with a floor loop that only sums the same tape
// (price × amount over typed arrays): the ratio is what STOM's bookkeeping and the row objects cost.
// A third run interleaves a 10-level book every 250 ms of tape time, so rows come on STOM's book clock.
//   node --import tsx bench/receiver.bench.ts [repeats]
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { type ReceiverEvent, rebuildSnapshots, type TradeEvent } from "../src/data/stom/receiver.ts";
import { readUpbitTrades } from "../src/data/stom/sources.ts";

const SHARED = resolve(import.meta.dirname, "../../shared/data");
const UPBIT = ["25", "26", "27"].map((d) =>
  join(SHARED, `upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-${d}.csv`),
);
const XRP = join(SHARED, "freqtrade/XRP_ETH-trades.json.gz");
const REPEATS = Number(process.argv[2] ?? 20);

function main(): void {
  const absent = [...UPBIT, XRP].find((f) => !existsSync(f));
  if (absent) {
    console.log(`skipped: ${absent} is missing (../shared/data beside the checkout)`);
    return;
  }
  console.log(
    `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), best of ${REPEATS}`,
  );
  const upbit: TradeEvent[] = UPBIT.flatMap((file) => {
    const t = readUpbitTrades(file);
    return Array.from(t.time, (time, i) =>
      trade(time, t.price[i], t.volume[i], t.side[i] > 0 ? "buy" : "sell"),
    );
  });
  const xrp: TradeEvent[] = (
    JSON.parse(gunzipSync(readFileSync(XRP)).toString()) as [
      number,
      string,
      null,
      "buy" | "sell",
      number,
      number,
    ][]
  ).map(([time, , , side, price, amount]) => trade(time, price, amount, side));
  console.log(
    "| tape | events | rows | builder events/s | builder rows/s | floor events/s | floor / builder |",
  );
  console.log("|---|---|---|---|---|---|---|");
  report("Upbit KRW-BTC trades, 3 days", "KRW-BTC", upbit);
  report("Binance XRP/ETH aggTrades", "XRPETH", xrp);
  report("Upbit KRW-BTC trades + book every 250 ms", "KRW-BTC", withBooks(upbit));
}

function trade(time: number, price: number, amount: number, side: "buy" | "sell"): TradeEvent {
  return { type: "trade", time, price, amount, side };
}

/** a 10-level book around the last price every 250 ms of tape time (built before timing) */
function withBooks(trades: readonly TradeEvent[]): ReceiverEvent[] {
  const out: ReceiverEvent[] = [];
  let next = trades[0].time;
  for (const t of trades) {
    while (next <= t.time) {
      const p = t.price;
      const tick = 1000;
      out.push({
        type: "book",
        time: next,
        asks: Array.from({ length: 10 }, (_, k) => [p + tick * (k + 1), 0.1 + k * 0.01] as const),
        bids: Array.from({ length: 10 }, (_, k) => [p - tick * k, 0.2 + k * 0.01] as const),
      });
      next += 250;
    }
    out.push(t);
  }
  return out;
}

function report(name: string, symbol: string, events: readonly ReceiverEvent[]): void {
  const n = events.length;
  // the floor: the tape as typed arrays, one pass summing price × amount
  const price = new Float64Array(n);
  const amount = new Float64Array(n);
  events.forEach((e, i) => {
    if (e.type === "trade") {
      price[i] = e.price;
      amount[i] = e.amount;
    }
  });
  let sink = 0;
  const floorMs = best(() => {
    let s = 0;
    for (let i = 0; i < n; i++) s += price[i] * amount[i];
    sink += s;
  });
  let rows = 0;
  const builderMs = best(() => {
    rows = rebuildSnapshots({ kind: "coin_tick", symbol }, events).length;
  });
  const perS = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString("en-US");
  console.log(
    `| ${name} | ${n.toLocaleString("en-US")} | ${rows.toLocaleString("en-US")} | ${perS(n, builderMs)} | ${perS(rows, builderMs)} | ${perS(n, floorMs)} | ${(builderMs / floorMs).toFixed(0)}× |`,
  );
  if (sink === 42) console.log("");
}

function best(run: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    run();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

main();
