// STOM snapshots for the STOM page: every coin_tick column, from a STOM fixture DB built now from
// the real Upbit trades in the shared data folder (STOM_SHARED_DATA, default ../shared/data).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stomSqlite } from "../../src/data/formats/stom-sqlite.ts";
import type { Frame } from "../../src/data/frame.ts";
import { sharedDataDir, writeStomFixture } from "../../src/data/stom/fixture.ts";
import { framesToArrow, run } from "./source.ts";
import { STOM_FIXTURE } from "./stom-spec.ts";

run(async () => {
  const trades = path.join(sharedDataDir(), STOM_FIXTURE.trades);
  // a fresh clone without the shared data still builds: the page says what is missing
  if (!existsSync(trades)) return framesToArrow([], ["time", "현재가"]);
  const dir = mkdtempSync(path.join(tmpdir(), "stom-ticks-"));
  try {
    const db = path.join(dir, "coin_tick.db");
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
