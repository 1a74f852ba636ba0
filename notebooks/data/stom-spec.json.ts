// What the STOM page runs on and its example texts (the fixture itself is stom-ticks.arrow).
import { run } from "./source.ts";
import { STOM_EXAMPLE, STOM_FIXTURE } from "./stom-spec.ts";

run(async () =>
  JSON.stringify({
    fixture: STOM_FIXTURE,
    description: `a STOM ${STOM_FIXTURE.kind} fixture DB built at build time from ${STOM_FIXTURE.minutes} minutes of real Upbit KRW-BTC trades (${STOM_FIXTURE.trades}); the 5-level book is modeled (src/data/stom/fixture.ts, seed ${STOM_FIXTURE.seed}).`,
    market: "upbit",
    // Upbit: whole satoshis, UTC days (STOM's coin DBs are UTC)
    unit: 1e-8,
    utcOffsetMs: 0,
    example: STOM_EXAMPLE,
  }),
);
