// `stom record` under load: 100 Upbit symbols, each with 2 trades, a ticker and a 10-level book
// every second (one snapshot per symbol per second), for 20 s, from the mock venue over loopback
// websockets into one recorder process. Measured on the recorder's process: CPU (utime + stime
// from /proc), RSS, snapshots/s, commit latency (status file) and fold time. The floor is the
// snapshot builder alone over the same events, in this process.
//   node --import tsx bench/record.bench.ts [symbols] [seconds]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { Catalog } from "../src/data/catalog/catalog.ts";
import type { Frame } from "../src/data/frame.ts";
import { tableFrame, tickColumns } from "../src/data/record/frames.ts";
import { SnapshotReceiver } from "../src/data/stom/receiver.ts";
import type { ReceiverEvent } from "../src/data/stom/receiver-events.ts";
import { startMockVenue } from "../test/support/mock-venue.ts";
import {
  readStatusFile,
  startRecord,
  streamEvents,
  waitFor,
  waitSubscribed,
} from "../test/support/record.ts";

const SYMBOLS = Number(process.argv[2] ?? 100);
const SECONDS = Number(process.argv[3] ?? 20);
const ids = Array.from({ length: SYMBOLS }, (_, i) => `KRW-S${String(i).padStart(3, "0")}`);

/** utime + stime of a process, ms (Linux /proc). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  // fields[11] = utime, fields[12] = stime (counted from the state field), in clock ticks of 10 ms
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function memKb(pid: number, key: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : Number.NaN;
}

/** One second of one symbol: two trades, Upbit's ticker, a 10-level book. */
function second(i: number, t: number, s: number, id: number, day: { value: number }): ReceiverEvent[] {
  const price = 1000 + i + (s % 7);
  const a = 0.01 * ((s + i) % 13) + 0.001;
  day.value += price * a * 2;
  const levels = (sign: number) =>
    Array.from({ length: 10 }, (_, l) => [price + sign * (l + 1), 0.5 + l] as [number, number]);
  return [
    { type: "trade", time: t + 100, price, amount: a, side: "buy", id: String(id) },
    { type: "trade", time: t + 300, price: price + 1, amount: a, side: "sell", id: String(id + 1) },
    {
      type: "ticker",
      time: t + 500,
      open: 1000,
      high: 1010 + i,
      low: 990,
      last: price + 1,
      previousClose: 1000,
      quoteVolume: Math.round(day.value),
    },
    { type: "book", time: t + 700, asks: levels(1), bids: levels(-1) },
  ];
}

const venue = await startMockVenue({ markets: { upbit: ids } });
const dir = mkdtempSync(join(os.tmpdir(), "stom-record-bench-"));
const status = join(dir, "status.json");
const run = startRecord([
  "upbit",
  ...ids,
  "--catalog",
  dir,
  "--url-override",
  venue.url,
  "--commit",
  "5s",
  "--fold",
  "10s",
  "--status",
  status,
  "--quiet",
]);
const pid = run.child.pid as number;
try {
  await waitSubscribed(venue, "upbit", ids, run);
  const sent: ReceiverEvent[][] = ids.map(() => []);
  const days = ids.map(() => ({ value: 0 }));
  const cpu0 = cpuMs(pid);
  const wall0 = performance.now();
  const folds: number[] = [];
  let lastFoldAt = 0;
  let nextId = 1;
  // live: each second's events are stamped with the wall clock and sent as that second runs
  const first = Math.ceil(Date.now() / 1000) * 1000;
  for (let s = 0; s < SECONDS; s++) {
    const t = first + s * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, t + 50 - Date.now())));
    const batch: ReceiverEvent[][] = [];
    for (let i = 0; i < ids.length; i++) {
      batch.push(second(i, t, s, nextId, days[i]));
      nextId += 2;
    }
    // the four events go out at their own moments in the second, as a venue sends them
    for (let k = 0; k < 4; k++) {
      await new Promise((r) => setTimeout(r, Math.max(0, t + 100 + 200 * k - Date.now())));
      for (let i = 0; i < ids.length; i++) {
        streamEvents(venue, "upbit", ids[i], [batch[i][k]]);
        sent[i].push(batch[i][k]);
      }
    }
    const st = readStatusFile(status);
    if (st?.lastFold && st.lastFold.at !== lastFoldAt) {
      lastFoldAt = st.lastFold.at;
      folds.push(st.lastFold.ms);
    }
  }
  await new Promise((r) => setTimeout(r, 1500));
  const cpu = cpuMs(pid) - cpu0;
  const wall = performance.now() - wall0;
  const rss = memKb(pid, "VmRSS");
  const peak = memKb(pid, "VmHWM");
  run.child.kill("SIGTERM");
  const code = await run.exited;
  const end = readStatusFile(status);
  if (code !== 0 || !end) throw new Error(`recorder exited ${code}: ${run.stderr()}`);
  await waitFor("exit", () => run.child.exitCode !== null);

  // floor: the builder alone over the same events, one receiver per symbol
  const c0 = process.cpuUsage();
  let rows = 0;
  for (let rep = 0; rep < 20; rep++) {
    for (let i = 0; i < ids.length; i++) {
      const r = new SnapshotReceiver({ kind: "coin_tick", symbol: ids[i] });
      for (const e of sent[i]) rows += r.push(e).length;
      rows += r.flush(Number.POSITIVE_INFINITY).length;
    }
  }
  const c1 = process.cpuUsage(c0);
  const floorMs = (c1.user + c1.system) / 1000 / 20;

  const cores = os.cpus();
  console.log(
    `machine: ${cores.length} × ${cores[0]?.model ?? "?"}, Node ${process.version}, load ${os.loadavg()[0].toFixed(1)}`,
  );
  console.log(
    `${SYMBOLS} symbols × ${SECONDS} s, ${SYMBOLS * 4} websocket messages/s (2 trades, ticker, 10-level book per symbol)`,
  );
  console.log(
    `recorder rows            ${end.snapshots} of ${SYMBOLS * SECONDS} expected (${(end.snapshots / SECONDS).toFixed(0)} snapshots/s)`,
  );
  console.log(`recorder CPU             ${cpu} ms = ${((100 * cpu) / wall).toFixed(1)} % of one core`);
  console.log(`recorder RSS             ${(rss / 1024).toFixed(0)} MB (peak ${(peak / 1024).toFixed(0)} MB)`);
  console.log(
    `commit (5 s of rows)     p50 ${end.commitLatency?.p50} ms, p99 ${end.commitLatency?.p99} ms, max ${end.commitLatency?.max} ms (${end.commitLatency?.count} commits)`,
  );
  console.log(
    `fold into the catalog    ${folds.map((f) => `${f} ms`).join(", ") || "none during the run"}; at stop ${end.lastFold?.ms} ms`,
  );
  console.log(
    `floor: builder alone     ${floorMs.toFixed(1)} ms CPU for the same ${sent.flat().length} events (${rows / 20} rows)`,
  );
  console.log(
    `ratio recorder / floor   ${(cpu / floorMs).toFixed(0)}× (websocket frames, ccxt parsing, JSON segments, Parquet folds)`,
  );
  // what a fold costs later in a month: the catalog keeps one file per series and month, so a fold
  // rewrites the month's file; here one symbol with a day of seconds stored takes 5 more
  const foldDir = mkdtempSync(join(os.tmpdir(), "stom-record-fold-"));
  try {
    const catalog = await Catalog.open(foldDir);
    const day = Date.UTC(2026, 0, 5);
    const series = { market: "upbit", symbol: "KRW-S000", tz: "Asia/Seoul" };
    const columns = ["time", ...tickColumns("coin_tick")];
    const table = (from: number, n: number) => ({
      columns,
      rows: Array.from({ length: n }, (_, r) => [
        day + (from + r) * 1000,
        ...columns.slice(1).map((_, c) => 1000 + c + (r % 7)),
      ]),
    });
    await catalog.write([tableFrame("ticks", series, [table(0, 86_400)]) as Frame]);
    const t0 = performance.now();
    await catalog.write([tableFrame("ticks", series, [table(86_400, 5)]) as Frame]);
    const ms = performance.now() - t0;
    await catalog.close();
    console.log(
      `fold 5 s into a month holding 1 day (86,400 rows) of one symbol: ${ms.toFixed(0)} ms (×100 symbols ≈ ${((ms * SYMBOLS) / 1000).toFixed(1)} s)`,
    );
  } finally {
    rmSync(foldDir, { recursive: true, force: true });
  }
} finally {
  if (run.child.exitCode === null) run.child.kill("SIGKILL");
  await venue.close();
  rmSync(dir, { recursive: true, force: true });
}
