// The STOM page's data when the shared data folder is missing (a fresh clone): a SYNTHETIC coin_tick
// DB in STOM's own layout. The seeded sample generator (src/data/sample.ts) makes one-second
// snapshots; they are written out as an Upbit trade CSV (each second's taker buys and sells at its
// price) and go through the same writeStomFixture as the real trades, so the DB, the modeled book
// and the page's columns are those of the real fixture. The e2e suite rebuilds it for runStom.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { makeSampleTicks } from "../../src/data/sample.ts";
import { writeStomFixture } from "../../src/data/stom/fixture.ts";

/** What the synthetic DB is made of: one hour of seconds, one symbol, labelled as such. */
export const STOM_SYNTHETIC = {
  kind: "coin_tick",
  symbol: "KRW-SYNTHETIC",
  ticks: 3_600,
  seed: 42,
  price: 50_000_000,
} as const;

const pad = (x: number) => String(x).padStart(2, "0");
const stamp = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};

/** The sample's snapshots as Upbit trades (trade_price, trade_volume, ask_bid, sequential_id, timestamp). */
function syntheticTradesCsv(): string {
  const { ticks, seed, price } = STOM_SYNTHETIC;
  const frame = makeSampleTicks({ symbol: "SYNTHETIC", ticks, seed, price });
  const c = frame.columns as Record<string, Float64Array>;
  const side = frame.columns.side as Int8Array;
  const lines = ["trade_price,trade_volume,ask_bid,sequential_id,timestamp"];
  let seq = 0;
  for (let i = 0; i < frame.length; i++) {
    // the second's last trade sets its side (lastSide): the other side trades first (ask_bid 0 = BID, a taker buy)
    const buy: [number, number] = [c.초당매수수량[i], 0];
    const sell: [number, number] = [c.초당매도수량[i], 1];
    for (const [qty, askBid] of side[i] > 0 ? [sell, buy] : [buy, sell]) {
      if (!(qty > 0)) continue;
      lines.push(`${c.현재가[i]},${qty},${askBid},${++seq},${stamp(c.time[i])}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Writes the SYNTHETIC coin_tick DB to `db` (a SQLite file in STOM's layout). */
export function writeSyntheticStomDb(db: string): void {
  const dir = mkdtempSync(path.join(tmpdir(), "stom-synthetic-"));
  try {
    const csv = path.join(dir, "synthetic_trades.csv");
    writeFileSync(csv, syntheticTradesCsv());
    writeStomFixture(db, {
      kind: STOM_SYNTHETIC.kind,
      source: csv,
      symbol: STOM_SYNTHETIC.symbol,
      minutes: Math.ceil(STOM_SYNTHETIC.ticks / 60),
      seed: STOM_SYNTHETIC.seed,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
