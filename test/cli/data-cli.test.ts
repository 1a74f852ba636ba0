import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stomSync } from "../support/cli.ts";
import { needShared, SHARED } from "../support/paths.ts";

const DATA = SHARED;
const { missing } = needShared("freqtrade/XRP_ETH-1m.json", "krx/creon_1m_20190920/005930.csv");
const dir = mkdtempSync(join(tmpdir(), "stom-cli-"));
const catalog = join(dir, "catalog");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stom = (...args: string[]) => stomSync(args, { cwd: dir });

describe("stom data import | ls | query", () => {
  it.skipIf(missing)("imports, lists and queries real files; a re-import adds nothing", () => {
    const first = stom(
      "data",
      "import",
      join(DATA, "freqtrade/XRP_ETH-1m.json"),
      join(DATA, "krx/creon_1m_20190920/005930.csv"),
      "--catalog",
      catalog,
      "--json",
    );
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ series: 2, rowsIn: 3560 + 390, rowsAdded: 3560 + 390 });
    const again = stom(
      "data",
      "import",
      join(DATA, "freqtrade/XRP_ETH-1m.json"),
      "--catalog",
      catalog,
      "--json",
    );
    expect(JSON.parse(again.stdout)).toMatchObject({ rowsIn: 3560, rowsAdded: 0, duplicates: 3560 });

    const ls = stom("data", "ls", "--catalog", catalog);
    expect(ls.code).toBe(0);
    // KRX times show in KST: the first bar (label 09:01 end) starts 09:00 KST
    expect(ls.stdout).toMatch(
      /bars\s+krx\s+005930\s+1m\s+390\s+2019-09-20 09:00:00\s+2019-09-20 15:29:00\s+Asia\/Seoul/,
    );
    expect(ls.stdout).toMatch(/XRP\/ETH\s+1m\s+3560\s+2019-10-11 00:00:00/);

    const q = stom(
      "data",
      "query",
      "select symbol, count(*) as n from bars group by 1 order by 1",
      "--catalog",
      catalog,
      "--json",
    );
    expect(JSON.parse(q.stdout)).toEqual([
      { symbol: "005930", n: 390 },
      { symbol: "XRP/ETH", n: 3560 },
    ]);
  });

  it("fails with a short message and exit code 1", () => {
    // a catalog of its own (the test above fills `catalog` only when ../shared is there)
    const own = join(dir, "own-catalog");
    expect(stom("data", "sample", "--catalog", own).code).toBe(0);
    const bad = stom("data", "query", "selec 1", "--catalog", own);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^stom: .*syntax error/);
    const missing = stom("data", "import", join(dir, "nope.csv"), "--catalog", own);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.csv/);
  });
});
