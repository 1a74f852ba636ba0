import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Catalog } from "../../src/data/catalog/index.ts";
import { stom as cli } from "../support/cli.ts";
import { DATA_DIR, type MockVenue, startMockVenue } from "../support/mock-venue.ts";
import { needShared } from "../support/paths.ts";

const { missing } = needShared(
  "binance/justinbomber_BTC_USDT-1m.json",
  "upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-27.csv",
);

let venue: MockVenue;
let dir: string;

beforeAll(async () => {
  venue = await startMockVenue({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), "stom-fetch-cli-"));
});
afterAll(async () => {
  await venue.close();
  rmSync(dir, { recursive: true, force: true });
});

function stom(args: string[]) {
  return cli(args, { env: { STOM_CCXT_URL_OVERRIDE: venue.url, STOM_CATALOG: join(dir, "unused") } });
}

describe.skipIf(missing)("stom data fetch", () => {
  it("fetches a day of binance candles into --catalog and reports JSON", async () => {
    const { stdout } = await stom([
      "data",
      "fetch",
      "binance",
      "BTCUSDT",
      "--timeframe",
      "1m",
      "--since",
      "2023-04-06T00:00",
      "--until",
      "2023-04-07",
      "--catalog",
      dir,
      "--json",
    ]);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      exchange: "binance",
      symbol: "BTC/USDT",
      kind: "bars",
      rows: 1440,
      rowsAdded: 1440,
    });
    expect(report.first).toBe("2023-04-06T00:00:00.000Z");
    expect(report.last).toBe("2023-04-06T23:59:00.000Z");

    const source: number[][] = JSON.parse(
      readFileSync(new URL("binance/justinbomber_BTC_USDT-1m.json", DATA_DIR), "utf8"),
    );
    const catalog = await Catalog.open(dir);
    try {
      const [info] = catalog.list();
      expect(info).toMatchObject({
        market: "binance",
        symbol: "BTC/USDT",
        timeframe: "1m",
        rows: 1440,
        gaps: 0,
      });
      const frame = await catalog.read({
        kind: "bars",
        market: "binance",
        symbol: "BTC/USDT",
        timeframe: "1m",
      });
      const row = source.find((r) => r[0] === Date.parse("2023-04-06T12:00:00Z"))!;
      const i = (frame.columns.time as Float64Array).indexOf(row[0]);
      expect([
        frame.columns.open[i],
        frame.columns.high[i],
        frame.columns.low[i],
        frame.columns.close[i],
      ]).toEqual(row.slice(1, 5));
    } finally {
      await catalog.close();
    }
  });

  it("fetches upbit trades given Upbit's own spelling", async () => {
    const { stdout } = await stom([
      "data",
      "fetch",
      "upbit",
      "krw-btc",
      "--trades",
      "--since",
      "2022-11-27T06:00:00Z",
      "--until",
      "2022-11-27T07:00:00Z",
      "--catalog",
      dir,
      "--json",
    ]);
    const report = JSON.parse(stdout);
    // the tape ends at 06:06:21; count its trades from 06:00 on
    const tape = readFileSync(
      new URL("upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-27.csv", DATA_DIR),
      "utf8",
    )
      .trim()
      .split("\n")
      .slice(1)
      .filter((line) => Math.floor(Number(line.split(",")[3]) / 1000) >= Date.parse("2022-11-27T06:00:00Z"));
    expect(report).toMatchObject({ exchange: "upbit", symbol: "KRW-BTC", kind: "ticks", rows: tape.length });
  });
});
