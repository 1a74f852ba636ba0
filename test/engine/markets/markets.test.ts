import { describe, expect, it } from "vitest";
import {
  type BookColumns,
  costPreset,
  KRX_TICK_CHANGE,
  krxSellTaxRate,
  krxTickSize,
  kstMidnight,
  roundToTick,
  stomKiwoomSettle,
  stomUpbitSettle,
  upbitKrwTickSize,
  walkAsks,
  walkBids,
  walkBook,
} from "../../../src/engine/markets/index.ts";
import { needShared, SHARED_URL } from "../../support/paths.ts";

const { missing } = needShared(
  "krx/creon_1m_20190920",
  "upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-27.csv",
);
const before2023 = Date.UTC(2022, 11, 29);
const after2023 = Date.UTC(2023, 5, 1);

describe("krxTickSize", () => {
  it("uses the 2023 table exactly at its band edges", () => {
    const edges: [number, number][] = [
      [1_999, 1],
      [2_000, 5],
      [4_995, 5],
      [5_000, 10],
      [19_990, 10],
      [20_000, 50],
      [49_950, 50],
      [50_000, 100],
      [199_900, 100],
      [200_000, 500],
      [499_500, 500],
      [500_000, 1_000],
    ];
    for (const [price, tick] of edges) {
      expect(krxTickSize(price, after2023)).toBe(tick);
      expect(krxTickSize(price, after2023, "kosdaq")).toBe(tick);
    }
  });

  it("uses the older tables before 2023-01-25 KST, with KOSDAQ capped at 100", () => {
    const kospi: [number, number][] = [
      [999, 1],
      [1_000, 5],
      [5_000, 10],
      [10_000, 50],
      [50_000, 100],
      [100_000, 500],
      [500_000, 1_000],
    ];
    for (const [price, tick] of kospi) expect(krxTickSize(price, before2023, "kospi")).toBe(tick);
    expect(krxTickSize(50_000, before2023, "kosdaq")).toBe(100);
    expect(krxTickSize(700_000, before2023, "kosdaq")).toBe(100);
    expect(krxTickSize(1_500, before2023)).toBe(5);
  });

  it("switches at 00:00 KST on 2023-01-25 (15:00 UTC the day before)", () => {
    expect(KRX_TICK_CHANGE).toBe(Date.UTC(2023, 0, 24, 15));
    expect(krxTickSize(15_000, KRX_TICK_CHANGE - 1)).toBe(50);
    expect(krxTickSize(15_000, KRX_TICK_CHANGE)).toBe(10);
  });

  it.skipIf(missing)(
    "agrees with real KRX prices: every 1-minute close of 2019-09-20 sits on its pre-2023 tick",
    async () => {
      const { readFileSync } = await import("node:fs");
      const dir = new URL("krx/creon_1m_20190920/", SHARED_URL);
      const day = Date.UTC(2019, 8, 20);
      const boards: [string, "kospi" | "kosdaq"][] = [
        ["005930", "kospi"],
        ["000660", "kospi"],
        ["005380", "kospi"],
        ["035420", "kospi"],
        ["035720", "kospi"],
        ["068270", "kospi"],
        ["091990", "kosdaq"],
        ["247540", "kosdaq"],
      ];
      let checked = 0;
      for (const [code, board] of boards) {
        const lines = readFileSync(new URL(`${code}.csv`, dir), "utf8")
          .trim()
          .split("\n")
          .slice(1);
        for (const l of lines) {
          const close = Number(l.split(",")[5]);
          expect(close % krxTickSize(close, day, board)).toBe(0);
          checked++;
        }
      }
      expect(checked).toBe(8 * 390);
    },
  );

  it("rejects bad input", () => {
    expect(() => krxTickSize(-1, after2023)).toThrow("invalid price: -1");
    expect(() => krxTickSize(100, Number.NaN)).toThrow("invalid date: NaN");
    expect(() => krxTickSize(100, after2023, "konex" as "kospi")).toThrow("invalid board: konex");
  });
});

describe("upbitKrwTickSize", () => {
  it("follows the table before 2024-01-29", () => {
    const d = Date.UTC(2023, 0, 1);
    const cases: [number, number][] = [
      [0.05, 0.0001],
      [0.5, 0.001],
      [5, 0.01],
      [50, 0.1],
      [500, 1],
      [1_000, 5],
      [9_999, 5],
      [10_000, 10],
      [100_000, 50],
      [500_000, 100],
      [1_000_000, 500],
      [2_000_000, 1_000],
      [40_000_000, 1_000],
    ];
    for (const [price, tick] of cases) expect(upbitKrwTickSize(price, d)).toBe(tick);
  });

  it("uses the finer bands under 10,000 won from 2024-01-29 KST and the 2024-10 and 2025-03 exceptions", () => {
    const d = Date.UTC(2024, 5, 1);
    expect(upbitKrwTickSize(1_000, kstMidnight(2024, 1, 29) - 1)).toBe(5);
    expect(upbitKrwTickSize(1_000, kstMidnight(2024, 1, 29))).toBe(1);
    expect(upbitKrwTickSize(500, d)).toBe(0.1);
    expect(upbitKrwTickSize(0.00005, d)).toBe(0.00000001);
    expect(upbitKrwTickSize(500, Date.UTC(2024, 11, 1), { market: "KRW-ADA" })).toBe(1);
    expect(upbitKrwTickSize(500, Date.UTC(2024, 11, 1), { market: "KRW-XRP" })).toBe(0.1);
    expect(upbitKrwTickSize(1_450, Date.UTC(2025, 3, 1), { market: "USDT" })).toBe(0.5);
    expect(upbitKrwTickSize(1_450, Date.UTC(2025, 2, 1), { market: "USDT" })).toBe(1);
  });

  it("uses the 2025-07-31 table by default", () => {
    const cases: [number, number][] = [
      [150, 1],
      [4_999, 1],
      [5_000, 5],
      [10_000, 10],
      [50_000, 50],
      [100_000, 100],
      [500_000, 500],
      [1_000_000, 1_000],
      [150_000_000, 1_000],
    ];
    for (const [price, tick] of cases) expect(upbitKrwTickSize(price)).toBe(tick);
  });

  it.skipIf(missing)(
    "agrees with real Upbit KRW-BTC trades of 2022: every price is a multiple of 1,000",
    async () => {
      const { readFileSync } = await import("node:fs");
      const file = new URL("upbit/trades/wannacrypto_KRW-BTC_trades_2022-11-27.csv", SHARED_URL);
      const lines = readFileSync(file, "utf8").trim().split("\n").slice(1);
      expect(lines.length).toBe(11954);
      for (const l of lines) {
        const price = Number(l.split(",")[0]);
        expect(price % upbitKrwTickSize(price, Date.UTC(2022, 10, 27))).toBe(0);
      }
    },
  );
});

describe("roundToTick", () => {
  it("rounds down, up and to the nearest tick, leaving on-grid prices alone", () => {
    expect(roundToTick(1_234.6, 5, "down")).toBe(1_230);
    expect(roundToTick(1_231, 5, "up")).toBe(1_235);
    expect(roundToTick(1_232.5, 5)).toBe(1_235);
    expect(roundToTick(0.1 + 0.2, 0.1, "up")).toBe(0.3);
    expect(roundToTick(0.30000001, 0.0001, "down")).toBe(0.3);
    expect(roundToTick(5_000, 10, "up")).toBe(5_000);
  });

  it("rejects bad ticks and modes", () => {
    expect(() => roundToTick(100, 0)).toThrow("invalid tick: 0");
    expect(() => roundToTick(100.5, 1, "half" as "up")).toThrow("invalid mode: half");
  });
});

describe("costs", () => {
  it("krxSellTaxRate follows the statutory steps by trade date", () => {
    const cases: [number, number][] = [
      [Date.UTC(2018, 5, 1), 0.003],
      [Date.UTC(2019, 5, 3), 0.0025],
      [Date.UTC(2020, 5, 1), 0.0025],
      [Date.UTC(2021, 5, 1), 0.0023],
      [Date.UTC(2022, 5, 1), 0.0023],
      [Date.UTC(2023, 5, 1), 0.002],
      [Date.UTC(2024, 5, 1), 0.0018],
      [Date.UTC(2024, 11, 27, 1), 0.0015],
      [Date.UTC(2025, 5, 1), 0.0015],
      [Date.UTC(2026, 1, 2), 0.002],
    ];
    for (const [date, rate] of cases) expect(krxSellTaxRate(date)).toBe(rate);
  });

  it("krx charges the fee on both sides and the tax on sells only", () => {
    const stom = costPreset("krx");
    expect(stom.commission(10, 70_000, "buy")).toBeCloseTo(700_000 * 0.00015, 9);
    expect(stom.commission(-10, 70_000, "sell")).toBeCloseTo(700_000 * (0.00015 + 0.0018), 9);
    const statutory = costPreset("krx", { taxRate: "statutory" });
    expect(statutory.commission(10, 70_000, "sell", Date.UTC(2021, 2, 2))).toBeCloseTo(
      700_000 * (0.00015 + 0.0023),
      9,
    );
    expect(() => statutory.commission(10, 70_000, "sell")).toThrow("invalid date");
    expect(costPreset("krx", { taxRate: 0.001 }).commission(1, 1_000, "sell")).toBeCloseTo(1.15, 12);
  });

  it("the crypto presets charge their flat rates", () => {
    expect(costPreset("upbit").commission(0.5, 40_000_000, "buy")).toBeCloseTo(10_000, 6);
    expect(costPreset("binance").commission(1, 30_000, "sell")).toBeCloseTo(30, 9);
    expect(costPreset("binance-futures").commission(1, 30_000, "buy")).toBeCloseTo(12, 9);
    expect(costPreset("binance-futures", { orderType: "limit" }).commission(1, 30_000, "buy")).toBeCloseTo(
      6,
      9,
    );
    expect(() => costPreset("bithumb" as "krx")).toThrow("unknown cost preset: bithumb");
  });

  it("stomKiwoomSettle reproduces STOM's rounding", () => {
    // by hand from GetKiwoomPgSgSp: tax int(1,030,000 * 0.0018) = 1,854; fees int(150 / 10) * 10 = 150 and
    // int(154.5 / 10) * 10 = 150; pg = 1,030,000 - 1,854 - 150 - 150 = 1,027,846
    expect(stomKiwoomSettle(1_000_000, 1_030_000)).toEqual({ pg: 1_027_846, sg: 27_846, sp: 2.78 });
    // GetUpbitPgSgSp: fees 500 + 495, pg = 990,000 - 995 = 989,005, sg = -10,995, sp = round(-1.0995, 2)
    expect(stomUpbitSettle(1_000_000, 990_000)).toEqual({ pg: 989_005, sg: -10_995, sp: -1.1 });
  });
});

describe("walkBook", () => {
  const askPrices = [70_100, 70_200, 70_300, 70_400, 70_500];
  const askSizes = [100, 50, 200, 10, 10];

  it("fills across three levels at the volume-weighted price", () => {
    const fill = walkBook(askPrices, askSizes, 250);
    expect(fill.ok).toBe(true);
    expect(fill.filled).toBe(250);
    expect(fill.levels).toBe(3);
    expect(fill.avgPrice).toBeCloseTo((100 * 70_100 + 50 * 70_200 + 100 * 70_300) / 250, 9);
  });

  it("refuses an order the book is too thin for, unless partial", () => {
    const refused = walkBook(askPrices, askSizes, 400);
    expect(refused).toEqual({ ok: false, filled: 0, avgPrice: Number.NaN, levels: 0, notional: 0 });
    const part = walkBook(askPrices, askSizes, 400, { partial: true });
    expect(part.ok).toBe(true);
    expect(part.filled).toBe(370);
    expect(part.levels).toBe(5);
    expect(walkBook(askPrices, askSizes, 200, { depth: 2 }).ok).toBe(false);
  });

  it("stops at a zero price level and skips empty levels", () => {
    expect(walkBook([100, 101, 0], [1, 1, 5], 3).ok).toBe(false);
    expect(walkBook([100, 101, 102], [1, 0, 5], 3).avgPrice).toBeCloseTo((100 + 2 * 102) / 3, 12);
    expect(() => walkBook(askPrices, askSizes, 0)).toThrow("invalid quantity: 0");
  });
});

describe("walkAsks / walkBids", () => {
  const rows = 2;
  const col = (...v: number[]) => Float64Array.from(v);
  const columns: BookColumns = {
    매도호가1: col(70_100, 1_000),
    매도호가2: col(70_200, 1_005),
    매도호가3: col(70_300, 1_010),
    매도호가4: col(70_400, 1_015),
    매도호가5: col(70_500, 1_020),
    매도잔량1: col(100, 3),
    매도잔량2: col(50, 3),
    매도잔량3: col(200, 3),
    매도잔량4: col(10, 3),
    매도잔량5: col(10, 3),
    매수호가1: col(70_000, 995),
    매수호가2: col(69_900, 990),
    매수호가3: col(69_800, 985),
    매수호가4: col(69_700, 980),
    매수호가5: col(69_600, 975),
    매수잔량1: col(30, 1),
    매수잔량2: col(30, 1),
    매수잔량3: col(30, 1),
    매수잔량4: col(30, 1),
    매수잔량5: col(30, 1),
  };

  it("reads row i of the STOM columns and matches walkBook", () => {
    expect(columns.매도호가1.length).toBe(rows);
    const buy = walkAsks(columns, 0, 250);
    expect(buy).toEqual(walkBook([70_100, 70_200, 70_300, 70_400, 70_500], [100, 50, 200, 10, 10], 250));
    const sell = walkBids(columns, 0, 75);
    expect(sell.levels).toBe(3);
    expect(sell.avgPrice).toBeCloseTo((30 * 70_000 + 30 * 69_900 + 15 * 69_800) / 75, 9);
    expect(walkBids(columns, 1, 6).ok).toBe(false);
    const reused = walkAsks(columns, 1, 4);
    expect(walkAsks(columns, 1, 7, {}, reused)).toBe(reused);
    expect(reused.avgPrice).toBeCloseTo((3 * 1_000 + 3 * 1_005 + 1_010) / 7, 9);
    expect(() => walkAsks(columns, 2, 1)).toThrow("invalid row: 2");
  });
});
