import Database from "better-sqlite3";
import { redactDeep, redactSecrets } from "./redact.ts";
import type { OrderRecord, OrderState, Promotion } from "./types.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  client_order_id TEXT PRIMARY KEY,
  promotion_id TEXT NOT NULL,
  mode TEXT NOT NULL,
  exchange TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  type TEXT NOT NULL,
  amount REAL,
  fraction REAL NOT NULL,
  reduce_only INTEGER NOT NULL,
  state TEXT NOT NULL,
  venue_order_id TEXT,
  filled REAL NOT NULL,
  avg_price REAL NOT NULL,
  fee REAL NOT NULL,
  reason TEXT,
  bar INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  price REAL
);
CREATE INDEX IF NOT EXISTS orders_state ON orders(state);
-- newest first (GET /api/orders pages), per promotion, and by the venue's id (KIS fill notices)
-- ascending, read backwards: newest first with rowid descending inside one millisecond, no sort
CREATE INDEX IF NOT EXISTS orders_created_at ON orders(created_at);
CREATE INDEX IF NOT EXISTS orders_promotion ON orders(promotion_id, created_at DESC);
CREATE INDEX IF NOT EXISTS orders_venue_id ON orders(venue_order_id);
CREATE TABLE IF NOT EXISTS order_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  client_order_id TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  at INTEGER NOT NULL,
  detail TEXT
);
CREATE TABLE IF NOT EXISTS fills (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  client_order_id TEXT NOT NULL,
  price REAL NOT NULL,
  amount REAL NOT NULL,
  fee REAL NOT NULL,
  time INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS promotions (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS daily_pnl (
  day TEXT NOT NULL,
  quote TEXT NOT NULL,
  promotion_id TEXT NOT NULL,
  pnl REAL NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (day, quote, promotion_id)
);
CREATE TABLE IF NOT EXISTS settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
-- orders the bridge holds for a live promotion (held-orders.ts): the row is the order as it stands
-- (JSON), rewritten on every change, so a restart restores exactly what was outstanding
CREATE TABLE IF NOT EXISTS held_orders (
  id TEXT PRIMARY KEY,
  promotion_id TEXT NOT NULL,
  state TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS held_orders_promotion ON held_orders(promotion_id, state);
CREATE TABLE IF NOT EXISTS held_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  held_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  event TEXT NOT NULL,
  detail TEXT
);
-- corrections of a live promotion's position to what the venue holds (balance reconciliation)
CREATE TABLE IF NOT EXISTS adjustments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  promotion_id TEXT NOT NULL,
  amount REAL NOT NULL,
  at INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  detail TEXT
);
`;

interface OrderRow {
  client_order_id: string;
  promotion_id: string;
  mode: string;
  exchange: string;
  symbol: string;
  side: string;
  type: string;
  amount: number | null;
  fraction: number;
  reduce_only: number;
  state: string;
  venue_order_id: string | null;
  filled: number;
  avg_price: number;
  fee: number;
  reason: string | null;
  bar: number;
  created_at: number;
  updated_at: number;
  price: number | null;
}

export interface AuditRow {
  id: number;
  at: number;
  kind: string;
  message: string;
  detail: unknown;
}

export interface FillRow {
  clientOrderId: string;
  price: number;
  amount: number;
  fee: number;
  time: number;
}

function toRecord(r: OrderRow): OrderRecord {
  return {
    clientOrderId: r.client_order_id,
    promotionId: r.promotion_id,
    mode: r.mode as OrderRecord["mode"],
    exchange: r.exchange,
    symbol: r.symbol,
    side: r.side as OrderRecord["side"],
    type: r.type === "limit" ? "limit" : "market",
    price: r.price,
    amount: r.amount ?? Number.NaN,
    fraction: r.fraction,
    reduceOnly: r.reduce_only === 1,
    state: r.state as OrderState,
    venueOrderId: r.venue_order_id,
    filled: r.filled,
    avgPrice: r.avg_price,
    fee: r.fee,
    reason: r.reason,
    bar: r.bar,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const num = (x: number) => (Number.isFinite(x) ? x : null);

/**
 * The journal: orders and their state changes, fills, promotions and the audit trail, in SQLite
 * with WAL; the live journal syncs every commit, so a row written before a send survives even a
 * power cut right after it. Paper and live use separate files. It stores no credentials.
 */
export class Store {
  readonly db: Database.Database;
  readonly #insertOrder: Database.Statement;
  readonly #updateOrder: Database.Statement;
  readonly #insertEvent: Database.Statement;

  constructor(file: string, { durable = true }: { durable?: boolean } = {}) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // FULL syncs every commit (power-loss safe); NORMAL in WAL still survives a process crash
    this.db.pragma(`synchronous = ${durable ? "FULL" : "NORMAL"}`);
    this.db.exec(SCHEMA);
    // journals written before limit orders had no price column
    const columns = this.db.prepare("PRAGMA table_info(orders)").all() as { name: string }[];
    if (!columns.some((c) => c.name === "price")) this.db.exec("ALTER TABLE orders ADD COLUMN price REAL");
    this.#insertOrder = this.db.prepare(
      `INSERT INTO orders (client_order_id, promotion_id, mode, exchange, symbol, side, type, amount, fraction,
        reduce_only, state, venue_order_id, filled, avg_price, fee, reason, bar, created_at, updated_at, price)
        VALUES (@client_order_id, @promotion_id, @mode, @exchange, @symbol, @side, @type, @amount, @fraction,
        @reduce_only, @state, @venue_order_id, @filled, @avg_price, @fee, @reason, @bar, @created_at,
        @updated_at, @price)`,
    );
    this.#updateOrder = this.db.prepare(
      `UPDATE orders SET amount = @amount, state = @state, venue_order_id = @venue_order_id, filled = @filled,
        avg_price = @avg_price, fee = @fee, reason = @reason, updated_at = @updated_at
        WHERE client_order_id = @client_order_id`,
    );
    this.#insertEvent = this.db.prepare(
      "INSERT INTO order_events (client_order_id, from_state, to_state, at, detail) VALUES (?, ?, ?, ?, ?)",
    );
  }

  #row(o: OrderRecord) {
    return {
      client_order_id: o.clientOrderId,
      promotion_id: o.promotionId,
      mode: o.mode,
      exchange: o.exchange,
      symbol: o.symbol,
      side: o.side,
      type: o.type,
      amount: num(o.amount),
      fraction: o.fraction,
      reduce_only: o.reduceOnly ? 1 : 0,
      state: o.state,
      venue_order_id: o.venueOrderId,
      filled: o.filled,
      avg_price: o.avgPrice,
      fee: o.fee,
      // a venue's error text may quote a signed URL
      reason: o.reason === null ? null : redactSecrets(o.reason),
      bar: o.bar,
      created_at: o.createdAt,
      updated_at: o.updatedAt,
      price: o.price ?? null,
    };
  }

  insertOrder(o: OrderRecord): void {
    this.db.transaction(() => {
      const row = this.#row(o);
      this.#insertOrder.run(row);
      this.#insertEvent.run(o.clientOrderId, null, o.state, o.updatedAt, row.reason);
    })();
  }

  updateOrder(o: OrderRecord, from: OrderState): void {
    this.db.transaction(() => {
      const row = this.#row(o);
      this.#updateOrder.run(row);
      if (from !== o.state) this.#insertEvent.run(o.clientOrderId, from, o.state, o.updatedAt, row.reason);
    })();
  }

  order(clientOrderId: string): OrderRecord | undefined {
    const r = this.db.prepare("SELECT * FROM orders WHERE client_order_id = ?").get(clientOrderId) as
      | OrderRow
      | undefined;
    return r && toRecord(r);
  }

  /**
   * Newest first. `before` pages: only orders older than that position (created_at, then journal
   * order within one millisecond), from an index, so a page costs the same on a journal of millions.
   */
  orders({
    limit = 500,
    promotionId,
    before,
  }: {
    limit?: number;
    promotionId?: string;
    before?: { createdAt: number; seq?: number; inclusive?: boolean };
  } = {}): OrderRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (promotionId !== undefined) {
      where.push("promotion_id = ?");
      args.push(promotionId);
    }
    if (before) {
      if (before.seq !== undefined) {
        // written as a range on created_at so the index is searched, not scanned
        where.push("created_at <= ? AND (created_at < ? OR rowid < ?)");
        args.push(before.createdAt, before.createdAt, before.seq);
      } else {
        where.push(before.inclusive ? "created_at <= ?" : "created_at < ?");
        args.push(before.createdAt);
      }
    }
    const sql = `SELECT * FROM orders ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, limit) as OrderRow[]).map(toRecord);
  }

  /** An order's place in the journal: its created_at and row number, for `orders({before})`. */
  position(clientOrderId: string): { createdAt: number; seq: number } | undefined {
    const row = this.db
      .prepare("SELECT created_at, rowid AS seq FROM orders WHERE client_order_id = ?")
      .get(clientOrderId) as { created_at: number; seq: number } | undefined;
    return row && { createdAt: row.created_at, seq: row.seq };
  }

  orderByVenueId(venueOrderId: string): OrderRecord | undefined {
    const r = this.db.prepare("SELECT * FROM orders WHERE venue_order_id = ?").get(venueOrderId) as
      | OrderRow
      | undefined;
    return r && toRecord(r);
  }

  /** Orders not yet FILLED, CANCELED or REJECTED: what a restart must reconcile. */
  openOrders(): OrderRecord[] {
    const rows = this.db
      .prepare("SELECT * FROM orders WHERE state NOT IN ('FILLED', 'CANCELED', 'REJECTED') ORDER BY rowid")
      .all() as OrderRow[];
    return rows.map(toRecord);
  }

  events(clientOrderId: string): { from: string | null; to: string; detail: string | null }[] {
    return (
      this.db
        .prepare(
          "SELECT from_state, to_state, detail FROM order_events WHERE client_order_id = ? ORDER BY id",
        )
        .all(clientOrderId) as { from_state: string | null; to_state: string; detail: string | null }[]
    ).map((r) => ({ from: r.from_state, to: r.to_state, detail: r.detail }));
  }

  addFill(f: FillRow): void {
    this.db
      .prepare("INSERT INTO fills (client_order_id, price, amount, fee, time) VALUES (?, ?, ?, ?, ?)")
      .run(f.clientOrderId, f.price, f.amount, f.fee, f.time);
  }

  /** A promotion's fills in journal order, with the side of their order: its position, replayed. */
  promotionFills(promotionId: string): (FillRow & { side: "buy" | "sell" })[] {
    return (
      this.db
        .prepare(
          `SELECT f.client_order_id, f.price, f.amount, f.fee, f.time, o.side FROM fills f
           JOIN orders o ON o.client_order_id = f.client_order_id WHERE o.promotion_id = ? ORDER BY f.id`,
        )
        .all(promotionId) as {
        client_order_id: string;
        price: number;
        amount: number;
        fee: number;
        time: number;
        side: "buy" | "sell";
      }[]
    ).map((r) => ({
      clientOrderId: r.client_order_id,
      price: r.price,
      amount: r.amount,
      fee: r.fee,
      time: r.time,
      side: r.side,
    }));
  }

  fills(clientOrderId?: string): FillRow[] {
    const rows = (
      clientOrderId
        ? this.db.prepare("SELECT * FROM fills WHERE client_order_id = ? ORDER BY id").all(clientOrderId)
        : this.db.prepare("SELECT * FROM fills ORDER BY id").all()
    ) as { client_order_id: string; price: number; amount: number; fee: number; time: number }[];
    return rows.map((r) => ({
      clientOrderId: r.client_order_id,
      price: r.price,
      amount: r.amount,
      fee: r.fee,
      time: r.time,
    }));
  }

  savePromotion(p: Promotion): void {
    this.db
      .prepare(
        `INSERT INTO promotions (id, body, status, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET body = excluded.body, status = excluded.status`,
      )
      .run(p.id, JSON.stringify(p), p.status, p.createdAt);
  }

  promotions(): Promotion[] {
    return (
      this.db.prepare("SELECT body FROM promotions ORDER BY created_at, id").all() as { body: string }[]
    ).map((r) => JSON.parse(r.body) as Promotion);
  }

  /** A promotion's P&L so far in a session day (daily-stops.ts keeps it current). */
  saveDailyPnl(day: string, quote: string, promotionId: string, pnl: number): void {
    this.db
      .prepare(
        `INSERT INTO daily_pnl (day, quote, promotion_id, pnl, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(day, quote, promotion_id) DO UPDATE SET pnl = excluded.pnl, updated_at = excluded.updated_at`,
      )
      .run(day, quote, promotionId, pnl, Date.now());
  }

  /** The day's P&L in one quote currency, summed over every promotion of this journal (mode). */
  dailyPnl(day: string, quote: string): number {
    const row = this.db
      .prepare("SELECT COALESCE(SUM(pnl), 0) AS pnl FROM daily_pnl WHERE day = ? AND quote = ?")
      .get(day, quote) as { pnl: number };
    return row.pnl;
  }

  /** One promotion's P&L of a day, when a previous run recorded one. */
  promotionDailyPnl(day: string, quote: string, promotionId: string): number | undefined {
    const row = this.db
      .prepare("SELECT pnl FROM daily_pnl WHERE day = ? AND quote = ? AND promotion_id = ?")
      .get(day, quote, promotionId) as { pnl: number } | undefined;
    return row?.pnl;
  }

  /** A durable switch or setting (the kill switch), as JSON; undefined when never set. */
  setting<T>(key: string): T | undefined {
    const row = this.db.prepare("SELECT value FROM settings WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  saveSetting(key: string, value: unknown): void {
    this.db
      .prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(key, JSON.stringify(value), Date.now());
  }

  /**
   * Writes a held order as it stands, and what happened to it (`event`: placed, moved, triggered,
   * canceled, armed...) in its history, in one transaction.
   */
  saveHeld(
    h: { id: string; promotionId: string; state: string; createdAt: number },
    event: string,
    detail?: unknown,
  ): void {
    const now = Date.now();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO held_orders (id, promotion_id, state, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET state = excluded.state, body = excluded.body, updated_at = excluded.updated_at`,
        )
        .run(h.id, h.promotionId, h.state, JSON.stringify(h), h.createdAt, now);
      this.db
        .prepare("INSERT INTO held_events (held_id, at, event, detail) VALUES (?, ?, ?, ?)")
        .run(h.id, now, event, detail === undefined ? null : JSON.stringify(detail));
    })();
  }

  /** A promotion's held orders in the order they were placed; `live`: only those still working. */
  heldOrders<T>(promotionId: string, { live = false }: { live?: boolean } = {}): T[] {
    const sql = `SELECT body FROM held_orders WHERE promotion_id = ?${
      live ? " AND state IN ('held', 'sent', 'open')" : ""
    } ORDER BY created_at, rowid`;
    return (this.db.prepare(sql).all(promotionId) as { body: string }[]).map((r) => JSON.parse(r.body) as T);
  }

  /** A held order's history, oldest first. */
  heldEvents(heldId: string): { event: string; detail: unknown }[] {
    return (
      this.db.prepare("SELECT event, detail FROM held_events WHERE held_id = ? ORDER BY id").all(heldId) as {
        event: string;
        detail: string | null;
      }[]
    ).map((r) => ({ event: r.event, detail: r.detail === null ? null : JSON.parse(r.detail) }));
  }

  /** Runs `fn` in one transaction (nested journal writes become savepoints). */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** A correction of a live promotion's position (signed base amount), journalled for restarts. */
  addAdjustment(promotionId: string, amount: number, reason: string): void {
    this.db
      .prepare("INSERT INTO adjustments (promotion_id, amount, at, reason) VALUES (?, ?, ?, ?)")
      .run(promotionId, amount, Date.now(), redactSecrets(reason));
  }

  adjustments(promotionId: string): { amount: number; at: number; reason: string }[] {
    return this.db
      .prepare("SELECT amount, at, reason FROM adjustments WHERE promotion_id = ? ORDER BY id")
      .all(promotionId) as { amount: number; at: number; reason: string }[];
  }

  audit(kind: string, message: string, detail?: unknown): void {
    this.db
      .prepare("INSERT INTO audit (at, kind, message, detail) VALUES (?, ?, ?, ?)")
      .run(
        Date.now(),
        kind,
        redactSecrets(message),
        detail === undefined ? null : JSON.stringify(redactDeep(detail)),
      );
  }

  audits(limit = 500): AuditRow[] {
    return (
      this.db.prepare("SELECT * FROM audit ORDER BY id DESC LIMIT ?").all(limit) as {
        id: number;
        at: number;
        kind: string;
        message: string;
        detail: string | null;
      }[]
    ).map((r) => ({ ...r, detail: r.detail === null ? null : JSON.parse(r.detail) }));
  }

  close(): void {
    this.db.close();
  }
}
