import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { DataError } from "../errors.ts";

/** Upbit trades, sorted by time then sequential_id (the CSV is sorted by whole second only). */
export interface UpbitTrades {
  /** UTC epoch ms, whole seconds */
  readonly time: Float64Array;
  readonly price: Float64Array;
  readonly volume: Float64Array;
  /** 1 taker buy (ask_bid 0 = BID), -1 taker sell (ask_bid 1 = ASK) */
  readonly side: Int8Array;
  readonly seq: Float64Array;
}

/** Reads an Upbit trade CSV: trade_price, trade_volume, ask_bid, sequential_id, timestamp (UTC). */
export function readUpbitTrades(file: string): UpbitTrades {
  const lines = readFileSync(file, "utf8").split("\n");
  const header = lines[0].trim().split(",");
  const at = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new DataError(`missing column: ${name}`, { file, line: 1 });
    return i;
  };
  const [ip, iv, is, iq, it] = ["trade_price", "trade_volume", "ask_bid", "sequential_id", "timestamp"].map(
    at,
  );
  const rows: number[] = [];
  for (let l = 1; l < lines.length; l++) if (lines[l].trim() !== "") rows.push(l);
  const n = rows.length;
  const time = new Float64Array(n);
  const price = new Float64Array(n);
  const volume = new Float64Array(n);
  const side = new Int8Array(n);
  const seq = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const f = lines[rows[r]].split(",");
    const ts = f[it].trim();
    const ms = Date.UTC(
      +ts.slice(0, 4),
      +ts.slice(5, 7) - 1,
      +ts.slice(8, 10),
      +ts.slice(11, 13),
      +ts.slice(14, 16),
      +ts.slice(17, 19),
    );
    if (!Number.isFinite(ms))
      throw new DataError(`invalid timestamp: ${ts}`, { file, line: rows[r] + 1, field: "timestamp" });
    time[r] = ms;
    price[r] = +f[ip];
    volume[r] = +f[iv];
    side[r] = f[is].trim() === "1" ? -1 : 1;
    seq[r] = +f[iq];
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => time[a] - time[b] || seq[a] - seq[b]);
  const pick = <T extends Float64Array | Int8Array>(src: T, dst: T) => {
    for (let i = 0; i < n; i++) dst[i] = src[order[i]];
    return dst;
  };
  return {
    time: pick(time, new Float64Array(n)),
    price: pick(price, new Float64Array(n)),
    volume: pick(volume, new Float64Array(n)),
    side: pick(side, new Int8Array(n)),
    seq: pick(seq, new Float64Array(n)),
  };
}

/** Creon 1-minute bars of one symbol, labelled by bar END time in KST. */
export interface CreonBars {
  readonly symbol: string;
  /** bar start, UTC epoch ms (the label minus one minute) */
  readonly start: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** Reads a Creon minute CSV: date, datetime (ISO +0900, bar end), open, high, low, close, volume, symbol. */
export function readCreonBars(file: string): CreonBars {
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
  const n = lines.length - 1;
  const start = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  let symbol = basename(file).replace(/\.csv$/i, "");
  for (let r = 0; r < n; r++) {
    const f = lines[r + 1].split(",");
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):?(\d{2})$/.exec(f[1].trim());
    if (!m) throw new DataError(`invalid datetime: ${f[1]}`, { file, line: r + 2, field: "datetime" });
    const offset = (m[7] === "+" ? 1 : -1) * (+m[8] * 60 + +m[9]) * 60_000;
    start[r] = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) - offset - 60_000;
    open[r] = +f[2];
    high[r] = +f[3];
    low[r] = +f[4];
    close[r] = +f[5];
    volume[r] = +f[6];
    if (f[7]) symbol = f[7].trim();
  }
  return { symbol, start, open, high, low, close, volume };
}
