// What the STOM page runs on, its example texts and the shared STOM cases' texts (the fixture
// itself is stom-ticks.arrow). Without the shared data folder the build still works: `available`
// and `cases` say what is missing.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { sharedDataDir } from "../../src/data/stom/fixture.ts";
import { run } from "./source.ts";
import {
  STOM_CASES_DIR,
  STOM_DBS,
  STOM_DBS_DIR,
  STOM_EXAMPLE,
  STOM_FIXTURE,
  stomDbAttachment,
} from "./stom-spec.ts";
import { STOM_SYNTHETIC } from "./stom-synthetic.ts";

const available = existsSync(path.join(sharedDataDir(), STOM_FIXTURE.trades));

/** A shared case's texts, as the page's case picker fills them into the form. */
interface StomCase {
  readonly name: string;
  readonly kind: string;
  readonly buy: string;
  readonly sell: string;
  readonly vars?: string;
  /** the first line of note.md (where the texts come from) */
  readonly note?: string;
  /** the shared DB the case runs on (stom_v1_oracle.json `db`), embedded as data/stom-db-<stem>.arrow */
  readonly db?: string;
  /** what STOM V1.10's own backtester made of it on that DB (stom_v1_oracle.json, without the trade list) */
  readonly oracle?: StomOracle;
}

interface StomOracle {
  readonly result: Record<string, number> | null;
  /** the number of STOM's trades */
  readonly tc: number;
  readonly days?: number;
  readonly betting?: number;
  readonly valid: boolean;
  /** STOM could not compute the text's TA-Lib indicators: only compiling is checked */
  readonly caveat?: string;
  /** STOM refuses the text (compile or runtime error) */
  readonly stomError?: string;
  readonly error?: string;
}

function readOracle(file: string): { db?: string; oracle?: StomOracle } {
  if (!existsSync(file)) return {};
  const o = JSON.parse(readFileSync(file, "utf8"));
  return {
    ...(typeof o.db === "string" ? { db: o.db } : {}),
    oracle: {
      result: o.result ?? null,
      tc: Array.isArray(o.trades) ? o.trades.length : 0,
      ...(typeof o.days === "number" ? { days: o.days } : {}),
      ...(typeof o.settings?.betting === "number" ? { betting: o.settings.betting } : {}),
      valid: o.valid_as_expected_output !== false,
      ...(o.caveat ? { caveat: String(o.caveat) } : {}),
      ...(o.stom_error ? { stomError: String(o.stom_error) } : {}),
      ...(o.error ? { error: String(o.error) } : {}),
    },
  };
}

function readCases(dir: string): StomCase[] {
  const read = (name: string, file: string) => {
    const p = path.join(dir, name, file);
    return existsSync(p) ? readFileSync(p, "utf8") : undefined;
  };
  const cases: StomCase[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const buy = read(e.name, "buy.txt");
    const sell = read(e.name, "sell.txt");
    const kind = read(e.name, "kind")?.trim();
    if (buy === undefined || sell === undefined || !kind) continue;
    const vars = read(e.name, "vars.txt");
    const note = read(e.name, "note.md")?.split("\n")[0]?.trim();
    cases.push({
      ...readOracle(path.join(dir, e.name, "stom_v1_oracle.json")),
      name: e.name,
      kind,
      buy,
      sell,
      ...(vars !== undefined ? { vars } : {}),
      ...(note ? { note } : {}),
    });
  }
  return cases.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const casesDir = path.join(sharedDataDir(), STOM_CASES_DIR);
const cases = existsSync(casesDir) ? readCases(casesDir) : [];

// the shared DBs the page can load (one attachment each; an absent one is an empty table)
const dbs = STOM_DBS.map((name) => ({
  name,
  attachment: stomDbAttachment(name),
  available: existsSync(path.join(sharedDataDir(), STOM_DBS_DIR, `${name}.gz`)),
  kind: /^(stock|coin)_(tick|min)/.exec(name)?.[0] ?? null,
}));

run(async () =>
  JSON.stringify({
    fixture: STOM_FIXTURE,
    available,
    // without the shared data the page runs on a SYNTHETIC DB (stom-synthetic.ts), and says so
    synthetic: available ? null : STOM_SYNTHETIC,
    // the DB layout of the embedded snapshots: the texts are compiled for it
    kind: STOM_FIXTURE.kind,
    description: available
      ? `a STOM ${STOM_FIXTURE.kind} fixture DB built at build time from ${STOM_FIXTURE.minutes} minutes of real Upbit KRW-BTC trades (${STOM_FIXTURE.trades}); the 5-level book is modeled (src/data/stom/fixture.ts, seed ${STOM_FIXTURE.seed}).`
      : `SYNTHETIC: a STOM ${STOM_SYNTHETIC.kind} DB (table ${STOM_SYNTHETIC.symbol}) of ${STOM_SYNTHETIC.ticks.toLocaleString("en-US")} one-second snapshots from the seeded sample generator (src/data/sample.ts, seed ${STOM_SYNTHETIC.seed}), not market data. This build did not have the shared data folder (STOM_SHARED_DATA, default ../shared/data) with the real Upbit trades (${STOM_FIXTURE.trades}) the fixture is made from: rebuild with it, or run your own STOM DB with stom backtest --stom-buy/--stom-sell --data <db>.`,
    market: available ? "upbit" : "synthetic",
    example: STOM_EXAMPLE,
    cases,
    dbs,
    dbsNote: dbs.some((d) => d.available)
      ? `the shared STOM DBs (${STOM_DBS_DIR}), one attachment each, fetched when a case needs one`
      : `no shared STOM DBs: this build did not have ${STOM_DBS_DIR} in the shared data folder (STOM_SHARED_DATA, default ../shared/data), so the cases cannot run here`,
    casesNote: cases.length
      ? `${cases.length} shared STOM cases from ${STOM_CASES_DIR} in the shared data folder`
      : `no shared STOM cases: this build did not have ${STOM_CASES_DIR} in the shared data folder (STOM_SHARED_DATA, default ../shared/data)`,
  }),
);
