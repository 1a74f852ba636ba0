import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { Bridge } from "../../src/bridge/bridge.ts";
import { type BridgeServer, startServer, WS_PROTOCOL_PREFIX } from "../../src/bridge/server.ts";
import { tokenProblem } from "../../src/bridge/token.ts";
import { mulberry32 } from "../../src/engine/optimize/rng.ts";

const TOKEN = "5f0c2a9e8b71d64c3e0a9f12b7d58e46c1a03b9f7e2d6c58";
const MAX_PENDING = 16;
let now = 1_800_000_000_000;
let bridge: Bridge;
let server: BridgeServer;
/** every error that would have killed a standalone bridge (vitest keeps the worker alive) */
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  process.on("uncaughtException", onUncaught);
  const dir = mkdtempSync(path.join(os.tmpdir(), "stom-harden-"));
  bridge = await Bridge.open({ dataDir: dir, feed: false, paper: { cash: 10_000 } });
  server = await startServer(bridge, {
    token: TOKEN,
    port: 0,
    logger: pino({ level: "silent" }),
    maxPendingUpgrades: MAX_PENDING,
    authLimit: { limit: 5, windowMs: 60_000 },
    clock: () => now,
  });
});

afterAll(async () => {
  process.off("uncaughtException", onUncaught);
  await server?.close();
  await bridge?.close();
});

/** Lets the limiter forget every failure so far. */
const forgive = () => {
  now += 120_000;
};

/** A client frame (masked unless told otherwise), as RFC 6455 lays it out. */
function frame(
  opcode: number,
  payload: Buffer,
  { fin = true, rsv = 0, mask = true, length = payload.length } = {},
): Buffer {
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const m = mask ? 0x80 : 0;
  if (length < 126) head.push(m | length);
  else if (length < 65536) head.push(m | 126, length >> 8, length & 255);
  else {
    head.push(m | 127, 0, 0, 0, 0);
    for (let shift = 24; shift >= 0; shift -= 8) head.push((length >>> shift) & 255);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
  return Buffer.concat([Buffer.from(head), key, body]);
}

function upgradeRequest(protocol?: string): string {
  return (
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n` +
    (protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : "") +
    "\r\n"
  );
}

/** A raw TCP socket to the bridge; resolves with what the server sent once it closes (or we do). */
function raw(): { socket: net.Socket; head: Promise<string>; closed: Promise<string> } {
  const socket = net.connect(server.port, "127.0.0.1");
  socket.on("error", () => {});
  let got = "";
  let headDone: (s: string) => void = () => {};
  const head = new Promise<string>((resolve) => {
    headDone = resolve;
  });
  socket.on("data", (d) => {
    got += d.toString("latin1");
    if (got.includes("\r\n\r\n")) headDone(got);
  });
  const closed = new Promise<string>((resolve) =>
    socket.on("close", () => {
      headDone(got);
      resolve(got);
    }),
  );
  return { socket, head, closed };
}

async function health(): Promise<number> {
  return (await fetch(`${server.url}/api/health`)).status;
}

/** Connects a real client with the token; resolves with the type of the first message. */
async function authedHello(): Promise<string> {
  const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws`, [`${WS_PROTOCOL_PREFIX}${TOKEN}`]);
  const type = await new Promise<string>((resolve, reject) => {
    ws.once("message", (d) => resolve(JSON.parse(String(d)).type));
    ws.once("unexpected-response", (_q, r) => reject(new Error(`upgrade refused: ${r.statusCode}`)));
    ws.once("error", reject);
  });
  ws.close();
  return type;
}

describe("startServer under hostile input", () => {
  it("survives an oversized frame, invalid UTF-8 and bad opcodes before and after auth", async () => {
    for (const protocol of [undefined, `${WS_PROTOCOL_PREFIX}${TOKEN}`]) {
      for (const bad of [
        frame(1, Buffer.alloc(5000, 0x61)),
        frame(1, Buffer.from([0xc3, 0x28, 0xff, 0xfe])),
        frame(3, Buffer.from("x")),
        frame(1, Buffer.from("{}"), { rsv: 4 }),
        frame(1, Buffer.from("{}"), { mask: false }),
        frame(2, Buffer.alloc(10), { length: 2 ** 31 }),
      ]) {
        const { socket, head, closed } = raw();
        socket.write(upgradeRequest(protocol));
        expect(await head).toMatch(/^HTTP\/1.1 101/);
        socket.write(bad);
        await closed;
      }
    }
    expect(uncaught).toEqual([]);
    expect(await health()).toBe(200);
  });

  it("survives a reset during a refused upgrade", async () => {
    for (let i = 0; i < 20; i++) {
      const { socket, closed } = raw();
      socket.write(upgradeRequest(`${WS_PROTOCOL_PREFIX}wrong`), () => socket.resetAndDestroy());
      await closed;
      const half = raw();
      // a request cut off mid-header, then reset
      half.socket.write("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConn", () =>
        half.socket.resetAndDestroy(),
      );
      await half.closed;
    }
    forgive();
    expect(uncaught).toEqual([]);
    expect(await health()).toBe(200);
    expect(await authedHello()).toBe("hello");
  });

  it("bounds the upgrades waiting for authentication (503 beyond the bound)", async () => {
    const waiting: ReturnType<typeof raw>[] = [];
    for (let i = 0; i < MAX_PENDING; i++) {
      const r = raw();
      r.socket.write(upgradeRequest());
      expect(await r.head).toMatch(/^HTTP\/1.1 101/);
      waiting.push(r);
    }
    const extra = raw();
    extra.socket.write(upgradeRequest());
    expect(await extra.closed).toMatch(/^HTTP\/1.1 503/);
    // an authenticated client is not pending: it still gets in
    expect(await authedHello()).toBe("hello");
    for (const r of waiting) r.socket.destroy();
    await Promise.all(waiting.map((r) => r.closed));
    const again = raw();
    again.socket.write(upgradeRequest());
    expect(await again.head).toMatch(/^HTTP\/1.1 101/);
    again.socket.destroy();
  });

  it("answers 429 after repeated failed authentications, for HTTP and WebSocket, until the window passes", async () => {
    forgive();
    const get = (t: string) =>
      fetch(`${server.url}/api/orders`, { headers: { Authorization: `Bearer ${t}` } }).then((r) => r.status);
    for (let i = 0; i < 5; i++) expect(await get(`wrong-${i}`)).toBe(401);
    expect(await get("wrong-again")).toBe(429);
    // blocked means blocked: the right token does not tell a guesser it was right
    expect(await get(TOKEN)).toBe(429);
    const ws = raw();
    ws.socket.write(upgradeRequest(`${WS_PROTOCOL_PREFIX}${TOKEN}`));
    expect(await ws.closed).toMatch(/^HTTP\/1.1 429/);
    expect(await health()).toBe(200);
    now += 61_000;
    expect(await get(TOKEN)).toBe(200);
    // WebSocket failures count too
    for (let i = 0; i < 5; i++) {
      const r = raw();
      r.socket.write(upgradeRequest(`${WS_PROTOCOL_PREFIX}nope-${i}`));
      expect(await r.closed).toMatch(/^HTTP\/1.1 401/);
    }
    expect(await get(TOKEN)).toBe(429);
    forgive();
    expect(await get(TOKEN)).toBe(200);
  });

  it("keeps serving after 10,000 seeded random frames and HTTP requests", { timeout: 300_000 }, async () => {
    const random = mulberry32(12);
    const int = (n: number) => Math.floor(random() * n);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
    const counts = { frames: 0, requests: 0, statuses: new Map<string, number>() };
    const count = (answer: string) => {
      const status = /^HTTP\/1.1 (\d+)/.exec(answer)?.[1] ?? "none";
      counts.statuses.set(status, (counts.statuses.get(status) ?? 0) + 1);
    };

    const routes = ["/api/health", "/api/orders", "/api/promotions", "/api/kill", "/api/audit", "/ws", "/x"];
    const methods = ["GET", "POST", "DELETE", "PUT", "OPTIONS", "PATCH", "G\u00e9T", ""];
    function request(): Buffer {
      switch (int(6)) {
        case 0:
          return bytes(1 + int(300));
        case 1:
          // a header far over the limit
          return Buffer.from(
            `GET /api/health HTTP/1.1\r\nHost: x\r\nX-A: ${"a".repeat(20_000 + int(50_000))}\r\n\r\n`,
          );
        case 2:
          // a body shorter than its Content-Length, then our side closes
          return Buffer.from(
            `POST /api/promotions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
              `Authorization: Bearer ${TOKEN}\r\nContent-Length: ${100 + int(100_000)}\r\n\r\n{"strategy":`,
          );
        default: {
          const body =
            int(3) === 0
              ? bytes(int(200))
              : Buffer.from(JSON.stringify({ flatten: int(2) === 0, x: int(9) }));
          const token = int(4) === 0 ? TOKEN : bytes(8).toString("hex");
          const route =
            pick(routes) + (int(3) === 0 ? `?limit=${int(1e6) - 10}&before=${bytes(3).toString("hex")}` : "");
          // POST /api/kill with the token would switch trading off for the rest of the file
          const method = route.startsWith("/api/kill") && token === TOKEN ? "GET" : pick(methods);
          return Buffer.concat([
            Buffer.from(
              `${method} ${route} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
                `Authorization: Bearer ${token}\r\nContent-Type: ${pick(["application/json", "text/plain", "x/\u0000"])}\r\n` +
                `Content-Length: ${body.length + (int(8) === 0 ? 5 : 0)}\r\n\r\n`,
              "latin1",
            ),
            body,
          ]);
        }
      }
    }

    function wsFrame(): { bytes: Buffer; fatal: boolean } {
      const payload = bytes(int(64));
      switch (int(12)) {
        case 0:
          return { bytes: frame(1, Buffer.alloc(4097 + int(10_000), 0x7b)), fatal: true };
        case 1:
          return { bytes: frame(1, Buffer.from([0xed, 0xa0, 0x80, ...payload])), fatal: true };
        case 2:
          return { bytes: frame(3 + int(5), payload), fatal: true };
        case 3:
          return { bytes: frame(1, payload, { rsv: 1 + int(7) }), fatal: true };
        case 4:
          return { bytes: frame(2, payload, { mask: false }), fatal: true };
        case 5:
          return { bytes: frame(0, payload), fatal: true };
        case 6:
          return { bytes: frame(9, payload.subarray(0, 20)), fatal: false };
        case 7:
          return { bytes: bytes(1 + int(40)), fatal: true };
        case 8:
          return { bytes: frame(2, payload), fatal: false };
        default:
          return {
            bytes: frame(
              1,
              Buffer.from(JSON.stringify({ type: pick(["auth", "x"]), token: bytes(4).toString("hex") })),
            ),
            fatal: false,
          };
      }
    }

    async function fuzzHttp(n: number): Promise<void> {
      for (let i = 0; i < n; i++) {
        const { socket, closed } = raw();
        counts.requests++;
        socket.end(request());
        count(await closed);
      }
    }

    async function fuzzWs(frames: number): Promise<void> {
      let left = frames;
      while (left > 0) {
        if (int(10) === 0) now += 61_000;
        const { socket, head, closed } = raw();
        socket.write(upgradeRequest(int(2) ? `${WS_PROTOCOL_PREFIX}${TOKEN}` : undefined));
        const answer = await head;
        count(answer);
        if (!answer.startsWith("HTTP/1.1 101")) {
          await closed;
          continue;
        }
        const chunk: Buffer[] = [];
        for (let k = 1 + int(20); k > 0 && left > 0; k--) {
          const f = wsFrame();
          chunk.push(f.bytes);
          left--;
          counts.frames++;
          if (f.fatal) break;
        }
        socket.end(Buffer.concat(chunk));
        await closed;
      }
    }

    // 8 lanes of each kind: concurrent enough to interleave, bounded enough for the pending limit
    await Promise.all([
      ...Array.from({ length: 8 }, () => fuzzHttp(5_000 / 8)),
      ...Array.from({ length: 8 }, () => fuzzWs(5_000 / 8)),
    ]);
    expect(counts.requests).toBe(5_000);
    expect(counts.frames).toBe(5_000);
    expect(uncaught).toEqual([]);
    expect(await health()).toBe(200);
    forgive();
    expect(await authedHello()).toBe("hello");
    const orders = await fetch(`${server.url}/api/orders`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(orders.status).toBe(200);
    console.log("fuzz answers by status:", Object.fromEntries(counts.statuses));
  });
});

describe("tokenProblem", () => {
  it("refuses short, repeated, sequential and low-entropy tokens, with how to make one", () => {
    for (const weak of [
      "short",
      "a".repeat(64),
      `${"t".repeat(20)}0123456789abcdef`,
      "cli-token-0123456789abcdefghijklmnopq",
      "passwordpasswordpasswordpassword",
      "ab".repeat(20),
    ]) {
      expect(tokenProblem(weak)).toMatch(/openssl rand -hex 32/);
    }
    expect(tokenProblem(TOKEN)).toBeUndefined();
    // 1,000 random tokens of 64 hex characters all pass
    const random = mulberry32(7);
    for (let i = 0; i < 1_000; i++) {
      const t = Array.from({ length: 64 }, () => "0123456789abcdef"[Math.floor(random() * 16)]).join("");
      expect(tokenProblem(t)).toBeUndefined();
    }
  });

  it("startServer refuses a weak token", async () => {
    await expect(startServer(bridge, { token: "x".repeat(40), port: 0 })).rejects.toThrow(/too weak/);
  });
});
