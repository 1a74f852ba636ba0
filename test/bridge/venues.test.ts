import { readFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import type { Bridge, BridgeOptions } from "../../src/bridge/bridge.ts";
import { exchangeHelp, quoteOf, sessionDay, VENUES, venueTable } from "../../src/bridge/venue-registry.ts";
import { registerPromoteCommand } from "../../src/cli/promote.ts";
import { type Client, openBridge, SMA_PAPER, serve, T0, tempDir } from "../support/bridge.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const open: { bridge: Bridge; client: Client }[] = [];
afterEach(async () => {
  for (const { bridge, client } of open.splice(0)) {
    await client.server.close();
    await bridge.close();
  }
});

async function start(extra: Partial<BridgeOptions> = {}) {
  const bridge = await openBridge(tempDir("stom-venues-"), extra);
  const client = await serve(bridge);
  open.push({ bridge, client });
  return client;
}

describe("the venue registry", () => {
  it("lists binance, upbit and kis with their quote currency and session day", () => {
    expect(VENUES.map((v) => v.id)).toEqual(["binance", "upbit", "kis"]);
    expect(quoteOf("binance", "XRP/ETH")).toBe("ETH");
    expect(quoteOf("upbit", "KRW-BTC")).toBe("KRW");
    expect(quoteOf("upbit", "BTC/KRW")).toBe("KRW");
    expect(quoteOf("kis", "005930")).toBe("KRW");
    // 15:00 UTC is midnight in Seoul
    expect(sessionDay("binance", T0 + 15 * 3_600_000)).toBe("2026-01-05");
    expect(sessionDay("upbit", T0 + 15 * 3_600_000)).toBe("2026-01-06");
  });

  it("generates the HTTP schema: kis is accepted, a venue's timeframes are checked", async () => {
    const client = await start();
    const kis = await client.json<{ exchange: string }>("POST", "/api/promotions", {
      ...SMA_PAPER,
      exchange: "kis",
      symbol: "005930",
    });
    expect(kis.status).toBe(201);
    expect(kis.body.exchange).toBe("kis");
    const kraken = await client.json<{ error: string }>("POST", "/api/promotions", {
      ...SMA_PAPER,
      exchange: "kraken",
    });
    expect(kraken.status).toBe(400);
    expect(kraken.body.error).toMatch(/^exchange: .*binance.*upbit.*kis/);
    const tf = await client.json<{ error: string }>("POST", "/api/promotions", {
      ...SMA_PAPER,
      exchange: "upbit",
      symbol: "KRW-BTC",
      timeframe: "2h",
    });
    expect(tf.status).toBe(400);
    expect(tf.body.error).toBe("timeframe: 2h is not one of upbit's: 1m, 3m, 5m, 10m, 15m, 30m, 1h, 4h, 1d");
    const sym = await client.json<{ error: string }>("POST", "/api/promotions", {
      ...SMA_PAPER,
      symbol: "XRP ETH;",
    });
    expect(sym.status).toBe(400);
    expect(sym.body.error).toMatch(/^symbol:/);
  });

  it("a kis promotion without KIS keys answers 502 naming the venue, not 500", async () => {
    const client = await start({ feed: true });
    const res = await client.json<{ error: string }>("POST", "/api/promotions", {
      ...SMA_PAPER,
      exchange: "kis",
      symbol: "005930",
    });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatch(/^kis connect failed: kis credentials missing/);
    expect((await client.json<unknown[]>("GET", "/api/promotions")).body).toEqual([]);
  });

  it("generates the CLI help for --exchange and the table in docs/bridge.md", () => {
    const program = new Command();
    registerPromoteCommand(program);
    const help = program.commands.find((c) => c.name() === "promote")?.helpInformation() ?? "";
    expect(help.replace(/\s+/g, " ")).toContain(exchangeHelp());
    const docs = readFileSync(path.join(ROOT, "docs/bridge.md"), "utf8");
    // a stale table: paste venueTable()'s output into docs/bridge.md under "Venues"
    expect(docs).toContain(venueTable());
  });
});
