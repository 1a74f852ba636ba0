// Worker thread entry: loads the strategy module by path (or compiles STOM texts), views the shared
// columns, and runs the tasks it is sent one at a time, posting each result back (equity transferred).
import { readFileSync } from "node:fs";
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { importStrategy } from "../app/import-strategy.ts";
import { makeSampleBars } from "../data/sample.ts";
import type { BacktestOptions } from "../engine/backtest.ts";
import type { Bars } from "../engine/bars.ts";
import { toBars } from "../engine/bars.ts";
import { Evaluator } from "../engine/optimize/evaluate.ts";
import type { Task, TaskResult } from "../engine/optimize/runner.ts";
import type { StomRunOptions } from "../engine/stom/index.ts";
import type { StrategyDef } from "../engine/strategy.ts";
import { awaitClaim, CLAIM, type Claim, claim, settle } from "./indicator-claims.ts";
import type { StomTexts } from "./pool.ts";
import { type SharedBars, shareBars, sharedToBars } from "./shared-bars.ts";
import type { CLOSE } from "./thread-boot.ts";

export type WorkerInit =
  | {
      readonly kind: "strategy";
      readonly strategyPath: string;
      readonly options: Omit<BacktestOptions, "params">;
      readonly memo: boolean;
      /** the pool's claims on shared indicators, and this thread's inbox of the others' results */
      readonly peers?: { readonly claims: SharedArrayBuffer; readonly inbox: MessagePort };
    }
  | {
      readonly kind: "stom";
      readonly texts: StomTexts;
      readonly inputs: readonly {
        readonly symbol: string;
        readonly name?: string;
        readonly columns: Readonly<Record<string, SharedArrayBuffer>>;
      }[];
      readonly options: Omit<StomRunOptions, "vars" | "params" | "clock">;
    };

/** The bars of a bar strategy's thread: posted once, after the thread started loading. */
export interface WorkerBars {
  readonly bars: SharedBars;
}

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error("worker.ts must run in a worker thread");

async function load(init: WorkerInit): Promise<(task: Task) => TaskResult> {
  if (init.kind === "stom") {
    // loaded only here: a bar strategy's workers start without the STOM engine (a tenth of their start)
    const { compileStom, stomTask } = await import("../engine/stom/index.ts");
    const { buy, sell, compile } = init.texts;
    const inputs = init.inputs.map((input) => ({
      symbol: input.symbol,
      name: input.name,
      columns: Object.fromEntries(
        Object.entries(input.columns).map(([k, sab]) => [k, new Float64Array(sab)]),
      ),
    }));
    return stomTask(compileStom(buy, sell, compile), inputs, init.options);
  }
  // the bars come while the engine and the strategy load (the pool starts threads before they are read)
  const barsPosted = new Promise<SharedBars>((resolve) => {
    const onBars = (message: WorkerBars) => {
      if (!("bars" in message)) return;
      port?.off("message", onBars);
      resolve(message.bars);
    };
    port?.on("message", onBars);
  });
  const mod = await importStrategy(init.strategyPath, readFileSync(init.strategyPath, "utf8"));
  const strategy = mod.default as StrategyDef;
  let arrived: SharedBars | undefined;
  barsPosted.then((b) => {
    arrived = b;
  });
  await warmUp(strategy, init.options, () => arrived);
  const bars = sharedToBars(await barsPosted);
  const evaluator = new Evaluator(strategy, bars, init.options, { memo: init.memo });
  if (init.peers) shareIndicators(evaluator.memo, bars, init.peers);
  return (task) => evaluator.run(task);
}

/** An indicator one worker computed on a bar column, posted for the others to adopt. */
export interface SharedIndicator {
  readonly column: string;
  readonly key: string;
  readonly buffer: SharedArrayBuffer;
}

/** How long a thread waits for another to compute an indicator, or for its result to arrive. */
const CLAIM_WAIT_MS = 60_000;
const ARRIVAL_WAIT_MS = 2_000;

/**
 * Shares the indicators this thread computes on the bar columns with the pool's other threads: a
 * miss claims the indicator (indicator-claims.ts); the thread that holds the claim computes it into
 * shared memory and posts it (the pool hands it to the others' inboxes), and a thread that missed
 * it meanwhile waits for it and adopts it instead of computing it too (on this machine most of an
 * SMA's cost is faulting in its fresh 8 MB).
 */
function shareIndicators(
  memo: Evaluator["memo"],
  bars: Bars,
  peers: { readonly claims: SharedArrayBuffer; readonly inbox: MessagePort },
): void {
  const names = new Map<object, string>();
  for (const [name, column] of Object.entries(bars.columns)) names.set(column, name);
  const table = new Int32Array(peers.claims);
  const nap = new Int32Array(new SharedArrayBuffer(4));
  // the indicators this thread computed or received: one that is claimed as computed but is in
  // neither is on its way through the pool's thread; one that is, was evicted from the memo since
  const seen = new Set<string>();
  const adoptInbox = () => {
    for (let m = receiveMessageOnPort(peers.inbox); m; m = receiveMessageOnPort(peers.inbox)) {
      const { column, key, buffer } = m.message as SharedIndicator;
      const input = bars.columns[column];
      seen.add(`${column} ${key}`);
      if (input) memo.adopt(input, key, new Float64Array(buffer));
    }
  };
  const held = new Map<string, Claim>();
  memo.shared = true;
  memo.peers = {
    before(input, key) {
      const column = names.get(input);
      if (column === undefined) return undefined;
      adoptInbox();
      const have = memo.get(input, key);
      if (have) return have;
      const name = `${column} ${key}`;
      for (;;) {
        const c = claim(table, name);
        if (!c) return undefined;
        if (c.mine) {
          held.set(name, c);
          return undefined;
        }
        const state = awaitClaim(table, c, CLAIM_WAIT_MS);
        // its computation failed: claim it again (this thread may compute it now)
        if (state === CLAIM.free) continue;
        if (state !== CLAIM.done || seen.has(name)) return undefined;
        const until = performance.now() + ARRIVAL_WAIT_MS;
        for (;;) {
          adoptInbox();
          const got = memo.get(input, key);
          if (got || performance.now() >= until) return got;
          Atomics.wait(nap, 0, 0, 1);
        }
      }
    },
    after(input, key, value) {
      const column = names.get(input);
      if (column === undefined) return;
      const name = `${column} ${key}`;
      if (value) seen.add(name);
      // a result in memory of its own (a compute that made its array itself) cannot be handed over
      const shareable = value !== null && value.buffer instanceof SharedArrayBuffer && value.byteOffset === 0;
      if (shareable) {
        const shared: SharedIndicator = { column, key, buffer: value.buffer as SharedArrayBuffer };
        port?.postMessage({ indicator: shared });
      }
      const c = held.get(name);
      if (!c) return;
      held.delete(name);
      settle(table, c, value === null ? CLAIM.free : shareable ? CLAIM.done : CLAIM.unshared);
    },
  };
}

/** Bars of the warm-up runs: enough for the JIT to optimize the bar loop, a fraction of a long series. */
const WARM_UP_BARS = 20_000;

/**
 * Runs the strategy with its default parameters, screened, in full and through next(), on sample
 * bars (src/data/sample.ts) and drops the results: a fresh thread's first backtest on a long series
 * otherwise runs much of it unoptimized (about 0.6 s on 1M bars, in every worker). It runs while
 * the bars are still being read, and stops once they are there if they are short (fewer than four
 * times its own: a warm JIT saves them less than the runs cost). A strategy that fails on the
 * sample fails on its first task or not at all, with its own message.
 */
async function warmUp(
  strategy: StrategyDef,
  options: Omit<BacktestOptions, "params">,
  arrived: () => SharedBars | undefined,
): Promise<void> {
  const sample = sharedToBars(shareBars(toBars(makeSampleBars({ bars: WARM_UP_BARS }))));
  const warm = new Evaluator(strategy, sample, options, { memo: false });
  const screen = { spec: { objective: "equityFinal", bounds: [] }, threshold: Number.NEGATIVE_INFINITY };
  const tasks: Task[] = [
    { id: -1, params: {}, screen },
    { id: -1, params: {} },
    // a strategy with signals() runs through them; next() checks the search's best at the end
    ...(strategy.signals ? [{ id: -1, params: {}, next: true }] : []),
  ];
  for (let k = 0; k < 3; k++) {
    for (const task of tasks) {
      const bars = arrived();
      if (bars && bars.length < 4 * WARM_UP_BARS) return;
      warm.run(task);
      // lets the bars' message in
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

try {
  const run = await load(init);
  port.on("message", (message: Task | typeof CLOSE) => {
    if ("close" in message) {
      // the pool is done: with the port closed the thread ends on its own (thread-boot.ts closeThread)
      port.close();
      return;
    }
    const task = message;
    const result = run(task);
    port.postMessage(result, result.equity ? [result.equity.buffer as ArrayBuffer] : []);
  });
  port.postMessage({ ready: true });
} catch (e) {
  port.postMessage({ ready: false, error: e instanceof Error ? e.message : String(e) });
}
