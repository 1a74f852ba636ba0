import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterEach, describe, expect, it } from "vitest";
import { Catalog } from "../../../src/data/catalog/index.ts";
import { decodeParquet, readWhole } from "../../../src/data/catalog/parquet-read.ts";
import { encodeParquet } from "../../../src/data/catalog/parquet-write.ts";
import { type Frame, makeFrame } from "../../../src/data/frame.ts";
import { needShared, SHARED } from "../../support/paths.ts";

const DATA = `${SHARED}/`;
const { missing } = needShared("krx/creon_1m_20190920", "freqtrade/XRP_ETH-trades.json.gz");
const KRX = ["000660", "005380", "005930", "035420", "035720", "068270", "091990", "247540"];
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "stom-catalog-fast-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function krxBars(code: string, { extra = true } = {}): Frame {
  const rows = readFileSync(join(DATA, `krx/creon_1m_20190920/${code}.csv`), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","));
  const time = Float64Array.from(rows, (r) => Date.parse(r[1].replace("+0900", "+09:00")) - 60_000);
  const col = (j: number) => Float64Array.from(rows, (r) => Number(r[j]));
  const columns: Record<string, Float64Array> = {
    time,
    open: col(2),
    high: col(3),
    low: col(4),
    close: col(5),
    volume: col(6),
  };
  if (extra) columns.현재가 = col(5);
  return makeFrame({ kind: "bars", market: "krx", symbol: code, timeframe: "1m", tz: "Asia/Seoul", columns });
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

function parquetFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".parquet"))
    .map((f) => join(dir, f));
}

describe("encodeParquet / decodeParquet", () => {
  it("round-trips every column type and NULLs, and DuckDB reads the same values", async () => {
    const n = 21;
    const time = Float64Array.from({ length: n }, (_, i) =>
      i === 3 ? -34_560_000_007 : 1.6e12 + i * 60_000,
    );
    const x = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? Number.NaN : i / 7));
    const xNulls = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const id = Array.from({ length: n }, (_, i) => (i === 4 ? null : `아이디-${i}`));
    const bytes = encodeParquet(
      [
        { name: "time", type: "BIGINT", values: time },
        { name: "symbol", type: "CONST", value: "삼성전자" },
        { name: "x", type: "DOUBLE", values: x, nulls: xNulls },
        { name: "seq", type: "INTEGER", values: Int32Array.from({ length: n }, (_, i) => -i) },
        { name: "side", type: "TINYINT", values: Int8Array.from({ length: n }, (_, i) => (i % 3) - 1) },
        { name: "id", type: "VARCHAR", values: id },
      ],
      n,
    );
    const dir = tempDir();
    const path = join(dir, "t.parquet");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(path, bytes);

    const data = decodeParquet(readWhole(path)!)!;
    expect(data.length).toBe(n);
    expect(data.columns.time).toEqual(time);
    expect(data.columns.x).toEqual(x);
    expect(data.nulls.x).toEqual(xNulls);
    expect(data.columns.id).toEqual(id);
    expect(data.columns.symbol).toEqual(Array(n).fill("삼성전자"));

    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    const rows = (
      await con.runAndReadAll(`select time, symbol, x, seq, side, id from '${path}'`)
    ).getRowsJS();
    expect(rows.map((r) => Number(r[0]))).toEqual([...time]);
    expect(rows.map((r) => r[1])).toEqual(Array(n).fill("삼성전자"));
    expect(rows.map((r) => r[2])).toEqual([...x].map((v, i) => (xNulls[i] ? null : v)));
    expect(rows.map((r) => r[3])).toEqual([...(data.columns.seq as Int32Array)]);
    expect(rows.map((r) => r[4])).toEqual([...(data.columns.side as Int8Array)]);
    expect(rows.map((r) => r[5])).toEqual(id);
    con.closeSync();
    instance.closeSync();
  });

  it("refuses a file DuckDB wrote, so callers fall back", async () => {
    const dir = tempDir();
    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    await con.run(
      `copy (select range::DOUBLE as x from range(10)) to '${join(dir, "d.parquet")}' (format parquet)`,
    );
    con.closeSync();
    instance.closeSync();
    expect(decodeParquet(readWhole(join(dir, "d.parquet"))!)).toBeUndefined();
  });
});

describe("Catalog bulk write", () => {
  it.skipIf(missing)("writes many series at once exactly as one write per series", async () => {
    const bulk = await Catalog.open(tempDir());
    const single = await Catalog.open(tempDir());
    const frames = KRX.map((code) => krxBars(code));
    const result = await bulk.write(frames);
    expect(result).toMatchObject({ series: 8, rowsIn: 8 * 390, rowsAdded: 8 * 390, filesWritten: 8 });
    for (const frame of frames) await single.write([frame]);
    expect(bulk.list()).toEqual(single.list());
    for (const code of KRX) {
      const key = { kind: "bars", market: "krx", symbol: code, timeframe: "1m" } as const;
      const a = await bulk.read(key);
      const b = await single.read(key);
      expect(a.columns).toEqual(b.columns);
      // and both equal the CSV
      expect(a.columns.close).toEqual(krxBars(code).columns.close);
    }
    const sql = "select symbol, count(*), sum(volume), min(time), max(time) from bars group by 1 order by 1";
    expect((await bulk.query(sql)).rows).toEqual((await single.query(sql)).rows);
    await bulk.close();
    await single.close();
  });

  it.skipIf(missing)("read() decodes in JS exactly what DuckDB reads from the same files", async () => {
    const catalog = await Catalog.open(tempDir());
    const ticks = xrpTicks();
    await catalog.write([ticks]);
    const key = { kind: "ticks", market: "binance", symbol: "XRP/ETH", timeframe: "tick" } as const;
    const back = await catalog.read(key);
    const q = await catalog.query("select time, seq, price, amount, side, id from ticks order by time, seq");
    expect(back.length).toBe(q.rows.length);
    expect([...(back.columns.time as Float64Array)]).toEqual(q.rows.map((r) => r[0]));
    expect([...(back.columns.price as Float64Array)]).toEqual(q.rows.map((r) => r[2]));
    expect([...(back.columns.side as Int8Array)]).toEqual(q.rows.map((r) => r[4]));
    expect(back.columns.id).toEqual(q.rows.map((r) => r[5]));
    await catalog.close();
  });

  it.skipIf(missing)("keeps NULL apart from NaN through a later merge of the same month", async () => {
    const catalog = await Catalog.open(tempDir());
    const with현재가 = krxBars("005930");
    const plain = krxBars("005930", { extra: false });
    const half = (f: Frame, from: number, to: number) =>
      makeFrame({
        ...f,
        length: undefined,
        columns: Object.fromEntries(
          Object.entries(f.columns).map(([k, v]) => [k, (v as Float64Array).slice(from, to)]),
        ),
      });
    // first half carries 현재가, the second half does not: its 현재가 is NULL, not NaN
    await catalog.write([half(with현재가, 0, 200), half(plain, 200, 300)]);
    await catalog.write([half(plain, 300, 390)]);
    const q = await catalog.query(`select count(*), count("현재가"), sum(isnan("현재가")::INT) from bars`);
    expect(q.rows[0]).toEqual([390, 200, 0]);
    const back = await catalog.read({ kind: "bars", market: "krx", symbol: "005930", timeframe: "1m" });
    const 현재가 = back.columns.현재가 as Float64Array;
    expect(현재가.subarray(0, 200)).toEqual((with현재가.columns.close as Float64Array).subarray(0, 200));
    expect(현재가.subarray(200).every(Number.isNaN)).toBe(true);
    await catalog.close();
  });

  it.skipIf(missing)(
    "reads and merges files that DuckDB wrote (catalogs from before the JS writer)",
    async () => {
      const dir = tempDir();
      const catalog = await Catalog.open(dir);
      const frame = krxBars("000660");
      const first = makeFrame({
        ...frame,
        length: undefined,
        columns: Object.fromEntries(
          Object.entries(frame.columns).map(([k, v]) => [k, (v as Float64Array).slice(0, 100)]),
        ),
      });
      await catalog.write([first]);
      // rewrite the stored file through DuckDB, as the old catalog did
      const [file] = parquetFiles(dir);
      await catalog.query(`copy (select * from read_parquet('${file}')) to '${file}.tmp' (format parquet)`);
      const { renameSync } = await import("node:fs");
      renameSync(`${file}.tmp`, file);
      expect(decodeParquet(readWhole(file)!)).toBeUndefined();
      const key = { kind: "bars", market: "krx", symbol: "000660", timeframe: "1m" } as const;
      expect((await catalog.read(key)).columns.close).toEqual(first.columns.close);

      const result = await catalog.write([frame]);
      expect(result).toMatchObject({ rowsIn: 390, rowsAdded: 290, duplicates: 100 });
      const back = await catalog.read(key);
      expect(back.columns.close).toEqual(frame.columns.close);
      expect(back.columns.time).toEqual(frame.columns.time);
      expect(catalog.list()[0]).toMatchObject({ rows: 390, files: 1 });
      await catalog.close();
    },
  );

  it.skipIf(missing)(
    "lets the stored row win over a conflicting new one, and the first new one over later ones",
    async () => {
      const catalog = await Catalog.open(tempDir());
      const base = krxBars("035720", { extra: false });
      const shifted = (f: Frame, by: number) =>
        makeFrame({
          ...f,
          columns: { ...f.columns, close: (f.columns.close as Float64Array).map((v) => v + by) },
        });
      await catalog.write([base]);
      await catalog.write([shifted(base, 1)]);
      const key = { kind: "bars", market: "krx", symbol: "035720", timeframe: "1m" } as const;
      expect((await catalog.read(key)).columns.close).toEqual(base.columns.close);
      const other = await Catalog.open(tempDir());
      await other.write([shifted(base, 2), shifted(base, 3)]);
      expect((await other.read({ ...key })).columns.close).toEqual(shifted(base, 2).columns.close);
      await catalog.close();
      await other.close();
    },
  );

  it.skipIf(missing)(
    "merges unsorted frames in SQL to the same files as sorted ones merged in JS",
    async () => {
      const frames = KRX.slice(0, 3).map((code) => krxBars(code));
      // reversed rows plus a conflicting copy of the first 50 (the earlier frame must win)
      const reversed = frames.map((f) =>
        makeFrame({
          ...f,
          length: undefined,
          columns: Object.fromEntries(
            Object.entries(f.columns).map(([k, v]) => [k, (v as Float64Array).slice().reverse()]),
          ),
        }),
      );
      const conflicting = frames.map((f) =>
        makeFrame({
          ...f,
          length: undefined,
          columns: Object.fromEntries(
            Object.entries(f.columns).map(([k, v]) => [
              k,
              (v as Float64Array).slice(0, 50).map((x) => (k === "time" ? x : x + 1)),
            ]),
          ),
        }),
      );
      const js = await Catalog.open(tempDir());
      const sql = await Catalog.open(tempDir());
      const a = await js.write([...frames, ...conflicting]);
      const b = await sql.write([...reversed, ...conflicting]);
      expect(a).toEqual(b);
      expect(a).toMatchObject({ rowsIn: 3 * 440, rowsAdded: 3 * 390, duplicates: 3 * 50 });
      expect(js.list()).toEqual(sql.list());
      for (const f of frames) {
        const key = { kind: f.kind, market: f.market, symbol: f.symbol, timeframe: f.timeframe };
        const back = await sql.read(key);
        expect(back.columns).toEqual((await js.read(key)).columns);
        expect(back.columns.close).toEqual(f.columns.close);
      }
      await js.close();
      await sql.close();
    },
  );
});
