import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { RunSettings } from "../app/report.ts";
import { type LoadedSnapshotStrategy, loadSnapshotStrategy } from "../app/snapshot-strategy.ts";
import { loadResolvedStrategy, type ResolvedStrategy, STRATEGY_DIR } from "../app/strategy-loader.ts";
import { presetCommission } from "../engine/markets/index.ts";
import type { OrderGate } from "./account.ts";
import { BarBuilder, barTimeframeMs } from "./bar-builder.ts";
import { CcxtVenue, type CcxtVenueOptions } from "./ccxt-venue.ts";
import { DailyStops } from "./daily-stops.ts";
import { type KisCredentials, KisVenue, type KisVenueOptions } from "./kis/index.ts";
import { krxBridgeCosts } from "./krx-rules.ts";
import { LiveAccount } from "./live-account.ts";
import { LiveSession } from "./live-session.ts";
import { Oms } from "./oms.ts";
import { PaperSession, type PaperSettings } from "./paper-session.ts";
import { redactDeep, redactSecrets } from "./redact.ts";
import { withRetry } from "./retry.ts";
import { type MarketRules, RiskGate, type RiskLimits } from "./risk.ts";
import { type Session, sessionFor } from "./sessions.ts";
import { type ExecutedKernel, SnapshotExecutor } from "./snapshot-executor.ts";
import { snapshotKernel } from "./snapshot-kernel.ts";
import { SnapshotRun } from "./snapshot-run.ts";
import type { SnapshotRow, SnapshotSource } from "./snapshot-source.ts";
import { Store } from "./store.ts";
import { TickGuard, type TickGuardOptions, worthLogging } from "./tick-guard.ts";
import {
  type Bar,
  type BridgeEvent,
  FINAL_STATES,
  type Mode,
  type OrderRecord,
  type Promotion,
  type PromotionSpec,
  type Tick,
  type VenueOrder,
} from "./types.ts";
import { type Venue, VenueError } from "./venue.ts";
import { baseOf } from "./venue-registry.ts";

/** An error with the HTTP status the API answers it with. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface BridgeOptions {
  /** folder for the journals: paper.sqlite and live.sqlite */
  dataDir: string;
  limits?: RiskLimits;
  /** paper accounts: cash and the engine's broker settings (as `stom backtest` takes them) */
  paper?: PaperSettings;
  /** quote budget of each live promotion */
  liveCash?: number;
  /** live promotions are refused unless this is set (the CLI's --confirm-live) */
  allowLive?: boolean;
  /** venue settings (keys from the environment, URL override for tests, timeout) */
  venue?: CcxtVenueOptions;
  /**
   * KIS (exchange "kis"): credentials from the environment (KIS_APPKEY, KIS_APPSECRET, KIS_ACCOUNT),
   * client settings; the real host only with `env: "real"` and allowLive, the mock host otherwise
   */
  kis?: KisVenueOptions & { credentials?: KisCredentials };
  /** a venue factory instead of ccxt (tests) */
  venueFactory?: (exchange: string, mode: Mode) => Promise<Venue>;
  /** subscribe to venue trades for each promotion (off for replays that call tick()) */
  feed?: boolean;
  /** closed bars fetched from the venue and fed to each promotion before it trades (0: none) */
  warmupBars?: number;
  /** close forming bars on the wall clock every this many ms (0: only when the next trade arrives) */
  flushMs?: number;
  /** liquidation time of each trading day, "HH:MM" in the venue's zone */
  sessionEnd?: string;
  /**
   * the venue clock trades are checked against: the wall clock when the bridge has a feed, none
   * without one (tests and replays calling tick() pass theirs)
   */
  clock?: () => number;
  /** bounds on trade times: future, staleness, gap in bars (tick-guard.ts) */
  ticks?: Omit<TickGuardOptions, "clock">;
  strategyDir?: string;
  /** attempts to resolve an UNKNOWN order by lookup before leaving it to the next restart */
  /** lookups of an UNKNOWN order in this process (default: until the venue answers; 0 leaves it to a restart) */
  resolveAttempts?: number;
  /** first wait before looking an UNKNOWN order up; doubled each time, up to 30 s */
  resolveDelayMs?: number;
  /** "not found" answers before an UNKNOWN order counts as never arrived (REJECTED) */
  notFoundChecks?: number;
  /** compare live positions with the venue's balances every this many ms (0: only on start) */
  reconcileMs?: number;
  /**
   * where tick and STOM-text promotions get their snapshots: a replay's recorded rows, or the
   * recorder's live receivers; without it such promotions are refused
   */
  snapshots?: (promotion: Promotion) => SnapshotSource | Promise<SnapshotSource>;
}

interface SnapshotRunning {
  run: SnapshotRun;
  abort: AbortController;
  /** strategy errors are journalled once each, not once per snapshot */
  errors: Set<string>;
}

interface Running {
  promotion: Promotion;
  /** paper: the engine's BarSession, runner and account in one; live: the live runner and account */
  runner: LiveSession | PaperSession;
  account: PaperSession | LiveAccount;
  builder: BarBuilder;
  abort: AbortController;
  orders: Map<string, OrderRecord>;
  day: number;
  dayEquity: number;
  market?: MarketRules;
  session: Session;
  ended: boolean;
  lastBar: number;
  /** time of the last bar the strategy saw (warm-up included): a bar not after it is dropped */
  lastTime: number;
}

export interface PositionView {
  promotionId: string;
  mode: Mode;
  exchange: string;
  symbol: string;
  size: number;
  avgPrice: number;
  lastPrice: number;
  equity: number;
  pl: number;
}

const DAY = 86_400_000;

/** The kill switch as journalled (settings key "kill" in live.sqlite). */
export interface KillState {
  readonly killed: boolean;
  /** positions are closed too, and closed again after a restart */
  readonly flatten: boolean;
  /** when it went on, epoch ms; null while off */
  readonly since: number | null;
}

const KILL_KEY = "kill";

/**
 * The bridge: promotions, their live runners and accounts, the OMS and risk gate, the journals and
 * the event stream. HTTP is a thin layer over this (server.ts).
 */
export class Bridge {
  readonly startedAt = Date.now();
  readonly risk: RiskGate;
  readonly stores: Record<Mode, Store>;
  readonly oms: Record<Mode, Oms>;
  /** the day's P&L per mode and quote currency, journalled (daily loss and profit stops) */
  readonly daily: DailyStops;
  readonly options: BridgeOptions;
  readonly #running = new Map<string, Running>();
  readonly #snapshotRuns = new Map<string, SnapshotRunning>();
  /** promotions being started, by strategy/venue/symbol/mode: a duplicate is refused before it starts */
  readonly #claims = new Map<string, string>();
  readonly #ticks: TickGuard;
  readonly #listeners = new Set<(event: BridgeEvent) => void>();
  readonly #venues = new Map<string, Promise<Venue>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** live orders still open at the start, as reconciled and followed: their promotions take them up */
  readonly #resumed = new Map<string, OrderRecord>();
  #flattening = false;
  #closed = false;
  #flushTimer: NodeJS.Timeout | undefined;
  #reconcileTimer: NodeJS.Timeout | undefined;

  private constructor(options: BridgeOptions) {
    this.options = options;
    mkdirSync(options.dataDir, { recursive: true });
    this.risk = new RiskGate(options.limits);
    this.stores = {
      paper: new Store(path.join(options.dataDir, "paper.sqlite"), { durable: false }),
      live: new Store(path.join(options.dataDir, "live.sqlite")),
    };
    this.daily = new DailyStops(this.stores);
    this.#ticks = new TickGuard({
      clock: options.clock ?? (options.feed === false ? undefined : Date.now),
      ...options.ticks,
    });
    const emit = (e: BridgeEvent) => this.emit(e);
    this.oms = {
      paper: new Oms("paper", this.stores.paper, this.risk, emit),
      live: new Oms("live", this.stores.live, this.risk, emit),
    };
  }

  /**
   * Opens the journals, reconciles every non-final live order with its venue (and flags foreign
   * venue orders), settles paper orders left by a previous run, then resumes running promotions.
   */
  static async open(options: BridgeOptions): Promise<Bridge> {
    const bridge = new Bridge(options);
    const live = bridge.stores.live.promotions().filter((p) => p.status === "running");
    const markets = live.map((p) => ({ exchange: p.exchange, symbol: p.symbol }));
    if (bridge.stores.live.openOrders().length || markets.length) {
      const venues = new Map<string, Venue>();
      for (const exchange of new Set([
        ...markets.map((m) => m.exchange),
        ...bridge.stores.live.openOrders().map((o) => o.exchange),
      ])) {
        // a 429 or a blip while the markets load is waited out; a venue still down after that is
        // fatal: live orders cannot be reconciled without it
        venues.set(
          exchange,
          await withRetry(() => bridge.venue(exchange, "live"), { delayMs: options.resolveDelayMs ?? 500 }),
        );
      }
      const { resolved, foreign, unresolved } = await bridge.oms.live.reconcile(
        (e) => venues.get(e),
        markets,
        {
          delayMs: options.resolveDelayMs ?? 500,
        },
      );
      bridge.stores.live.audit(
        "reconcile",
        `reconciled ${resolved} orders, ${foreign.length} foreign, ${unresolved.length} still unknown`,
      );
      // still UNKNOWN (not found yet, or the venue would not answer): looked up again with backoff
      for (const order of unresolved) {
        const v = venues.get(order.exchange);
        bridge.#resumed.set(order.clientOrderId, order);
        if (v) bridge.#resolveLater(order, v, 1);
      }
      // taken but not finished yet (an Upbit order still "wait", a limit order on the book): follow
      // it up like a fresh one; its promotion takes the same object up when it resumes
      for (const order of bridge.stores.live.openOrders()) {
        const v = venues.get(order.exchange);
        if (v && order.state !== "UNKNOWN") {
          bridge.#resumed.set(order.clientOrderId, order);
          bridge.#follow(order, v, 1);
        }
      }
    }
    for (const order of bridge.stores.paper.openOrders()) {
      // paper books live in memory: what was pending died with the previous process
      bridge.oms.paper.cancel(order, "bridge restarted");
    }
    // the kill switch survives a restart: on before any promotion resumes, so none of them trades
    const kill = bridge.killState();
    if (kill.killed) bridge.risk.killed = true;
    for (const mode of ["paper", "live"] as const) {
      for (const p of bridge.stores[mode].promotions()) {
        if (p.status !== "running") continue;
        try {
          await bridge.#start(p);
          // before its first trade arrives (the feed calls back from I/O, after this line)
          if (mode === "live") bridge.#restorePosition(p.id);
        } catch (error) {
          p.status = "stopped";
          bridge.stores[mode].savePromotion(p);
          bridge.stores[mode].audit("resume", `promotion ${p.id} not resumed: ${(error as Error).message}`);
        }
      }
    }
    // and its flatten intent too: whatever the resumed promotions hold is closed again
    if (kill.killed) await bridge.kill({ flatten: kill.flatten, restored: true });
    // what the journal says the live promotions hold, against what the venue holds
    if (live.length) await bridge.checkBalances();
    if (options.reconcileMs) {
      bridge.#reconcileTimer = setInterval(() => void bridge.checkBalances(), options.reconcileMs);
      bridge.#reconcileTimer.unref();
    }
    if (options.flushMs) {
      bridge.#flushTimer = setInterval(() => bridge.flush(Date.now()), options.flushMs);
      bridge.#flushTimer.unref();
    }
    return bridge;
  }

  get mode(): Mode {
    return this.options.allowLive ? "live" : "paper";
  }

  on(listener: (event: BridgeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: BridgeEvent): void {
    if (event.type === "fill") this.#onFill(event);
    if (event.type === "order" && FINAL_STATES.has(event.order.state)) {
      const snap = this.#snapshotRuns.get(event.order.promotionId)?.run;
      if (snap?.executor) {
        try {
          snap.book(snap.executor.settle(event.order, snap.lastTime));
        } catch (error) {
          this.#riskEvent("strategy", (error as Error).message, snap.promotion.id);
        }
      }
      const run = this.#running.get(event.order.promotionId);
      if (run) {
        run.orders.delete(event.order.clientOrderId);
        if (run.account instanceof LiveAccount) run.account.settle(event.order);
      }
    }
    // venue errors quote signed request URLs: scrubbed before any listener (sockets, logs) sees them
    if (event.type === "audit" || event.type === "risk") event = redactDeep(event);
    else if (event.type === "order" && event.order.reason)
      event = { ...event, order: { ...event.order, reason: redactSecrets(event.order.reason) } };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // a broken listener (a closed socket) must not stop trading
      }
    }
  }

  /** The venue for an exchange (one per exchange and mode), created on first use. */
  venue(exchange: string, mode: Mode): Promise<Venue> {
    const key = `${exchange}:${mode}`;
    let v = this.#venues.get(key);
    if (!v) {
      const { venue: opts = {}, venueFactory } = this.options;
      v = venueFactory
        ? venueFactory(exchange, mode)
        : exchange === "kis"
          ? this.#kisVenue(mode)
          : CcxtVenue.create(exchange, {
              ...opts,
              // paper needs only public market data: no keys
              apiKey: mode === "live" ? opts.apiKey : undefined,
              secret: mode === "live" ? opts.secret : undefined,
              onWarning: (message) => this.emit({ type: "audit", message }),
            });
      // whatever fails while the venue opens (loadMarkets, credentials) names the venue and the call
      v = v.catch((error: unknown) => {
        this.#venues.delete(key);
        throw error instanceof VenueError ? error : new VenueError(exchange, "connect", error);
      });
      this.#venues.set(key, v);
    }
    return v;
  }

  async #kisVenue(mode: Mode): Promise<Venue> {
    const { credentials, env, ...rest } = this.options.kis ?? {};
    if (!credentials) throw new Error("kis credentials missing (KIS_APPKEY, KIS_APPSECRET, KIS_ACCOUNT)");
    const store = this.stores[mode];
    const venue = new KisVenue(credentials, {
      ...rest,
      // the real host needs both --confirm-live and an explicit env "real"
      env: mode === "live" && this.options.allowLive && env === "real" ? "real" : "mock",
      journal: {
        byClientId: (id) => store.order(id),
        byVenueId: (odno) => store.orderByVenueId(odno),
      },
      onWarning: (message) => this.emit({ type: "audit", message }),
    });
    venue.onOrderUpdate((v) => this.#onVenueOrder(mode, v));
    if (mode === "live") await venue.start();
    return venue;
  }

  /** A venue's own report of an order (KIS fill notice) applied to the journal order with that venue id. */
  #onVenueOrder(mode: Mode, v: VenueOrder): void {
    let order: OrderRecord | undefined;
    for (const run of this.#running.values()) {
      for (const o of run.orders.values()) if (o.venueOrderId === v.venueOrderId) order = o;
    }
    order ??= this.stores[mode].openOrders().find((o) => o.venueOrderId === v.venueOrderId);
    if (order && !FINAL_STATES.has(order.state)) this.oms[mode].apply(order, v);
  }

  /**
   * Starts a promotion; refuses a changed strategy (409), live without confirmation (403) and a
   * second running promotion of the same strategy, venue, symbol and mode (409 naming the running
   * one) unless `allowDuplicate`. One that fails to start leaves nothing running; a venue that
   * cannot be reached is 502 naming the venue and the call.
   */
  async promote(
    spec: PromotionSpec,
    { allowDuplicate = false }: { allowDuplicate?: boolean } = {},
  ): Promise<Promotion> {
    const id = randomUUID();
    const key = promotionKey(spec);
    // claimed before the first await, so concurrent identical requests see each other
    if (!allowDuplicate) {
      const running =
        this.#claims.get(key) ??
        this.promotions().find((p) => p.status === "running" && promotionKey(p) === key)?.id;
      if (running) {
        throw new HttpError(
          409,
          `promotion ${running} already runs ${spec.strategy} on ${spec.exchange} ${spec.symbol} (${spec.mode}); ` +
            'send "allowDuplicate": true for another',
        );
      }
      this.#claims.set(key, id);
    }
    try {
      return await this.#promote(spec, id);
    } catch (error) {
      this.#discard(id);
      if (error instanceof VenueError) {
        throw new HttpError(error.status, error.message);
      }
      throw error;
    } finally {
      if (this.#claims.get(key) === id) this.#claims.delete(key);
    }
  }

  /** A promotion whose start failed: nothing of it may keep running (no ghost feed or runner). */
  #discard(id: string): void {
    const snap = this.#snapshotRuns.get(id);
    if (snap) {
      snap.abort.abort();
      this.#snapshotRuns.delete(id);
    }
    const run = this.#running.get(id);
    if (!run) return;
    run.abort.abort();
    this.#running.delete(id);
    this.daily.forget(id);
  }

  async #promote(spec: PromotionSpec, id: string): Promise<Promotion> {
    if (spec.kind === "ticks" || spec.kind === "stom") return this.#promoteSnapshots(spec, id);
    if (spec.mode === "live") {
      if (!this.options.allowLive)
        throw new HttpError(403, "live trading is not enabled (start the bridge with --confirm-live)");
      if (!spec.fingerprint) throw new HttpError(400, "fingerprint: required for live promotions");
    }
    timeframeMsOr400(spec.timeframe);
    let loaded: ResolvedStrategy;
    try {
      loaded = await this.#load(spec.strategy, spec.params, spec.settings);
    } catch (error) {
      throw new HttpError(400, (error as Error).message);
    }
    if (spec.fingerprint && spec.fingerprint !== loaded.fingerprint) {
      throw new HttpError(409, "strategy source or params changed since the backtest (fingerprint mismatch)");
    }
    const promotion: Promotion = {
      ...spec,
      id,
      createdAt: Date.now(),
      status: "running",
      resolvedParams: loaded.params,
    };
    await this.#start(promotion, loaded);
    this.stores[promotion.mode].savePromotion(promotion);
    this.stores[promotion.mode].audit(
      "promote",
      `promoted ${spec.strategy} on ${spec.exchange} ${spec.symbol}`,
      {
        id: promotion.id,
        mode: spec.mode,
        params: loaded.params,
      },
    );
    this.emit({ type: "promotion", promotion });
    return promotion;
  }

  /** by name from the strategy folder only: never a path, never code sent over HTTP */
  #load(
    name: string,
    params: Readonly<Record<string, unknown>>,
    settings?: PromotionSpec["settings"],
  ): Promise<ResolvedStrategy> {
    return loadResolvedStrategy(name, params, {
      dir: this.options.strategyDir ?? STRATEGY_DIR,
      namesOnly: true,
      settings,
    });
  }

  async #start(promotion: Promotion, loaded?: ResolvedStrategy): Promise<void> {
    if (promotion.kind === "ticks" || promotion.kind === "stom") return this.#startSnapshots(promotion);
    loaded ??= await this.#load(promotion.strategy, promotion.params, promotion.settings);
    if (promotion.fingerprint && promotion.fingerprint !== loaded.fingerprint) {
      throw new Error("strategy source changed since the promotion");
    }
    const oms = this.oms[promotion.mode];
    const id = promotion.id;
    const orders = new Map<string, OrderRecord>();
    const riskCtx = () => this.#riskContext(id);
    let account: PaperSession | LiveAccount;
    let venue: Venue | undefined;
    if (promotion.mode === "paper") {
      const gate: OrderGate = {
        submit: (o) => {
          const order = oms.create(
            {
              promotionId: id,
              exchange: promotion.exchange,
              symbol: promotion.symbol,
              side: o.side,
              amount: o.amount,
              fraction: o.fraction,
              reduceOnly: o.reduceOnly,
              bar: o.bar,
              refPrice: o.refPrice,
              flatten: this.#flattening,
            },
            riskCtx(),
          );
          if (order.state === "REJECTED") return null;
          orders.set(order.clientOrderId, order);
          oms.acceptPaper(order);
          return order.clientOrderId;
        },
        fill: (clientOrderId, fill) => {
          const order = orders.get(clientOrderId);
          if (order) oms.fill(order, fill);
        },
        cancel: (clientOrderId, reason) => {
          const order = orders.get(clientOrderId);
          if (order) oms.cancel(order, reason);
        },
      };
      // the backtest's own settings when the promotion carries them, else the bridge's
      const paper = promotion.settings
        ? paperSettings(promotion.settings as RunSettings)
        : (this.options.paper ?? {});
      account = new PaperSession(
        loaded.strategy,
        loaded.params,
        gate,
        promotion.exchange === "kis" && paper.commission === undefined
          ? { ...paper, commission: krxCommission() }
          : paper,
        (s) => this.emit({ type: "signal", promotionId: id, ...s }),
      );
    } else {
      venue = await this.venue(promotion.exchange, "live");
      const v = venue;
      account = new LiveAccount(
        (o) => {
          const order = oms.create(
            {
              promotionId: id,
              exchange: promotion.exchange,
              symbol: promotion.symbol,
              side: o.side,
              amount: o.amount,
              fraction: 0,
              reduceOnly: o.reduceOnly,
              bar: o.bar,
              refPrice: o.refPrice,
              flatten: this.#flattening,
              limit: o.limit,
            },
            riskCtx(),
          );
          if (order.state !== "REJECTED") {
            orders.set(order.clientOrderId, order);
            void oms.send(order, v, o.refPrice).then(() => {
              if (order.state === "UNKNOWN") this.#resolveLater(order, v, 1);
              else if (!FINAL_STATES.has(order.state)) this.#follow(order, v, 1);
            });
          }
          return order;
        },
        (message) => this.#riskEvent("spot", message, id),
        {
          cash: this.options.liveCash,
          // held orders (stop, SL/TP, trailing) are journalled beside the orders they become
          promotionId: id,
          journal: this.stores.live,
          // limit buys rest on the venue's book where it has one (ccxt has.createLimitOrder)
          nativeLimit: typeof v.createLimitOrder === "function",
          cancel: (order, reason) => this.#cancelAtVenue(order, v, reason),
        },
      );
    }
    const runner =
      account instanceof PaperSession
        ? account
        : new LiveSession(loaded.strategy, loaded.params, account, (s) =>
            this.emit({ type: "signal", promotionId: id, ...s }),
          );
    const run: Running = {
      promotion,
      runner,
      account,
      builder: new BarBuilder(promotion.timeframe, (bar) => this.#onBar(run, bar)),
      abort: new AbortController(),
      orders,
      day: Number.NaN,
      dayEquity: Number.NaN,
      session: sessionFor(promotion.exchange, { endTime: this.options.sessionEnd }),
      ended: false,
      lastBar: Number.NaN,
      lastTime: Number.NEGATIVE_INFINITY,
    };
    this.#running.set(id, run);
    if (venue) run.market = await venue.marketRules(promotion.symbol);
    if (this.options.feed !== false) {
      const feedVenue = venue ?? (await this.venue(promotion.exchange, "paper"));
      run.market ??= await feedVenue.marketRules(promotion.symbol).catch(() => undefined);
      await this.#warmUp(run, feedVenue);
      void feedVenue
        .watchTrades(promotion.symbol, (tick) => this.tick(id, tick), run.abort.signal)
        .catch((error) =>
          this.emit({ type: "audit", message: `feed ${promotion.symbol} stopped: ${error.message}` }),
        );
    }
  }

  /**
   * A tick strategy or STOM texts on the symbols' snapshots: paper only for now (the kernel's own
   * book walks are the fills); the strategy comes from the strategy folder by name, its settings
   * and parameters inside the fingerprint as for bars.
   */
  async #promoteSnapshots(spec: PromotionSpec, id: string): Promise<Promotion> {
    const kind = spec.kind as "ticks" | "stom";
    if (spec.mode === "live") {
      if (!this.options.allowLive)
        throw new HttpError(403, "live trading is not enabled (start the bridge with --confirm-live)");
      if (!spec.fingerprint) throw new HttpError(400, "fingerprint: required for live promotions");
    }
    const symbols = [...new Set(spec.symbols ?? [])];
    if (symbols.length === 0) throw new HttpError(400, "symbols: at least one symbol");
    const loaded = await this.#loadSnapshots(kind, spec).catch((error: Error) => {
      throw new HttpError(400, error.message);
    });
    if (spec.fingerprint && spec.fingerprint !== loaded.fingerprint) {
      throw new HttpError(409, "strategy source or params changed since the backtest (fingerprint mismatch)");
    }
    const promotion: Promotion = {
      ...spec,
      symbols,
      symbol: symbols.join(" "),
      timeframe: "tick",
      id,
      createdAt: Date.now(),
      status: "running",
      resolvedParams: loaded.params,
    };
    await this.#startSnapshots(promotion, loaded);
    this.stores[promotion.mode].savePromotion(promotion);
    this.stores[promotion.mode].audit(
      "promote",
      `promoted ${kind} ${spec.strategy} on ${spec.exchange} ${promotion.symbol}`,
      {
        id,
        mode: spec.mode,
        params: loaded.params,
      },
    );
    this.emit({ type: "promotion", promotion });
    return promotion;
  }

  #loadSnapshots(kind: "ticks" | "stom", spec: PromotionSpec): Promise<LoadedSnapshotStrategy> {
    return loadSnapshotStrategy(kind, spec.strategy, spec.params, {
      dir: this.options.strategyDir ?? STRATEGY_DIR,
      settings: spec.settings,
    });
  }

  async #startSnapshots(promotion: Promotion, loaded?: LoadedSnapshotStrategy): Promise<void> {
    const kind = promotion.kind as "ticks" | "stom";
    loaded ??= await this.#loadSnapshots(kind, promotion);
    if (promotion.fingerprint && promotion.fingerprint !== loaded.fingerprint) {
      throw new Error("strategy source changed since the promotion");
    }
    if (!this.options.snapshots) {
      throw new HttpError(
        400,
        `kind: ${kind} promotions need a snapshot feed (stom bridge --replay <ticks>, or --record)`,
      );
    }
    const symbols = promotion.symbols ?? [];
    const id = promotion.id;
    let run: SnapshotRun | undefined;
    let executor: SnapshotExecutor | undefined;
    const markets = new Map<string, MarketRules>();
    if (promotion.mode === "live") {
      const venue = await this.venue(promotion.exchange, "live");
      for (const symbol of symbols) markets.set(symbol, await venue.marketRules(symbol));
      const oms = this.oms.live;
      executor = new SnapshotExecutor({
        promotion,
        oms,
        clock: () => run?.count ?? 0,
        onDust: (symbol, left) =>
          this.#riskEvent(
            "dust",
            `${promotion.exchange} ${symbol}: ${left} left after a sell (lot step)`,
            id,
          ),
        lastPrice: (symbol) => run?.positions.get(symbol)?.lastPrice ?? Number.NaN,
        risk: (symbol) => {
          let open = 0;
          for (const r of this.#running.values()) if (r.account.positionSize !== 0) open++;
          return {
            equity: run?.equity ?? 0,
            openPositions: open + (run?.openPositions ?? 0),
            hasPosition: (run?.positions.get(symbol)?.qty ?? 0) > 0,
            dailyPnl: this.daily.pnl({ ...promotion, symbol: symbols[0] }),
            market: markets.get(symbol),
          };
        },
        send: (order, refPrice) => {
          void oms.send(order, venue, refPrice).then(() => {
            if (order.state === "UNKNOWN") this.#resolveLater(order, venue, 1);
            else if (!FINAL_STATES.has(order.state)) this.#follow(order, venue, 1);
          });
        },
      });
    }
    const kernel = (() => {
      try {
        return snapshotKernel(loaded, promotion.settings, symbols, executor);
      } catch (error) {
        throw new HttpError(400, `settings: ${(error as Error).message}`);
      }
    })();
    if (executor) executor.kernel = kernel as unknown as ExecutedKernel;
    const source = await Promise.resolve()
      .then(() => this.options.snapshots?.(promotion) as SnapshotSource | Promise<SnapshotSource>)
      .catch((error: Error) => {
        // a feed that cannot connect names its venue (502); anything else is the request's
        throw error instanceof VenueError ? error : new HttpError(400, `symbols: ${error.message}`);
      });
    const missing = symbols.filter((s) => !source.symbols.includes(s));
    if (missing.length) {
      throw new HttpError(
        400,
        `symbols: ${missing.join(", ")} not in the feed (it has ${source.symbols.slice(0, 10).join(", ")}${source.symbols.length > 10 ? ", ..." : ""})`,
      );
    }
    const first = { ...promotion, symbol: symbols[0] };
    run = new SnapshotRun({
      promotion,
      kernel,
      oms: this.oms[promotion.mode],
      emit: (e) => this.emit(e),
      mark: (time, equity) => this.daily.mark(first, time, equity),
      executor,
    });
    run.halted = this.risk.killed;
    const running: SnapshotRunning = { run, abort: new AbortController(), errors: new Set() };
    this.#snapshotRuns.set(id, running);
    const wanted = new Set(symbols);
    void source
      .run((symbol, row) => {
        if (wanted.has(symbol)) this.snapshot(promotion.id, symbol, row);
      }, running.abort.signal)
      .then(() => {
        // a replay that played its last row: the day ends, as at the end of the backtest's data
        if (!running.abort.signal.aborted && this.#snapshotRuns.get(id) === running) running.run.end();
      })
      .catch((error: Error) =>
        this.emit({ type: "audit", message: `snapshots of ${promotion.id} stopped: ${error.message}` }),
      );
  }

  /** Feeds one snapshot to a tick or STOM-text promotion (its feed calls this; tests may too). */
  snapshot(promotionId: string, symbol: string, row: SnapshotRow): void {
    const snap = this.#snapshotRuns.get(promotionId);
    if (snap?.run.promotion.status !== "running") return;
    try {
      snap.run.push(symbol, row);
    } catch (error) {
      const message = (error as Error).message;
      if (snap.errors.has(message)) return;
      snap.errors.add(message);
      this.stores.paper.audit(
        "strategy",
        `${snap.run.promotion.strategy} failed on a snapshot of ${symbol}: ${message}`,
      );
      this.#riskEvent("strategy", message, promotionId);
    }
  }

  /** A snapshot promotion's run (positions, cash, equity), or undefined. */
  snapshotRun(promotionId: string): SnapshotRun | undefined {
    return this.#snapshotRuns.get(promotionId)?.run;
  }

  /**
   * Feeds the venue's last closed bars to the strategy without deciding on them, so its indicators
   * start from the history a backtest would have seen (a slow 30-bar average trades on the first
   * live bar, not 30 bars later). Without history from the venue it starts cold, and says so.
   */
  async #warmUp(run: Running, venue: Venue): Promise<void> {
    const { warmupBars = 0 } = this.options;
    const { strategy, exchange, symbol, timeframe } = run.promotion;
    if (!(warmupBars > 0) || !venue.fetchBars) return;
    let bars: Bar[];
    try {
      bars = await venue.fetchBars(symbol, timeframe, warmupBars);
    } catch (error) {
      this.emit({
        type: "audit",
        message: `${strategy} on ${exchange} ${symbol}: no warm-up history (${(error as Error).message})`,
      });
      return;
    }
    for (const bar of bars) {
      run.runner.onBar(bar, { decide: false });
      run.lastBar = bar.close;
      run.lastTime = bar.time;
    }
    if (bars.length)
      this.emit({
        type: "audit",
        message: `${strategy} on ${exchange} ${symbol}: warmed up on ${bars.length} closed ${timeframe} bars up to ${new Date(bars[bars.length - 1].time).toISOString()}`,
      });
  }

  /**
   * A resumed live promotion takes up the position its journalled fills add up to (and the cash
   * they spent), instead of starting flat beside what it bought before the restart.
   */
  #restorePosition(promotionId: string): void {
    const run = this.#running.get(promotionId);
    if (!run || !(run.account instanceof LiveAccount)) return;
    // fills and balance corrections replayed, then the orders the bridge held (held-orders.ts)
    const { fills, held } = run.account.restore(this.stores.live, promotionId);
    // orders still open at the venue (a limit order on its book): the account counts them pending
    for (const order of this.#resumed.values()) {
      if (order.promotionId !== promotionId || FINAL_STATES.has(order.state)) continue;
      run.orders.set(order.clientOrderId, order);
      run.account.resume(order);
    }
    if (fills || held) {
      this.stores.live.audit("restore", `promotion ${promotionId} resumes holding ${run.account.amount}`, {
        fills,
        held,
        amount: run.account.amount,
        cash: run.account.cash,
      });
    }
  }

  /**
   * Compares what the running live promotions hold, by venue and asset, with the venue's balances;
   * a venue holding less (sold or withdrawn outside the bridge) is a risk event. Returns the
   * mismatches. A venue that cannot answer is audited and skipped.
   */
  async checkBalances(): Promise<{ exchange: string; asset: string; journal: number; venue: number }[]> {
    const held = new Map<string, number>();
    for (const run of this.#running.values()) {
      if (run.promotion.mode !== "live" || !(run.account instanceof LiveAccount)) continue;
      const key = `${run.promotion.exchange}\u0000${baseOf(run.promotion.exchange, run.promotion.symbol)}`;
      held.set(key, (held.get(key) ?? 0) + run.account.amount);
    }
    const mismatches: { exchange: string; asset: string; journal: number; venue: number }[] = [];
    for (const exchange of new Set([...held.keys()].map((k) => k.split("\u0000")[0]))) {
      let balances: Record<string, number> | undefined;
      try {
        const venue = await this.venue(exchange, "live");
        balances = await withRetry(async () => venue.balances?.(), {
          delayMs: this.options.resolveDelayMs ?? 500,
        });
      } catch (error) {
        this.stores.live.audit("reconcile", `${exchange} balances not read: ${(error as Error).message}`);
        continue;
      }
      if (!balances || this.#closed) continue;
      for (const [key, journal] of held) {
        const [ex, asset] = key.split("\u0000");
        if (ex !== exchange) continue;
        const venue = balances[asset] ?? 0;
        // rounding of fills and fees in the base asset: a relative tolerance
        if (venue < journal - Math.max(1e-9, journal * 1e-6)) {
          mismatches.push({ exchange, asset, journal, venue });
          this.#riskEvent(
            "position-mismatch",
            `${exchange} ${asset}: the journal's live promotions hold ${journal}, the venue ${venue}`,
          );
          this.#adopt(exchange, asset, journal, venue);
        }
      }
    }
    return mismatches;
  }

  /**
   * The venue holds less of `asset` than the live promotions' fills add up to: each promotion's
   * position shrinks to its share of what the venue holds (journalled as an adjustment, replayed
   * after a restart), so no exit tries to sell what is not there. A venue holding more is left alone:
   * the account may hold the asset for other reasons. Nothing is adopted while one of them has an
   * order in flight: the venue may already hold what its fill will book (the next check decides).
   */
  #adopt(exchange: string, asset: string, journal: number, venue: number): void {
    const runs = [...this.#running.values()].filter(
      ({ promotion: p, account }) =>
        p.mode === "live" &&
        account instanceof LiveAccount &&
        p.exchange === exchange &&
        baseOf(exchange, p.symbol) === asset,
    );
    if (runs.some((r) => [...r.orders.values()].some((o) => !FINAL_STATES.has(o.state)))) {
      this.stores.live.audit("adopt", `${exchange} ${asset}: an order is in flight, nothing adopted yet`);
      return;
    }
    // the journal side as it stands now (fills may have been booked while the balance was read)
    let held = 0;
    for (const r of runs) held += (r.account as LiveAccount).amount;
    if (!(Math.max(0, venue) < held)) return;
    const ratio = held > 0 ? Math.max(0, venue) / held : 0;
    for (const { promotion: p, account } of runs) {
      if (!(account instanceof LiveAccount) || !(account.amount > 0)) continue;
      const before = account.amount;
      const delta = account.adopt(before * ratio);
      if (!delta) continue;
      const reason = `${exchange} holds ${venue} ${asset}, the journal ${journal}: position ${before} -> ${account.amount}`;
      this.stores.live.addAdjustment(p.id, delta, reason);
      this.stores.live.audit("adopt", reason, { promotionId: p.id, delta });
    }
  }

  /** Feeds one trade to a promotion's bar builder (the venue feed calls this; replays may too). */
  tick(promotionId: string, tick: Tick): void {
    const run = this.#running.get(promotionId);
    if (run?.promotion.status !== "running") return;
    // a trade in the wrong unit or far from the clock would make the builder fill days of flat
    // bars (or loop for ever): refused before it gets there
    const refusal = this.#ticks.check(promotionId, tick, run.builder.ms);
    if (!refusal) {
      run.builder.push(tick);
      // after the bar it closed was decided: orders held by the bridge trigger on the trade
      if (run.account instanceof LiveAccount) run.account.onTrade(tick.price);
      return;
    }
    if (!worthLogging(refusal.count)) return;
    const message = `${run.promotion.symbol}: ${refusal.message} (refused: ${refusal.count})`;
    this.stores[run.promotion.mode].audit("tick", message, { rule: refusal.rule, promotionId });
    this.emit({ type: "risk", rule: refusal.rule, message, promotionId });
  }

  /** Closes bars whose period ended by `now` (wall clock in production). */
  flush(now: number): void {
    for (const run of this.#running.values()) run.builder.flush(now);
  }

  #onBar(run: Running, bar: Bar): void {
    // the warm-up's last bar may be the one the live feed's first trades still belong to
    if (bar.time <= run.lastTime) return;
    run.lastTime = bar.time;
    const id = run.promotion.id;
    this.emit({ type: "bar", promotionId: id, bar, index: run.runner.count });
    const day = Math.floor(bar.time / DAY);
    if (day !== run.day) {
      run.day = day;
      run.dayEquity = Number.NaN;
      run.ended = false;
    }
    try {
      // outside the session, or after the day's liquidation: fills and marks, no decision
      const idle = !run.session.isOpen(bar.time) || run.ended;
      run.runner.onBar(bar, { decide: !idle });
      if (!idle) {
        if (run.session.pastEnd(bar.time + run.builder.ms) && run.account.positionSize !== 0) {
          // the strategy's day is over: liquidate and stay flat until the next day
          run.ended = true;
          this.#withFlatten(() => run.account.close(1, run.runner.count - 1));
        }
      }
    } catch (error) {
      this.stores[run.promotion.mode].audit(
        "strategy",
        `${run.promotion.strategy} failed on a bar: ${(error as Error).message}`,
      );
      this.#riskEvent("strategy", (error as Error).message, id);
    }
    if (Number.isNaN(run.dayEquity)) run.dayEquity = run.account.equity;
    this.daily.mark(run.promotion, bar.time, run.account.equity);
    run.lastBar = bar.close;
    const p = this.#position(run);
    this.emit({ type: "position", promotionId: id, size: p.size, avgPrice: p.avgPrice, pl: p.pl });
    this.emit({
      type: "pnl",
      promotionId: id,
      time: bar.time,
      equity: run.account.equity,
      realized: run.account.realized,
    });
  }

  #onFill(event: Extract<BridgeEvent, { type: "fill" }>): void {
    const run = this.#running.get(event.promotionId);
    if (!run || !(run.account instanceof LiveAccount)) return;
    const order = run.orders.get(event.clientOrderId) ?? this.stores.live.order(event.clientOrderId);
    if (order) run.account.applyFill(order, event);
  }

  /**
   * Polls an order the venue took but has not finished (Upbit answers a market order before it
   * executes) until it is final; lookups by client order id, never a resend.
   */
  #follow(order: OrderRecord, venue: Venue, attempt: number): void {
    const { resolveDelayMs = 500 } = this.options;
    // venues that push order progress (KIS fill notices) need no polling
    if (this.#closed || venue.onOrderUpdate) return;
    const timer = setTimeout(async () => {
      this.#timers.delete(timer);
      if (this.#closed || FINAL_STATES.has(order.state) || order.state === "UNKNOWN") return;
      try {
        const found = await venue.fetchByClientId(order.symbol, order.clientOrderId);
        if (this.#closed) return;
        if (found && !FINAL_STATES.has(order.state)) this.oms[order.mode].apply(order, found);
      } catch (error) {
        this.emit({
          type: "audit",
          message: `following ${order.clientOrderId}: ${(error as Error).message}`,
        });
      }
      if (!FINAL_STATES.has(order.state)) this.#follow(order, venue, attempt + 1);
    }, resolveDelayMs * Math.min(attempt, 10));
    this.#timers.add(timer);
  }

  /**
   * Looks an UNKNOWN order up until the venue answers, with backoff (resolveDelayMs doubling up to
   * 30 s); never resends it. "Not found" counts as an answer only after `notFoundChecks` lookups,
   * since a venue may list an order a moment after it took it.
   */
  #resolveLater(order: OrderRecord, venue: Venue, attempt: number, misses = 0): void {
    const {
      resolveAttempts = Number.POSITIVE_INFINITY,
      resolveDelayMs = 500,
      notFoundChecks = 3,
    } = this.options;
    if (attempt > resolveAttempts || this.#closed) return;
    const timer = setTimeout(
      async () => {
        this.#timers.delete(timer);
        if (this.#closed || FINAL_STATES.has(order.state)) return;
        try {
          const found = await this.oms[order.mode].resolve(order, venue, {
            rejectIfMissing: misses + 1 >= notFoundChecks,
          });
          if (this.#closed || FINAL_STATES.has(order.state)) return;
          // found but not moved on (a venue state the OMS cannot apply yet): look again
          if (found && order.state !== "UNKNOWN") this.#follow(order, venue, 1);
          else this.#resolveLater(order, venue, attempt + 1, found ? misses : misses + 1);
        } catch (error) {
          this.emit({
            type: "audit",
            message: `resolving ${order.clientOrderId}: ${(error as Error).message}`,
          });
          this.#resolveLater(order, venue, attempt + 1, misses);
        }
      },
      Math.min(30_000, resolveDelayMs * 2 ** (attempt - 1)),
    );
    this.#timers.add(timer);
  }

  #riskContext(promotionId: string) {
    const run = this.#running.get(promotionId);
    let open = 0;
    for (const r of this.#running.values()) {
      if (r.account.positionSize !== 0) open++;
    }
    // this promotion's mode and quote currency only: paper profit never offsets a live loss
    const daily = run ? this.daily.pnl(run.promotion) : 0;
    return {
      equity: run?.account.equity ?? 0,
      openPositions: open,
      hasPosition: (run?.account.positionSize ?? 0) !== 0,
      dailyPnl: daily,
      market: run?.market,
    };
  }

  #riskEvent(rule: string, message: string, promotionId?: string): void {
    this.stores.live.audit("risk", message, { rule, promotionId });
    this.emit({ type: "risk", rule, message, promotionId });
  }

  #withFlatten(fn: () => void): void {
    this.#flattening = true;
    try {
      fn();
    } finally {
      this.#flattening = false;
    }
  }

  #position(run: Running): PositionView {
    const a = run.account;
    const legs = a.openLegs;
    let size = 0;
    let cost = 0;
    let pl = 0;
    for (const l of legs) {
      size += l.size;
      cost += l.size * l.entryPrice;
      pl += l.pl;
    }
    return {
      promotionId: run.promotion.id,
      mode: run.promotion.mode,
      exchange: run.promotion.exchange,
      symbol: run.promotion.symbol,
      size,
      avgPrice: size ? cost / size : 0,
      lastPrice: run.lastBar,
      equity: a.equity,
      pl,
    };
  }

  promotions(): Promotion[] {
    return [...this.stores.paper.promotions(), ...this.stores.live.promotions()];
  }

  positions(): PositionView[] {
    const views = [...this.#running.values()].map((r) => this.#position(r));
    for (const { run } of this.#snapshotRuns.values()) {
      for (const p of run.positions.values()) {
        if (p.qty === 0) continue;
        views.push({
          promotionId: run.promotion.id,
          mode: run.promotion.mode,
          exchange: run.promotion.exchange,
          symbol: p.symbol,
          size: p.qty,
          avgPrice: p.avgPrice,
          lastPrice: p.lastPrice,
          equity: run.equity,
          pl: p.qty * (p.lastPrice - p.avgPrice),
        });
      }
    }
    return views;
  }

  /**
   * Both journals' orders, newest first (within one millisecond: live before paper, then journal
   * order); `before` (a client order id) gives the page after that order.
   */
  orders(limit = 500, before?: string): OrderRecord[] {
    let cursor: { mode: Mode; createdAt: number; seq: number } | undefined;
    if (before !== undefined) {
      for (const mode of ["live", "paper"] as const) {
        const at = this.stores[mode].position(before);
        if (at) cursor = { mode, ...at };
      }
      if (!cursor) throw new HttpError(400, `before: no order ${before}`);
    }
    const page = (mode: Mode) =>
      this.stores[mode].orders({
        limit,
        before:
          cursor &&
          (cursor.mode === mode ? cursor : { createdAt: cursor.createdAt, inclusive: mode > cursor.mode }),
      });
    return [...page("live"), ...page("paper")]
      .sort((a, b) => b.createdAt - a.createdAt || (a.mode === b.mode ? 0 : a.mode < b.mode ? -1 : 1))
      .slice(0, limit);
  }

  audit(limit = 500) {
    return [
      ...this.stores.paper.audits(limit).map((a) => ({ ...a, mode: "paper" })),
      ...this.stores.live.audits(limit).map((a) => ({ ...a, mode: "live" })),
    ]
      .sort((a, b) => b.at - a.at)
      .slice(0, limit);
  }

  /** Stops a promotion and cancels its open orders. */
  async stop(id: string): Promise<Promotion> {
    const run = this.#running.get(id);
    const stored = this.promotions().find((p) => p.id === id);
    if (!stored) throw new HttpError(404, `no promotion ${id}`);
    const snap = this.#snapshotRuns.get(id);
    if (snap) {
      snap.abort.abort();
      this.#snapshotRuns.delete(id);
      snap.run.promotion.status = "stopped";
      this.stores.paper.savePromotion(snap.run.promotion);
      this.emit({ type: "promotion", promotion: snap.run.promotion });
      return snap.run.promotion;
    }
    if (run) {
      run.abort.abort();
      await this.#cancelOrders(run, "promotion stopped");
      run.promotion.status = "stopped";
      this.#running.delete(id);
      this.stores[run.promotion.mode].savePromotion(run.promotion);
      this.emit({ type: "promotion", promotion: run.promotion });
      return run.promotion;
    }
    stored.status = "stopped";
    this.stores[stored.mode].savePromotion(stored);
    return stored;
  }

  async #cancelOrders(run: Running, reason: string): Promise<void> {
    if (run.account instanceof PaperSession) {
      run.account.cancelAll(reason);
      return;
    }
    if (run.account instanceof LiveAccount) run.account.cancelHeld(reason);
    const venue = await this.venue(run.promotion.exchange, "live");
    for (const order of [...run.orders.values()]) await this.#cancelAtVenue(order, venue, reason);
  }

  /** Cancels a live order at the venue, then books what the venue says it did (it may have filled). */
  async #cancelAtVenue(order: OrderRecord, venue: Venue, reason: string): Promise<void> {
    if (FINAL_STATES.has(order.state)) return;
    try {
      if (order.venueOrderId) await venue.cancel(order.symbol, order.venueOrderId);
      const seen = await venue.fetchByClientId(order.symbol, order.clientOrderId);
      if (seen) this.oms.live.apply(order, seen);
      if (!FINAL_STATES.has(order.state) && order.state !== "UNKNOWN") this.oms.live.cancel(order, reason);
    } catch (error) {
      this.emit({ type: "audit", message: `cancel ${order.clientOrderId}: ${(error as Error).message}` });
    }
  }

  /** The journalled kill switch: on or off, whether it flattens, and since when. */
  killState(): KillState {
    return this.stores.live.setting<KillState>(KILL_KEY) ?? { killed: false, flatten: false, since: null };
  }

  /**
   * Kill switch: refuse new orders, cancel every open one, and optionally flatten every position.
   * Journalled (live.sqlite, synced) before anything else, so a crash mid-kill restarts killed.
   */
  async kill({
    flatten = false,
    restored = false,
  }: {
    flatten?: boolean;
    restored?: boolean;
  } = {}): Promise<void> {
    const prior = this.killState();
    // a second kill may add flattening to the first, never take it away
    const state: KillState = {
      killed: true,
      flatten: flatten || (prior.killed && prior.flatten),
      since: prior.killed && prior.since !== null ? prior.since : Date.now(),
    };
    this.stores.live.saveSetting(KILL_KEY, state);
    this.risk.killed = true;
    this.stores.live.audit(
      "kill",
      `kill switch ${restored ? "restored from the journal" : "on"}${state.flatten ? ", flattening" : ""}`,
    );
    this.emit({ type: "kill", active: true });
    // snapshot kernels decide on every snapshot: while killed they see none, so they neither decide
    // nor fill; a flatten sells what they hold and ends them (their kernel no longer matches the account)
    for (const [id, { run }] of this.#snapshotRuns) {
      run.halted = true;
      if (state.flatten && run.openPositions > 0) {
        run.flatten();
        await this.stop(id);
      }
    }
    for (const run of this.#running.values()) {
      await this.#cancelOrders(run, "kill switch");
      if (state.flatten && run.account.positionSize !== 0) {
        this.#withFlatten(() => run.account.close(1, run.runner.count - 1));
      }
    }
  }

  resume(): void {
    this.stores.live.saveSetting(KILL_KEY, { killed: false, flatten: false, since: null });
    this.risk.killed = false;
    for (const { run } of this.#snapshotRuns.values()) run.halted = false;
    this.stores.live.audit("kill", "kill switch off");
    this.emit({ type: "kill", active: false });
  }

  /** Settles in-flight work (UNKNOWN lookups) and closes feeds, venues and journals. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#flushTimer) clearInterval(this.#flushTimer);
    if (this.#reconcileTimer) clearInterval(this.#reconcileTimer);
    for (const t of this.#timers) clearTimeout(t);
    for (const run of this.#running.values()) run.abort.abort();
    this.#running.clear();
    for (const snap of this.#snapshotRuns.values()) snap.abort.abort();
    this.#snapshotRuns.clear();
    for (const v of this.#venues.values()) {
      try {
        await (await v).close();
      } catch {
        // a venue that never opened has nothing to close
      }
    }
    this.stores.paper.close();
    this.stores.live.close();
  }
}

/** KRX fee and statutory sell tax as the paper account's commission (a fill sells when size > 0 === exit). */
function krxCommission(): (size: number, price: number, exit: boolean) => number {
  const costs = krxBridgeCosts();
  return (size, price, exit) =>
    costs.commission(Math.abs(size), price, size > 0 === exit ? "sell" : "buy", Date.now());
}

/** What makes two promotions the same one. */
function promotionKey(
  p: Pick<PromotionSpec, "kind" | "strategy" | "exchange" | "symbol" | "symbols" | "mode">,
): string {
  const symbols = p.symbols ? [...new Set(p.symbols)].join(" ") : p.symbol;
  return JSON.stringify([p.kind ?? "bars", p.strategy, p.exchange, symbols, p.mode]);
}

function timeframeMsOr400(timeframe: string): number {
  try {
    return barTimeframeMs(timeframe);
  } catch (error) {
    throw new HttpError(400, `timeframe: ${(error as Error).message}`);
  }
}

/** A report's settings as the paper session's broker options (a finalized last bar has no meaning live). */
function paperSettings(s: RunSettings): PaperSettings {
  return {
    cash: s.cash,
    commission: s.costs !== undefined ? presetCommission(s.costs) : (s.commission ?? 0),
    spread: s.spread,
    slippage: s.slippage,
    margin: s.margin,
    unit: s.unit,
    tradeOnClose: s.tradeOnClose,
    hedging: s.hedging,
    exclusiveOrders: s.exclusiveOrders,
    account: s.account,
  };
}
