import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type NextFunction, type Request, type Response } from "express";
import pino, { type Logger } from "pino";
import { WebSocket, WebSocketServer } from "ws";
import { z } from "zod";
import { type Bridge, HttpError } from "./bridge.ts";

import { MIN_TOKEN_LENGTH, TOKEN_ENV } from "./token.ts";
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

const promotionBody = z.strictObject({
  strategy: z.string().regex(/^[a-z0-9][a-z0-9-]*$/i, "a strategy name under notebooks/strategies"),
  params: z.record(z.string(), z.number().finite()).default({}),
  exchange: z.enum(["binance", "upbit"]),
  symbol: z.string().min(1).max(40),
  timeframe: z.string().regex(/^\d+[smhd]$/, "like 1m, 5m, 1h, 1d"),
  mode: z.enum(["paper", "live"]).default("paper"),
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "a sha256 hex digest")
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
  { token, host = "127.0.0.1", port = 8787, allowOrigins = [], logger }: ServerOptions,
): Promise<BridgeServer> {
  if (typeof token !== "string" || token.length < MIN_TOKEN_LENGTH) {
    throw new Error(`${TOKEN_ENV} must be set to at least ${MIN_TOKEN_LENGTH} characters`);
  }
  const log = logger ?? pino({ level: "info", redact: REDACT });
  const origins = new Set(allowOrigins);
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
    const header = req.headers.authorization ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7) : undefined;
    if (!tokenMatches(token, given)) {
      res.setHeader("WWW-Authenticate", "Bearer");
      res.status(401).json({ error: "unauthorized" });
      return;
    }
    next();
  });

  app.post("/api/promotions", async (req, res) => {
    const spec = parse(promotionBody, req.body);
    const promotion = await bridge.promote(spec);
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
  app.get("/api/orders", (_req, res) => {
    res.json(bridge.orders());
  });
  app.get("/api/positions", (_req, res) => {
    res.json(bridge.positions());
  });
  app.get("/api/audit", (_req, res) => {
    res.json(bridge.audit());
  });
  app.post("/api/kill", async (req, res) => {
    const { flatten } = parse(killBody, req.body ?? {});
    await bridge.kill({ flatten });
    log.warn({ flatten }, "kill switch on");
    res.json({ killed: true, flatten });
  });
  app.delete("/api/kill", (_req, res) => {
    bridge.resume();
    log.warn("kill switch off");
    res.json({ killed: false });
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
      log.error({ err: e.message }, "request failed");
      res.status(500).json({ error: "internal error" });
    }
  });

  const server = createServer(app);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const authed = new Set<WebSocket>();

  server.on("upgrade", (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/ws") {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    const origin = req.headers.origin;
    if (origin && !origins.has(origin)) {
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
      return;
    }
    const protocols = String(req.headers["sec-websocket-protocol"] ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean);
    const offered = protocols.find((p) => p.startsWith(WS_PROTOCOL_PREFIX));
    if (offered && !tokenMatches(token, offered.slice(WS_PROTOCOL_PREFIX.length))) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (offered) welcome(ws);
      else {
        // no subprotocol: the first message must be {"type":"auth","token":"..."} within 5 s
        const timer = setTimeout(() => ws.close(4401, "unauthorized"), 5_000);
        ws.once("message", (data) => {
          clearTimeout(timer);
          let msg: { type?: unknown; token?: unknown } = {};
          try {
            msg = JSON.parse(String(data));
          } catch {
            // falls through to the refusal
          }
          if (msg.type === "auth" && typeof msg.token === "string" && tokenMatches(token, msg.token))
            welcome(ws);
          else ws.close(4401, "unauthorized");
        });
      }
    });
  });
  wss.options.handleProtocols = (protocols: Set<string>) => {
    for (const p of protocols) if (p.startsWith(WS_PROTOCOL_PREFIX)) return p;
    return false;
  };

  function welcome(ws: WebSocket): void {
    authed.add(ws);
    ws.on("close", () => authed.delete(ws));
    ws.on("error", () => authed.delete(ws));
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
    url: `http://${host}:${actual}`,
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
