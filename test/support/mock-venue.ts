/**
 * A mock Binance spot + Upbit REST venue on 127.0.0.1, backed by the real fixtures in
 * /work/shared/data, speaking the endpoints and response shapes that ccxt 4.5 calls.
 *
 *   const venue = await startMockVenue({ port: 0 });
 *   exchange.urls.api = ... // every host rewritten to venue.url (see src/data/fetch/exchange.ts)
 *   venue.inject({ kind: "429", match: "/api/v3/klines", skip: 2 });
 *   venue.requests;  // every request seen, in order
 *   await venue.close();
 *
 * Binance: GET /api/v3/time, /api/v3/exchangeInfo, /api/v3/klines (BTCUSDT 1m), /api/v3/aggTrades (XRPETH);
 *          signed (X-MBX-APIKEY + HMAC-SHA256): POST|GET|DELETE /api/v3/order, GET /api/v3/openOrders,
 *          GET /api/v3/account; websocket /ws (SUBSCRIBE <symbol>@trade, as ccxt.pro's watchTrades).
 * Upbit:   GET /v1/market/all, /v1/candles/minutes/{1|3} (KRW-BTC), /v1/trades/ticks (KRW-BTC);
 *          private (JWT HS256 Bearer with access_key, nonce and a SHA512 query_hash, as ccxt signs it):
 *          POST /v1/orders (`identifier` = client order id), GET|DELETE /v1/order (uuid or identifier),
 *          GET /v1/orders/open and /v1/orders?state=wait, GET /v1/accounts;
 *          websocket /websocket/v1 ([{ticket}, {type: "trade", codes}], as ccxt.pro's watchTrades;
 *          binary frames, as Upbit sends them).
 * Upbit answers an order POST before it executes (state "wait", nothing filled); the fill shows on the
 * next GET /v1/order, so a client has to follow its orders up.
 * Trades reach websocket subscribers only through `streamTrade`; market orders fill at once at the
 * last streamed (or `setPrice`) price. Faults: "429", "drop", "timeout" (the venue acts on the request,
 * e.g. creates the order, and never answers), "delay" (acts at once, answers after `ms`), and
 * `dropWebsockets()`.
 * Fields the fixtures lack (Binance quote volume, trade counts, taker volumes) are served as "0".
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import { type WebSocket, WebSocketServer } from "ws";
import { SHARED_URL } from "./paths.ts";

export const DATA_DIR = SHARED_URL;

export interface MockVenueOptions {
  /** 0 picks a free port */
  port?: number;
  /** the venues' clocks, UTC epoch ms: bars that start after `now` are not served (default: the wall clock) */
  binanceNow?: number;
  upbitNow?: number;
  /** Binance API key and secret the signed endpoints accept */
  apiKey?: string;
  secret?: string;
  /** starting balances of the mock account, by asset */
  balances?: Record<string, number>;
  /** extra synthetic markets listed beside the fixtures' ("KRW-AAA" on Upbit, "AAAUSDT" on Binance), for the streams */
  markets?: { upbit?: readonly string[]; binance?: readonly string[] };
  /** REST trades (Binance aggTrades, Upbit trades/ticks) are what `streamTrade` sent, not the fixture tapes */
  tradesFromStream?: boolean;
}

/** A 24h ticker as `streamTicker` takes it; REST tickers answer with the last one streamed. */
export interface StreamedTicker {
  time: number;
  open: number;
  high: number;
  low: number;
  last: number;
  previousClose?: number;
  /** traded value of the day (Upbit acc_trade_price, Binance q) */
  quoteVolume: number;
  /** traded quantity of the day */
  baseVolume?: number;
  /** Upbit only: accumulated taker-buy / taker-sell quantity of the day */
  accBid?: number;
  accAsk?: number;
}

/** A book as `streamBook` takes it: levels best first, [price, size]. */
export interface StreamedBook {
  time: number;
  asks: readonly (readonly [number, number])[];
  bids: readonly (readonly [number, number])[];
}

export interface MockOrder {
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: "BUY" | "SELL";
  type: string;
  status: "NEW" | "FILLED" | "CANCELED";
  /** Upbit's order uuid (Upbit orders only) */
  uuid?: string;
  /** Upbit market buys spend this much quote (ord_type "price") */
  funds?: number;
  fee?: number;
  origQty: number;
  executedQty: number;
  price: number;
  /** quote spent or received */
  quote: number;
  time: number;
}

export interface StreamedTrade {
  time: number;
  price: number;
  amount: number;
  id: number;
  /** the taker's side */
  side?: "buy" | "sell";
}

export interface MockRequest {
  readonly venue: "binance" | "upbit" | "unknown";
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
  /** when it arrived: wall-clock ms with sub-ms precision (performance.timeOrigin + now), comparable across processes */
  readonly at: number;
  /** set when the request was answered by an injected fault */
  readonly fault?: Fault["kind"];
}

export interface Fault {
  /** "429": the venue's rate-limit answer with Retry-After; "drop": headers and half a body, then the socket is destroyed */
  kind: "429" | "drop" | "timeout" | "delay";
  /** substring of the path the fault applies to (default: any path); "timeout" also matches the method, e.g. "POST /api/v3/order" */
  match?: string;
  /** matching requests, counted from injection, to let through before the fault may fire (default 0) */
  skip?: number;
  /** Retry-After seconds sent with a 429 (default 1) */
  retryAfter?: number;
  /** how long a "delay" holds the answer back, ms (default 1000) */
  ms?: number;
}

export interface MockVenue {
  readonly url: string;
  readonly port: number;
  readonly requests: MockRequest[];
  /** the fault fires once, on the first request whose path contains `match` after `skip` such requests (later if an older fault takes that one) */
  inject(fault: Fault): void;
  /** requests whose path contains `fragment` ("POST /api/v3/order" counts only that method) */
  count(fragment: string): number;
  /** every order the venue holds, by client order id */
  readonly orders: Map<string, MockOrder>;
  /** how many order requests arrived per client order id (duplicates included) */
  readonly orderRequests: Map<string, number>;
  readonly balances: Map<string, number>;
  /** sends a trade to websocket subscribers of (venue, symbol id: "XRPETH", "KRW-BTC") and marks the price */
  streamTrade(venue: "binance" | "upbit", symbol: string, trade: StreamedTrade): void;
  setPrice(symbol: string, price: number): void;
  /** moves a venue's clock (REST answers nothing after it) */
  setNow(venue: "binance" | "upbit", now: number): void;
  /** an open limit order placed by someone else (the web UI, another bot) */
  addForeignOrder(symbol: string, side: "BUY" | "SELL", qty: number, price: number): MockOrder;
  /** websocket clients subscribed to trades, per venue */
  subscribers(venue: "binance" | "upbit"): number;
  /** cuts every websocket connection, as a venue restart or network blip does */
  dropWebsockets(): void;
  /** sends a 5-level (or deeper) book: Upbit `orderbook` messages; Binance `depthUpdate` diffs (and GET /api/v3/depth) */
  streamBook(venue: "binance" | "upbit", symbol: string, book: StreamedBook): void;
  /** sends a ticker: Upbit `ticker`, Binance `24hrTicker`; REST tickers answer with it afterwards */
  streamTicker(venue: "binance" | "upbit", symbol: string, ticker: StreamedTicker): void;
  /** refuses websocket upgrades (HTTP 503) while true: a drop that lasts */
  refuseWebsockets(refuse: boolean): void;
  /** websocket messages sent so far, per venue (all streams) */
  sent(venue: "binance" | "upbit"): number;
  /** every topic some websocket client is subscribed to: "KRW-BTC@orderbook", "xrpeth@depth@100ms" */
  topics(venue: "binance" | "upbit"): string[];
  close(): Promise<void>;
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

/** Starts the mock venue; see the module comment. */
export async function startMockVenue({
  port = 0,
  binanceNow,
  upbitNow,
  apiKey = "mock-api-key",
  secret = "mock-api-secret",
  balances = { USDT: 100_000, BTC: 1, ETH: 100, XRP: 0, KRW: 100_000_000 },
  markets = {},
  tradesFromStream = false,
}: MockVenueOptions = {}): Promise<MockVenue> {
  const streams: Streams = {
    extraUpbit: [...(markets.upbit ?? [])],
    extraBinance: [...(markets.binance ?? [])],
    fromStream: tradesFromStream,
    history: new Map(),
    tickers: { binance: new Map(), upbit: new Map() },
    books: new Map(),
    refuse: false,
    sent: { binance: 0, upbit: 0 },
  };
  const requests: MockRequest[] = [];
  const faults: Required<Fault>[] = [];
  const sockets = new Set<Socket>();
  const now = { binance: binanceNow, upbit: upbitNow };
  const clock = { binance: () => now.binance ?? Date.now(), upbit: () => now.upbit ?? Date.now() };
  const account: Account = {
    apiKey,
    secret,
    orders: new Map(),
    orderRequests: new Map(),
    balances: new Map(Object.entries(balances)),
    prices: new Map(),
    nextId: 1,
    extraBinance: [...(markets.binance ?? [])],
  };

  const server = createServer(async (req, res) => {
    const at = performance.timeOrigin + performance.now();
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const query = Object.fromEntries(url.searchParams);
    const venue = url.pathname.startsWith("/api/")
      ? "binance"
      : url.pathname.startsWith("/v1/")
        ? "upbit"
        : "unknown";
    const log = (status: number, fault?: Fault["kind"]) =>
      requests.push({ venue, method: req.method ?? "GET", path: url.pathname, query, status, at, fault });

    const fault = takeFault(faults, `${req.method ?? "GET"} ${url.pathname}`);
    if (fault?.kind === "429") {
      log(429, "429");
      return send(res, rateLimited(venue, fault.retryAfter));
    }
    let reply: Reply;
    try {
      reply =
        privateRoute(account, req, url, body) ??
        upbitPrivateRoute(account, req, url, body) ??
        (req.method === "GET"
          ? (streamRoute(streams, url.pathname, query) ??
            route(venue, url.pathname, query, clock, streams.extraBinance, streams.extraUpbit))
          : notFound(venue, url.pathname));
    } catch (error) {
      reply = badRequest(venue, error instanceof Error ? error.message : String(error));
    }
    if (fault?.kind === "timeout") {
      // the venue did the work; the answer never comes (the client's timeout fires first)
      log(reply.status, "timeout");
      return;
    }
    if (fault?.kind === "drop") {
      log(reply.status, "drop");
      const text = JSON.stringify(reply.body);
      // chunked, so the client cannot tell the body is short until the socket dies
      res.writeHead(200, { "Content-Type": "application/json;charset=UTF-8" });
      res.write(text.slice(0, Math.max(1, text.length >> 1)));
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    if (fault?.kind === "delay") {
      log(reply.status, "delay");
      setTimeout(() => {
        if (!res.destroyed) send(res, reply);
      }, fault.ms);
      return;
    }
    log(reply.status);
    send(res, reply);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true });
  const subs = { binance: new Map<WebSocket, Set<string>>(), upbit: new Map<WebSocket, Set<string>>() };
  server.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const venue = path.startsWith("/ws") ? "binance" : path.startsWith("/websocket/v1") ? "upbit" : undefined;
    if (!venue) {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    if (streams.refuse) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const topics = new Set<string>();
      subs[venue].set(ws, topics);
      ws.on("close", () => subs[venue].delete(ws));
      ws.on("message", (data) => {
        let msg: unknown;
        try {
          msg = JSON.parse(String(data));
        } catch {
          return;
        }
        if (venue === "binance") {
          const m = msg as { method?: string; params?: string[]; id?: number };
          if (m.method === "SUBSCRIBE") for (const p of m.params ?? []) topics.add(p.toLowerCase());
          if (m.method === "UNSUBSCRIBE") for (const p of m.params ?? []) topics.delete(p.toLowerCase());
          ws.send(JSON.stringify({ result: null, id: m.id }));
        } else if (Array.isArray(msg)) {
          for (const part of msg as { type?: string; codes?: string[] }[]) {
            if (part.type === "trade" || part.type === "orderbook" || part.type === "ticker")
              for (const c of part.codes ?? []) topics.add(`${c.toUpperCase()}@${part.type}`);
          }
        }
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    inject(fault) {
      faults.push({ match: "", skip: 0, retryAfter: 1, ms: 1000, ...fault });
    },
    count(fragment) {
      return requests.filter((r) => `${r.method} ${r.path}`.includes(fragment)).length;
    },
    orders: account.orders,
    orderRequests: account.orderRequests,
    balances: account.balances,
    streamTrade(venue, symbol, t) {
      account.prices.set(symbol, t.price);
      const list = streams.history.get(symbol);
      if (list) list.push(t);
      else streams.history.set(symbol, [t]);
      const topic = venue === "binance" ? `${symbol.toLowerCase()}@trade` : `${symbol}@trade`;
      const text = JSON.stringify(venue === "binance" ? binanceWsTrade(symbol, t) : upbitWsTrade(symbol, t));
      // Upbit sends its websocket messages as binary frames
      const frame = venue === "upbit" ? Buffer.from(text) : text;
      for (const [ws, topics] of subs[venue])
        if (topics.has(topic) && ws.readyState === 1) {
          ws.send(frame);
          streams.sent[venue]++;
        }
    },
    streamBook(venue, symbol, book) {
      if (venue === "upbit") {
        const topic = `${symbol}@orderbook`;
        const message = upbitWsBook(symbol, book);
        for (const [ws, topics] of subs.upbit) {
          if (!topics.has(topic) || ws.readyState !== 1) continue;
          // ccxt.pro starts a book on SNAPSHOT and updates it on REALTIME, as Upbit sends them
          const first = !topics.has(`${topic}#seen`);
          topics.add(`${topic}#seen`);
          ws.send(Buffer.from(JSON.stringify({ ...message, stream_type: first ? "SNAPSHOT" : "REALTIME" })));
          streams.sent.upbit++;
        }
        return;
      }
      const state = streams.books.get(symbol) ?? { id: 1, asks: new Map(), bids: new Map() };
      streams.books.set(symbol, state);
      const diff = (side: Map<number, number>, levels: StreamedBook["asks"]) => {
        const out: [string, string][] = [];
        const next = new Map(levels.map(([p, q]) => [p, q] as [number, number]));
        for (const p of side.keys()) if (!next.has(p)) out.push([fixed(p), fixed(0)]);
        for (const [p, q] of next) if (side.get(p) !== q) out.push([fixed(p), fixed(q)]);
        side.clear();
        for (const [p, q] of next) side.set(p, q);
        return out;
      };
      const a = diff(state.asks, book.asks);
      const b = diff(state.bids, book.bids);
      const U = state.id + 1;
      state.id += 1;
      const text = JSON.stringify({ e: "depthUpdate", E: book.time, s: symbol, U, u: state.id, b, a });
      const prefix = `${symbol.toLowerCase()}@depth`;
      for (const [ws, topics] of subs.binance) {
        if (![...topics].some((t) => t.startsWith(prefix)) || ws.readyState !== 1) continue;
        ws.send(text);
        streams.sent.binance++;
      }
    },
    streamTicker(venue, symbol, ticker) {
      streams.tickers[venue].set(symbol, ticker);
      const topic = venue === "binance" ? `${symbol.toLowerCase()}@ticker` : `${symbol}@ticker`;
      const text = JSON.stringify(
        venue === "binance" ? binanceTicker(symbol, ticker, true) : upbitTicker(symbol, ticker, true),
      );
      const frame = venue === "upbit" ? Buffer.from(text) : text;
      for (const [ws, topics] of subs[venue])
        if (topics.has(topic) && ws.readyState === 1) {
          ws.send(frame);
          streams.sent[venue]++;
        }
    },
    refuseWebsockets(refuse) {
      streams.refuse = refuse;
    },
    sent(venue) {
      return streams.sent[venue];
    },
    topics(venue) {
      const all = new Set<string>();
      for (const topics of subs[venue].values()) for (const t of topics) if (!t.includes("#")) all.add(t);
      return [...all].sort();
    },
    setPrice(symbol, price) {
      account.prices.set(symbol, price);
    },
    setNow(venue, t) {
      now[venue] = t;
    },
    addForeignOrder(symbol, side, qty, price) {
      const order: MockOrder = {
        orderId: account.nextId++,
        clientOrderId: `web_${account.nextId}`,
        symbol,
        side,
        type: "LIMIT",
        status: "NEW",
        origQty: qty,
        executedQty: 0,
        price,
        quote: 0,
        time: Date.now(),
        // Upbit markets are "KRW-BTC"; their orders are known by uuid
        ...(symbol.includes("-") ? { uuid: randomUUID() } : {}),
      };
      account.orders.set(order.clientOrderId, order);
      return order;
    },
    subscribers(venue) {
      let n = 0;
      for (const topics of subs[venue].values()) if (topics.size) n++;
      return n;
    },
    dropWebsockets() {
      for (const ws of wss.clients) ws.terminate();
    },
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** An alias so callers can write `start({port: 0})`. */
export const start = startMockVenue;

function takeFault(faults: Required<Fault>[], path: string): Required<Fault> | undefined {
  // every pending fault counts the matching requests; the oldest one whose count is done fires
  let fire: Required<Fault> | undefined;
  for (const fault of faults) {
    if (!path.includes(fault.match)) continue;
    if (fault.skip > 0) fault.skip -= 1;
    else fire ??= fault;
  }
  if (fire) faults.splice(faults.indexOf(fire), 1);
  return fire;
}

function send(res: ServerResponse, { status, body, headers = {} }: Reply): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const type = typeof body === "string" ? "text/plain" : "application/json;charset=UTF-8";
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function rateLimited(venue: MockRequest["venue"], retryAfter: number): Reply {
  const headers = { "Retry-After": String(retryAfter) };
  if (venue === "binance") {
    return {
      status: 429,
      headers,
      body: {
        code: -1003,
        msg: "Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use WebSocket Streams for live updates to avoid polling the API.",
      },
    };
  }
  // Upbit answers a 429 with a plain-text body and its Remaining-Req header
  return {
    status: 429,
    headers: { ...headers, "Remaining-Req": "group=market; min=599; sec=0" },
    body: "Too many API requests.",
  };
}

function badRequest(venue: MockRequest["venue"], message: string): Reply {
  if (venue === "binance") return { status: 400, body: { code: -1121, msg: message } };
  return { status: 400, body: { error: { name: "invalid_parameter", message } } };
}

function notFound(venue: MockRequest["venue"], path: string): Reply {
  if (venue === "upbit") return { status: 404, body: { error: { name: 404, message: `no route: ${path}` } } };
  return { status: 404, body: "<html><body><h1>404 Not found</h1></body></html>" };
}

function route(
  venue: MockRequest["venue"],
  path: string,
  q: Record<string, string>,
  clock: { binance: () => number; upbit: () => number },
  extraBinance: readonly string[] = [],
  extraUpbit: readonly string[] = [],
): Reply {
  switch (path) {
    case "/api/v3/time":
      return { status: 200, body: { serverTime: clock.binance() } };
    case "/api/v3/exchangeInfo":
      return { status: 200, body: binanceExchangeInfo(clock.binance(), extraBinance) };
    case "/api/v3/klines":
      return binanceKlines(q, clock.binance());
    case "/api/v3/aggTrades":
      return binanceAggTrades(q, clock.binance());
    case "/v1/market/all":
      return {
        status: 200,
        body: [
          ...UPBIT_MARKETS,
          ...extraUpbit.map((market) => ({ market, korean_name: market, english_name: market })),
        ],
      };
    case "/v1/trades/ticks":
      return upbitTrades(q);
  }
  const candles = /^\/v1\/candles\/minutes\/(\d+)$/.exec(path);
  if (candles) return upbitCandles(Number(candles[1]), q, clock.upbit());
  return notFound(venue, path);
}

// ---- Binance -------------------------------------------------------------------------------

const MINUTE = 60_000;

let binanceBars: number[][] | undefined;
function loadBinanceBars(): number[][] {
  binanceBars ??= JSON.parse(
    readFileSync(new URL("binance/justinbomber_BTC_USDT-1m.json", DATA_DIR), "utf8"),
  );
  return binanceBars!;
}

type FreqtradeTrade = [number, string, null, "buy" | "sell", number, number, number];
let binanceTrades: FreqtradeTrade[] | undefined;
function loadBinanceTrades(): FreqtradeTrade[] {
  binanceTrades ??= JSON.parse(
    gunzipSync(readFileSync(new URL("freqtrade/XRP_ETH-trades.json.gz", DATA_DIR))).toString("utf8"),
  );
  return binanceTrades!;
}

function binanceSymbol(symbol: string, base: string, quote: string, tick: string, step: string) {
  return {
    symbol,
    status: "TRADING",
    baseAsset: base,
    baseAssetPrecision: 8,
    quoteAsset: quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: "PRICE_FILTER", minPrice: tick, maxPrice: "1000000.00000000", tickSize: tick },
      { filterType: "LOT_SIZE", minQty: step, maxQty: "9000.00000000", stepSize: step },
      {
        filterType: "NOTIONAL",
        minNotional: "5.00000000",
        applyMinToMarket: true,
        maxNotional: "9000000.00000000",
      },
    ],
    permissions: [],
    permissionSets: [["SPOT"]],
    defaultSelfTradePreventionMode: "EXPIRE_MAKER",
    allowedSelfTradePreventionModes: ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
  };
}

function binanceExchangeInfo(now: number, extra: readonly string[] = []) {
  return {
    timezone: "UTC",
    serverTime: now,
    rateLimits: [
      { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 },
      { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 100 },
    ],
    exchangeFilters: [],
    symbols: [
      binanceSymbol("BTCUSDT", "BTC", "USDT", "0.01000000", "0.00001000"),
      binanceSymbol("XRPETH", "XRP", "ETH", "0.00000001", "1.00000000"),
      ...extra.map((id) => {
        const quote = /(USDT|BTC|ETH)$/.exec(id)?.[1] ?? "USDT";
        return binanceSymbol(id, id.slice(0, -quote.length), quote, "0.00000001", "0.00000001");
      }),
    ],
  };
}

function int(q: Record<string, string>, name: string): number | undefined {
  if (q[name] === undefined) return undefined;
  const n = Number(q[name]);
  if (!Number.isInteger(n))
    throw new Error(`Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`);
  return n;
}

function fixed(x: number): string {
  return x.toFixed(8);
}

function binanceKlines(q: Record<string, string>, now: number): Reply {
  if (q.symbol !== "BTCUSDT") return { status: 400, body: { code: -1121, msg: "Invalid symbol." } };
  if (q.interval !== "1m") return { status: 400, body: { code: -1120, msg: "Invalid interval." } };
  const limit = Math.min(int(q, "limit") ?? 500, 1000);
  const start = int(q, "startTime");
  const end = Math.min(int(q, "endTime") ?? now, now);
  const bars = loadBinanceBars();
  let rows: number[][];
  if (start !== undefined) {
    const from = lowerBound(bars, start);
    rows = [];
    for (let i = from; i < bars.length && rows.length < limit && bars[i][0] <= end; i++) rows.push(bars[i]);
  } else {
    // without startTime the venue answers the most recent `limit` bars up to endTime
    const to = lowerBound(bars, end + 1);
    rows = bars.slice(Math.max(0, to - limit), to);
  }
  const body = rows.map(([t, o, h, l, c, v]) => [
    t,
    fixed(o),
    fixed(h),
    fixed(l),
    fixed(c),
    fixed(v),
    t + MINUTE - 1,
    "0",
    0,
    "0",
    "0",
    "0",
  ]);
  return { status: 200, body };
}

function binanceAggTrades(q: Record<string, string>, now: number): Reply {
  if (q.symbol !== "XRPETH") return { status: 400, body: { code: -1121, msg: "Invalid symbol." } };
  const limit = Math.min(int(q, "limit") ?? 500, 1000);
  const fromId = int(q, "fromId");
  const start = int(q, "startTime");
  const end = int(q, "endTime");
  if (start !== undefined && end !== undefined && end - start > 3_600_000) {
    return { status: 400, body: { code: -1127, msg: "More than 1 hours between startTime and endTime." } };
  }
  const trades = loadBinanceTrades();
  let rows: FreqtradeTrade[];
  if (fromId !== undefined) {
    rows = trades.filter((t) => Number(t[1]) >= fromId).slice(0, limit);
  } else if (start !== undefined || end !== undefined) {
    const lo = start ?? 0;
    const hi = Math.min(end ?? now, now);
    rows = trades.filter((t) => t[0] >= lo && t[0] <= hi).slice(0, limit);
  } else {
    const past = trades.filter((t) => t[0] <= now);
    rows = past.slice(Math.max(0, past.length - limit));
  }
  const body = rows.map(([T, id, , side, price, amount]) => ({
    a: Number(id),
    p: fixed(price),
    q: fixed(amount),
    f: Number(id),
    l: Number(id),
    T,
    m: side === "sell",
    M: true,
  }));
  return { status: 200, body };
}

function lowerBound(bars: number[][], t: number): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bars[mid][0] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---- Upbit ---------------------------------------------------------------------------------

const UPBIT_MARKETS = [
  { market: "KRW-BTC", korean_name: "비트코인", english_name: "Bitcoin" },
  { market: "KRW-ETH", korean_name: "이더리움", english_name: "Ethereum" },
  { market: "BTC-ETH", korean_name: "이더리움", english_name: "Ethereum" },
];

interface UpbitCandle {
  market: string;
  candle_date_time_utc: string;
  candle_date_time_kst: string;
  opening_price: number;
  high_price: number;
  low_price: number;
  trade_price: number;
  timestamp: number;
  candle_acc_trade_price: number;
  candle_acc_trade_volume: number;
  unit: number;
}

const UPBIT_CANDLE_FILES: Record<number, string[]> = {
  1: ["upbit_1m_20200220_170000-20200220_202000.json", "upbit_1m_20200220_202000-20200220_210000.json"],
  3: [
    "upbit_3m_20200220_000000-20200220_100000.json",
    "upbit_3m_20200220_100000-20200220_120000.json",
    "upbit_3m_20200220_170000-20200220_200000.json",
  ],
};
const upbitCandleCache = new Map<number, UpbitCandle[]>();

/** oldest first */
function loadUpbitCandles(unit: number): UpbitCandle[] {
  let candles = upbitCandleCache.get(unit);
  if (!candles) {
    const all: UpbitCandle[] = [];
    for (const file of UPBIT_CANDLE_FILES[unit] ?? []) {
      all.push(
        ...(JSON.parse(readFileSync(new URL(`upbit/smtm/${file}`, DATA_DIR), "utf8")) as UpbitCandle[]),
      );
    }
    candles = all.sort((a, b) => utc(a.candle_date_time_utc) - utc(b.candle_date_time_utc));
    upbitCandleCache.set(unit, candles);
  }
  return candles;
}

function utc(naive: string): number {
  return Date.parse(naive.endsWith("Z") || /[+-]\d\d:?\d\d$/.test(naive) ? naive : `${naive}Z`);
}

function upbitCandles(unit: number, q: Record<string, string>, now: number): Reply {
  if (!UPBIT_CANDLE_FILES[unit])
    return { status: 400, body: { error: { name: 400, message: "invalid unit" } } };
  if (q.market !== "KRW-BTC")
    return { status: 404, body: { error: { name: 404, message: "Code not found" } } };
  const count = Number(q.count ?? 1);
  if (!Number.isInteger(count) || count < 1 || count > 200) {
    return { status: 400, body: { error: { name: 400, message: "count must be 1..200" } } };
  }
  // `to` is exclusive: the newest candle returned starts before it
  const to = q.to === undefined ? now + 1 : utc(q.to.replace(" ", "T"));
  if (Number.isNaN(to))
    return { status: 400, body: { error: { name: 400, message: `invalid to: ${q.to}` } } };
  const candles = loadUpbitCandles(unit);
  const body: UpbitCandle[] = [];
  for (let i = candles.length - 1; i >= 0 && body.length < count; i--) {
    const t = utc(candles[i].candle_date_time_utc);
    if (t < to && t <= now) body.push(candles[i]);
  }
  return { status: 200, body };
}

export interface UpbitTick {
  market: string;
  trade_date_utc: string;
  trade_time_utc: string;
  timestamp: number;
  trade_price: number;
  trade_volume: number;
  prev_closing_price: number;
  change_price: number;
  ask_bid: "ASK" | "BID";
  sequential_id: number;
}

let upbitTicks: UpbitTick[] | undefined;

/** The Upbit KRW-BTC trade tape the venue serves (the three CSV days), oldest first. */
export function upbitTape(): readonly UpbitTick[] {
  return loadUpbitTicks();
}

/** oldest first, ordered by sequential_id (= trade ms * 1000 + counter) */
function loadUpbitTicks(): UpbitTick[] {
  if (upbitTicks) return upbitTicks;
  const ticks: UpbitTick[] = [];
  for (const day of ["2022-11-25", "2022-11-26", "2022-11-27"]) {
    const text = readFileSync(
      new URL(`upbit/trades/wannacrypto_KRW-BTC_trades_${day}.csv`, DATA_DIR),
      "utf8",
    );
    const lines = text.split("\n");
    for (let i = 1; i < lines.length; i++) {
      if (!lines[i]) continue;
      const [price, volume, askBid, seq] = lines[i].split(",");
      const sequential = Number(seq);
      const timestamp = Math.floor(sequential / 1000);
      const iso = new Date(timestamp).toISOString();
      ticks.push({
        market: "KRW-BTC",
        trade_date_utc: iso.slice(0, 10),
        trade_time_utc: iso.slice(11, 19),
        timestamp,
        trade_price: Number(price),
        trade_volume: Number(volume),
        // the fixture has no previous close; 0 marks it unknown
        prev_closing_price: 0,
        change_price: 0,
        ask_bid: askBid === "1" ? "ASK" : "BID",
        sequential_id: sequential,
      });
    }
  }
  upbitTicks = ticks.sort((a, b) => a.sequential_id - b.sequential_id);
  return upbitTicks;
}

/**
 * Upbit pages trades backwards within one UTC day: `daysAgo` (1..7, counted from the day of the latest
 * trade) picks the day, `to` (HHmmss or HH:mm:ss, exclusive) and `cursor` (a sequential_id, exclusive)
 * bound it from above; newest first.
 */
function upbitTrades(q: Record<string, string>): Reply {
  if (q.market !== "KRW-BTC")
    return { status: 404, body: { error: { name: 404, message: "Code not found" } } };
  const count = Number(q.count ?? 1);
  if (!Number.isInteger(count) || count < 1 || count > 500) {
    return { status: 400, body: { error: { name: 400, message: "count must be 1..500" } } };
  }
  const daysAgo = q.daysAgo === undefined ? 0 : Number(q.daysAgo);
  if (!Number.isInteger(daysAgo) || daysAgo < 0 || daysAgo > 7) {
    return { status: 400, body: { error: { name: 400, message: `invalid daysAgo: ${q.daysAgo}` } } };
  }
  const ticks = loadUpbitTicks();
  const latest = Date.parse(`${ticks[ticks.length - 1].trade_date_utc}T00:00:00Z`);
  const dayStart = latest - daysAgo * 86_400_000;
  let upper = dayStart + 86_400_000;
  if (q.to !== undefined) {
    const m = /^(\d\d):?(\d\d):?(\d\d)$/.exec(q.to);
    if (!m) return { status: 400, body: { error: { name: 400, message: `invalid to: ${q.to}` } } };
    upper = dayStart + ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000;
  }
  const cursor = q.cursor === undefined ? Number.POSITIVE_INFINITY : Number(q.cursor);
  const body: UpbitTick[] = [];
  for (let i = ticks.length - 1; i >= 0 && body.length < count; i--) {
    const t = ticks[i];
    if (t.timestamp < dayStart) break;
    if (t.timestamp < upper && t.sequential_id < cursor) body.push(t);
  }
  return { status: 200, body };
}

// ---- private endpoints (Binance spot, signed) ------------------------------------------------

interface Account {
  apiKey: string;
  secret: string;
  orders: Map<string, MockOrder>;
  orderRequests: Map<string, number>;
  balances: Map<string, number>;
  prices: Map<string, number>;
  nextId: number;
  /** synthetic Binance markets (`markets.binance`), tradable against USDT */
  extraBinance: readonly string[];
}

const BINANCE_ASSETS: Record<string, [string, string]> = { BTCUSDT: ["BTC", "USDT"], XRPETH: ["XRP", "ETH"] };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(""));
  });
}

const PRIVATE = new Set(["/api/v3/order", "/api/v3/openOrders", "/api/v3/account"]);

function privateRoute(account: Account, req: IncomingMessage, url: URL, body: string): Reply | undefined {
  if (!PRIVATE.has(url.pathname)) return undefined;
  const payload = req.method === "GET" || req.method === "DELETE" ? url.search.slice(1) : body;
  const params = new URLSearchParams(payload);
  if (req.headers["x-mbx-apikey"] !== account.apiKey) {
    return { status: 401, body: { code: -2015, msg: "Invalid API-key, IP, or permissions for action." } };
  }
  const signature = params.get("signature");
  const unsigned = payload.replace(/&?signature=[0-9a-f]*/, "");
  const expected = createHmac("sha256", account.secret).update(unsigned).digest("hex");
  if (signature !== expected) {
    return { status: 400, body: { code: -1022, msg: "Signature for this request is not valid." } };
  }
  const q = Object.fromEntries(params);
  const key = `${req.method} ${url.pathname}`;
  switch (key) {
    case "POST /api/v3/order":
      return createOrder(account, q);
    case "GET /api/v3/order": {
      const o = findOrder(account, q);
      return o
        ? { status: 200, body: orderJson(o) }
        : { status: 400, body: { code: -2013, msg: "Order does not exist." } };
    }
    case "DELETE /api/v3/order": {
      const o = findOrder(account, q);
      if (o?.status !== "NEW") return { status: 400, body: { code: -2011, msg: "Unknown order sent." } };
      o.status = "CANCELED";
      return { status: 200, body: orderJson(o) };
    }
    case "GET /api/v3/openOrders":
      return {
        status: 200,
        body: [...account.orders.values()]
          .filter((o) => o.status === "NEW" && (!q.symbol || o.symbol === q.symbol))
          .map(orderJson),
      };
    case "GET /api/v3/account":
      return {
        status: 200,
        body: {
          makerCommission: 10,
          takerCommission: 10,
          canTrade: true,
          canWithdraw: false,
          canDeposit: false,
          updateTime: Date.now(),
          accountType: "SPOT",
          balances: [...account.balances].map(([asset, free]) => ({
            asset,
            free: fixed(free),
            locked: "0.00000000",
          })),
          permissions: ["SPOT"],
        },
      };
  }
  return { status: 405, body: { code: -1000, msg: `method not allowed: ${key}` } };
}

function findOrder(account: Account, q: Record<string, string>): MockOrder | undefined {
  if (q.origClientOrderId) return account.orders.get(q.origClientOrderId);
  for (const o of account.orders.values()) if (String(o.orderId) === q.orderId) return o;
  return undefined;
}

function createOrder(account: Account, q: Record<string, string>): Reply {
  // the fixtures' markets, and the synthetic ones listed with `markets` ("AAAUSDT": AAA against USDT)
  const extra = account.extraBinance.includes(q.symbol) && /^(.+)USDT$/.exec(q.symbol);
  const assets = BINANCE_ASSETS[q.symbol] ?? (extra ? ([extra[1], "USDT"] as [string, string]) : undefined);
  if (!assets) return { status: 400, body: { code: -1121, msg: "Invalid symbol." } };
  const clientOrderId = q.newClientOrderId ?? `x-${account.nextId}`;
  account.orderRequests.set(clientOrderId, (account.orderRequests.get(clientOrderId) ?? 0) + 1);
  if (account.orders.has(clientOrderId))
    return { status: 400, body: { code: -2010, msg: "Duplicate order sent." } };
  if (q.type !== "MARKET") return { status: 400, body: { code: -1116, msg: "Invalid orderType." } };
  const qty = Number(q.quantity);
  const price = account.prices.get(q.symbol);
  if (!(qty > 0))
    return { status: 400, body: { code: -1100, msg: "Illegal characters found in parameter 'quantity'." } };
  if (price === undefined) return { status: 400, body: { code: -1013, msg: "Market is closed." } };
  const [base, quote] = assets;
  const cost = qty * price;
  const bal = (a: string) => account.balances.get(a) ?? 0;
  if (q.side === "BUY" ? bal(quote) < cost : bal(base) < qty) {
    return {
      status: 400,
      body: { code: -2010, msg: "Account has insufficient balance for requested action." },
    };
  }
  if (q.side === "BUY") {
    account.balances.set(quote, bal(quote) - cost);
    account.balances.set(base, bal(base) + qty);
  } else {
    account.balances.set(base, bal(base) - qty);
    account.balances.set(quote, bal(quote) + cost);
  }
  const order: MockOrder = {
    orderId: account.nextId++,
    clientOrderId,
    symbol: q.symbol,
    side: q.side === "SELL" ? "SELL" : "BUY",
    type: "MARKET",
    status: "FILLED",
    origQty: qty,
    executedQty: qty,
    price,
    quote: cost,
    time: Date.now(),
  };
  account.orders.set(clientOrderId, order);
  return {
    status: 200,
    body: {
      ...orderJson(order),
      transactTime: order.time,
      fills: [
        {
          price: fixed(price),
          qty: fixed(qty),
          commission: "0.00000000",
          commissionAsset: quote,
          tradeId: order.orderId,
        },
      ],
    },
  };
}

function orderJson(o: MockOrder) {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: o.type === "MARKET" ? "0.00000000" : fixed(o.price),
    origQty: fixed(o.origQty),
    executedQty: fixed(o.executedQty),
    cummulativeQuoteQty: fixed(o.quote),
    status: o.status,
    timeInForce: "GTC",
    type: o.type,
    side: o.side,
    stopPrice: "0.00000000",
    icebergQty: "0.00000000",
    time: o.time,
    updateTime: o.time,
    isWorking: true,
    workingTime: o.time,
    origQuoteOrderQty: "0.00000000",
    selfTradePreventionMode: "EXPIRE_MAKER",
  };
}

function binanceWsTrade(symbol: string, t: StreamedTrade) {
  return {
    e: "trade",
    E: t.time,
    s: symbol,
    t: t.id,
    p: fixed(t.price),
    q: fixed(t.amount),
    T: t.time,
    m: t.side === "sell",
    M: true,
  };
}

function upbitWsTrade(code: string, t: StreamedTrade) {
  const iso = new Date(t.time).toISOString();
  return {
    type: "trade",
    code,
    timestamp: t.time,
    trade_date: iso.slice(0, 10),
    trade_time: iso.slice(11, 19),
    trade_timestamp: t.time,
    trade_price: t.price,
    trade_volume: t.amount,
    ask_bid: t.side === "sell" ? "ASK" : "BID",
    prev_closing_price: 0,
    change: "EVEN",
    change_price: 0,
    sequential_id: t.id,
    stream_type: "REALTIME",
  };
}

// ---- streams: books, tickers, trades kept for REST (stom record) ------------------------------

interface Streams {
  extraUpbit: string[];
  extraBinance: string[];
  fromStream: boolean;
  /** every streamed trade per venue symbol id, oldest first */
  history: Map<string, StreamedTrade[]>;
  tickers: { binance: Map<string, StreamedTicker>; upbit: Map<string, StreamedTicker> };
  /** Binance books as the diff stream left them, with the last update id */
  books: Map<string, { id: number; asks: Map<number, number>; bids: Map<number, number> }>;
  refuse: boolean;
  sent: { binance: number; upbit: number };
}

/** REST answers fed by the streams; undefined leaves the request to the fixture routes. */
function streamRoute(streams: Streams, path: string, q: Record<string, string>): Reply | undefined {
  switch (path) {
    case "/api/v3/depth": {
      const book = streams.books.get(q.symbol ?? "");
      const side = (m: Map<number, number> | undefined, dir: number) =>
        [...(m ?? new Map<number, number>())]
          .sort((x, y) => dir * (x[0] - y[0]))
          .map(([p, v]) => [fixed(p), fixed(v)]);
      return {
        status: 200,
        body: { lastUpdateId: book?.id ?? 1, bids: side(book?.bids, -1), asks: side(book?.asks, 1) },
      };
    }
    case "/api/v3/ticker/24hr":
      return {
        status: 200,
        body: [...streams.tickers.binance].map(([symbol, t]) => binanceTicker(symbol, t, false)),
      };
    case "/v1/ticker/all": {
      const quotes = (q.quote_currencies ?? "KRW").split(",");
      const body = [...streams.tickers.upbit]
        .filter(([code]) => quotes.includes(code.split("-")[0]))
        .map(([code, t]) => upbitTicker(code, t, false));
      return { status: 200, body };
    }
    case "/v1/ticker": {
      const codes = (q.markets ?? "").split(",");
      const body = codes
        .filter((c) => streams.tickers.upbit.has(c))
        .map((c) => upbitTicker(c, streams.tickers.upbit.get(c) as StreamedTicker, false));
      return { status: 200, body };
    }
    case "/api/v3/aggTrades": {
      const symbol = q.symbol ?? "";
      if (!streams.fromStream && !streams.extraBinance.includes(symbol)) return undefined;
      const limit = Math.min(Number(q.limit ?? 500), 1000);
      const lo = q.startTime === undefined ? Number.NEGATIVE_INFINITY : Number(q.startTime);
      const hi = q.endTime === undefined ? Number.POSITIVE_INFINITY : Number(q.endTime);
      const from = q.fromId === undefined ? undefined : Number(q.fromId);
      const all = streams.history.get(symbol) ?? [];
      const rows =
        from !== undefined
          ? all.filter((t) => t.id >= from).slice(0, limit)
          : q.startTime !== undefined || q.endTime !== undefined
            ? all.filter((t) => t.time >= lo && t.time <= hi).slice(0, limit)
            : all.slice(Math.max(0, all.length - limit));
      const body = rows.map((t) => ({
        a: t.id,
        p: fixed(t.price),
        q: fixed(t.amount),
        f: t.id,
        l: t.id,
        T: t.time,
        m: t.side === "sell",
        M: true,
      }));
      return { status: 200, body };
    }
    case "/v1/trades/ticks": {
      const code = q.market ?? "";
      if (!streams.fromStream && !streams.extraUpbit.includes(code)) return undefined;
      const count = Math.min(Number(q.count ?? 1), 500);
      const all = streams.history.get(code) ?? [];
      const body = all
        .slice(Math.max(0, all.length - count))
        .reverse()
        .map((t) => {
          const iso = new Date(t.time).toISOString();
          return {
            market: code,
            trade_date_utc: iso.slice(0, 10),
            trade_time_utc: iso.slice(11, 19),
            timestamp: t.time,
            trade_price: t.price,
            trade_volume: t.amount,
            prev_closing_price: 0,
            change_price: 0,
            ask_bid: t.side === "sell" ? "ASK" : "BID",
            sequential_id: t.id,
          };
        });
      return { status: 200, body };
    }
  }
  return undefined;
}

/** Upbit's websocket orderbook message (the levels paired ask/bid, best first, as Upbit sends them). */
function upbitWsBook(code: string, book: StreamedBook) {
  const n = Math.max(book.asks.length, book.bids.length);
  const units = [];
  for (let i = 0; i < n; i++) {
    units.push({
      ask_price: book.asks[i]?.[0] ?? 0,
      bid_price: book.bids[i]?.[0] ?? 0,
      ask_size: book.asks[i]?.[1] ?? 0,
      bid_size: book.bids[i]?.[1] ?? 0,
    });
  }
  const sum = (levels: StreamedBook["asks"]) => levels.reduce((acc, [, q]) => acc + q, 0);
  return {
    type: "orderbook",
    code,
    timestamp: book.time,
    total_ask_size: sum(book.asks),
    total_bid_size: sum(book.bids),
    orderbook_units: units,
    level: 0,
  };
}

/** Upbit's ticker, as the websocket (`type`, `code`) or REST (`market`) sends it. */
function upbitTicker(code: string, t: StreamedTicker, ws: boolean) {
  const prev = t.previousClose ?? 0;
  const rate = prev > 0 ? (t.last - prev) / prev : 0;
  const iso = new Date(t.time).toISOString();
  return {
    ...(ws ? { type: "ticker", code, stream_type: "REALTIME" } : { market: code }),
    trade_date: iso.slice(0, 10).replaceAll("-", ""),
    trade_time: iso.slice(11, 19).replaceAll(":", ""),
    trade_timestamp: t.time,
    opening_price: t.open,
    high_price: t.high,
    low_price: t.low,
    trade_price: t.last,
    prev_closing_price: prev,
    change: rate > 0 ? "RISE" : rate < 0 ? "FALL" : "EVEN",
    change_price: Math.abs(t.last - prev),
    change_rate: Math.abs(rate),
    signed_change_price: t.last - prev,
    signed_change_rate: rate,
    trade_volume: 0,
    acc_trade_price: t.quoteVolume,
    acc_trade_price_24h: t.quoteVolume,
    acc_trade_volume: t.baseVolume ?? 0,
    acc_trade_volume_24h: t.baseVolume ?? 0,
    acc_bid_volume: t.accBid ?? 0,
    acc_ask_volume: t.accAsk ?? 0,
    timestamp: t.time,
  };
}

/** Binance's 24h ticker: the `24hrTicker` stream event, or GET /api/v3/ticker/24hr's row. */
function binanceTicker(symbol: string, t: StreamedTicker, ws: boolean) {
  const prev = t.previousClose ?? t.open;
  const change = t.last - t.open;
  if (!ws) {
    return {
      symbol,
      priceChange: fixed(change),
      priceChangePercent: fixed(t.open > 0 ? (100 * change) / t.open : 0),
      weightedAvgPrice: fixed(t.last),
      prevClosePrice: fixed(prev),
      lastPrice: fixed(t.last),
      openPrice: fixed(t.open),
      highPrice: fixed(t.high),
      lowPrice: fixed(t.low),
      volume: fixed(t.baseVolume ?? 0),
      quoteVolume: fixed(t.quoteVolume),
      openTime: t.time - 86_400_000,
      closeTime: t.time,
      count: 0,
    };
  }
  return {
    e: "24hrTicker",
    E: t.time,
    s: symbol,
    p: fixed(change),
    P: fixed(t.open > 0 ? (100 * change) / t.open : 0),
    w: fixed(t.last),
    x: fixed(prev),
    c: fixed(t.last),
    Q: "0",
    b: "0",
    B: "0",
    a: "0",
    A: "0",
    o: fixed(t.open),
    h: fixed(t.high),
    l: fixed(t.low),
    v: fixed(t.baseVolume ?? 0),
    q: fixed(t.quoteVolume),
    O: t.time - 86_400_000,
    C: t.time,
    F: 0,
    L: 0,
    n: 0,
  };
}

// ---- private endpoints (Upbit, JWT) -----------------------------------------------------------

const UPBIT_PRIVATE = new Set(["/v1/orders", "/v1/order", "/v1/orders/open", "/v1/accounts"]);
/** Upbit KRW market fee, charged in KRW on both sides */
const UPBIT_FEE = 0.0005;

const upbitError = (status: number, name: string, message: string): Reply => ({
  status,
  body: { error: { name, message } },
});

/**
 * Checks ccxt's Upbit JWT: HS256 over {access_key, nonce[, query_hash, query_hash_alg]} with the
 * secret, where query_hash is the SHA512 hex of the unescaped `k=v&...` query (the JSON body's keys,
 * in order, for a POST).
 */
function upbitAuth(account: Account, req: IncomingMessage, query: string): Reply | undefined {
  const m = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(String(req.headers.authorization ?? ""));
  if (!m) return upbitError(401, "jwt_verification", "Jwt 토큰 검증에 실패했습니다.");
  const expected = createHmac("sha256", account.secret).update(`${m[1]}.${m[2]}`).digest();
  const got = Buffer.from(m[3], "base64url");
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
    return upbitError(401, "jwt_verification", "Jwt 토큰 검증에 실패했습니다.");
  }
  let payload: { access_key?: string; nonce?: string; query_hash?: string; query_hash_alg?: string };
  try {
    payload = JSON.parse(Buffer.from(m[2], "base64url").toString("utf8"));
  } catch {
    return upbitError(401, "jwt_verification", "Jwt 토큰 검증에 실패했습니다.");
  }
  if (payload.access_key !== account.apiKey)
    return upbitError(401, "invalid_access_key", "잘못된 엑세스 키입니다.");
  if (!payload.nonce) return upbitError(401, "jwt_verification", "nonce is missing");
  if (query) {
    const hash = createHash("sha512").update(query).digest("hex");
    if (payload.query_hash !== hash || payload.query_hash_alg !== "SHA512") {
      return upbitError(401, "invalid_query_payload", "query_hash does not match the query");
    }
  }
  return undefined;
}

function upbitPrivateRoute(
  account: Account,
  req: IncomingMessage,
  url: URL,
  body: string,
): Reply | undefined {
  if (!UPBIT_PRIVATE.has(url.pathname)) return undefined;
  let q: Record<string, string>;
  let raw: string;
  if (req.method === "POST") {
    let json: Record<string, unknown>;
    try {
      json = body ? JSON.parse(body) : {};
    } catch {
      return upbitError(400, "invalid_parameter", "body is not JSON");
    }
    q = Object.fromEntries(Object.entries(json).map(([k, v]) => [k, String(v)]));
    raw = Object.entries(q)
      .map(([k, v]) => `${k}=${v}`)
      .join("&");
  } else {
    q = Object.fromEntries(url.searchParams);
    raw = [...url.searchParams].map(([k, v]) => `${k}=${v}`).join("&");
  }
  const denied = upbitAuth(account, req, raw);
  if (denied) return denied;
  const key = `${req.method} ${url.pathname}`;
  switch (key) {
    case "POST /v1/orders":
      return upbitCreateOrder(account, q);
    case "GET /v1/order": {
      const o = findUpbitOrder(account, q);
      return o ? { status: 200, body: upbitOrderJson(o, true) } : upbitNotFound();
    }
    case "DELETE /v1/order": {
      const o = findUpbitOrder(account, q);
      if (!o) return upbitNotFound();
      if (o.status !== "NEW")
        return upbitError(400, "order_not_found", "이미 체결되었거나 취소된 주문입니다.");
      o.status = "CANCELED";
      return { status: 200, body: upbitOrderJson(o, false) };
    }
    case "GET /v1/orders/open":
    case "GET /v1/orders": {
      if (key === "GET /v1/orders" && (q.state ?? "wait") !== "wait")
        return upbitError(400, "invalid_parameter", `state: ${q.state}`);
      const open = [...account.orders.values()].filter(
        (o) => o.uuid && o.status === "NEW" && (!q.market || o.symbol === q.market),
      );
      return { status: 200, body: open.map((o) => upbitOrderJson(o, false)) };
    }
    case "GET /v1/accounts":
      return {
        status: 200,
        body: [...account.balances].map(([currency, balance]) => ({
          currency,
          balance: String(balance),
          locked: "0",
          avg_buy_price: "0",
          avg_buy_price_modified: false,
          unit_currency: "KRW",
        })),
      };
  }
  return upbitError(405, "method_not_allowed", `method not allowed: ${key}`);
}

const upbitNotFound = () => upbitError(404, "order_not_found", "주문을 찾지 못했습니다.");

function findUpbitOrder(account: Account, q: Record<string, string>): MockOrder | undefined {
  if (q.identifier) {
    const o = account.orders.get(q.identifier);
    return o?.uuid ? o : undefined;
  }
  for (const o of account.orders.values()) if (o.uuid && o.uuid === q.uuid) return o;
  return undefined;
}

/** Market orders only ("price": buy for that much KRW; "market": sell that volume), filled at the last price. */
function upbitCreateOrder(account: Account, q: Record<string, string>): Reply {
  const [quote, base] = (q.market ?? "").split("-");
  if (!UPBIT_MARKETS.some((m) => m.market === q.market))
    return upbitError(404, "market_does_not_exist", `market: ${q.market}`);
  if (q.side !== "bid" && q.side !== "ask")
    return upbitError(400, "validation_error", "side is missing, side does not have a valid value");
  const identifier = q.identifier ?? `upbit-${account.nextId}`;
  account.orderRequests.set(identifier, (account.orderRequests.get(identifier) ?? 0) + 1);
  if (account.orders.has(identifier))
    return upbitError(400, "duplicate_identifier", `identifier already used: ${identifier}`);
  if (q.ord_type !== (q.side === "bid" ? "price" : "market"))
    return upbitError(400, "invalid_ord_type", `ord_type: ${q.ord_type}`);
  const price = account.prices.get(q.market);
  if (price === undefined) return upbitError(400, "market_offline", "시장이 열려 있지 않습니다.");
  const bal = (a: string) => account.balances.get(a) ?? 0;
  let qty: number;
  let cost: number;
  if (q.side === "bid") {
    cost = Number(q.price);
    if (!(cost > 0)) return upbitError(400, "invalid_funds", `price: ${q.price}`);
    if (bal(quote) < cost * (1 + UPBIT_FEE))
      return upbitError(400, "insufficient_funds_bid", `주문가능한 금액(${quote})이 부족합니다.`);
    // Upbit executes volumes of 8 decimals; the unspent remainder stays in the account
    qty = Number((Math.floor((cost / price) * 1e8 + 1e-6) / 1e8).toFixed(8));
    if (!(qty > 0)) return upbitError(400, "under_min_total_bid", `price: ${q.price}`);
    cost = qty * price;
  } else {
    qty = Number(q.volume);
    if (!(qty > 0)) return upbitError(400, "invalid_volume", `volume: ${q.volume}`);
    if (bal(base) < qty)
      return upbitError(400, "insufficient_funds_ask", `주문가능한 금액(${base})이 부족합니다.`);
    cost = qty * price;
  }
  const fee = cost * UPBIT_FEE;
  if (q.side === "bid") {
    account.balances.set(quote, bal(quote) - cost - fee);
    account.balances.set(base, bal(base) + qty);
  } else {
    account.balances.set(base, bal(base) - qty);
    account.balances.set(quote, bal(quote) + cost - fee);
  }
  const order: MockOrder = {
    orderId: account.nextId++,
    uuid: randomUUID(),
    clientOrderId: identifier,
    symbol: q.market,
    side: q.side === "bid" ? "BUY" : "SELL",
    type: q.ord_type,
    status: "FILLED",
    origQty: qty,
    executedQty: qty,
    price,
    quote: cost,
    funds: q.side === "bid" ? Number(q.price) : undefined,
    fee,
    time: Date.now(),
  };
  account.orders.set(identifier, order);
  // the answer precedes the execution: Upbit reports the order waiting, nothing filled yet
  return {
    status: 201,
    body: {
      ...upbitOrderJson(order, false),
      state: "wait",
      executed_volume: "0",
      paid_fee: "0",
      trades_count: 0,
    },
  };
}

function kst(ms: number): string {
  return `${new Date(ms + 9 * 3_600_000).toISOString().slice(0, 19)}+09:00`;
}

function upbitOrderJson(o: MockOrder, withTrades: boolean) {
  const done = o.status === "FILLED";
  const market = o.type === "price";
  const json: Record<string, unknown> = {
    uuid: o.uuid,
    side: o.side === "BUY" ? "bid" : "ask",
    ord_type: o.type === "LIMIT" ? "limit" : o.type,
    price: market ? String(o.funds) : o.type === "LIMIT" ? String(o.price) : null,
    state: o.status === "NEW" ? "wait" : done ? "done" : "cancel",
    market: o.symbol,
    created_at: kst(o.time),
    volume: market ? null : String(o.origQty),
    remaining_volume: market ? null : String(o.origQty - o.executedQty),
    reserved_fee: String(o.fee ?? 0),
    remaining_fee: "0",
    paid_fee: String(o.fee ?? 0),
    locked: "0",
    executed_volume: String(o.executedQty),
    trades_count: done ? 1 : 0,
    identifier: o.clientOrderId,
  };
  if (withTrades) {
    json.trades = done
      ? [
          {
            market: o.symbol,
            uuid: randomUUID(),
            price: String(o.price),
            volume: String(o.executedQty),
            funds: String(o.quote),
            trend: o.side === "BUY" ? "up" : "down",
            created_at: kst(o.time),
            side: o.side === "BUY" ? "bid" : "ask",
          },
        ]
      : [];
  }
  return json;
}
