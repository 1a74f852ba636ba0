import { describe, expect, test, vi } from "vitest";
import smaCross from "../../../notebooks/strategies/sma-cross.ts";
import { makeSampleBars } from "../../../src/data/sample.ts";
import { RunBuffers } from "../../../src/engine/backtest.ts";
import { backtest, toBars } from "../../../src/engine/index.ts";
import { FreeColumns } from "../../../src/engine/indicators/free-columns.ts";
import { sma } from "../../../src/engine/indicators/index.ts";
import { allocating, nans } from "../../../src/engine/indicators/validate.ts";
import {
  Evaluator,
  IndicatorMemo,
  ParamCountdown,
  type Task,
  withIndicatorMemo,
} from "../../../src/engine/optimize/index.ts";

const close = Float64Array.from({ length: 400 }, (_, k) => 100 + 10 * Math.sin(k / 7) + k / 50);

describe("freed columns", () => {
  test("are taken by length and kind of memory; a view of part of a buffer is not kept", () => {
    const free = new FreeColumns(2);
    const plain = new Float64Array(10);
    const shared = new Float64Array(new SharedArrayBuffer(80));
    free.give(plain);
    free.give(shared);
    free.give(new Float64Array(20).subarray(0, 10));
    expect(free.length).toBe(2);
    expect(free.take(11, false)).toBeUndefined();
    expect(free.take(10, true)).toBe(shared);
    expect(free.take(10, false)).toBe(plain);
    expect(free.take(10, false)).toBeUndefined();
    // at most `max`: the oldest goes
    const [a, b, c] = [new Float64Array(5), new Float64Array(5), new Float64Array(5)];
    for (const x of [a, b, c]) free.give(x);
    expect([free.take(5, false), free.take(5, false), free.take(5, false)]).toEqual([c, b, undefined]);
  });

  test("nans() writes into a freed column inside allocating(), NaN again", () => {
    const free = new FreeColumns();
    const used = new Float64Array(8).fill(7);
    free.give(used);
    const got = allocating({ shared: false, reuse: free }, () => nans(8));
    expect(got).toBe(used);
    expect(Array.from(got).every(Number.isNaN)).toBe(true);
    // a shared column is asked for: the plain one does not do
    free.give(used);
    const sharedOne = allocating({ shared: true, reuse: free }, () => nans(8));
    expect(sharedOne.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(free.length).toBe(1);
    expect(nans(8)).not.toBe(used);
  });
});

describe("without SharedArrayBuffer (a page that is not cross-origin isolated)", () => {
  test("freed columns and nans() work in plain memory", () => {
    vi.stubGlobal("SharedArrayBuffer", undefined);
    try {
      const free = new FreeColumns();
      const plain = new Float64Array(4);
      free.give(plain);
      expect(free.take(4, true)).toBeUndefined();
      const got = allocating({ shared: true, reuse: free }, () => nans(4));
      expect(got).toBe(plain);
      const c = Float32Array.of(1, 2);
      const columns = { time: Float64Array.of(0, 60_000), open: c, high: c, low: c, close: c };
      expect(toBars({ columns }).close).toEqual(Float64Array.of(1, 2));
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe("a search's run buffers", () => {
  test("the first full run takes a freed column for its equity, not the one screened runs barely touched", () => {
    const free = new FreeColumns();
    const buffers = new RunBuffers(free);
    buffers.keepEquity = false;
    const screened = buffers.equity(100);
    expect(buffers.equity(100)).toBe(screened);
    // nothing freed yet: a full run writes into the column it has
    buffers.keepEquity = true;
    expect(buffers.equity(100)).toBe(screened);
    const other = new RunBuffers(free);
    other.keepEquity = false;
    const barely = other.equity(100);
    const written = new Float64Array(100);
    free.give(written);
    other.keepEquity = true;
    expect(other.equity(100)).toBe(written);
    expect(other.equity(100)).toBe(written);
    expect(free.length).toBe(0);
    // another length: the written column goes back to be reused
    expect(other.equity(50)).not.toBe(barely);
    expect(free.take(100, false)).toBe(written);
  });
});

describe("indicator memo between tasks", () => {
  /** One task of sma-cross's indicators through the memo. */
  const task = (memo: IndicatorMemo, fast: number, slow: number) => {
    memo.beginTask({ fast, slow });
    try {
      return withIndicatorMemo(memo, () => [sma(close, fast), sma(close, slow)]);
    } finally {
      memo.endTask();
    }
  };

  test("retire drops what only tasks with the value used, and the next result is computed into its memory", () => {
    const memo = new IndicatorMemo();
    const [sma5] = task(memo, 5, 20);
    task(memo, 5, 30);
    // sma(5): two tasks, both fast = 5; sma(20) and sma(30): one task each (what they have in common is not known yet)
    memo.retire("fast", 5);
    expect(memo.free.length).toBe(1);
    expect(memo.bytes).toBe(2 * close.byteLength);
    const [sma10, sma20] = task(memo, 10, 20);
    expect(sma10).toBe(sma5);
    expect(Array.from(sma10)).toEqual(Array.from(sma(close, 10)));
    expect(memo.misses).toBe(4);
    expect(memo.hits).toBe(2);
    // sma(20), used with fast 5 and 10, is kept when fast = 10 retires; sma(10) is not yet known to go with it
    task(memo, 10, 30);
    memo.retire("fast", 10);
    expect(memo.free.length).toBe(1);
    expect(task(memo, 15, 20)[1]).toBe(sma20);
  });

  test("keepOnly drops the results of values a batch does not have", () => {
    const memo = new IndicatorMemo();
    for (const fast of [5, 10]) for (const slow of [20, 30]) task(memo, fast, slow);
    memo.keepOnly({ fast: [10], slow: [20, 30] });
    // sma(5) goes; sma(10), sma(20), sma(30) stay
    expect(memo.free.length).toBe(1);
    expect(memo.bytes).toBe(3 * close.byteLength);
    expect(() => {
      memo.beginTask({ fast: 1, slow: 2 });
      memo.retire("fast", 1);
    }).toThrow("while a task runs");
  });

  test("over budget, the least recently used go, never what the running task read", () => {
    const memo = new IndicatorMemo(2 * close.byteLength);
    const [a, b] = task(memo, 5, 20);
    expect(memo.free.length).toBe(0);
    const [c, d] = task(memo, 6, 21);
    // the first task's two were dropped as the second's came in: sma(21) went into the memory of
    // one (sma(6) came before any was freed), the other's waits in `free`
    expect(new Set([a, b, c, d]).size).toBe(3);
    expect([a, b]).toContain(d);
    expect(memo.free.length).toBe(1);
    expect(Array.from(c)).toEqual(Array.from(sma(close, 6)));
    expect(Array.from(d)).toEqual(Array.from(sma(close, 21)));
    expect(memo.bytes).toBe(2 * close.byteLength);
    // without tasks (a memo made active by hand) nothing is reused: callers may still hold it
    const plain = new IndicatorMemo(close.byteLength);
    const x = withIndicatorMemo(plain, () => sma(close, 5));
    withIndicatorMemo(plain, () => sma(close, 6));
    expect(plain.free.length).toBe(0);
    expect(Array.from(x)).toEqual(Array.from(sma(close, 5)));
  });
});

describe("parameter countdown", () => {
  test("tells a grid's finished rows while at least as many tasks are left, never its columns", () => {
    const tasks: Task[] = [];
    for (const fast of [1, 2, 3])
      for (const slow of [10, 20, 30]) tasks.push({ id: tasks.length, params: { fast, slow } });
    const countdown = new ParamCountdown(tasks);
    expect(countdown.values()).toEqual({ fast: [1, 2, 3], slow: [10, 20, 30] });
    const told = tasks.map((t) => countdown.handOut(t));
    expect(told).toEqual([[], [], [["fast", 1]], [], [], [["fast", 2]], [], [], []]);
    // a random search's values, one task each, drop nothing: not told
    const random = [1.5, 2.25, 3.125].map((x, id) => ({ id, params: { x } }));
    const once = new ParamCountdown(random);
    expect(random.map((t) => once.handOut(t))).toEqual([[], [], []]);
  });

  test("a grid run with retirement gives every cell's backtest, and reuses the rows' memory", () => {
    const bars = toBars(makeSampleBars({ bars: 3_000 }));
    const options = { cash: 10_000, commission: 0.001, finalizeTrades: true };
    const evaluator = new Evaluator(smaCross, bars, { ...options, signals: false });
    const tasks: Task[] = [];
    for (const fast of [5, 10, 15])
      for (const slow of [20, 40]) tasks.push({ id: tasks.length, params: { fast, slow } });
    const countdown = new ParamCountdown(tasks);
    evaluator.keepOnly(countdown.values());
    for (const task of tasks) {
      const got = evaluator.run(task);
      const want = backtest(smaCross, bars, { ...options, params: task.params }).stats;
      expect(got.stats).toEqual(want);
      for (const [name, value] of countdown.handOut(task)) evaluator.retire(name, value);
    }
    // sma(5) and sma(10) were retired, each into the next row's SMA
    expect(evaluator.memo.misses).toBe(5);
    expect(evaluator.memo.bytes).toBe(3 * 8 * bars.length);
  });
});
