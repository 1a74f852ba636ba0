import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parseKrxMinuteCsv, sourceOf } from "../../src/data/formats/index.ts";
import { makeFrame } from "../../src/data/frame.ts";
import { validateFrame } from "../../src/data/validate.ts";
import { needShared, SHARED } from "../support/paths.ts";

const DATA = `${SHARED}/`;
const { missing } = needShared("krx/creon_1m_20190920/005930.csv");
const KRX = `${DATA}krx/creon_1m_20190920/005930.csv`;

async function krxLines(): Promise<string[]> {
  return (await readFile(KRX, "utf8")).trim().split("\n");
}

function bars(time: number[], close: number[]) {
  const f = (xs: number[]) => Float64Array.from(xs);
  return makeFrame({
    kind: "bars",
    market: "custom",
    symbol: "X",
    timeframe: "1m",
    tz: "UTC",
    columns: {
      time: f(time),
      open: f(close),
      high: f(close),
      low: f(close),
      close: f(close),
      volume: f(close.map(() => 1)),
    },
  });
}

const M = 60_000;

describe("validateFrame", () => {
  it.skipIf(missing)(
    "passes a clean real file with no issues and no source lines on the result",
    async () => {
      const frame = parseKrxMinuteCsv(await readFile(KRX), KRX);
      expect(sourceOf(frame)?.line[0]).toBe(2);
      const { frame: out, issues } = validateFrame(frame, KRX);
      expect(issues).toEqual([]);
      expect(out.length).toBe(390);
    },
  );

  it.skipIf(missing)(
    "detects mixed symbols as an error naming the first line of the other symbol",
    async () => {
      const lines = await krxLines();
      lines[100] = lines[100].replace(/005930$/, "000660");
      lines[200] = lines[200].replace(/005930$/, "000660");
      const frame = parseKrxMinuteCsv(Buffer.from(lines.join("\n")), "k.csv");
      const { issues } = validateFrame(frame, "k.csv");
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ level: "error", kind: "mixed-symbols", line: 101 });
      expect(issues[0].message).toContain("005930 (388 rows), 000660 (2 rows)");
    },
  );

  it.skipIf(missing)(
    "reports unsorted times as an error naming the line, and returns the frame unsorted",
    async () => {
      const lines = await krxLines();
      const moved = lines.splice(50, 1)[0];
      lines.splice(60, 0, moved);
      const frame = parseKrxMinuteCsv(Buffer.from(lines.join("\n")), "k.csv");
      const { frame: out, issues } = validateFrame(frame, "k.csv");
      expect(issues).toMatchObject([{ level: "error", kind: "unsorted", line: 61 }]);
      expect(out).toBe(frame);
    },
  );

  it.skipIf(missing)("drops identical duplicate bars with a count, and refuses differing ones", async () => {
    const lines = await krxLines();
    const dup = [...lines.slice(0, 11), lines[10], lines[10], ...lines.slice(11)];
    const { frame, issues } = validateFrame(parseKrxMinuteCsv(Buffer.from(dup.join("\n")), "k.csv"), "k.csv");
    expect(issues).toMatchObject([{ level: "warning", kind: "duplicates", count: 2, line: 12 }]);
    expect(frame.length).toBe(390);
    expect([...(sourceOf(frame)?.line.subarray(9, 11) ?? [])]).toEqual([11, 14]);

    const cells = lines[10].split(",");
    cells[5] = String(Number(cells[5]) + 50);
    const differ = [...lines.slice(0, 11), cells.join(","), ...lines.slice(11)];
    const bad = validateFrame(parseKrxMinuteCsv(Buffer.from(differ.join("\n")), "k.csv"), "k.csv");
    expect(bad.issues).toMatchObject([{ level: "error", kind: "duplicates", line: 12 }]);
    expect(bad.issues[0].message).toContain("line 12 repeats the key of line 11");
  });

  it("keys ticks by id when present, else by time + seq", () => {
    const ticks = (id?: string[]) =>
      makeFrame({
        kind: "ticks",
        market: "custom",
        symbol: "X",
        timeframe: "tick",
        tz: "UTC",
        columns: {
          time: Float64Array.from([1, 1, 1, 2]),
          seq: Int32Array.from([0, 1, 1, 0]),
          price: Float64Array.from([5, 6, 6, 7]),
          amount: Float64Array.from([1, 1, 1, 1]),
          ...(id ? { id } : {}),
        },
      });
    expect(validateFrame(ticks(), "t").issues).toMatchObject([
      { kind: "duplicates", level: "warning", count: 1 },
    ]);
    expect(validateFrame(ticks(), "t").frame.length).toBe(3);
    expect(validateFrame(ticks(["a", "b", "c", "d"]), "t").issues).toEqual([]);
    // same id, different price: an error, named by row when there are no source lines
    const bad = validateFrame(ticks(["a", "a", "c", "d"]), "t").issues;
    expect(bad).toMatchObject([{ kind: "duplicates", level: "error" }]);
    expect(bad[0].message).toContain("row 2 repeats the key of row 1");
  });

  it("reports gaps as a warning with a count and the first few", () => {
    const t0 = Date.UTC(2024, 0, 1);
    const { issues } = validateFrame(
      bars([t0, t0 + M, t0 + 4 * M, t0 + 5 * M, t0 + 7 * M], [1, 2, 3, 4, 5]),
      "b",
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ level: "warning", kind: "gaps", count: 2 });
    expect(issues[0].message).toBe(
      "2 gap(s), 3 missing 1m bar(s); first: 2024-01-01T00:01:00Z -> 2024-01-01T00:04:00Z (2 missing), 2024-01-01T00:05:00Z -> 2024-01-01T00:07:00Z (1 missing)",
    );
  });
});
