// One STOM run pinned: the STOM page's example texts (notebooks/data/stom-spec.ts) compiled and run by
// STOM's engine (src/engine/stom) on the synthetic coin_tick DB the page embeds on a fresh clone, read
// back through the STOM SQLite reader. The 45 shared cases hold the engine to STOM's own output
// (test/engine/stom/cases.test.ts); this pin holds it on any clone, without ../shared.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { STOM_EXAMPLE } from "../../notebooks/data/stom-spec.ts";
import { writeSyntheticStomDb } from "../../notebooks/data/stom-synthetic.ts";
import { compileStom, runStom } from "../../src/engine/stom/index.ts";
import { golden, plain } from "../support/golden.ts";
import { loadStomDbFile } from "../support/stom-cases.ts";

const dir = mkdtempSync(join(tmpdir(), "stom-golden-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("golden STOM run", () => {
  test("the page's example texts on the synthetic coin_tick DB equal their pinned trades and result block", () => {
    const db = join(dir, "synthetic.db");
    writeSyntheticStomDb(db);
    const program = compileStom(STOM_EXAMPLE.buy, STOM_EXAMPLE.sell, {
      kind: "coin_tick",
      vars: STOM_EXAMPLE.vars,
    });
    const r = runStom(program, loadStomDbFile(db));
    expect(r.trades.length).toBeGreaterThan(3);
    const actual = { result: r.result, trades: r.trades, snapshots: r.snapshots, days: r.days };
    expect(plain(actual)).toEqual(golden("stom-run", actual));
  });
});
