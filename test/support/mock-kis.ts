/**
 * A mock KIS Developers server on 127.0.0.1 (REST + WebSocket), shaped after KIS's published samples
 * (koreainvestment/open-trading-api) and backed by the real Samsung Electronics minute bars of
 * 2019-09-20 (/work/shared/data/krx/creon_1m_20190920/005930.csv) for prices and the minute chart.
 *
 *   const kis = await startMockKis({ tokenTtlS: 2, rate: 10 });
 *   kis.url / kis.wsUrl; kis.streamTrade("005930", {time, price, volume}); kis.inject({kind: "timeout", path: "/uapi/.../order-cash"});
 *
 * REST: POST /oauth2/tokenP, /oauth2/Approval; GET inquire-price, inquire-daily-ccld (15 rows a page,
 * tr_cont M), inquire-time-itemchartprice (30 bars, newest first); POST order-cash (market orders fill
 * at once at the last streamed price), order-rvsecncl. Every /uapi call checks the token (expired:
 * EGW00123), appkey/appsecret, custtype P and the tr_id of the mock host (V...), and a per-second
 * limit (over: HTTP 500 EGW00201). Faults: "busy" (EGW00201), "timeout" (acts, never answers).
 * WebSocket /tryitout: H0STCNT0 trades (plain), H0STCNI9 fill notices (AES-256-CBC, key/iv in the
 * subscription answer), PINGPONG.
 */
import { createCipheriv, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { NOTICE_COLUMNS, TRADE_COLUMNS, utcToKst } from "../../src/bridge/kis/messages.ts";
import { SHARED_URL } from "./paths.ts";

export const KRX_DATA = new URL("krx/creon_1m_20190920/", SHARED_URL);

export interface CsvBar {
  /** UTC ms of the bar START (the file labels bars by their end) */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The real 1-minute bars of a code on 2019-09-20 (390 rows; 15:21-15:29 are filler rows). */
export function loadKrxBars(code = "005930"): CsvBar[] {
  const lines = readFileSync(new URL(`${code}.csv`, KRX_DATA), "utf8")
    .trim()
    .split("\n")
    .slice(1);
  return lines.map((line) => {
    const [, datetime, open, high, low, close, volume] = line.split(",");
    return {
      time: Date.parse(datetime.replace(/(\+\d\d)(\d\d)$/, "$1:$2")) - 60_000,
      open: +open,
      high: +high,
      low: +low,
      close: +close,
      volume: +volume,
    };
  });
}

export interface MockKisOrder {
  odno: string;
  orgno: string;
  ordDt: string;
  ordTmd: string;
  pdno: string;
  side: "buy" | "sell";
  qty: number;
  filled: number;
  avg: number;
  canceled: boolean;
}

export interface MockKisRequest {
  at: number;
  method: string;
  path: string;
  trId: string;
  status: number;
}

export type MockKisFault =
  | { kind: "busy"; path: string; times?: number }
  | { kind: "timeout"; path: string; times?: number };

export interface MockKis {
  url: string;
  wsUrl: string;
  appKey: string;
  appSecret: string;
  account: string;
  htsId: string;
  requests: MockKisRequest[];
  tokenRequests: number;
  orders: MockKisOrder[];
  holdings: Map<string, number>;
  /** the AES key and iv of the notice stream */
  readonly aes: { key: string; iv: string };
  /** the clock the venue stamps orders with (UTC ms) */
  now: () => number;
  price: number;
  inject(fault: MockKisFault): void;
  streamTrade(code: string, trade: { time: number; price: number; volume: number }): void;
  /** an order placed outside the bridge (HTS), open */
  placeForeign(pdno: string, side: "buy" | "sell", qty: number): MockKisOrder;
  sockets(): number;
  dropWebsockets(): void;
  close(): Promise<void>;
}

const KST = 9 * 3_600_000;

export async function startMockKis({
  port = 0,
  tokenTtlS = 86_400,
  rate = 2,
  appKey = "mock-app-key",
  appSecret = "mock-app-secret",
  account = "50012345-01",
  htsId = "mockhts",
  now = () => Date.now(),
  price = 49_400,
  basePrice = 49_400,
}: {
  port?: number;
  tokenTtlS?: number;
  rate?: number;
  appKey?: string;
  appSecret?: string;
  account?: string;
  htsId?: string;
  now?: () => number;
  price?: number;
  basePrice?: number;
} = {}): Promise<MockKis> {
  // read on first use, so the mock serves tokens, orders and the feed without ../shared/data
  let barsRead: CsvBar[] | undefined;
  const bars = () => (barsRead ??= loadKrxBars("005930"));
  const tokens = new Map<string, number>();
  const faults: (MockKisFault & { left: number })[] = [];
  const held = new Set<Socket>();
  const aes = { key: randomBytes(16).toString("hex"), iv: randomBytes(8).toString("hex") };
  const tradeSubs = new Map<WebSocket, Set<string>>();
  const noticeSubs = new Set<WebSocket>();
  let seq = 0;
  const window: number[] = [];

  const kis: MockKis = {
    url: "",
    wsUrl: "",
    appKey,
    appSecret,
    account,
    htsId,
    requests: [],
    tokenRequests: 0,
    orders: [],
    holdings: new Map(),
    aes,
    now,
    price,
    inject(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    streamTrade(code, t) {
      prices.set(code, t.price);
      if (code === "005930") kis.price = t.price;
      const { date, time } = utcToKst(t.time);
      cum += t.volume;
      const f: string[] = new Array(TRADE_COLUMNS.length).fill("0");
      f[0] = code;
      f[1] = time;
      f[2] = String(t.price);
      f[12] = String(t.volume);
      f[13] = String(cum);
      f[33] = date;
      const frame = `0|H0STCNT0|001|${f.join("^")}`;
      for (const [ws, codes] of tradeSubs) if (codes.has(code)) ws.send(frame);
    },
    placeForeign(pdno, side, qty) {
      const o = newOrder(pdno, side, qty);
      return o;
    },
    sockets: () => wss.clients.size,
    dropWebsockets() {
      for (const ws of wss.clients) ws.terminate();
    },
    async close() {
      for (const s of held) s.destroy();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  let cum = 0;
  const prices = new Map<string, number>();
  const priceOf = (code: string) => (code === "005930" ? kis.price : (prices.get(code) ?? kis.price));

  const newOrder = (pdno: string, side: "buy" | "sell", qty: number): MockKisOrder => {
    const { date, time } = utcToKst(kis.now());
    const o: MockKisOrder = {
      odno: String(++seq + 1000).padStart(10, "0"),
      orgno: "91252",
      ordDt: date,
      ordTmd: time,
      pdno,
      side,
      qty,
      filled: 0,
      avg: 0,
      canceled: false,
    };
    kis.orders.push(o);
    return o;
  };

  const notice = (o: MockKisOrder, qty: number, px: number) => {
    const f: string[] = new Array(NOTICE_COLUMNS.length).fill("");
    f[0] = htsId;
    f[1] = account.replace("-", "");
    f[2] = o.odno;
    f[3] = String(o.qty);
    f[4] = o.side === "sell" ? "01" : "02";
    f[5] = "0";
    f[6] = "01";
    f[7] = "0";
    f[8] = o.pdno;
    f[9] = String(qty);
    f[10] = String(px);
    f[11] = utcToKst(kis.now()).time;
    f[12] = "N";
    f[13] = "2";
    f[14] = "Y";
    const cipher = createCipheriv("aes-256-cbc", Buffer.from(aes.key), Buffer.from(aes.iv));
    const body = Buffer.concat([cipher.update(f.join("^"), "utf8"), cipher.final()]).toString("base64");
    for (const ws of noticeSubs) ws.send(`1|H0STCNI9|001|${body}`);
  };

  const fillMarket = (o: MockKisOrder) => {
    const have = kis.holdings.get(o.pdno) ?? 0;
    kis.holdings.set(o.pdno, have + (o.side === "buy" ? o.qty : -o.qty));
    o.filled = o.qty;
    o.avg = priceOf(o.pdno);
    notice(o, o.qty, o.avg);
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, code: string, msg: string) =>
    send(res, status, { rt_cd: "1", msg_cd: code, msg1: msg });

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    const trId = String(req.headers.tr_id ?? "");
    const record = (status: number) =>
      kis.requests.push({ at: Date.now(), method: req.method ?? "", path: url.pathname, trId, status });
    try {
      handle(req, res, url, raw, trId, record);
    } catch (error) {
      record(500);
      fail(res, 500, "MOCK500", (error as Error).message);
    }
  });
  server.on("connection", (s) => {
    held.add(s);
    s.on("close", () => held.delete(s));
  });

  function handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    raw: string,
    trId: string,
    record: (status: number) => void,
  ) {
    const path = url.pathname;
    if (req.method === "POST" && path === "/oauth2/tokenP") {
      kis.tokenRequests++;
      const b = JSON.parse(raw);
      if (b.grant_type !== "client_credentials" || b.appkey !== appKey || b.appsecret !== appSecret) {
        record(403);
        return send(res, 403, { error_code: "EGW00103", error_description: "유효하지 않은 AppKey입니다." });
      }
      const token = `mock-token-${kis.tokenRequests}-${randomBytes(6).toString("hex")}`;
      tokens.set(token, Date.now() + tokenTtlS * 1000);
      record(200);
      return send(res, 200, { access_token: token, token_type: "Bearer", expires_in: tokenTtlS });
    }
    if (req.method === "POST" && path === "/oauth2/Approval") {
      const b = JSON.parse(raw);
      if (b.appkey !== appKey || b.secretkey !== appSecret) {
        record(403);
        return send(res, 403, { error_code: "EGW00103", error_description: "bad key" });
      }
      record(200);
      return send(res, 200, { approval_key: `approval-${randomBytes(8).toString("hex")}` });
    }
    if (!path.startsWith("/uapi/")) {
      record(404);
      return fail(res, 404, "NOTFOUND", path);
    }
    const token = String(req.headers.authorization ?? "").replace(/^Bearer /, "");
    const exp = tokens.get(token);
    if (exp === undefined || exp <= Date.now()) {
      record(500);
      return fail(res, 500, "EGW00123", "기간이 만료된 token 입니다.");
    }
    if (
      req.headers.appkey !== appKey ||
      req.headers.appsecret !== appSecret ||
      req.headers.custtype !== "P"
    ) {
      record(403);
      return fail(res, 403, "EGW00105", "bad appkey, appsecret or custtype");
    }
    const t = Date.now();
    while (window.length && window[0] <= t - 1000) window.shift();
    const fault = faults.find((f) => f.left > 0 && path.endsWith(f.path));
    if (window.length >= rate || fault?.kind === "busy") {
      if (fault?.kind === "busy") fault.left--;
      record(500);
      return fail(res, 500, "EGW00201", "초당 거래건수를 초과하였습니다.");
    }
    window.push(t);
    const q = url.searchParams;
    const body = req.method === "POST" ? JSON.parse(raw) : {};
    const [cano, prod] = account.split("-");
    const acctOk = (b: Record<string, string>) => b.CANO === cano && b.ACNT_PRDT_CD === prod;
    let answer: { status: number; body: unknown; headers?: Record<string, string> };
    if (path.endsWith("/trading/order-cash")) {
      const side = trId === "VTTC0012U" ? "buy" : trId === "VTTC0011U" ? "sell" : undefined;
      if (!side || !acctOk(body)) {
        answer = {
          status: 500,
          body: { rt_cd: "1", msg_cd: "APBK0919", msg1: `bad tr_id ${trId} or account` },
        };
      } else if (body.ORD_DVSN !== "01" || !/^\d+$/.test(body.ORD_QTY) || body.ORD_UNPR !== "0") {
        answer = { status: 200, body: { rt_cd: "1", msg_cd: "APBK0500", msg1: "bad order fields" } };
      } else if (side === "sell" && (kis.holdings.get(body.PDNO) ?? 0) < Number(body.ORD_QTY)) {
        answer = {
          status: 200,
          body: { rt_cd: "1", msg_cd: "APBK0400", msg1: "주문 가능한 수량을 초과했습니다." },
        };
      } else {
        const o = newOrder(body.PDNO, side, Number(body.ORD_QTY));
        fillMarket(o);
        answer = {
          status: 200,
          body: {
            rt_cd: "0",
            msg_cd: "APBK0013",
            msg1: "주문 전송 완료 되었습니다.",
            output: { KRX_FWDG_ORD_ORGNO: o.orgno, ODNO: o.odno, ORD_TMD: o.ordTmd },
          },
        };
      }
    } else if (path.endsWith("/trading/order-rvsecncl")) {
      const o = kis.orders.find((x) => x.odno === body.ORGN_ODNO);
      if (trId !== "VTTC0013U" || !acctOk(body) || body.RVSE_CNCL_DVSN_CD !== "02") {
        answer = { status: 500, body: { rt_cd: "1", msg_cd: "APBK0919", msg1: "bad cancel" } };
      } else if (!o || o.filled >= o.qty || o.canceled) {
        answer = {
          status: 200,
          body: { rt_cd: "1", msg_cd: "APBK0918", msg1: "정정/취소할 수량이 없습니다." },
        };
      } else {
        o.canceled = true;
        answer = {
          status: 200,
          body: {
            rt_cd: "0",
            msg_cd: "APBK0013",
            msg1: "ok",
            output: { ODNO: String(++seq + 1000).padStart(10, "0") },
          },
        };
      }
    } else if (path.endsWith("/trading/inquire-daily-ccld")) {
      if (trId !== "VTTC0081R" || q.get("CANO") !== cano) {
        answer = { status: 500, body: { rt_cd: "1", msg_cd: "OPSQ0001", msg1: "bad inquiry" } };
      } else {
        const from = q.get("INQR_STRT_DT") ?? "";
        const to = q.get("INQR_END_DT") ?? "";
        const pdno = q.get("PDNO") ?? "";
        const open = q.get("CCLD_DVSN") === "02";
        const rows = kis.orders
          .filter((o) => o.ordDt >= from && o.ordDt <= to && (!pdno || o.pdno === pdno))
          .filter((o) => !open || (o.filled < o.qty && !o.canceled))
          .map((o) => ({
            ord_dt: o.ordDt,
            ord_gno_brno: o.orgno,
            odno: o.odno,
            orgn_odno: "",
            sll_buy_dvsn_cd: o.side === "sell" ? "01" : "02",
            pdno: o.pdno,
            ord_qty: String(o.qty),
            ord_unpr: "0",
            ord_tmd: o.ordTmd,
            tot_ccld_qty: String(o.filled),
            avg_prvs: String(o.avg),
            cncl_yn: o.canceled ? "Y" : "N",
            tot_ccld_amt: String(o.filled * o.avg),
            rmn_qty: String(o.canceled ? 0 : o.qty - o.filled),
            rjct_qty: "0",
            ord_dvsn_cd: "01",
          }));
        const offset = Number(q.get("CTX_AREA_NK100") || 0);
        const page = rows.slice(offset, offset + 15);
        const more = offset + 15 < rows.length;
        answer = {
          status: 200,
          headers: { tr_cont: more ? "M" : "D" },
          body: {
            rt_cd: "0",
            msg_cd: "MCA00000",
            msg1: "조회가 완료되었습니다.",
            ctx_area_fk100: "",
            ctx_area_nk100: more ? String(offset + 15) : "",
            output1: page,
            output2: { tot_ord_qty: "0" },
          },
        };
      }
    } else if (path.endsWith("/quotations/inquire-price")) {
      const up = Math.floor((basePrice * 1.3) / 50) * 50;
      const down = Math.ceil((basePrice * 0.7) / 50) * 50;
      answer = {
        status: 200,
        body: {
          rt_cd: "0",
          msg_cd: "MCA00000",
          msg1: "ok",
          output: {
            stck_prpr: String(kis.price),
            stck_sdpr: String(basePrice),
            stck_mxpr: String(up),
            stck_llam: String(down),
          },
        },
      };
    } else if (path.endsWith("/quotations/inquire-time-itemchartprice")) {
      const hour = q.get("FID_INPUT_HOUR_1") ?? "153000";
      if (trId !== "FHKST03010200" || q.get("FID_INPUT_ISCD") !== "005930" || !/^\d{6}$/.test(hour)) {
        answer = { status: 200, body: { rt_cd: "1", msg_cd: "OPSQ0002", msg1: "bad chart query" } };
      } else {
        // bars labelled by their minute (HHMM00 = start), at or before the asked time, newest first
        const label = (b: CsvBar) => utcToKst(b.time).time;
        const upto = bars()
          .filter((b) => label(b) <= hour)
          .reverse()
          .slice(0, 30);
        answer = {
          status: 200,
          body: {
            rt_cd: "0",
            msg_cd: "MCA00000",
            msg1: "ok",
            output1: { hts_kor_isnm: "삼성전자", stck_prpr: String(bars().at(-1)?.close) },
            output2: upto.map((b) => ({
              stck_bsop_date: utcToKst(b.time).date,
              stck_cntg_hour: label(b),
              stck_prpr: String(b.close),
              stck_oprc: String(b.open),
              stck_hgpr: String(b.high),
              stck_lwpr: String(b.low),
              cntg_vol: String(b.volume),
              acml_tr_pbmn: "0",
            })),
          },
        };
      }
    } else {
      answer = { status: 404, body: { rt_cd: "1", msg_cd: "NOTFOUND", msg1: path } };
    }
    if (fault?.kind === "timeout") {
      // the venue acted on the request; the answer never comes
      fault.left--;
      record(0);
      return;
    }
    record(answer.status);
    send(res, answer.status, answer.body, answer.headers);
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    if (!req.url?.startsWith("/tryitout")) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  wss.on("connection", (ws) => {
    tradeSubs.set(ws, new Set());
    ws.on("close", () => {
      tradeSubs.delete(ws);
      noticeSubs.delete(ws);
    });
    ws.on("message", (data) => {
      const raw = String(data);
      let msg: { header?: Record<string, string>; body?: { input?: { tr_id?: string; tr_key?: string } } };
      try {
        msg = JSON.parse(raw);
      } catch {
        return;
      }
      if (msg.header?.tr_id === "PINGPONG") return;
      const trIdIn = msg.body?.input?.tr_id ?? "";
      const key = msg.body?.input?.tr_key ?? "";
      const reply = (rt: string, text: string, output?: unknown) =>
        ws.send(
          JSON.stringify({
            header: { tr_id: trIdIn, tr_key: key, encrypt: trIdIn === "H0STCNI9" ? "Y" : "N" },
            body: {
              rt_cd: rt,
              msg_cd: rt === "0" ? "OPSP0000" : "OPSP0011",
              msg1: text,
              ...(output ? { output } : {}),
            },
          }),
        );
      if (!msg.header?.approval_key?.startsWith("approval-") || msg.header.custtype !== "P") {
        return reply("1", "invalid approval : NOT FOUND");
      }
      const on = msg.header.tr_type === "1";
      if (trIdIn === "H0STCNT0") {
        if (on) tradeSubs.get(ws)?.add(key);
        else tradeSubs.get(ws)?.delete(key);
        return reply("0", on ? "SUBSCRIBE SUCCESS" : "UNSUBSCRIBE SUCCESS", { iv: aes.iv, key: aes.key });
      }
      if (trIdIn === "H0STCNI9" && key === htsId) {
        if (on) noticeSubs.add(ws);
        else noticeSubs.delete(ws);
        return reply("0", "SUBSCRIBE SUCCESS", { iv: aes.iv, key: aes.key });
      }
      reply("1", `invalid tr_id ${trIdIn} or tr_key`);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  const { port: p } = server.address() as AddressInfo;
  kis.url = `http://127.0.0.1:${p}`;
  kis.wsUrl = `ws://127.0.0.1:${p}`;
  void KST;
  return kis;
}
