// What the STOM page runs on and its example texts (the fixture itself is stom-ticks.arrow).
import { existsSync } from "node:fs";
import path from "node:path";
import { sharedDataDir } from "../../src/data/stom/fixture.ts";
import { run } from "./source.ts";
import { STOM_EXAMPLE, STOM_FIXTURE } from "./stom-spec.ts";

const available = existsSync(path.join(sharedDataDir(), STOM_FIXTURE.trades));

run(async () =>
  JSON.stringify({
    fixture: STOM_FIXTURE,
    available,
    description: available
      ? `a STOM ${STOM_FIXTURE.kind} fixture DB built at build time from ${STOM_FIXTURE.minutes} minutes of real Upbit KRW-BTC trades (${STOM_FIXTURE.trades}); the 5-level book is modeled (src/data/stom/fixture.ts, seed ${STOM_FIXTURE.seed}).`
      : `none: the STOM fixture is built from ${STOM_FIXTURE.trades} in the shared data folder (STOM_SHARED_DATA, default ../shared/data), which this build did not have. Rebuild with it, or use stom backtest --stom-buy/--stom-sell on your own STOM DB.`,
    market: "upbit",
    // Upbit: whole satoshis, UTC days (STOM's coin DBs are UTC)
    unit: 1e-8,
    utcOffsetMs: 0,
    example: STOM_EXAMPLE,
  }),
);
