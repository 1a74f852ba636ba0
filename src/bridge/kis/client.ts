import { AmbiguousError, RejectedError } from "../venue.ts";
import { KIS_HOSTS, KIS_RATE, type KisCredentials, type KisEnv, PATHS } from "./config.ts";

const AUTH_TIMEOUT_MS = 10_000;

/** What every KIS REST answer carries: rt_cd "0" is success; msg_cd names the error (EGW00201...). */
export interface KisBody {
  readonly rt_cd?: string;
  readonly msg_cd?: string;
  readonly msg1?: string;
  readonly [field: string]: unknown;
}

/** A KIS error answer, with its code (EGW00201 over the rate limit, EGW00123 expired token...). */
export class KisApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(`kis ${code}: ${message}`);
  }
}

export const RATE_LIMITED = "EGW00201";
export const TOKEN_EXPIRED = "EGW00123";

export interface KisClientOptions {
  /** "mock" (모의투자) unless live trading was explicitly confirmed */
  env?: KisEnv;
  /** REST origin instead of the KIS host (tests: the mock on 127.0.0.1) */
  baseUrl?: string;
  /** websocket origin instead of the KIS host */
  wsUrl?: string;
  /** requests per second; defaults to KIS's limit for the host (20 real, 2 mock) */
  rate?: number;
  /** ms before a request counts as lost */
  timeout?: number;
  /** EGW00201 answers to wait out on reads before giving up */
  busyRetries?: number;
  /** first wait after EGW00201; doubles each time */
  busyDelayMs?: number;
  /** a token is renewed this long before KIS says it expires */
  tokenMarginMs?: number;
  onWarning?: (message: string) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The raw KIS REST client: a cached access token (one per ~24 h, renewed on expiry), the websocket
 * approval key, the common headers, and one serialised queue that spaces requests under the rate
 * limit. Reads that hit EGW00201 wait and try again; order POSTs are never retried: a lost answer
 * is an AmbiguousError for the caller to resolve through the order inquiry.
 */
export class KisClient {
  readonly env: KisEnv;
  readonly baseUrl: string;
  readonly wsUrl: string;
  readonly #creds: KisCredentials;
  readonly #interval: number;
  readonly #timeout: number;
  readonly #busyRetries: number;
  readonly #busyDelayMs: number;
  readonly #tokenMarginMs: number;
  readonly #warn: (message: string) => void;
  #token: { value: string; expiresAt: number } | undefined;
  #tokenPending: Promise<string> | undefined;
  #approval: string | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #last = Number.NEGATIVE_INFINITY;
  /** send times of every queued request (ms), for rate checks */
  readonly sent: number[] = [];

  constructor(
    creds: KisCredentials,
    {
      env = "mock",
      baseUrl,
      wsUrl,
      rate,
      timeout = 10_000,
      busyRetries = 5,
      busyDelayMs = 1_000,
      tokenMarginMs = 60_000,
      onWarning = () => {},
    }: KisClientOptions = {},
  ) {
    if (env !== "mock" && env !== "real") throw new Error(`invalid kis env: ${env} (expected mock or real)`);
    const r = rate ?? KIS_RATE[env];
    if (!(r > 0)) throw new Error(`invalid rate: ${r}`);
    this.env = env;
    this.baseUrl = (baseUrl ?? KIS_HOSTS[env].rest).replace(/\/+$/, "");
    this.wsUrl = (wsUrl ?? KIS_HOSTS[env].ws).replace(/\/+$/, "");
    this.#creds = creds;
    // 10% under the limit: the gateway counts arrivals, which jitter around our send times
    this.#interval = 1100 / r;
    this.#timeout = timeout;
    this.#busyRetries = busyRetries;
    this.#busyDelayMs = busyDelayMs;
    this.#tokenMarginMs = tokenMarginMs;
    this.#warn = onWarning;
  }

  get account() {
    return this.#creds.account;
  }

  get htsId(): string | undefined {
    return this.#creds.htsId;
  }

  /** The access token, requested once and reused until shortly before it expires. */
  async token(): Promise<string> {
    if (this.#token && Date.now() < this.#token.expiresAt - this.#tokenMarginMs) return this.#token.value;
    this.#tokenPending ??= this.#requestToken().finally(() => {
      this.#tokenPending = undefined;
    });
    return this.#tokenPending;
  }

  async #requestToken(): Promise<string> {
    const body = await this.#post(PATHS.token, {
      grant_type: "client_credentials",
      appkey: this.#creds.appKey,
      appsecret: this.#creds.appSecret,
    });
    const value = body.access_token;
    if (typeof value !== "string" || !value) throw new Error("kis token answer without access_token");
    const ttl = Number(body.expires_in);
    this.#token = { value, expiresAt: Date.now() + (Number.isFinite(ttl) ? ttl * 1000 : 86_400_000) };
    return value;
  }

  /** Forgets the token (an EGW00123 answer) so the next call asks for a new one. */
  dropToken(): void {
    this.#token = undefined;
  }

  /** The websocket approval key (POST /oauth2/Approval; the secret travels as `secretkey`). */
  async approvalKey(): Promise<string> {
    if (this.#approval) return this.#approval;
    const body = await this.#post(PATHS.approval, {
      grant_type: "client_credentials",
      appkey: this.#creds.appKey,
      secretkey: this.#creds.appSecret,
    });
    if (typeof body.approval_key !== "string") throw new Error("kis approval answer without approval_key");
    this.#approval = body.approval_key;
    return this.#approval;
  }

  /** A read (GET). EGW00201 is waited out with a doubling delay; an expired token is renewed once. */
  async get(path: string, trId: string, query: Record<string, string>, trCont = ""): Promise<KisBody> {
    let busy = 0;
    let renewed = false;
    for (;;) {
      try {
        return await this.#queued(() => this.#send("GET", path, trId, query, trCont));
      } catch (error) {
        if (error instanceof KisApiError && error.code === RATE_LIMITED && busy < this.#busyRetries) {
          const wait = this.#busyDelayMs * 2 ** busy++;
          this.#warn(`kis ${trId}: over the rate limit (EGW00201), waiting ${wait} ms`);
          await sleep(wait);
          continue;
        }
        if (error instanceof KisApiError && error.code === TOKEN_EXPIRED && !renewed) {
          renewed = true;
          this.dropToken();
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * An order POST, sent once. A definite refusal is a RejectedError; a timeout, a dropped
   * connection, a 5xx or EGW00201 is an AmbiguousError: the order may exist, so only the daily
   * order inquiry may tell (KIS has no client order id to look up).
   */
  async order(path: string, trId: string, body: Record<string, string>): Promise<KisBody> {
    try {
      return await this.#queued(() => this.#send("POST", path, trId, body));
    } catch (error) {
      if (error instanceof KisApiError) {
        if (error.code === TOKEN_EXPIRED) {
          // refused at the gateway before reaching the order system
          this.dropToken();
          throw new RejectedError(error.message);
        }
        if (error.code === RATE_LIMITED || error.status >= 500) throw new AmbiguousError(error.message);
        throw new RejectedError(error.message);
      }
      throw new AmbiguousError(error instanceof Error ? error.message : String(error));
    }
  }

  /** Runs `fn` after every earlier request, no sooner than 1/rate after the previous one started. */
  #queued<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(async () => {
      const wait = this.#last + this.#interval - Date.now();
      if (wait > 0) await sleep(wait);
      this.#last = Date.now();
      this.sent.push(this.#last);
      if (this.sent.length > 10_000) this.sent.splice(0, 5_000);
      return fn();
    });
    this.#tail = run.catch(() => {});
    return run;
  }

  async #send(
    method: "GET" | "POST",
    path: string,
    trId: string,
    params: Record<string, string>,
    trCont = "",
  ): Promise<KisBody> {
    const token = await this.token();
    const headers = {
      "content-type": "application/json; charset=utf-8",
      authorization: `Bearer ${token}`,
      appkey: this.#creds.appKey,
      appsecret: this.#creds.appSecret,
      tr_id: trId,
      tr_cont: trCont,
      custtype: "P",
    };
    const url = new URL(this.baseUrl + path);
    if (method === "GET") for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await fetch(url, {
      method,
      headers,
      body: method === "POST" ? JSON.stringify(params) : undefined,
      signal: AbortSignal.timeout(this.#timeout),
    });
    return parseAnswer(res, trId);
  }

  async #post(path: string, body: Record<string, string>): Promise<KisBody> {
    const res = await fetch(this.baseUrl + path, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(body),
      // token and approval requests are rare and gate everything else: never cut them short
      // with the (possibly tight) per-call timeout meant for trading calls
      signal: AbortSignal.timeout(Math.max(this.#timeout, AUTH_TIMEOUT_MS)),
    });
    return parseAnswer(res, path);
  }
}

async function parseAnswer(res: Response, what: string): Promise<KisBody> {
  const text = await res.text();
  let body: KisBody;
  try {
    body = JSON.parse(text) as KisBody;
  } catch {
    throw new KisApiError(`HTTP${res.status}`, `${what}: not json: ${text.slice(0, 80)}`, res.status);
  }
  const code = body.msg_cd ?? body.error_code;
  if (!res.ok || (body.rt_cd !== undefined && body.rt_cd !== "0")) {
    throw new KisApiError(
      String(code ?? `HTTP${res.status}`),
      String(body.msg1 ?? body.error_description ?? text.slice(0, 80)),
      res.status,
    );
  }
  // paging: tr_cont F/M in the answer header means more rows follow
  return { ...body, _trCont: res.headers.get("tr_cont") ?? "" };
}
