// Where a tick or STOM-text promotion gets its snapshots: STOM's rows (time, 현재가, the 5-level
// book, 체결강도, ...) one at a time in time order. Live, they come from the recorder's receivers
// (`stom record`'s own builder, so the rows traded on are the rows the catalog keeps); in a replay,
// from recorded frames (a STOM DB or catalog tick series) on a simulated clock.
import type { Frame } from "../data/frame.ts";
import { mergeOrder } from "../engine/portfolio/index.ts";

/** One snapshot: `time` (UTC ms) and STOM's numeric columns by their names. */
export type SnapshotRow = Readonly<Record<string, number>>;

export type SnapshotListener = (symbol: string, row: SnapshotRow) => void;

export interface SnapshotSource {
  /** the symbols it delivers, as the catalog names them */
  readonly symbols: readonly string[];
  /** delivers rows until `signal` aborts (or the recording ends) */
  run(onRow: SnapshotListener, signal: AbortSignal): Promise<void>;
}

export interface SnapshotReplayOptions {
  /** snapshots a second of wall time, or "max" */
  readonly speed?: number | "max";
  /** snapshots between two yields to the event loop at "max" (so events get out) */
  readonly batch?: number;
  /** called once every row was delivered, with the last row's time */
  readonly onEnd?: (end: number) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Recorded snapshots of several symbols played in one time order (ties by symbol order, as the
 * tick engine's merge orders them), so a replay's promotion sees exactly the backtest's sequence.
 */
export class SnapshotReplay implements SnapshotSource {
  readonly symbols: readonly string[];
  readonly #frames: readonly Frame[];
  readonly #speed: number | "max";
  readonly #batch: number;
  readonly #onEnd: (end: number) => void;

  constructor(
    frames: readonly Frame[],
    { speed = "max", batch = 200, onEnd = () => {} }: SnapshotReplayOptions = {},
  ) {
    if (frames.length === 0) throw new Error("no snapshots to replay");
    if (speed !== "max" && !(speed > 0))
      throw new Error(`invalid speed: ${speed} (snapshots a second, or max)`);
    for (const f of frames) {
      if (!f.columns.time) throw new Error(`missing column: time (symbol ${f.symbol})`);
      if (!f.columns.매도호가1) throw new Error(`${f.symbol}: not snapshots with a 5-level book`);
    }
    this.#frames = frames;
    this.symbols = frames.map((f) => f.symbol);
    this.#speed = speed;
    this.#batch = batch;
    this.#onEnd = onEnd;
  }

  /** snapshots over all symbols */
  get length(): number {
    let n = 0;
    for (const f of this.#frames) n += f.length;
    return n;
  }

  async run(onRow: SnapshotListener, signal: AbortSignal): Promise<void> {
    const frames = this.#frames;
    const numeric = frames.map((f) =>
      Object.entries(f.columns).filter(
        (e): e is [string, Float64Array] => e[1] instanceof Float64Array || ArrayBuffer.isView(e[1]),
      ),
    );
    const { symbol, row } = mergeOrder(frames.map((f) => f.columns.time as ArrayLike<number>));
    let end = Number.NaN;
    for (let k = 0; k < symbol.length; k++) {
      if (signal.aborted) return;
      const s = symbol[k];
      const r = row[k];
      const out: Record<string, number> = {};
      for (const [name, col] of numeric[s]) out[name] = Number((col as ArrayLike<number>)[r]);
      end = out.time;
      onRow(frames[s].symbol, out);
      if (this.#speed === "max") {
        if ((k + 1) % this.#batch === 0) await new Promise((resolve) => setImmediate(resolve));
      } else await sleep(1000 / this.#speed);
    }
    if (!signal.aborted && symbol.length) this.#onEnd(end);
  }
}
