import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../../../src/data/errors.ts";
import { detectFormat, FORMATS, readHead, readInputs } from "../../../src/data/formats/index.ts";
import type { Frame } from "../../../src/data/frame.ts";
import { needShared, SHARED } from "../../support/paths.ts";

const DATA = `${SHARED}/`;
const { missing } = needShared(
  "backtesting-py/GOOG.csv",
  "krx/creon_1m_20190920",
  "freqtrade/XRP_ETH-5m.json",
);
let tmp = "";

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "stom-formats-detect-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function all(iter: AsyncIterable<Frame>): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of iter) out.push(f);
  return out;
}

describe("detectFormat", () => {
  it("an unknown file is an error listing every format with its description", async () => {
    const file = path.join(tmp, "notes.txt");
    await writeFile(file, "hello\n");
    const error = await detectFormat(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    for (const f of FORMATS) {
      expect((error as Error).message).toContain(f.name);
      expect((error as Error).message).toContain(f.description);
    }
    expect(FORMATS.map((f) => f.name)).toContain("stom-sqlite");
  });

  it.skipIf(missing)(
    "an unknown --format name lists the formats; a known one is used without sniffing",
    async () => {
      await expect(detectFormat(`${DATA}backtesting-py/GOOG.csv`, { format: "parquet" })).rejects.toThrow(
        /unknown format: 'parquet'.*\n.*ohlcv-csv/s,
      );
      expect((await detectFormat(`${DATA}backtesting-py/GOOG.csv`, { format: "krx-minute-csv" })).name).toBe(
        "krx-minute-csv",
      );
    },
  );

  it.skipIf(missing)("sniffs gzip files on their decompressed head", async () => {
    const gz = path.join(tmp, "GOOG.csv.gz");
    await writeFile(gz, gzipSync(await readFile(`${DATA}backtesting-py/GOOG.csv`)));
    expect((await readHead(gz)).subarray(0, 6).toString()).toBe(",Open,");
    expect((await detectFormat(gz)).name).toBe("ohlcv-csv");
    const [frame] = await all(readInputs([gz]));
    expect(frame).toMatchObject({ symbol: "GOOG", length: 2148 });
  });
});

describe("readInputs", () => {
  it.skipIf(missing)(
    "recurses into directories, skipping README, hidden and unrecognised files",
    async () => {
      const dir = path.join(tmp, "tree");
      await mkdir(path.join(dir, "sub"), { recursive: true });
      await writeFile(path.join(dir, "README.md"), "# not data\n");
      await writeFile(path.join(dir, ".hidden.csv"), "Date,Open,High,Low,Close\n2020-01-01,1,1,1,1\n");
      await writeFile(path.join(dir, "notes.txt"), "hello\n");
      await writeFile(
        path.join(dir, "005930.csv"),
        await readFile(`${DATA}krx/creon_1m_20190920/005930.csv`),
      );
      await writeFile(
        path.join(dir, "sub", "XRP_ETH-5m.json"),
        await readFile(`${DATA}freqtrade/XRP_ETH-5m.json`),
      );
      const skipped: string[] = [];
      let lastRows = 0;
      const frames = await all(
        readInputs([dir], { onSkip: (f) => skipped.push(path.basename(f)), onRows: (n) => (lastRows = n) }),
      );
      expect(frames.map((f) => `${f.market}:${f.symbol}:${f.timeframe}:${f.length}`)).toEqual([
        "krx:005930:1m:390",
        "binance:XRP/ETH:5m:712",
      ]);
      expect(skipped).toEqual(["notes.txt"]);
      expect(lastRows).toBe(390 + 712);
      // named explicitly, the same unrecognised file is an error
      await expect(all(readInputs([path.join(dir, "notes.txt")]))).rejects.toThrow(/unknown format/);
    },
  );

  it.skipIf(missing)("throws a DataError naming the first line out of order instead of sorting", async () => {
    const lines = (await readFile(`${DATA}backtesting-py/GOOG.csv`, "utf8")).split("\n");
    [lines[10], lines[11]] = [lines[11], lines[10]];
    const file = path.join(tmp, "GOOG.csv");
    await writeFile(file, lines.join("\n"));
    await expect(all(readInputs([file]))).rejects.toThrow(
      `${file}, line 12: unsorted: timestamps out of order: line 12 (2004-09-01T00:00:00Z) is earlier than line 11 (2004-09-02T00:00:00Z)`,
    );
  });

  it("a missing path is a DataError", async () => {
    await expect(all(readInputs([path.join(tmp, "nope.csv")]))).rejects.toThrow(/no such file/);
  });
});
