import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Parser } from "tar";
import { describe, expect, it } from "vitest";
import { DataError } from "../../../src/data/errors.ts";
import {
  detectFormat,
  krxMinuteCsv,
  krxMinuteTarball,
  parseKrxMinuteCsv,
  readInputs,
} from "../../../src/data/formats/index.ts";
import type { Frame } from "../../../src/data/frame.ts";
import { needShared, shared } from "../../support/paths.ts";

const DATA = `${shared("krx")}/`;
const { missing } = needShared("krx/creon_1m_20190920", "krx/creon_1m_20190920_all_symbols.tar.gz");
const TARBALL = `${DATA}creon_1m_20190920_all_symbols.tar.gz`;
const SYMBOLS = ["000660", "005380", "005930", "035420", "035720", "068270", "091990", "247540"];

async function collect(iter: AsyncIterable<Frame>): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of iter) out.push(f);
  return out;
}

let cached: Promise<{ name: string; buf: Buffer }[]> | undefined;

/** The archive's CSV entries, read with tar directly (independently of the format under test). */
function tarEntries(): Promise<{ name: string; buf: Buffer }[]> {
  cached ??= readTarEntries();
  return cached;
}

async function readTarEntries(): Promise<{ name: string; buf: Buffer }[]> {
  const out: { name: string; buf: Buffer }[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      onReadEntry(entry) {
        const chunks: Buffer[] = [];
        entry.on("data", (c: Buffer) => chunks.push(c));
        entry.on("end", () => {
          if (entry.path.endsWith(".csv")) out.push({ name: entry.path, buf: Buffer.concat(chunks) });
        });
      },
    });
    parser.on("end", resolve);
    parser.on("error", reject);
    createReadStream(TARBALL).pipe(parser);
  });
  return out;
}

describe("krx-minute-csv", () => {
  it.skipIf(missing)(
    "reads each of the 8 files as 390 bars of its symbol, start = end label - 1 minute",
    async () => {
      for (const symbol of SYMBOLS) {
        const file = `${DATA}creon_1m_20190920/${symbol}.csv`;
        expect((await detectFormat(file)).name).toBe("krx-minute-csv");
        const [frame] = await collect(krxMinuteCsv.read(file, {}));
        expect(frame.symbol).toBe(symbol);
        expect(frame).toMatchObject({
          kind: "bars",
          market: "krx",
          timeframe: "1m",
          tz: "Asia/Seoul",
          length: 390,
        });
        const time = frame.columns.time as Float64Array;
        // 09:01 KST label = 09:00 KST start = 00:00 UTC; 15:30 label = 15:29 KST = 06:29 UTC
        expect(time[0]).toBe(Date.UTC(2019, 8, 20, 0, 0));
        expect(time[389]).toBe(Date.UTC(2019, 8, 20, 6, 29));
      }
    },
  );

  it.skipIf(missing)(
    "keeps the closing-auction filler rows: volume 0 and a copy of the previous close",
    async () => {
      const file = `${DATA}creon_1m_20190920/005930.csv`;
      const [frame] = await collect(krxMinuteCsv.read(file, {}));
      const lines = (await readFile(file, "utf8")).trim().split("\n");
      const time = frame.columns.time as Float64Array;
      const volume = frame.columns.volume as Float64Array;
      const close = frame.columns.close as Float64Array;
      const row = lines.findIndex((l) => l.includes("T15:25:00+0900")) - 1;
      expect(time[row]).toBe(Date.UTC(2019, 8, 20, 6, 24));
      expect(volume[row]).toBe(0);
      expect(close[row]).toBe(Number(lines[row + 1].split(",")[5]));
      expect(close[row]).toBe(close[row - 1]);
    },
  );

  it("names file, line and field for a malformed row", () => {
    const csv =
      "date,datetime,open,high,low,close,volume,symbol\n2019-09-20,2019-09-20T09:01:00+0900,100,101,99,100,5,005930\n2019-09-20,2019-09-20T09:02:00+0900,100,101,99,1O0,5,005930\n";
    expect(() => parseKrxMinuteCsv(Buffer.from(csv), "x.csv")).toThrow(
      "x.csv, line 3, close: not a number: '1O0'",
    );
    const bad = csv.replace("T09:02:00", "T9:02");
    expect(() => parseKrxMinuteCsv(Buffer.from(bad), "x.csv")).toThrow(DataError);
  });
});

describe("parseKrxMinuteCsv one-pass and general paths", () => {
  const plain =
    "date,datetime,open,high,low,close,volume,symbol\n" +
    "2019-09-20,2019-09-20T09:01:00+0900,47500,47600,47400,47550,12345,005930\n" +
    "2019-09-20,2019-09-20T09:02:00+0900,47550.5,47600,47400,47500,0,005930\n" +
    "2019-09-20,2019-09-20T09:03:00+0900,47500,47650,47450,47600,678,005930\n";
  const parse = (text: string) => parseKrxMinuteCsv(Buffer.from(text), "x.csv");
  const columns = (f: Frame) => Object.fromEntries(Object.entries(f.columns).map(([k, v]) => [k, [...v]]));

  it("reads every variant of the same rows to the same frame", () => {
    const want = columns(parse(plain));
    expect(want.open).toEqual([47500, 47550.5, 47500]);
    expect(want.time[0]).toBe(Date.UTC(2019, 8, 20, 0, 0));
    const variants = [
      plain.replaceAll("\n", "\r\n"), // CRLF
      `\ufeff${plain}`, // BOM
      plain.trimEnd(), // no final newline
      plain.replace("005930\n2019-09-20,2019-09-20T09:02", "005930\n\n2019-09-20,2019-09-20T09:02"), // blank line
      plain
        .replace(
          "date,datetime,open,high,low,close,volume,symbol",
          "datetime,date,open,high,low,close,volume,symbol",
        )
        .replaceAll(/(2019-09-20),(2019-09-20T\d\d:\d\d:00\+0900)/g, "$2,$1"), // other column order
      plain.replace(",0,005930", ",+0,005930"), // a sign
      plain.replace(",678,005930", ',"678",005930'), // quotes
    ];
    for (const v of variants) expect(columns(parse(v))).toEqual(want);
  });

  it("keeps source lines and symbols for validation", async () => {
    const frame = parse(
      plain.replace("005930\n2019-09-20,2019-09-20T09:02", "005930\n\n2019-09-20,2019-09-20T09:02"),
    );
    const { sourceOf } = await import("../../../src/data/formats/source.ts");
    expect([...(sourceOf(frame)?.line ?? [])]).toEqual([2, 4, 5]);
    expect([...(sourceOf(parse(plain))?.line ?? [])]).toEqual([2, 3, 4]);
    expect(parse(plain).symbol).toBe("005930");
  });

  it("grows its columns when rows are shorter than the first", () => {
    const rows = ["date,datetime,open,high,low,close,volume,symbol"];
    rows.push("2019-09-20,2019-09-20T09:01:00+0900,123456789,123456789,123456789,123456789,123456789,005930");
    for (let m = 2; m <= 59; m++)
      rows.push(`2019-09-20,2019-09-20T09:${String(m).padStart(2, "0")}:00+0900,1,1,1,1,1,5`);
    const frame = parse(`${rows.join("\n")}\n`);
    expect(frame.length).toBe(59);
    expect([...(frame.columns.close as Float64Array)].slice(0, 3)).toEqual([123456789, 1, 1]);
  });

  it("names the same file, line and field on either path", () => {
    expect(() => parse(plain.replace(",47600,678,", ",47x00,678,"))).toThrow(
      "x.csv, line 4, close: not a number: '47x00'",
    );
    expect(() => parse(plain.replace("T09:03:00", "T9:03"))).toThrow("x.csv, line 4, datetime: not a date");
  });
});

describe("krx-minute-tarball", () => {
  it.skipIf(missing)(
    "streams all 2,190 symbols, one frame per entry, as many rows as the entries have data lines",
    async () => {
      expect((await detectFormat(TARBALL)).name).toBe("krx-minute-tarball");
      // independent count: newlines in each entry minus its header (the README's "854k" is rounded
      // up; the archive holds 840,283 data lines by `cat *.csv | wc -l` - 2,190 headers)
      const entries = await tarEntries();
      let dataLines = 0;
      for (const e of entries)
        dataLines +=
          e.buf
            .toString("latin1")
            .split("\n")
            .filter((l) => l !== "").length - 1;
      let frames = 0;
      let rows = 0;
      let full = 0;
      const loose = new Map<string, Frame>();
      for await (const frame of readInputs([TARBALL])) {
        frames++;
        rows += frame.length;
        if (frame.length === 390) full++;
        if (SYMBOLS.includes(frame.symbol)) loose.set(frame.symbol, frame);
      }
      expect(entries.length).toBe(2190);
      expect(frames).toBe(2190);
      expect(full).toBe(2093);
      expect(rows).toBe(dataLines);
      for (const symbol of SYMBOLS) {
        const [single] = await collect(krxMinuteCsv.read(`${DATA}creon_1m_20190920/${symbol}.csv`, {}));
        const frame = loose.get(symbol);
        for (const name of Object.keys(single.columns))
          expect([...(frame?.columns[name] ?? [])]).toEqual([...single.columns[name]]);
      }
    },
  );

  it.skipIf(missing)("stops reading when the consumer stops early", async () => {
    let n = 0;
    for await (const _ of krxMinuteTarball.read(TARBALL, {})) if (++n === 3) break;
    expect(n).toBe(3);
  });

  it.skipIf(missing)(
    "reports a truncated archive after the entries it could read, naming the file",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "stom-krx-"));
      try {
        const file = join(dir, "cut.tar.gz");
        writeFileSync(file, (await readFile(TARBALL)).subarray(0, 300_000));
        let frames = 0;
        const read = async () => {
          for await (const _ of krxMinuteTarball.read(file, {})) frames++;
        };
        await expect(read()).rejects.toThrow(`${file}: not a readable tar archive`);
        expect(frames).toBeGreaterThan(0);
        expect(frames).toBeLessThan(2190);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
