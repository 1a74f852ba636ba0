import { createCipheriv } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  KisClient,
  type KisNotice,
  KisRealtime,
  kisDecrypt,
  kstToUtc,
  PATHS,
  parseAccount,
} from "../../src/bridge/kis/index.ts";
import { checkKrxOrder, krxPhase, krxPriceLimits } from "../../src/bridge/krx-rules.ts";
import { AmbiguousError } from "../../src/bridge/venue.ts";
import { loadKrxBars, type MockKis, startMockKis } from "../support/mock-kis.ts";
import { needShared } from "../support/paths.ts";

const { missing } = needShared("krx/creon_1m_20190920/005930.csv");
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  mock: Parameters<typeof startMockKis>[0] = {},
  client: ConstructorParameters<typeof KisClient>[1] = {},
) {
  const kis = await startMockKis(mock);
  cleanups.push(() => kis.close());
  const c = new KisClient(creds(kis), {
    baseUrl: kis.url,
    wsUrl: kis.wsUrl,
    rate: 50,
    busyDelayMs: 50,
    ...client,
  });
  return { kis, client: c };
}

const creds = (kis: MockKis) => ({
  appKey: kis.appKey,
  appSecret: kis.appSecret,
  account: parseAccount(kis.account),
  htsId: kis.htsId,
});

const price = (c: KisClient) =>
  c.get(PATHS.price, "FHKST01010100", { FID_COND_MRKT_DIV_CODE: "J", FID_INPUT_ISCD: "005930" });

describe("KisClient", () => {
  it("requests one token for many calls", async () => {
    const { kis, client } = await setup({ rate: 100 });
    for (let i = 0; i < 12; i++) await price(client);
    expect(kis.tokenRequests).toBe(1);
    expect(kis.requests.filter((r) => r.path.startsWith("/uapi")).every((r) => r.status === 200)).toBe(true);
  });

  it("renews the token once it expires", async () => {
    const { kis, client } = await setup({ rate: 100, tokenTtlS: 1 }, { tokenMarginMs: 100 });
    await price(client);
    await new Promise((r) => setTimeout(r, 1_000));
    await price(client);
    expect(kis.tokenRequests).toBe(2);
    expect(kis.requests.filter((r) => r.status === 500)).toHaveLength(0);
  });

  it("spaces requests under the rate limit", async () => {
    const { kis, client } = await setup({ rate: 10 }, { rate: 10 });
    await Promise.all(Array.from({ length: 12 }, () => price(client)));
    const uapi = kis.requests.filter((r) => r.path.startsWith("/uapi"));
    expect(uapi).toHaveLength(12);
    expect(uapi.every((r) => r.status === 200)).toBe(true);
    for (let i = 1; i < client.sent.length; i++)
      expect(client.sent[i] - client.sent[i - 1]).toBeGreaterThanOrEqual(99);
    // no one-second window at the server holds more than 10
    for (const r of uapi)
      expect(uapi.filter((x) => x.at >= r.at && x.at < r.at + 1000).length).toBeLessThanOrEqual(10);
  });

  it("waits out EGW00201 on reads with a growing delay", async () => {
    const { kis, client } = await setup({ rate: 100 }, { busyDelayMs: 100 });
    kis.inject({ kind: "busy", path: "/quotations/inquire-price", times: 2 });
    const t0 = Date.now();
    const body = await price(client);
    expect((body.output as Record<string, string>).stck_sdpr).toBe("49400");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(kis.requests.filter((r) => r.path.endsWith("inquire-price")).map((r) => r.status)).toEqual([
      500, 500, 200,
    ]);
  });

  it("never retries an order POST (EGW00201 or timeout is ambiguous)", async () => {
    const { kis, client } = await setup({ rate: 100 }, { timeout: 300 });
    kis.inject({ kind: "busy", path: "/trading/order-cash" });
    const order = {
      CANO: "50012345",
      ACNT_PRDT_CD: "01",
      PDNO: "005930",
      ORD_DVSN: "01",
      ORD_QTY: "1",
      ORD_UNPR: "0",
      EXCG_ID_DVSN_CD: "KRX",
    };
    await expect(client.order(PATHS.order, "VTTC0012U", order)).rejects.toBeInstanceOf(AmbiguousError);
    expect(kis.requests.filter((r) => r.path.endsWith("order-cash"))).toHaveLength(1);
    expect(kis.orders).toHaveLength(0);
    kis.inject({ kind: "timeout", path: "/trading/order-cash" });
    await expect(client.order(PATHS.order, "VTTC0012U", order)).rejects.toBeInstanceOf(AmbiguousError);
    expect(kis.requests.filter((r) => r.path.endsWith("order-cash"))).toHaveLength(2);
    // the venue did take the timed-out order
    expect(kis.orders).toHaveLength(1);
  });
});

describe("kis realtime", () => {
  it("decrypts AES-256-CBC notices with the key and iv of the subscription", () => {
    const key = "0123456789abcdef0123456789abcdef";
    const iv = "fedcba9876543210";
    const text = "mockhts^5001234501^0000001001^3^02^0^01^0^005930^3^49400^090102^N^2^Y";
    const c = createCipheriv("aes-256-cbc", Buffer.from(key), Buffer.from(iv));
    const b64 = Buffer.concat([c.update(text, "utf8"), c.final()]).toString("base64");
    expect(kisDecrypt(key, iv, b64)).toBe(text);
    expect(() => kisDecrypt("short", iv, b64)).toThrow(/aes key length/);
  });

  it.skipIf(missing)("streams trades and decrypted fill notices from the mock", async () => {
    const { kis, client } = await setup({ rate: 100 });
    const rt = new KisRealtime(client);
    cleanups.push(() => rt.close());
    const trades: number[] = [];
    const notices: KisNotice[] = [];
    await rt.trades("005930", (t) => trades.push(t.price));
    await rt.notices(kis.htsId, (n) => notices.push(n));
    await new Promise((r) => setTimeout(r, 50));
    const bar = loadKrxBars("005930")[0];
    kis.streamTrade("005930", { time: bar.time, price: bar.open, volume: 10 });
    kis.streamTrade("000660", { time: bar.time, price: 70_000, volume: 10 });
    await new Promise((r) => setTimeout(r, 50));
    expect(trades).toEqual([49_400]);
    const order = {
      CANO: "50012345",
      ACNT_PRDT_CD: "01",
      PDNO: "005930",
      ORD_DVSN: "01",
      ORD_QTY: "3",
      ORD_UNPR: "0",
      EXCG_ID_DVSN_CD: "KRX",
    };
    const answer = await client.order(PATHS.order, "VTTC0012U", order);
    await new Promise((r) => setTimeout(r, 50));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      odno: (answer.output as Record<string, string>).ODNO,
      code: "005930",
      side: "buy",
      fill: true,
      qty: 3,
      price: 49_400,
    });
  });

  it("reads KST times of the feed", () => {
    expect(new Date(kstToUtc("20190920", "090102")).toISOString()).toBe("2019-09-20T00:01:02.000Z");
  });
});

describe("krx rules", () => {
  const day = Date.UTC(2019, 8, 20, 1, 0); // 10:00 KST, a Friday
  it("computes ±30% limits on the tick grid", () => {
    // 49,400 x 1.3 = 64,220 -> 100-won ticks (50k-100k, pre-2023) -> 64,200; x 0.7 = 34,580 -> 50-won ticks -> 34,600
    expect(krxPriceLimits(49_400, day)).toEqual({ upper: 64_200, lower: 34_600 });
    // ±15% before 2015-06-15
    expect(krxPriceLimits(10_000, Date.UTC(2015, 0, 5))).toEqual({ upper: 11_500, lower: 8_500 });
  });

  it("knows the session phases in KST", () => {
    expect(krxPhase(Date.UTC(2019, 8, 20, 0, 0))).toBe("continuous"); // 09:00
    expect(krxPhase(Date.UTC(2019, 8, 20, 6, 25))).toBe("closing-auction"); // 15:25
    expect(krxPhase(Date.UTC(2019, 8, 20, 6, 30))).toBe("closed"); // 15:30
    expect(krxPhase(Date.UTC(2019, 8, 19, 23, 45))).toBe("pre-open"); // 08:45
    expect(krxPhase(Date.UTC(2019, 8, 21, 1, 0))).toBe("closed"); // Saturday
  });

  it("checks whole shares, limits and ticks", () => {
    const m = { basePrice: 49_400 };
    expect(checkKrxOrder({ amount: 3.7, price: 49_400, time: day }, m)).toEqual({ ok: true, amount: 3 });
    expect(checkKrxOrder({ amount: 0.5, price: 49_400, time: day }, m)).toMatchObject({
      ok: false,
      rule: "krx-shares",
    });
    expect(checkKrxOrder({ amount: 1, price: 64_300, time: day }, m)).toMatchObject({
      ok: false,
      rule: "krx-limit",
    });
    expect(checkKrxOrder({ amount: 1, price: 49_420, time: day }, m)).toMatchObject({
      ok: false,
      rule: "krx-tick",
    });
    expect(checkKrxOrder({ amount: 1, price: 49_400, time: Date.UTC(2019, 8, 21, 1) }, m)).toMatchObject({
      ok: false,
      rule: "krx-session",
    });
  });
});
