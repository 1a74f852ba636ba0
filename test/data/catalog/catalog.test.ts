import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Catalog } from "../../../src/data/catalog/index.ts";
import { type Frame, makeFrame } from "../../../src/data/frame.ts";
import { needShared, SHARED } from "../../support/paths.ts";

const DATA = `${SHARED}/`;
const { missing } = needShared("binance/justinbomber_BTC_USDT-1m.json", "freqtrade", "krx/creon_1m_20190920");
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "stom-catalog-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** file name -> sha256 of every file under dir */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full)] = createHash("sha256").update(readFileSync(full)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

function freqtradeBars(
  file: string,
  market: string,
  symbol: string,
  keep: (i: number) => boolean = () => true,
): Frame {
  const raw = (JSON.parse(readFileSync(join(DATA, file), "utf8")) as number[][]).filter((_, i) => keep(i));
  const names = ["time", "open", "high", "low", "close", "volume"];
  const columns = Object.fromEntries(names.map((n, j) => [n, Float64Array.from(raw, (r) => r[j])]));
  return makeFrame({ kind: "bars", market, symbol, timeframe: "1m", tz: "UTC", columns });
}

function krxBars(code: string, dayShift = 0): Frame {
  const lines = readFileSync(join(DATA, `krx/creon_1m_20190920/${code}.csv`), "utf8")
    .trim()
    .split("\n")
    .slice(1);
  const rows = lines.map((l) => l.split(","));
  // bar END label in KST -> bar start in UTC ms
  const time = Float64Array.from(
    rows,
    (r) => Date.parse(r[1].replace("+0900", "+09:00")) - 60_000 + dayShift * 86_400_000,
  );
  const col = (j: number) => Float64Array.from(rows, (r) => Number(r[j]));
  const 현재가 = col(5);
  return makeFrame({
    kind: "bars",
    market: "krx",
    symbol: code,
    timeframe: "1m",
    tz: "Asia/Seoul",
    columns: { time, open: col(2), high: col(3), low: col(4), close: col(5), volume: col(6), 현재가 },
  });
}

function xrpTicks(): Frame {
  const raw = JSON.parse(
    gunzipSync(readFileSync(join(DATA, "freqtrade/XRP_ETH-trades.json.gz"))).toString(),
  ) as [number, string, null, string, number, number, number][];
  return makeFrame({
    kind: "ticks",
    market: "binance",
    symbol: "XRP/ETH",
    timeframe: "tick",
    tz: "UTC",
    columns: {
      time: Float64Array.from(raw, (r) => r[0]),
      seq: Int32Array.from(raw, (_, i) => i),
      price: Float64Array.from(raw, (r) => r[4]),
      amount: Float64Array.from(raw, (r) => r[5]),
      side: Int8Array.from(raw, (r) => (r[3] === "buy" ? 1 : -1)),
      id: raw.map((r) => r[1]),
    },
  });
}

const BTC = { kind: "bars", market: "binance", symbol: "BTC/USDT", timeframe: "1m" } as const;

describe("Catalog.write / list / read", () => {
  it.skipIf(missing)("stores the BTC/USDT month and reads it back unchanged", async () => {
    const catalog = await Catalog.open(tempDir());
    const frame = freqtradeBars("binance/justinbomber_BTC_USDT-1m.json", "binance", "BTC/USDT");
    const result = await catalog.write([frame]);
    expect(result).toMatchObject({ series: 1, rowsIn: 43199, rowsAdded: 43199, duplicates: 0 });
    const [info] = catalog.list();
    // README: 43199 rows, 2023-04-05 07:37 -> 2023-05-05 07:35 UTC, no gaps
    expect(info).toMatchObject({ ...BTC, rows: 43199, gaps: 0, files: 2, tz: "UTC" });
    expect(new Date(info.start).toISOString()).toBe("2023-04-05T07:37:00.000Z");
    expect(new Date(info.end).toISOString()).toBe("2023-05-05T07:35:00.000Z");
    expect(catalog.lastTime(BTC)).toBe(info.end);
    const back = await catalog.read(BTC);
    expect(back.length).toBe(43199);
    for (const name of ["time", "open", "high", "low", "close", "volume"]) {
      expect(back.columns[name]).toEqual(frame.columns[name]);
    }
    await catalog.close();
  });

  it.skipIf(missing)("reads a time range and a column subset", async () => {
    const catalog = await Catalog.open(tempDir());
    const frame = freqtradeBars("binance/justinbomber_BTC_USDT-1m.json", "binance", "BTC/USDT");
    await catalog.write([frame]);
    const start = Date.UTC(2023, 3, 30);
    const end = Date.UTC(2023, 4, 2, 12);
    const part = await catalog.read({ ...BTC, start, end, columns: ["close"] });
    const time = frame.columns.time as Float64Array;
    const expected = time.filter((t) => t >= start && t < end);
    expect(Object.keys(part.columns)).toEqual(["time", "close"]);
    expect(part.columns.time).toEqual(expected);
    expect(part.columns.close).toEqual(
      (frame.columns.close as Float64Array).slice(
        time.indexOf(expected[0]),
        time.indexOf(expected[0]) + expected.length,
      ),
    );
    await catalog.close();
  });

  it.skipIf(missing)("is idempotent: re-importing changes no byte", async () => {
    const dir = tempDir();
    const catalog = await Catalog.open(dir);
    const frame = freqtradeBars("freqtrade/XRP_ETH-1m.json", "binance", "XRP/ETH");
    await catalog.write([frame]);
    const before = snapshot(dir);
    const again = await catalog.write([frame, frame]);
    expect(again).toMatchObject({ rowsIn: 7120, rowsAdded: 0, duplicates: 7120, filesWritten: 0 });
    expect(snapshot(dir)).toEqual(before);
    await catalog.close();
  });

  it.skipIf(missing)("merges an overlapping import and drops superseded files", async () => {
    const dir = tempDir();
    const catalog = await Catalog.open(dir);
    const first = freqtradeBars(
      "binance/justinbomber_BTC_USDT-1m.json",
      "binance",
      "BTC/USDT",
      (i) => i < 20000,
    );
    const all = freqtradeBars("binance/justinbomber_BTC_USDT-1m.json", "binance", "BTC/USDT");
    await catalog.write([first]);
    const result = await catalog.write([all]);
    expect(result).toMatchObject({ rowsIn: 43199, rowsAdded: 23199, duplicates: 20000 });
    const parquet = Object.keys(snapshot(dir)).filter((f) => f.endsWith(".parquet"));
    expect(parquet.length).toBe(2);
    expect(catalog.list()[0].rows).toBe(43199);
    await catalog.close();
  });

  it.skipIf(missing)("dedupes ticks on id and keeps side and id", async () => {
    const catalog = await Catalog.open(tempDir());
    const ticks = xrpTicks();
    expect((await catalog.write([ticks])).rowsAdded).toBe(12477);
    expect((await catalog.write([ticks])).rowsAdded).toBe(0);
    const back = await catalog.read({
      kind: "ticks",
      market: "binance",
      symbol: "XRP/ETH",
      timeframe: "tick",
    });
    expect(back.columns.id).toEqual(ticks.columns.id);
    expect(back.columns.side).toEqual(ticks.columns.side);
    expect(back.columns.seq).toEqual(ticks.columns.seq);
    const q = await catalog.query(
      "select count(*) as n, count(distinct id) as ids, sum(side = 1) as buys from ticks",
    );
    expect(q.rows[0]).toEqual([12477, 12477, 6524]);
    await catalog.close();
  });
});

describe("Catalog gaps and extra columns", () => {
  it.skipIf(missing)("counts missing bars, inside the KST trading day only for krx", async () => {
    const catalog = await Catalog.open(tempDir());
    const dropped = new Set([100, 101, 250]);
    const day1 = krxBars("000660");
    const keep = (f: Frame) => {
      const idx = [...Array(f.length).keys()].filter((i) => !dropped.has(i));
      const columns = Object.fromEntries(
        Object.entries(f.columns).map(([k, v]) => [k, (v as Float64Array).filter((_, i) => idx.includes(i))]),
      );
      return makeFrame({ ...f, length: idx.length, columns });
    };
    // a second (synthetic) day, and a Binance series with the same holes for contrast
    await catalog.write([keep(day1), krxBars("000660", 3)]);
    await catalog.write([
      freqtradeBars("freqtrade/XRP_ETH-1m.json", "binance", "XRP/ETH", (i) => !dropped.has(i)),
    ]);
    const krx = catalog.list().find((s) => s.market === "krx")!;
    expect(krx).toMatchObject({ rows: 390 * 2 - 3, gaps: 3 });
    const xrp = catalog.list().find((s) => s.symbol === "XRP/ETH")!;
    expect(xrp).toMatchObject({ rows: 3560 - 3, gaps: 3 });
    await catalog.close();
  });

  it.skipIf(missing)("keeps Korean extra columns and queries series with different column sets", async () => {
    const catalog = await Catalog.open(tempDir());
    await catalog.write([krxBars("005930"), krxBars("035420")]);
    await catalog.write([freqtradeBars("freqtrade/XRP_ETH-1m.json", "binance", "XRP/ETH")]);
    const q = await catalog.query(
      `select market, count(*) as n, count("현재가") as k, sum(volume) as v from bars group by 1 order by 1`,
    );
    const xrp = JSON.parse(readFileSync(join(DATA, "freqtrade/XRP_ETH-1m.json"), "utf8")) as number[][];
    expect(q.columns).toEqual(["market", "n", "k", "v"]);
    expect(q.rows[0]).toEqual([
      "binance",
      3560,
      0,
      expect.closeTo(
        xrp.reduce((s, r) => s + r[5], 0),
        6,
      ),
    ]);
    expect(q.rows[1].slice(0, 3)).toEqual(["krx", 780, 780]);
    const samsung = await catalog.read({ kind: "bars", market: "krx", symbol: "005930", timeframe: "1m" });
    expect(samsung.columns.현재가).toEqual(samsung.columns.close);
    await catalog.close();
  });
});

describe("Catalog atomicity", () => {
  it.skipIf(missing)(
    "leaves the catalog byte-for-byte unchanged when the 3rd of 5 frames fails",
    async () => {
      const dir = tempDir();
      const catalog = await Catalog.open(dir);
      await catalog.write([krxBars("005930")]);
      const before = snapshot(dir);
      async function* frames() {
        yield krxBars("000660");
        yield krxBars("005380");
        throw new Error("parse error in frame 3");
      }
      await expect(catalog.write(frames())).rejects.toThrow("parse error in frame 3");
      expect(snapshot(dir)).toEqual(before);
      expect(catalog.list().map((s) => s.symbol)).toEqual(["005930"]);
      await catalog.close();
    },
  );

  it.skipIf(missing)(
    "removes files written while later frames were still being read when one of them fails",
    async () => {
      const dir = tempDir();
      const catalog = await Catalog.open(dir);
      await catalog.write([krxBars("005930")]);
      const before = snapshot(dir);
      let seenOnDisk = 0;
      async function* frames() {
        yield krxBars("000660");
        yield krxBars("005380");
        // a second frame of 000660 takes its early file back to the merge path
        yield krxBars("000660");
        yield krxBars("035420");
        // the early writes run on libuv's threads: wait for them (up to 5 s) before failing
        const count = () => Object.keys(snapshot(dir)).filter((f) => f.endsWith(".parquet")).length;
        for (let k = 0; k < 500 && count() < 3; k++) await new Promise((r) => setTimeout(r, 10));
        seenOnDisk = count();
        throw new Error("parse error in frame 5");
      }
      await expect(catalog.write(frames())).rejects.toThrow("parse error in frame 5");
      // 005930 plus the early files of 005380 and 035420 were on disk, unnamed by the manifest
      expect(seenOnDisk).toBe(3);
      expect(snapshot(dir)).toEqual(before);
      await catalog.close();
    },
  );

  it.skipIf(missing)("leaves the catalog unchanged when writing a file throws midway", async () => {
    const dir = tempDir();
    const catalog = await Catalog.open(dir);
    await catalog.write([
      freqtradeBars("binance/justinbomber_BTC_USDT-1m.json", "binance", "BTC/USDT", (i) => i < 1000),
    ]);
    const before = snapshot(dir);
    // every catalog file goes through writeFile: fail the 2nd, after the first month's file is down
    const target = catalog as unknown as {
      writeFile: (path: string, bytes: Uint8Array) => Promise<void> | undefined;
    };
    const writeFile = target.writeFile.bind(catalog);
    let writes = 0;
    const spy = vi.spyOn(target, "writeFile").mockImplementation((path, bytes) => {
      if (++writes === 2) throw new Error("disk full");
      return writeFile(path, bytes);
    });
    const all = freqtradeBars("binance/justinbomber_BTC_USDT-1m.json", "binance", "BTC/USDT");
    await expect(catalog.write([all])).rejects.toThrow("disk full");
    spy.mockRestore();
    expect(writes).toBe(2);
    expect(snapshot(dir)).toEqual(before);
    await catalog.close();
  });

  it.skipIf(missing)("refuses a second writer and sweeps orphans on open", async () => {
    const dir = tempDir();
    const catalog = await Catalog.open(dir);
    await catalog.write([krxBars("005930")]);
    const before = snapshot(dir);
    writeFileSync(join(dir, ".lock"), String(process.pid));
    await expect(catalog.write([krxBars("000660")])).rejects.toThrow(/locked/);
    rmSync(join(dir, ".lock"));
    writeFileSync(join(dir, "bars/krx/1m/2019-09/005930.orphan.parquet"), "x");
    writeFileSync(join(dir, "manifest.json.tmp-crash"), "{}");
    await catalog.close();
    const reopened = await Catalog.open(dir);
    expect(snapshot(dir)).toEqual(before);
    expect(reopened.list()[0].rows).toBe(390);
    await reopened.close();
  });
});

describe("Catalog.read after writes", () => {
  it("sees every write made through the same catalog, between reads (the series index follows the manifest)", async () => {
    const bars = (symbol: string, start: number, n: number) => {
      const time = Float64Array.from({ length: n }, (_, k) => start + k * 60_000);
      const close = Float64Array.from({ length: n }, (_, k) => 100 + k);
      return makeFrame({
        kind: "bars",
        market: "test",
        symbol,
        timeframe: "1m",
        tz: "UTC",
        columns: { time, open: close, high: close, low: close, close, volume: close },
      });
    };
    const key = (symbol: string) => ({ kind: "bars", market: "test", symbol, timeframe: "1m" }) as const;
    const catalog = await Catalog.open(tempDir());
    await catalog.write([bars("A", Date.UTC(2024, 0, 1), 100)]);
    expect((await catalog.read(key("A"))).length).toBe(100);
    expect((await catalog.read(key("B"))).length).toBe(0);
    // a later month of A (a new file) and a new series
    await catalog.write([bars("A", Date.UTC(2024, 1, 1), 50), bars("B", Date.UTC(2024, 0, 1), 30)]);
    const a = await catalog.read(key("A"));
    expect(a.length).toBe(150);
    expect(a.columns.time[100]).toBe(Date.UTC(2024, 1, 1));
    expect((await catalog.read(key("B"))).length).toBe(30);
    expect(catalog.lastTime(key("A"))).toBe(Date.UTC(2024, 1, 1) + 49 * 60_000);
    await catalog.close();
  });
});

describe("Catalog.read requests", () => {
  const twoMonths = () => {
    const n = 3_000;
    const time = Float64Array.from({ length: n }, (_, k) => Date.UTC(2024, 0, 31) + k * 60_000);
    const close = Float64Array.from({ length: n }, (_, k) => 100 + Math.sin(k));
    const volume = Int32Array.from({ length: n }, (_, k) => k % 7);
    return makeFrame({
      kind: "bars",
      market: "test",
      symbol: "A",
      timeframe: "1m",
      tz: "UTC",
      columns: { time, open: close, high: close, low: close, close, volume },
    });
  };

  it("takes a SeriesInfo from list() with its columns: the data columns come back, not a string per row of its key", async () => {
    const catalog = await Catalog.open(tempDir());
    await catalog.write([twoMonths()]);
    const [info] = catalog.list();
    expect(info.columns).toEqual(expect.arrayContaining(["market", "symbol", "timeframe"]));
    // as loadBars reads a selector's series (a SeriesInfo's `end` is its last bar, and `end` is exclusive)
    const frame = await catalog.read({ ...info, start: undefined, end: undefined });
    expect(Object.keys(frame.columns).sort()).toEqual(["close", "high", "low", "open", "time", "volume"]);
    expect(frame.symbol).toBe("A");
    const plain = await catalog.read({ kind: "bars", market: "test", symbol: "A", timeframe: "1m" });
    expect(frame.columns).toEqual(plain.columns);
    await catalog.close();
  });

  it("reads into shared memory when asked, the same numbers", async () => {
    const catalog = await Catalog.open(tempDir());
    const written = twoMonths();
    await catalog.write([written]);
    const key = { kind: "bars", market: "test", symbol: "A", timeframe: "1m" } as const;
    const shared = await catalog.read(key, { shared: true });
    const plain = await catalog.read(key);
    expect(shared.length).toBe(3_000);
    for (const [name, column] of Object.entries(shared.columns)) {
      expect((column as Float64Array).buffer, name).toBeInstanceOf(SharedArrayBuffer);
      expect([...(column as Float64Array)], name).toEqual([...(plain.columns[name] as Float64Array)]);
    }
    expect(shared.columns.volume).toBeInstanceOf(Int32Array);
    expect([...(shared.columns.volume as Int32Array)]).toEqual([...written.columns.volume]);
    // a range read (not every file whole) shares its direct columns too
    const part = await catalog.read({ ...key, start: Date.UTC(2024, 1, 1) }, { shared: true });
    expect((part.columns.close as Float64Array).buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(part.columns.time[0]).toBe(Date.UTC(2024, 1, 1));
    await catalog.close();
  });
});
