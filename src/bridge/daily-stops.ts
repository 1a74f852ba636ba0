import type { Store } from "./store.ts";
import type { Mode } from "./types.ts";
import { quoteOf, sessionDay } from "./venue-registry.ts";

interface Mark {
  day: string;
  quote: string;
  /** equity at the first mark of the day in this process */
  baseline: number;
  /** what earlier processes recorded for this promotion and day (a restart mid-day) */
  carried: number;
}

export interface DailyPromotion {
  readonly id: string;
  readonly mode: Mode;
  readonly exchange: string;
  readonly symbol: string;
}

/**
 * The P&L the daily loss and profit stops (손실중지, 수익중지) look at: per session day (the
 * venue's: UTC for Binance, KST for Upbit and KIS), per account mode (paper and live have separate
 * journals, so paper profit never offsets a live loss) and per quote currency (USDT and KRW are not
 * summed). Each promotion's P&L of the day is journalled on every bar, so a restart carries it
 * over instead of starting the day at zero.
 */
export class DailyStops {
  readonly #stores: Record<Mode, Store>;
  readonly #marks = new Map<string, Mark>();

  constructor(stores: Record<Mode, Store>) {
    this.#stores = stores;
  }

  /** Records a promotion's equity at `time` (a bar's time); the first mark of a day sets its baseline. */
  mark(p: DailyPromotion, time: number, equity: number): void {
    if (!Number.isFinite(equity)) return;
    const day = sessionDay(p.exchange, time);
    let m = this.#marks.get(p.id);
    if (!m || m.day !== day) {
      const quote = quoteOf(p.exchange, p.symbol);
      const carried = this.#stores[p.mode].promotionDailyPnl(day, quote, p.id) ?? 0;
      m = { day, quote, baseline: equity, carried };
      this.#marks.set(p.id, m);
    }
    this.#stores[p.mode].saveDailyPnl(day, m.quote, p.id, m.carried + equity - m.baseline);
  }

  /** The P&L of the promotion's current day in its mode and quote currency, over all promotions. */
  pnl(p: DailyPromotion, now = Date.now()): number {
    const m = this.#marks.get(p.id);
    const day = m?.day ?? sessionDay(p.exchange, now);
    return this.#stores[p.mode].dailyPnl(day, m?.quote ?? quoteOf(p.exchange, p.symbol));
  }

  forget(promotionId: string): void {
    this.#marks.delete(promotionId);
  }
}
