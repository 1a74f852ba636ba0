// Where a tick or STOM-text promotion gets its snapshots: STOM's rows (time, 현재가, the 5-level
// book, 체결강도, ...) one at a time in time order. Live, they come from the recorder's receivers
// (`stom record`'s own builder, so the rows traded on are the rows the catalog keeps); in a replay,
// from recorded frames (a STOM DB or catalog tick series) on a simulated clock.
import type { Frame } from "../data/frame.ts";
import type { Feed } from "../data/record/feeds.ts";
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

  /**
   * The frames of `symbols` (a promotion's); all of them when none match, so the bridge's check
   * names what is missing and lists what the replay has.
   */
  static of(
    frames: readonly Frame[],
    symbols: readonly string[],
    options?: SnapshotReplayOptions,
  ): SnapshotReplay {
    const wanted = new Set(symbols);
    const mine = frames.filter((f) => wanted.has(f.symbol));
    return new SnapshotReplay(mine.length ? mine : frames, options);
  }

  async run(onRow: SnapshotListener, signal: AbortSignal): Promise<void> {
    const frames = this.#frames;
    const numeric = frames.map((f) =>
      Object.entries(f.columns).filter((e): e is [string, Float64Array] => ArrayBuffer.isView(e[1])),
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

export interface RecorderSnapshotsOptions {
  /** the market's feed (`stom record`'s: CcxtFeed for upbit/binance, KisFeed for kis) */
  readonly feed: Feed;
  /** where the rows are recorded as they are traded on (a catalog of the promotion's own) */
  readonly catalogDir: string;
  readonly symbols: readonly string[];
  readonly kind: "coin_tick" | "stock_tick";
  readonly onWarning?: (message: string) => void;
}

/**
 * Live snapshots: `stom record`'s Recorder on the promotion's symbols, each row handed over as it
 * closes and kept in the promotion's catalog, so what was traded on can be backtested again.
 */
export class RecorderSnapshots implements SnapshotSource {
  readonly symbols: readonly string[];
  readonly #options: RecorderSnapshotsOptions;

  constructor(options: RecorderSnapshotsOptions) {
    this.#options = options;
    this.symbols = options.symbols.map((s) => options.feed.resolve(s).stored);
  }

  async run(onRow: SnapshotListener, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const { Recorder } = await import("../data/record/recorder.ts");
    const { feed, catalogDir, symbols, kind, onWarning } = this.#options;
    const recorder = new Recorder({
      feed,
      catalogDir,
      symbols,
      kind,
      onWarning,
      onRow: (symbol, row, time) => {
        const out: Record<string, number> = { time };
        for (const [k, v] of Object.entries(row)) if (k !== "index") out[k] = v;
        onRow(symbol, out);
      },
    });
    await recorder.start();
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    await recorder.stop();
  }
}
