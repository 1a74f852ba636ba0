import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { Catalog } from "../catalog/catalog.ts";
import { acquireLock } from "../catalog/lock.ts";
import type { Frame } from "../frame.ts";
import { SnapshotReceiver } from "../stom/receiver.ts";
import type { ReceiverEvent, ReceiverKind, StomRow } from "../stom/receiver-events.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { Feed, FeedSink, FeedSymbol, Stream } from "./feeds.ts";
import { frameRows, minuteBar, minuteColumns, rowTime, tableFrame, tickColumns } from "./frames.ts";
import { appendGaps, type Gap, recordDir } from "./gaps.ts";
import { appendMoneytop, type MoneytopRun, nextTopList } from "./moneytop.ts";
import { SegmentStore, type SegmentTable, toTable } from "./segments.ts";
import { type RecorderStatus, writeStatus } from "./status.ts";

/** segments per fold: an hour at the default 5 s commit */
const MAX_FOLD_SEGMENTS = 720;

export interface RecorderOptions {
  readonly feed: Feed;
  readonly catalogDir: string;
  readonly kind?: ReceiverKind;
  /** symbols as the user wrote them ("KRW-BTC", "btc/usdt"); with `top` they are ignored */
  readonly symbols?: readonly string[];
  /** record the `top` symbols by day traded value, re-ranked every `topRefreshMs` (STOM: 10 s) */
  readonly top?: number;
  readonly topRefreshMs?: number;
  readonly clock?: Clock;
  /** how often seconds are closed (the builder's flush) */
  readonly intervalMs?: number;
  /** how often closed rows are committed to a segment: a SIGKILL loses at most this much */
  readonly commitMs?: number;
  /** how often segments are folded into the catalog's Parquet files */
  readonly foldMs?: number;
  /** a second is closed this long after it ends, so stragglers of its socket still count in it */
  readonly latenessMs?: number;
  /** also write 1-minute bars (STOM's minute layout) */
  readonly minutes?: boolean;
  /** the JSON status file; default `<catalog>/record/<market>/status.json` */
  readonly statusPath?: string;
  /** display zone stored with the series (default: Asia/Seoul for upbit and krx, else UTC) */
  readonly tz?: string;
  readonly onWarning?: (message: string) => void;
  /**
   * each row as it is closed (in time order per symbol, before it is committed): the bridge trades
   * tick strategies and STOM texts on exactly the rows the catalog will hold
   */
  readonly onRow?: (symbol: string, row: StomRow, time: number) => void;
}

interface SymbolState {
  readonly symbol: FeedSymbol;
  readonly receiver: SnapshotReceiver;
  /** streams that are down, with the time each went down */
  readonly down: Map<Stream, number>;
  gapStart: number;
  gapTrades: Gap["trades"];
  /** events that came while a stream was down: pushed in time order once every stream is back */
  held: ReceiverEvent[];
  /** the last second stored (catalog or segment); rows at or before it are duplicates */
  lastStored: number;
  /** set after a restart: the hole from the last stored second to the first new row */
  restartFrom: number;
  rows: StomRow[];
  times: number[];
  minute: number;
  minuteRows: StomRow[];
  bars: Record<string, number>[];
  /** no longer on the --top list: dropped after its rows are committed */
  retired: boolean;
}

/**
 * `stom record`'s loop: one SnapshotReceiver per symbol fed by a Feed; every `intervalMs` the
 * closed seconds are taken, every `commitMs` they are committed to a segment (./segments.ts), every
 * `foldMs` the segments are folded into the catalog as ticks (and 1-minute bars). On start, what a
 * killed recorder left is folded first, and each symbol continues after its last stored second.
 *
 *   const recorder = new Recorder({ feed, catalogDir: "catalog", symbols: ["KRW-BTC"] });
 *   await recorder.start();
 *   ...
 *   await recorder.stop();   // flush, commit, fold
 */
export class Recorder {
  private readonly kind: ReceiverKind;
  private readonly clock: Clock;
  private readonly opts: Required<
    Pick<RecorderOptions, "intervalMs" | "commitMs" | "foldMs" | "latenessMs" | "minutes" | "topRefreshMs">
  >;
  private readonly states = new Map<string, SymbolState>();
  private readonly dir: string;
  private readonly statusPath: string;
  private readonly tz: string;
  private store: SegmentStore | undefined;
  private catalog: Catalog | undefined;
  private release: (() => void) | undefined;
  private readonly timers: (() => void)[] = [];
  private gaps: Gap[] = [];
  private gapCount = 0;
  private moneytop: MoneytopRun[] = [];
  private topList: string[] = [];
  private lastMoneytopSecond = Number.NEGATIVE_INFINITY;
  private snapshots = 0;
  private committed = 0;
  private lastRow = Number.NEGATIVE_INFINITY;
  private duplicates = 0;
  private readonly recent: number[] = [];
  private commitMsLog: number[] = [];
  private lastCommit: RecorderStatus["lastCommit"];
  private lastFold: RecorderStatus["lastFold"];
  private state: RecorderStatus["state"] = "starting";
  private startedAt = 0;
  private busy: Promise<void> = Promise.resolve();
  /**
   * A fold rewrites each touched month's file (the catalog keeps one per series and month), so it
   * costs more as the month fills: ~2.5 µs per stored row on the reference machine, 20 s for 100
   * symbols a day into the month. The next timed fold waits 20× the last one's time (≤ 5 % of the
   * time folding); the journal holds the rows meanwhile, crash-safe.
   */
  private foldNotBefore = Number.NEGATIVE_INFINITY;
  private warnings = 0;

  constructor(private readonly options: RecorderOptions) {
    const {
      kind = "coin_tick",
      clock = systemClock,
      intervalMs = 1000,
      commitMs = 5000,
      foldMs = 60_000,
      latenessMs = 500,
      minutes = true,
      topRefreshMs = 10_000,
      top,
      symbols = [],
    } = options;
    for (const [name, v] of Object.entries({ intervalMs, commitMs, foldMs, topRefreshMs }))
      if (!(v > 0)) throw new Error(`invalid ${name}: ${v}`);
    if (!(latenessMs >= 0)) throw new Error(`invalid latenessMs: ${latenessMs}`);
    if (top !== undefined && !(Number.isInteger(top) && top > 0)) throw new Error(`invalid top: ${top}`);
    if (top === undefined && symbols.length === 0)
      throw new Error("no symbols to record (name some, or use --top N)");
    this.kind = kind;
    this.clock = clock;
    this.opts = { intervalMs, commitMs, foldMs, latenessMs, minutes, topRefreshMs };
    const market = options.feed.market;
    this.dir = join(recordDir(options.catalogDir), market);
    this.statusPath = options.statusPath ?? join(this.dir, "status.json");
    this.tz = options.tz ?? (market === "upbit" || market === "krx" ? "Asia/Seoul" : "UTC");
  }

  get market(): string {
    return this.options.feed.market;
  }

  /** Recovers what a previous run left, resolves the symbols, starts the feed and the timers. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    // one recorder per market and catalog: two would interleave their segments
    this.release = acquireLock(this.dir);
    removeStaleTmp([this.dir, recordDir(this.options.catalogDir), dirname(this.statusPath)]);
    this.startedAt = this.clock.now();
    this.store = new SegmentStore(join(this.dir, "segments"));
    this.catalog = await Catalog.open(this.options.catalogDir);
    await this.foldAll();

    let symbols: FeedSymbol[];
    if (this.options.top !== undefined) {
      const values = await this.options.feed.tradedValue?.();
      if (!values) throw new Error(`${this.market} cannot rank symbols for --top`);
      this.topList = nextTopList([], values, this.options.top);
      symbols = this.topList.map((u) => this.options.feed.resolve(u));
    } else {
      symbols = (this.options.symbols ?? []).map((s) => this.options.feed.resolve(s));
    }
    for (const symbol of symbols) await this.addSymbol(symbol);
    this.options.feed.watch(symbols, this.sink());
    const { intervalMs, commitMs, foldMs, topRefreshMs } = this.opts;
    this.timers.push(this.clock.every(intervalMs, () => this.tick()));
    this.timers.push(this.clock.every(commitMs, () => this.serial(() => this.commit())));
    this.timers.push(
      this.clock.every(foldMs, () =>
        this.serial(async () => {
          if (this.clock.now() >= this.foldNotBefore) await this.fold();
        }),
      ),
    );
    if (this.options.top !== undefined)
      this.timers.push(this.clock.every(topRefreshMs, () => this.serial(() => this.refreshTop())));
    this.state = "recording";
    this.writeStatus();
  }

  /** Stops the feed, closes every second, commits and folds; the catalog then holds everything. */
  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    for (const cancel of this.timers.splice(0)) cancel();
    await this.options.feed.close();
    await this.busy;
    const now = this.clock.now();
    for (const s of this.states.values()) {
      if (s.down.size > 0) this.endGap(s, now);
      this.pushAll(s, s.held.splice(0));
      // the open second is closed as the offline rebuild closes it; the open minute is not (a
      // restart finishes it from the stored ticks)
      this.accept(s, s.receiver.flush(Number.POSITIVE_INFINITY));
    }
    // the current second too: a list that changed just before the stop is in force for it
    this.addMoneytopUpTo(now + 1000);
    await this.commit();
    await this.foldAll();
    this.state = "stopped";
    this.writeStatus();
    await this.catalog?.close();
    this.release?.();
  }

  status(): RecorderStatus {
    const now = this.clock.now();
    const windowStart = now - 10_000;
    while (this.recent.length && this.recent[0] < windowStart) this.recent.shift();
    const span = Math.min(10_000, Math.max(1000, now - this.startedAt));
    const down = [...this.states.values()].filter((s) => s.down.size > 0).map((s) => s.symbol.stored);
    return {
      version: 1,
      pid: process.pid,
      state: this.state,
      market: this.market,
      kind: this.kind,
      catalog: this.options.catalogDir,
      symbols: [...this.states.values()].filter((s) => !s.retired).map((s) => s.symbol.stored),
      ...(this.options.top !== undefined
        ? { moneytop: this.topList.map((u) => this.options.feed.resolve(u).stored) }
        : {}),
      startedAt: this.startedAt,
      updatedAt: now,
      snapshots: this.snapshots,
      committed: this.committed,
      ...(Number.isFinite(this.lastRow) ? { lastRow: this.lastRow } : {}),
      snapshotsPerSecond: Math.round((this.recent.length / span) * 1000 * 10) / 10,
      duplicates: this.duplicates,
      pendingSegments: this.store?.names().length ?? 0,
      gaps: this.gapCount + down.length,
      down,
      warnings: this.warnings,
      ...(this.commitMsLog.length ? { commitLatency: latency(this.commitMsLog) } : {}),
      ...(this.lastCommit ? { lastCommit: this.lastCommit } : {}),
      ...(this.lastFold ? { lastFold: this.lastFold } : {}),
    };
  }

  /** Commit latencies (ms) so far, oldest first (the bench reads them). */
  commitLatencies(): readonly number[] {
    return this.commitMsLog;
  }

  /** Runs timer work one at a time: a fold must not interleave with a commit. */
  private serial(work: () => Promise<void>): void {
    this.busy = this.busy
      .then(work)
      .catch((error) => this.warn(`${error instanceof Error ? error.message : error}`));
  }

  private warn(message: string): void {
    this.warnings++;
    this.options.onWarning?.(message);
  }

  private sink(): FeedSink {
    return {
      event: (symbol, event) => {
        const s = this.states.get(symbol);
        if (!s || s.retired) return;
        if (s.down.size > 0) s.held.push(event);
        else this.accept(s, s.receiver.push(event));
      },
      down: (symbol, stream, at) => {
        const s = this.states.get(symbol);
        if (!s) return;
        if (s.down.size === 0) {
          s.gapStart = at;
          s.gapTrades = "complete";
        }
        if (!s.down.has(stream)) s.down.set(stream, at);
      },
      up: (symbol, stream, at, trades) => {
        const s = this.states.get(symbol);
        if (!s?.down.has(stream)) return;
        s.down.delete(stream);
        if (stream === "trades") s.gapTrades = trades ?? "missing";
        if (s.down.size === 0) {
          this.endGap(s, at);
          this.pushAll(s, s.held.splice(0));
        }
      },
      warn: (message) => this.warn(message),
    };
  }

  private endGap(s: SymbolState, at: number): void {
    this.gaps.push({
      market: this.market,
      symbol: s.symbol.stored,
      start: s.gapStart,
      end: at,
      reason: "disconnect",
      trades: s.gapTrades,
      book: "missing",
    });
    this.gapCount++;
    s.down.clear();
  }

  /** Pushes held events in time order (a backfill delivers older trades after newer books). */
  private pushAll(s: SymbolState, events: ReceiverEvent[]): void {
    const order = events.map((e, i) => [e, i] as const).sort((a, b) => a[0].time - b[0].time || a[1] - b[1]);
    for (const [event] of order) this.accept(s, s.receiver.push(event));
  }

  private async addSymbol(symbol: FeedSymbol): Promise<SymbolState> {
    const catalog = this.catalog as Catalog;
    const key = { market: this.market, symbol: symbol.stored };
    const last = catalog.lastTime({ ...key, kind: "ticks", timeframe: "tick" });
    const s: SymbolState = {
      symbol,
      receiver: new SnapshotReceiver({
        kind: this.kind,
        symbol: symbol.stored,
        interest: this.options.top !== undefined,
      }),
      down: new Map(),
      gapStart: 0,
      gapTrades: "complete",
      held: [],
      lastStored: last ?? Number.NEGATIVE_INFINITY,
      restartFrom: last === undefined ? Number.NaN : last + 1000,
      rows: [],
      times: [],
      minute: Number.NaN,
      minuteRows: [],
      bars: [],
      retired: false,
    };
    if (last !== undefined && this.opts.minutes) {
      // finish the minute a previous run left open, from its stored seconds
      const minute = Math.floor(last / 60_000) * 60_000;
      const lastBar = catalog.lastTime({ ...key, kind: "bars", timeframe: "1m" });
      if (lastBar === undefined || lastBar < minute) {
        const frame = await catalog.read({ ...key, kind: "ticks", timeframe: "tick", start: minute });
        s.minute = minute;
        s.minuteRows = frameRows(frame, this.kind);
      }
    }
    this.states.set(symbol.stored, s);
    return s;
  }

  /** Takes rows the receiver closed: drops what is stored already, records a restart's hole, builds minutes. */
  private accept(s: SymbolState, rows: readonly StomRow[]): void {
    for (const row of rows) {
      const time = rowTime(row, this.kind);
      if (time <= s.lastStored) {
        this.duplicates++;
        continue;
      }
      if (!Number.isNaN(s.restartFrom)) {
        if (time > s.restartFrom)
          this.gaps.push({
            market: this.market,
            symbol: s.symbol.stored,
            start: s.restartFrom,
            end: time,
            reason: "restart",
            trades: "missing",
            book: "missing",
          });
        if (time > s.restartFrom) this.gapCount++;
        s.restartFrom = Number.NaN;
      }
      if (this.opts.minutes) {
        const minute = Math.floor(time / 60_000) * 60_000;
        if (minute !== s.minute) {
          this.closeMinute(s);
          s.minute = minute;
        }
        s.minuteRows.push(row);
      }
      s.rows.push(row);
      s.times.push(time);
      s.lastStored = time;
      this.options.onRow?.(s.symbol.stored, row, time);
      if (time > this.lastRow) this.lastRow = time;
      this.snapshots++;
      this.recent.push(this.clock.now());
    }
  }

  private closeMinute(s: SymbolState): void {
    if (s.minuteRows.length > 0 && !Number.isNaN(s.minute)) {
      const bar = minuteBar(s.minuteRows, this.kind);
      bar.time = s.minute;
      s.bars.push(bar);
    }
    s.minuteRows = [];
  }

  /** The flush timer: closes seconds that ended `latenessMs` ago, and minutes that ended. */
  private tick(): void {
    const cutoff = this.clock.now() - this.opts.latenessMs;
    for (const s of this.states.values()) {
      if (s.retired || s.down.size > 0) continue;
      this.accept(s, s.receiver.flush(cutoff));
      if (this.opts.minutes && s.minuteRows.length > 0 && cutoff >= s.minute + 60_000) {
        this.closeMinute(s);
        s.minute = Number.NaN;
      }
    }
    this.addMoneytopUpTo(cutoff);
  }

  /** STOM stores the interest list under every second (see ./moneytop.ts); runs keep it small. */
  private addMoneytopUpTo(cutoff: number): void {
    if (this.options.top === undefined) return;
    const last = Math.floor(cutoff / 1000) * 1000 - 1000;
    if (!(last > this.lastMoneytopSecond)) return;
    const from = Number.isFinite(this.lastMoneytopSecond) ? this.lastMoneytopSecond + 1000 : last;
    const codes = this.topList.map((u) => this.options.feed.resolve(u).stored).join(";");
    const prev = this.moneytop[this.moneytop.length - 1];
    if (prev && prev.codes === codes && prev.end + 1000 === from)
      this.moneytop[this.moneytop.length - 1] = { ...prev, end: last };
    else this.moneytop.push({ start: from, end: last, codes });
    this.lastMoneytopSecond = last;
  }

  /** Re-ranks by day traded value as STOM's MoneyTopSearch does; symbols in and out of the list. */
  private async refreshTop(): Promise<void> {
    const top = this.options.top as number;
    let values: Map<string, number> | undefined;
    try {
      values = await this.options.feed.tradedValue?.();
    } catch (error) {
      this.warn(`--top refresh: ${error instanceof Error ? error.message : error}; keeping the list`);
      return;
    }
    if (!values || this.state !== "recording") return;
    this.addMoneytopUpTo(this.clock.now() - this.opts.latenessMs);
    const next = nextTopList(this.topList, values, top);
    const added = next.filter((u) => !this.topList.includes(u));
    const removed = this.topList.filter((u) => !next.includes(u));
    this.topList = next;
    for (const u of removed) {
      const symbol = this.options.feed.resolve(u);
      const s = this.states.get(symbol.stored);
      this.options.feed.unwatch(symbol.stored);
      if (!s) continue;
      this.accept(s, s.receiver.flush(Number.POSITIVE_INFINITY));
      s.retired = true;
    }
    const fresh: FeedSymbol[] = [];
    for (const u of added) {
      const symbol = this.options.feed.resolve(u);
      const old = this.states.get(symbol.stored);
      if (old?.retired && old.rows.length === 0) this.states.delete(symbol.stored);
      if (this.states.has(symbol.stored)) continue;
      await this.addSymbol(symbol);
      fresh.push(symbol);
    }
    if (fresh.length) this.options.feed.watch(fresh, this.sink());
  }

  /** Writes what closed since the last commit as one segment (nothing when nothing closed). */
  private async commit(): Promise<void> {
    const store = this.store as SegmentStore;
    const started = performance.now();
    const ticks: Record<string, SegmentTable> = {};
    const bars: Record<string, SegmentTable> = {};
    let rows = 0;
    const tickCols = tickColumns(this.kind);
    const barCols = [...minuteColumns(this.kind), "open", "high", "low", "close", "volume"];
    for (const s of this.states.values()) {
      if (s.rows.length) {
        ticks[s.symbol.stored] = toTable(s.rows, s.times, tickCols);
        rows += s.rows.length;
      }
      if (s.bars.length)
        bars[s.symbol.stored] = toTable(
          s.bars,
          s.bars.map((b) => b.time),
          barCols,
        );
    }
    const gaps = this.gaps;
    const moneytop = this.moneytop;
    if (rows === 0 && Object.keys(bars).length === 0 && gaps.length === 0 && moneytop.length === 0) {
      this.writeStatus();
      return;
    }
    const { name } = store.write({ ticks, bars, gaps, moneytop });
    for (const [key, s] of this.states) {
      s.rows = [];
      s.times = [];
      s.bars = [];
      if (s.retired) this.states.delete(key);
    }
    this.gaps = [];
    this.moneytop = [];
    this.committed += rows;
    const ms = performance.now() - started;
    // the last 10,000 commits (14 h at 5 s) are enough for the percentiles
    if (this.commitMsLog.length >= 10_000) this.commitMsLog.shift();
    this.commitMsLog.push(ms);
    this.lastCommit = { at: this.clock.now(), rows, ms: Math.round(ms * 10) / 10, segment: name };
    this.writeStatus();
  }

  private async foldAll(): Promise<void> {
    while ((this.store as SegmentStore).names().length > 0) await this.fold();
  }

  /**
   * Folds committed segments (an hour's worth at most, to bound memory) into the catalog: sidecars
   * first, then one atomic catalog write, then the segments are deleted.
   */
  private async fold(): Promise<void> {
    const store = this.store as SegmentStore;
    const catalog = this.catalog as Catalog;
    const names = store.names().slice(0, MAX_FOLD_SEGMENTS);
    if (names.length === 0) return;
    const started = performance.now();
    const segments = names.map((n) => store.read(n));
    appendGaps(
      this.options.catalogDir,
      segments.flatMap((s) => s.gaps),
    );
    appendMoneytop(
      this.options.catalogDir,
      this.market,
      segments.flatMap((s) => s.moneytop),
    );
    const frames: Frame[] = [];
    const symbols = new Set(segments.flatMap((s) => [...Object.keys(s.ticks), ...Object.keys(s.bars)]));
    for (const symbol of [...symbols].sort()) {
      const series = { market: this.market, symbol, tz: this.tz };
      const t = tableFrame(
        "ticks",
        series,
        segments.flatMap((s) => (s.ticks[symbol] ? [s.ticks[symbol]] : [])),
      );
      if (t) frames.push(t);
      const b = tableFrame(
        "bars",
        series,
        segments.flatMap((s) => (s.bars[symbol] ? [s.bars[symbol]] : [])),
      );
      if (b) frames.push(b);
    }
    const result = frames.length ? await catalog.write(frames) : undefined;
    store.remove(names);
    const ms = performance.now() - started;
    this.foldNotBefore = this.clock.now() + 20 * ms;
    this.lastFold = {
      at: this.clock.now(),
      segments: names.length,
      rowsAdded: result?.rowsAdded ?? 0,
      ms: Math.round(ms * 10) / 10,
    };
    this.writeStatus();
  }

  private writeStatus(): void {
    try {
      writeStatus(this.statusPath, this.status());
    } catch (error) {
      this.options.onWarning?.(
        `status ${this.statusPath}: ${error instanceof Error ? error.message : error}`,
      );
    }
  }
}

/** Sidecars and the status file are written aside as `<name>.tmp-<pid>`; a killed run leaves one. */
function removeStaleTmp(dirs: readonly string[]): void {
  for (const dir of new Set(dirs)) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (/\.tmp-\d+$/.test(name) && !name.endsWith(`.tmp-${process.pid}`))
        rmSync(join(dir, name), { force: true });
    }
  }
}

function latency(log: readonly number[]): NonNullable<RecorderStatus["commitLatency"]> {
  const sorted = [...log].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}
