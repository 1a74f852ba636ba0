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
import {
  acquire,
  awaitClaim,
  CLAIM,
  type Claim,
  claim,
  holders,
  keeper,
  lease,
  release,
  settle,
} from "./indicator-claims.ts";
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
      readonly peers?: SharedIndicators;
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

/**
 * What a thread does: run a task; drop the indicators of parameter values the batch's tasks do not
 * have (keepOnly) or no task left has (retire).
 */
interface Work {
  run(task: Task): TaskResult;
  keepOnly?(values: Readonly<Record<string, readonly number[]>>): void;
  retire?(name: string, value: number): void;
}

async function load(init: WorkerInit): Promise<Work> {
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
    return { run: stomTask(compileStom(buy, sell, compile), inputs, init.options) };
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
  return {
    run: (task) => evaluator.run(task),
    keepOnly: (values) => {
      evaluator.keepOnly(values);
      // every thread is dropping the same now (a batch starts when the last one ended): the
      // memory of the columns this one computed comes back once the others let go
      evaluator.memo.peers?.tick?.(KEEP_WAIT_MS);
    },
    retire: (name, value) => evaluator.retire(name, value),
  };
}

/** How a bar strategy's thread shares indicators: the table of claims, its inbox, its index in the pool. */
export interface SharedIndicators {
  readonly claims: SharedArrayBuffer;
  readonly inbox: MessagePort;
  readonly thread: number;
  readonly threads: number;
}

/** An indicator one worker computed on a bar column, offered to the others (leased: indicator-claims.ts). */
export interface SharedIndicator {
  readonly column: string;
  readonly key: string;
  readonly buffer: SharedArrayBuffer;
  /** its slot's cells in the table of claims, and the generation of its lease */
  readonly state: number;
  readonly lease: number;
  readonly keeper: number;
  readonly gen: number;
}

/** How long a thread waits for another to compute an indicator, or for its result to arrive. */
const CLAIM_WAIT_MS = 60_000;
const ARRIVAL_WAIT_MS = 2_000;
/** How long a thread waits, at a batch's start, for the others to let go of what they dropped. */
const KEEP_WAIT_MS = 20;

/**
 * Shares the indicators this thread computes on the bar columns with the pool's other threads: a
 * miss claims the indicator (indicator-claims.ts); the thread that holds the claim computes it into
 * shared memory and offers it (the pool hands the offer to the others' inboxes), and a thread that
 * missed it meanwhile waits for it and takes it instead of computing it too (on this machine most
 * of an SMA's cost is faulting in its fresh 8 MB).
 *
 * Each thread that takes a column holds a lease on it, and lets go when its memo drops it; the last
 * to let go writes later indicators into its memory. Which thread that is does not depend on who
 * drops it first: a column several threads hold gets a keeper when first dropped, the threads in
 * turn (indicator-claims.ts keeper()), which waits until it holds the column alone before it lets
 * go, so that the threads get equal shares of the memory such columns leave (a search's grid
 * SMAs, at its end).
 */
function shareIndicators(memo: Evaluator["memo"], bars: Bars, peers: SharedIndicators): void {
  const names = new Map<object, string>();
  for (const [name, column] of Object.entries(bars.columns)) names.set(column, name);
  const table = new Int32Array(peers.claims);
  const nap = new Int32Array(new SharedArrayBuffer(4));
  // the other threads' latest offer of each indicator, taken when this thread misses it
  const offers = new Map<string, SharedIndicator>();
  const readInbox = () => {
    for (let m = receiveMessageOnPort(peers.inbox); m; m = receiveMessageOnPort(peers.inbox)) {
      const offer = m.message as SharedIndicator;
      offers.set(`${offer.column} ${offer.key}`, offer);
    }
  };
  // the columns this thread holds a lease on, the claims it computes under, and the columns it
  // keeps and dropped while another thread still holds them
  const leases = new Map<string, SharedIndicator>();
  const held = new Map<string, Claim>();
  const dropped = new Map<string, { offer: SharedIndicator; value: Float64Array }>();
  const take = (name: string): Float64Array | undefined => {
    const offer = offers.get(name);
    if (!offer) return undefined;
    offers.delete(name);
    if (!acquire(table, offer.lease, offer.gen)) return undefined;
    leases.set(name, offer);
    return new Float64Array(offer.buffer);
  };
  memo.shared = true;
  memo.peers = {
    before(input, key) {
      const column = names.get(input);
      if (column === undefined) return undefined;
      const name = `${column} ${key}`;
      // dropped here, still held elsewhere, so still as computed: this thread's again
      const again = dropped.get(name);
      if (again) {
        dropped.delete(name);
        leases.set(name, again.offer);
        return again.value;
      }
      readInbox();
      const offered = take(name);
      if (offered) return offered;
      for (;;) {
        const c = claim(table, name);
        if (!c) return undefined;
        if (c.mine) {
          held.set(name, c);
          return undefined;
        }
        const state = awaitClaim(table, c, CLAIM_WAIT_MS);
        // its computation failed, or every thread dropped it: claim it again (this one may compute it)
        if (state === CLAIM.free) continue;
        if (state !== CLAIM.done) return undefined;
        // computed: its offer is on its way through the pool's thread, unless it was dropped
        // since (then this thread computes its own, unshared)
        const until = performance.now() + ARRIVAL_WAIT_MS;
        for (;;) {
          readInbox();
          const got = take(name);
          if (got || holders(table, c) === 0 || performance.now() >= until) return got;
          Atomics.wait(nap, 0, 0, 1);
        }
      }
    },
    after(input, key, value) {
      const column = names.get(input);
      if (column === undefined) return;
      const name = `${column} ${key}`;
      const c = held.get(name);
      // computed without a claim: this thread's own
      if (!c) return;
      held.delete(name);
      // a result in memory of its own (a compute that made its array itself) cannot be handed over
      const shareable =
        value !== null &&
        value.buffer instanceof SharedArrayBuffer &&
        value.byteOffset === 0 &&
        value.byteLength === value.buffer.byteLength;
      if (!shareable) return settle(table, c, value === null ? CLAIM.free : CLAIM.unshared);
      const gen = lease(table, c);
      const offer: SharedIndicator = {
        column,
        key,
        buffer: value.buffer as SharedArrayBuffer,
        state: c.state,
        lease: c.lease,
        keeper: c.keeper,
        gen,
      };
      leases.set(name, offer);
      port?.postMessage({ indicator: offer });
      settle(table, c, CLAIM.done);
    },
    release(input, key, value) {
      const column = names.get(input);
      const name = `${column} ${key}`;
      const offer = column === undefined ? undefined : leases.get(name);
      if (!offer) return true;
      leases.delete(name);
      if (holders(table, offer) > 1 && keeper(table, offer, peers.threads) === peers.thread) {
        dropped.set(name, { offer, value });
        return false;
      }
      const last = release(table, offer, offer.gen);
      // still held elsewhere: this thread may take it again (the others' offers of it came once)
      if (!last) offers.set(name, offer);
      return last;
    },
    tick(waitMs = 0) {
      const until = performance.now() + waitMs;
      for (;;) {
        for (const [name, { offer, value }] of dropped)
          if (holders(table, offer) === 1) {
            dropped.delete(name);
            if (release(table, offer, offer.gen)) memo.free.give(value);
          }
        if (!dropped.size || performance.now() >= until) return;
        Atomics.wait(nap, 0, 0, 0.2);
      }
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

/**
 * What the pool tells a thread of a batch (pool.ts, ParamCountdown): the parameter values its
 * tasks have, before them; the values no task left has, after the tasks that had them.
 */
export type WorkerBatch =
  | { readonly keep: Readonly<Record<string, readonly number[]>> }
  | { readonly retire: readonly (readonly [string, number])[] };

try {
  const work = await load(init);
  port.on("message", (message: Task | WorkerBatch | typeof CLOSE) => {
    if ("close" in message) {
      // the pool is done: with the port closed the thread ends on its own (thread-boot.ts closeThread)
      port.close();
      return;
    }
    if ("keep" in message) {
      work.keepOnly?.(message.keep);
      return;
    }
    if ("retire" in message) {
      for (const [name, value] of message.retire) work.retire?.(name, value);
      return;
    }
    const task = message;
    const result = work.run(task);
    port.postMessage(result, result.equity ? [result.equity.buffer as ArrayBuffer] : []);
  });
  port.postMessage({ ready: true });
} catch (e) {
  port.postMessage({ ready: false, error: e instanceof Error ? e.message : String(e) });
}
