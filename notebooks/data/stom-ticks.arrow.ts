// STOM snapshots for the STOM page: every coin_tick column, from a STOM fixture DB built now from
// the real Upbit trades in the shared data folder (STOM_SHARED_DATA, default ../shared/data), or,
// without that folder (a fresh clone), from the SYNTHETIC coin_tick DB of stom-synthetic.ts.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stomSqlite } from "../../src/data/formats/stom-sqlite.ts";
import type { Frame } from "../../src/data/frame.ts";
import { sharedDataDir, writeStomFixture } from "../../src/data/stom/fixture.ts";
import { framesToArrow, run } from "./source.ts";
import { STOM_FIXTURE } from "./stom-spec.ts";
import { writeSyntheticStomDb } from "./stom-synthetic.ts";

run(async () => {
  const trades = path.join(sharedDataDir(), STOM_FIXTURE.trades);
  const dir = mkdtempSync(path.join(tmpdir(), "stom-ticks-"));
  try {
    const db = path.join(dir, "coin_tick.db");
    // a fresh clone without the shared data runs the page on the SYNTHETIC DB (the spec says so)
    if (!existsSync(trades)) writeSyntheticStomDb(db);
    else
      writeStomFixture(db, {
        kind: STOM_FIXTURE.kind,
        source: trades,
        minutes: STOM_FIXTURE.minutes,
        seed: STOM_FIXTURE.seed,
      });
    const frames: Frame[] = [];
    for await (const f of stomSqlite.read(db, {})) frames.push(f);
    if (frames.length === 0) throw new Error(`no symbol tables in ${db}`);
    const names = Object.keys(frames[0].columns).filter((k) => !Array.isArray(frames[0].columns[k]));
    return framesToArrow(frames, names);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
