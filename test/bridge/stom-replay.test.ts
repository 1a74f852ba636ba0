// STOM texts promoted to the bridge run on StomSession, the kernel backtestStom drives, fed the
// replayed rows of a real STOM DB one at a time. Over HTTP, for real author texts on a stock and a
// coin tick DB: every fill in the paper journal is a buy or a sell of STOM's own trade list (the
// oracle's, which backtestStom equals), at the same snapshot, price and quantity, and every one of
// them is there (the replay's end ends the last day, as the end of the backtest's data does).
import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadStomData, type StomData, stomInputs } from "../../src/app/stom-data.ts";
import { Bridge } from "../../src/bridge/bridge.ts";
import { type BridgeServer, startServer } from "../../src/bridge/server.ts";
import { SnapshotReplay } from "../../src/bridge/snapshot-source.ts";
import {
  backtestStom,
  compileStom,
  KST_OFFSET_MS,
  type StomKind,
  stomIndexToMs,
} from "../../src/engine/stom/index.ts";
import { tempDir } from "../support/fixtures.ts";
import { needShared } from "../support/paths.ts";
import { STOM_CASES, stomDbPath } from "../support/stom-cases.ts";

const { missing } = needShared("stom/cases", "stom/dbs");
const TOKEN = "9a4c1e7f3b8d2a6c0e5f9b1d7a3c8e2f6b0d4a9c7e1f5b3d8a2c6e0f4b9d1a7c";
const dir = tempDir("stom-stom-replay-");
// the tick cases with the most trades: a coin text with self.vars (120 trades), a stock text (105)
const CASES = ["a06_coinopti2_tick", "d090_tick_900_920_study"];

let bridge: Bridge;
let server: BridgeServer;
const data = new Map<string, StomData>();
const ended = new Map<string, Promise<void>>();

describe.skipIf(missing)("STOM texts on the bridge's snapshots", () => {
  beforeAll(async () => {
    for (const name of CASES) {
      const oracle = JSON.parse(readFileSync(join(STOM_CASES, name, "stom_v1_oracle.json"), "utf8"));
      data.set(name, await loadStomData(stomDbPath(oracle.db)));
      const folder = join(dir, "strategies", "stom", name.replaceAll("_", "-"));
      mkdirSync(folder, { recursive: true });
      for (const f of ["buy.txt", "sell.txt", "vars.txt"])
        if (existsSync(join(STOM_CASES, name, f))) cpSync(join(STOM_CASES, name, f), join(folder, f));
    }
    bridge = await Bridge.open({
      dataDir: join(dir, "journal"),
      feed: false,
      strategyDir: join(dir, "strategies"),
      snapshots: (promotion) => {
        let done = () => {};
        ended.set(promotion.id, new Promise<void>((resolve) => (done = resolve)));
        const name = CASES.find((c) => c.replaceAll("_", "-") === promotion.strategy) as string;
        const frames = (data.get(name) as StomData).frames;
        return SnapshotReplay.of(frames, promotion.symbols ?? [], { onEnd: () => done() });
      },
    });
    server = await startServer(bridge, { token: TOKEN, port: 0, logger: pino({ level: "silent" }) });
  });

  afterAll(async () => {
    await server?.close();
    await bridge?.close();
  });

  for (const name of CASES) {
    test(name, async () => {
      const caseDir = join(STOM_CASES, name);
      const oracle = JSON.parse(readFileSync(join(caseDir, "stom_v1_oracle.json"), "utf8"));
      const kind = readFileSync(join(caseDir, "kind"), "utf8").trim() as StomKind;
      const stomData = data.get(name) as StomData;
      const symbols = stomData.frames.map((f) => f.symbol);
      const res = await fetch(`${server.url}/api/promotions`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          kind: "stom",
          strategy: name.replaceAll("_", "-"),
          exchange: kind.startsWith("stock") ? "kis" : "upbit",
          symbols,
          settings: { kind, betting: oracle.settings.betting },
        }),
      });
      const body = (await res.json()) as { id: string; error?: string };
      expect(res.status, body.error).toBe(201);
      await ended.get(body.id);
      // the replay's end ends the day (LastSell), right after its last row
      await new Promise((resolve) => setImmediate(resolve));

      const program = compileStom(
        readFileSync(join(caseDir, "buy.txt"), "utf8"),
        readFileSync(join(caseDir, "sell.txt"), "utf8"),
        {
          kind,
          vars: existsSync(join(caseDir, "vars.txt"))
            ? readFileSync(join(caseDir, "vars.txt"), "utf8")
            : undefined,
        },
      );
      const vars: number[] = [];
      for (const [k, v] of program.vars) vars[k] = v.best;
      const trades = backtestStom(program, stomInputs(stomData), {
        betting: oracle.settings.betting,
        vars,
        varsZeroIsAvg: program.vars.has(0),
      }).trades;
      expect(trades.length).toBe(oracle.trades.length);
      const offset = kind.startsWith("stock") ? KST_OFFSET_MS : 0;
      const key = (side: string, symbol: string, time: number, price: number, qty: number) =>
        `${side} ${symbol} ${time} ${price} ${qty}`;
      const expected = new Map<string, { day: number }>();
      for (const t of trades) {
        const day = Math.floor(t.sell / 1e6);
        expected.set(key("buy", t.code, stomIndexToMs(t.buy, offset), t.bp, t.qty), { day });
        expected.set(key("sell", t.code, stomIndexToMs(t.sell, offset), t.sp, t.qty), { day });
      }
      const orders = bridge.stores.paper.orders({ limit: 10_000 }).filter((o) => o.promotionId === body.id);
      const fills = bridge.stores.paper.promotionFills(body.id);
      const symbolOf = new Map(orders.map((o) => [o.clientOrderId, o.symbol]));
      const seen = new Set<string>();
      for (const f of fills) {
        const k = key(f.side, symbolOf.get(f.clientOrderId) as string, f.time, f.price, f.amount);
        expect(expected.has(k), `${k} is not one of STOM's trades`).toBe(true);
        seen.add(k);
      }
      // every buy and sell of STOM's list, the last day's closing sells too (the replay's end ends it)
      expect([...expected.keys()].filter((k) => !seen.has(k))).toEqual([]);
      expect(seen.size).toBeGreaterThan(0);
      expect(fills.length, "a fill journalled twice").toBe(seen.size);
    });
  }
});
