import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { Bridge } from "../../src/bridge/bridge.ts";
import { redactSecrets } from "../../src/bridge/redact.ts";
import { REDACT } from "../../src/bridge/server.ts";
import type { BridgeEvent } from "../../src/bridge/types.ts";
import { AmbiguousError } from "../../src/bridge/venue.ts";
import {
  FakeVenue,
  fingerprintOf,
  openBridge,
  SMA_PAPER,
  sineTicks,
  tempDir,
  until,
} from "../support/bridge.ts";

const SIG = "9f3c0de1b2a4c6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5";
const signed = (call: string) =>
  `binance ${call} https://api.binance.com/api/v3/order?symbol=XRPETH&newClientOrderId=stomx&timestamp=1767571200000&recvWindow=5000&signature=${SIG}`;

const bridges: Bridge[] = [];
afterEach(async () => {
  for (const b of bridges.splice(0)) await b.close();
});

describe("redactSecrets", () => {
  it("drops signed query strings, key and secret parameters, bearer tokens and JWTs", () => {
    expect(redactSecrets(`${signed("GET")} request timed out (5000 ms)`)).toBe(
      "binance GET https://api.binance.com/api/v3/order?[signed query redacted] request timed out (5000 ms)",
    );
    expect(redactSecrets(`400 body symbol=XRPETH&timestamp=1&signature=${SIG}`)).not.toContain(SIG);
    expect(redactSecrets('{"apiKey":"AKIA1234","secret":"s3cr3t"}')).toBe(
      '{"apiKey":"[redacted]","secret":"[redacted]"}',
    );
    expect(redactSecrets("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJhIjoiYiJ9.c2ln")).toBe(
      "Authorization: Bearer [redacted]",
    );
    expect(redactSecrets("no secrets in a plain sentence")).toBe("no secrets in a plain sentence");
  });
});

describe("signed URLs in venue errors", () => {
  it("never reach the events, the journal files or the log", async () => {
    const venue = new FakeVenue();
    // every order is taken but its answer is lost, quoting the signed URL; the first two lookups
    // fail the same way, then the venue answers
    venue.onCreate = () => {
      throw new AmbiguousError(`${signed("POST")} request timed out (5000 ms)`);
    };
    venue.onLookup = (_id, attempt) => {
      if (attempt <= 2) throw new Error(`${signed("GET")} 429 Too Many Requests`);
    };
    const dir = tempDir("stom-redact-");
    const bridge = await openBridge(dir, {
      allowLive: true,
      liveCash: 1_000,
      venueFactory: async () => venue,
      resolveDelayMs: 1,
      resolveAttempts: 10,
    });
    bridges.push(bridge);
    const lines: string[] = [];
    const logger = pino({ level: "info", redact: REDACT }, { write: (s: string) => lines.push(s) });
    const events: BridgeEvent[] = [];
    bridge.on((e) => {
      events.push(e);
      // as `stom bridge` logs them
      if (e.type === "risk" || e.type === "audit") logger.info({ event: e }, e.type);
    });
    const fingerprint = await fingerprintOf("sma-cross", SMA_PAPER.params);
    const p = await bridge.promote({ ...SMA_PAPER, mode: "live", fingerprint });
    for (const t of sineTicks(40)) bridge.tick(p.id, t);
    expect(venue.created.length).toBeGreaterThan(0);
    await until(() => bridge.stores.live.openOrders().length === 0, "every order resolved");
    // the faults did happen, with the signed URL in their text
    expect(events.some((e) => e.type === "order" && e.order.state === "UNKNOWN")).toBe(true);
    expect(events.some((e) => e.type === "audit" && /429/.test(e.message))).toBe(true);
    expect(JSON.stringify(events)).not.toContain(SIG);
    expect(lines.join("")).not.toContain(SIG);
    expect(JSON.stringify(bridge.audit())).not.toContain(SIG);
    expect(JSON.stringify(bridge.orders())).not.toContain(SIG);
    await bridge.close();
    bridges.splice(0);
    for (const f of readdirSync(dir)) expect(readFileSync(path.join(dir, f)).includes(SIG)).toBe(false);
  });
});
