import WebSocket from "ws";
import type { KisClient } from "./client.ts";
import { PATHS, TR } from "./config.ts";
import { kisDecrypt } from "./crypto.ts";
import {
  type KisNotice,
  type KisTrade,
  NOTICE_COLUMNS,
  parseNotice,
  parseTrade,
  records,
  TRADE_COLUMNS,
} from "./messages.ts";

export interface KisRealtimeOptions {
  path?: string;
  /** first reconnect delay; doubles up to 10 s */
  reconnectMs?: number;
  onWarning?: (message: string) => void;
}

type Sub = { trId: string; key: string };

/**
 * The KIS websocket: one connection, subscriptions as `{header: {approval_key, custtype, tr_type,
 * content-type}, body: {input: {tr_id, tr_key}}}`, data frames `enc|tr_id|count|f0^f1^...` (enc 1:
 * AES-256-CBC with the key/iv of the subscription answer), PINGPONG echoed back. Reconnects and
 * subscribes again on its own.
 */
export class KisRealtime {
  readonly #client: KisClient;
  readonly #path: string;
  readonly #reconnectMs: number;
  readonly #warn: (message: string) => void;
  readonly #trades = new Map<string, Set<(t: KisTrade) => void>>();
  readonly #notices = new Set<(n: KisNotice) => void>();
  readonly #keys = new Map<string, { key: string; iv: string }>();
  #ws: WebSocket | undefined;
  #closed = false;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  /** resolves when the current connection is open */
  #ready: Promise<void> | undefined;

  constructor(
    client: KisClient,
    { path = PATHS.websocket, reconnectMs = 500, onWarning = () => {} }: KisRealtimeOptions = {},
  ) {
    this.#client = client;
    this.#path = path;
    this.#reconnectMs = reconnectMs;
    this.#warn = onWarning;
  }

  get connected(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Streams H0STCNT0 trades of a stock code; returns the unsubscribe. */
  async trades(code: string, onTrade: (t: KisTrade) => void): Promise<() => void> {
    let set = this.#trades.get(code);
    const first = !set;
    if (!set) {
      set = new Set();
      this.#trades.set(code, set);
    }
    set.add(onTrade);
    if (first) await this.#subscribe({ trId: TR.trades[this.#client.env], key: code });
    else await this.#connect();
    return () => {
      set.delete(onTrade);
      if (!set.size) {
        this.#trades.delete(code);
        this.#send({ trId: TR.trades[this.#client.env], key: code }, "2");
      }
    };
  }

  /** Streams fill notices of the account (keyed by HTS id; encrypted). */
  async notices(htsId: string, onNotice: (n: KisNotice) => void): Promise<() => void> {
    const first = !this.#notices.size;
    this.#notices.add(onNotice);
    this.#noticeKey = htsId;
    if (first) await this.#subscribe({ trId: TR.notices[this.#client.env], key: htsId });
    else await this.#connect();
    return () => this.#notices.delete(onNotice);
  }

  #noticeKey: string | undefined;

  #subs(): Sub[] {
    const subs: Sub[] = [...this.#trades.keys()].map((key) => ({ trId: TR.trades[this.#client.env], key }));
    if (this.#notices.size && this.#noticeKey)
      subs.push({ trId: TR.notices[this.#client.env], key: this.#noticeKey });
    return subs;
  }

  async #subscribe(sub: Sub): Promise<void> {
    const fresh = !this.#ws;
    await this.#connect();
    // a fresh connection subscribed everything already
    if (!fresh) this.#send(sub, "1");
  }

  #connect(): Promise<void> {
    if (this.#ready) return this.#ready;
    this.#ready = (async () => {
      const approval = await this.#client.approvalKey();
      const ws = new WebSocket(this.#client.wsUrl + this.#path);
      this.#ws = ws;
      ws.on("message", (data) => this.#onMessage(String(data), approval));
      ws.on("error", (error) => this.#warn(`kis websocket: ${error.message}`));
      ws.on("close", () => this.#onClose(ws));
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      });
      this.#failures = 0;
      for (const sub of this.#subs()) this.#send(sub, "1", approval);
    })();
    this.#ready.catch(() => {
      this.#ready = undefined;
      this.#ws = undefined;
      this.#scheduleReconnect();
    });
    return this.#ready;
  }

  #approvalCache: string | undefined;

  #send(sub: Sub, trType: "1" | "2", approval = this.#approvalCache): void {
    if (approval) this.#approvalCache = approval;
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || !this.#approvalCache) return;
    ws.send(
      JSON.stringify({
        header: {
          approval_key: this.#approvalCache,
          custtype: "P",
          tr_type: trType,
          "content-type": "utf-8",
        },
        body: { input: { tr_id: sub.trId, tr_key: sub.key } },
      }),
    );
  }

  #onMessage(raw: string, approval: string): void {
    this.#approvalCache = approval;
    if (raw[0] === "0" || raw[0] === "1") {
      const parts = raw.split("|");
      if (parts.length < 4) return;
      const [enc, trId, count] = parts;
      let body = parts.slice(3).join("|");
      try {
        if (enc === "1") {
          const k = this.#keys.get(trId);
          if (!k) {
            this.#warn(`kis websocket: encrypted ${trId} before its key`);
            return;
          }
          body = kisDecrypt(k.key, k.iv, body);
        }
        if (trId === TR.trades.real) {
          for (const f of records(body, Number(count), TRADE_COLUMNS.length)) {
            const t = parseTrade(f);
            for (const cb of this.#trades.get(t.code) ?? []) cb(t);
          }
        } else if (trId === TR.notices.real || trId === TR.notices.mock) {
          for (const f of records(body, Number(count), NOTICE_COLUMNS.length)) {
            const n = parseNotice(f);
            for (const cb of this.#notices) cb(n);
          }
        }
      } catch (error) {
        this.#warn(`kis websocket ${trId}: ${(error as Error).message}`);
      }
      return;
    }
    let msg: {
      header?: { tr_id?: string };
      body?: { rt_cd?: string; msg1?: string; output?: { key?: string; iv?: string } };
    };
    try {
      msg = JSON.parse(raw);
    } catch {
      this.#warn(`kis websocket: unreadable frame ${raw.slice(0, 40)}`);
      return;
    }
    const trId = msg.header?.tr_id;
    if (trId === "PINGPONG") {
      this.#ws?.send(raw);
      return;
    }
    if (trId && msg.body?.output?.key && msg.body.output.iv) {
      this.#keys.set(trId, { key: msg.body.output.key, iv: msg.body.output.iv });
    }
    if (msg.body?.rt_cd && msg.body.rt_cd !== "0") this.#warn(`kis websocket ${trId}: ${msg.body.msg1}`);
  }

  #onClose(ws: WebSocket): void {
    if (this.#ws !== ws) return;
    this.#ws = undefined;
    this.#ready = undefined;
    if (!this.#closed) this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#timer) return;
    const wait = Math.min(this.#reconnectMs * 2 ** this.#failures++, 10_000);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closed && (this.#trades.size || this.#notices.size)) void this.#connect().catch(() => {});
    }, wait);
    this.#timer.unref();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#ws?.close();
    this.#ws = undefined;
  }
}
