import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import express, { type NextFunction, type Request, type Response } from "express";
import pino, { type Logger } from "pino";
import { WebSocket, WebSocketServer } from "ws";
import { z } from "zod";
import { RunSettings } from "../app/report.ts";
import { AuthLimiter, type AuthLimiterOptions } from "./auth-limiter.ts";
import { type Bridge, HttpError } from "./bridge.ts";
import { redactSecrets } from "./redact.ts";
import { tokenProblem } from "./token.ts";
import { VENUE_IDS, venueInfo } from "./venue-registry.ts";

/** Browsers cannot set headers on a WebSocket: the token rides in a subprotocol "bearer.<token>". */
export const WS_PROTOCOL_PREFIX = "bearer.";

export interface ServerOptions {
  token: string;
  host?: string;
  /** 0 picks a free port */
  port?: number;
  /** origins allowed to call the API from a browser (the live page); nothing else gets CORS headers */
  allowOrigins?: readonly string[];
  logger?: Logger;
  /** failed token checks per address before 429 (HTTP and WebSocket alike) */
  authLimit?: AuthLimiterOptions;
  /** WebSocket upgrades not yet authenticated (handshake or waiting for the auth message); more get 503 */
  maxPendingUpgrades?: number;
  /** open TCP connections of every kind; the kernel refuses more */
  maxConnections?: number;
  /** how long a WebSocket may stay unauthenticated (first-message auth) */
  authTimeoutMs?: number;
  /** largest WebSocket frame a client may send (bytes); bigger ones close the socket with 1009 */
  maxPayload?: number;
  /** the clock of the auth limiter (tests move it instead of waiting) */
  clock?: () => number;
  /** serve HTTPS (and wss://) with this certificate and key, PEM */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export interface BridgeServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** authenticated WebSocket clients */
  readonly clients: () => number;
  close(): Promise<void>;
}

/** Paths never logged: the bearer token and anything that looks like a key. */
export const REDACT = [
  "req.headers.authorization",
  'req.headers["sec-websocket-protocol"]',
  "apiKey",
  "secret",
  "token",
  "*.apiKey",
  "*.secret",
  "*.token",
  // KIS keys (src/bridge/kis)
  "appKey",
  "appSecret",
  "*.appKey",
  "*.appSecret",
  "*.appkey",
  "*.appsecret",
  "*.credentials",
];

// exchange and timeframes come from the venue registry, as the CLI help and the docs do; whether a
// symbol exists is the venue's to say (a replay names its own), so only its characters are checked
const symbolField = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9][A-Za-z0-9/_.-]*$/, "letters, digits and / _ . - (BTC/USDT, KRW-BTC, 005930)");

const promotionBody = z
  .strictObject({
    strategy: z.string().regex(/^[a-z0-9][a-z0-9-]*$/i, "a strategy name under notebooks/strategies"),
    params: z.record(z.string(), z.number().finite()).default({}),
    exchange: z.enum(VENUE_IDS),
    symbol: symbolField,
    timeframe: z.string().regex(/^\d+[smhd]$/, "like 1m, 5m, 1h, 1d"),
    mode: z.enum(["paper", "live"]).default("paper"),
    fingerprint: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "a sha256 hex digest")
      .optional(),
    /** the backtest's broker settings (a report's `settings`), covered by the fingerprint */
    settings: RunSettings.optional(),
    /** start even if the same strategy already runs on this venue, symbol and mode */
    allowDuplicate: z.boolean().default(false),
  })
  .superRefine((body, ctx) => {
    const venue = venueInfo(body.exchange);
    if (!venue) return;
    if (!venue.timeframes.includes(body.timeframe)) {
      ctx.addIssue({
        code: "custom",
        path: ["timeframe"],
        message: `${body.timeframe} is not one of ${venue.id}'s: ${venue.timeframes.join(", ")}`,
      });
    }
  });

/**
 * A tick strategy (`<strategies>/ticks/<name>.ts`) or STOM texts (`<strategies>/stom/<name>/`) on
 * the symbols' snapshots; settings are the kernel's options (runTicks' or STOM's), each a number,
 * a short string, a boolean, or a flat object (STOM's 경과틱수 conditions, its `live` rules).
 */
const snapshotPromotionBody = z.strictObject({
  kind: z.enum(["ticks", "stom"]),
  strategy: z.string().regex(/^[a-z0-9][a-z0-9-]*$/i, "a strategy name under notebooks/strategies/<kind>"),
  params: z.record(z.string(), z.number().finite()).default({}),
  exchange: z.enum(VENUE_IDS),
  symbols: z.array(symbolField).min(1).max(500),
  mode: z.enum(["paper", "live"]).default("paper"),
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "a sha256 hex digest")
    .optional(),
  settings: z
    .record(
      z.string().max(64),
      z.union([
        z.number().finite(),
        z.string().max(64),
        z.boolean(),
        // STOM's 경과틱수 conditions (name -> expression), its live-trader rules (name -> value)
        z.record(z.string().max(64), z.union([z.string().max(2000), z.number().finite(), z.boolean()])),
      ]),
    )
    .optional(),
  allowDuplicate: z.boolean().default(false),
});

const ordersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  before: z
    .string()
    .regex(/^[\w-]{1,64}$/, "a client order id")
    .optional(),
});

const killBody = z.strictObject({ flatten: z.boolean().default(false) }).default({ flatten: false });

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

/** Constant-time token check: both sides hashed to the same length first. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (typeof given !== "string") return false;
  return timingSafeEqual(digest(expected), digest(given));
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length
    ? issue.path.join(".")
    : issue.code === "unrecognized_keys"
      ? (issue as { keys?: string[] }).keys?.join(", ")
      : "body";
  throw new HttpError(400, `${field || "body"}: ${issue.message}`);
}

/**
 * The HTTP and WebSocket face of the bridge, on 127.0.0.1 by default. Everything but
 * GET /api/health needs the bearer token; bodies are validated with zod.
 */
export async function startServer(
  bridge: Bridge,
  {
    token,
    host = "127.0.0.1",
    port = 8787,
    allowOrigins = [],
    logger,
    authLimit = {},
    maxPendingUpgrades = 64,
    maxConnections = 1024,
    authTimeoutMs = 5_000,
    maxPayload = 4096,
    clock = Date.now,
    tls,
  }: ServerOptions,
): Promise<BridgeServer> {
  const weak = tokenProblem(token);
  if (weak) throw new Error(weak);
  const log = logger ?? pino({ level: "info", redact: REDACT });
  const origins = new Set(allowOrigins);
  const limiter = new AuthLimiter({ clock, ...authLimit });
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  app.use((req, res, next) => {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Referrer-Policy", "no-referrer");
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Vary", "Origin");
      res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
      res.setHeader("Access-Control-Allow-Methods", "GET, POST, DELETE");
    }
    if (req.method === "OPTIONS") {
      res.status(origin && origins.has(origin) ? 204 : 403).end();
      return;
    }
    next();
  });
  app.use(express.json({ limit: "64kb" }));

  app.get("/api/health", (_req, res) => {
    res.json({ status: "ok", mode: bridge.mode, uptime: (Date.now() - bridge.startedAt) / 1000 });
  });

  app.use("/api", (req, res, next) => {
    const address = req.socket.remoteAddress ?? "?";
    const wait = limiter.blockedFor(address);
    if (wait) {
      res.setHeader("Retry-After", String(wait));
      res.status(429).json({ error: "too many failed authentications" });
      return;
    }
    const header = req.headers.authorization ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7) : undefined;
    if (!tokenMatches(token, given)) {
      limiter.fail(address);
      res.setHeader("WWW-Authenticate", "Bearer");
      res.status(401).json({ error: "unauthorized" });
      return;
    }
    next();
  });

  app.post("/api/promotions", async (req, res) => {
    const kind = (req.body as { kind?: unknown } | undefined)?.kind;
    const { allowDuplicate, ...spec } =
      kind === "ticks" || kind === "stom"
        ? { ...parse(snapshotPromotionBody, req.body), symbol: "", timeframe: "tick" }
        : parse(promotionBody, req.body);
    const promotion = await bridge.promote(spec, { allowDuplicate });
    log.info({ promotion: promotion.id, strategy: spec.strategy, mode: spec.mode }, "promoted");
    res.status(201).json(promotion);
  });
  app.get("/api/promotions", (_req, res) => {
    res.json(bridge.promotions());
  });
  app.delete("/api/promotions/:id", async (req, res) => {
    const id = parse(z.string().uuid(), req.params.id);
    res.json(await bridge.stop(id));
  });
  app.get("/api/orders", (req, res) => {
    const { limit, before } = parse(ordersQuery, req.query);
    const page = bridge.orders(limit, before);
    // a full page may have more behind it: the cursor of the next one
    if (page.length === limit) res.setHeader("X-Next-Before", page[page.length - 1].clientOrderId);
    res.json(page);
  });
  app.get("/api/positions", (_req, res) => {
    res.json(bridge.positions());
  });
  app.get("/api/audit", (_req, res) => {
    res.json(bridge.audit());
  });
  app.get("/api/kill", (_req, res) => {
    res.json(bridge.killState());
  });
  app.post("/api/kill", async (req, res) => {
    const { flatten } = parse(killBody, req.body ?? {});
    await bridge.kill({ flatten });
    log.warn({ flatten }, "kill switch on");
    res.json(bridge.killState());
  });
  app.delete("/api/kill", (_req, res) => {
    bridge.resume();
    log.warn("kill switch off");
    res.json(bridge.killState());
  });

  app.use((req, res) => {
    res.status(404).json({ error: `no route: ${req.method} ${req.path}` });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = error as { status?: number; type?: string; message?: string };
    if (error instanceof HttpError) {
      res.status(error.status).json({ error: error.message });
    } else if (e.type === "entity.parse.failed") {
      res.status(400).json({ error: "body: invalid JSON" });
    } else if (e.type === "entity.too.large") {
      res.status(413).json({ error: "body: too large" });
    } else {
      log.error({ err: redactSecrets(String(e.message)) }, "request failed");
      res.status(500).json({ error: "internal error" });
    }
  });

  // Node's defaults wait minutes for slow headers; an idle half-sent request should not hold a slot
  const timeouts = { headersTimeout: 10_000, requestTimeout: 30_000 };
  const server: Server = tls ? createHttpsServer({ ...timeouts, ...tls }, app) : createServer(timeouts, app);
  server.maxConnections = maxConnections;
  // A malformed request (bad header, garbage bytes, reset mid-request) must never reach the
  // process's uncaught handler: answer 400 if the socket can still take it, else drop it.
  server.on("clientError", (_error, socket) => {
    if (socket.writable && !socket.writableEnded)
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload });
  const authed = new Set<WebSocket>();
  let pending = 0;

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head) => {
    // before anything else: a reset while we answer (a refused upgrade) emits 'error' on this socket,
    // and an 'error' without a listener kills the process
    socket.on("error", () => socket.destroy());
    const refuse = (status: string, extra = "") => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${extra}\r\n`);
    };
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/ws") return refuse("404 Not Found");
    const origin = req.headers.origin;
    if (origin && !origins.has(origin)) return refuse("403 Forbidden");
    const address = req.socket.remoteAddress ?? "?";
    const wait = limiter.blockedFor(address);
    if (wait) return refuse("429 Too Many Requests", `Retry-After: ${wait}\r\n`);
    const protocols = String(req.headers["sec-websocket-protocol"] ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean);
    const offered = protocols.find((p) => p.startsWith(WS_PROTOCOL_PREFIX));
    if (offered && !tokenMatches(token, offered.slice(WS_PROTOCOL_PREFIX.length))) {
      limiter.fail(address);
      return refuse("401 Unauthorized");
    }
    // A bounded number of sockets may wait for the auth message, so a flood of idle upgrades cannot
    // pin memory and file descriptors; one that offered the right token is not waiting for anything.
    if (!offered && pending >= maxPendingUpgrades)
      return refuse("503 Service Unavailable", "Retry-After: 5\r\n");
    let released = Boolean(offered);
    if (!offered) pending++;
    const release = () => {
      if (released) return;
      released = true;
      pending--;
    };
    socket.once("close", release);
    wss.handleUpgrade(req, socket, head, (ws) => {
      // oversized frames, invalid UTF-8 and protocol errors arrive as 'error' before 'close'
      ws.on("error", () => ws.terminate());
      if (offered) {
        welcome(ws);
        return;
      }
      // no subprotocol: the first message must be {"type":"auth","token":"..."} in time
      const timer = setTimeout(() => ws.close(4401, "unauthorized"), authTimeoutMs);
      ws.once("close", () => clearTimeout(timer));
      ws.once("message", (data, binary) => {
        clearTimeout(timer);
        let msg: { type?: unknown; token?: unknown } = {};
        try {
          if (!binary) msg = JSON.parse(String(data));
        } catch {
          // falls through to the refusal
        }
        if (msg?.type === "auth" && typeof msg.token === "string" && tokenMatches(token, msg.token)) {
          release();
          welcome(ws);
        } else {
          limiter.fail(address);
          ws.close(4401, "unauthorized");
        }
      });
    });
  });
  wss.options.handleProtocols = (protocols: Set<string>) => {
    for (const p of protocols) if (p.startsWith(WS_PROTOCOL_PREFIX)) return p;
    return false;
  };

  function welcome(ws: WebSocket): void {
    authed.add(ws);
    ws.on("close", () => authed.delete(ws));
    ws.send(
      JSON.stringify({
        type: "hello",
        mode: bridge.mode,
        killed: bridge.risk.killed,
        promotions: bridge.promotions(),
        positions: bridge.positions(),
        orders: bridge.orders(100),
      }),
    );
  }

  // Fan-out: the event is encoded once, and each client's socket stays corked until the current
  // burst of events (one trade can close a bar and emit several) is over, so a client gets one write
  // per burst instead of one syscall per event; with 300 clients per-event writes blocked the bridge
  // for tens of seconds (bench/bridge.bench.ts).
  const corked = new Set<{ cork(): void; uncork(): void }>();
  const uncorkAll = () => {
    for (const socket of corked) socket.uncork();
    corked.clear();
  };
  const unsubscribe = bridge.on((event) => {
    if (!authed.size) return;
    const data = Buffer.from(JSON.stringify(event));
    for (const ws of authed) {
      // a slow reader loses events rather than growing the bridge's memory without bound
      if (ws.readyState !== WebSocket.OPEN || ws.bufferedAmount >= 1 << 20) continue;
      const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
      if (socket && !corked.has(socket)) {
        if (!corked.size) setImmediate(uncorkAll);
        socket.cork();
        corked.add(socket);
      }
      ws.send(data, { binary: false });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  log.info({ host, port: actual }, "bridge listening");
  return {
    url: `${tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${actual}`,
    port: actual,
    server,
    clients: () => authed.size,
    async close() {
      unsubscribe();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
