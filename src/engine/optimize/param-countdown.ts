import type { Task } from "./runner.ts";

/**
 * Counts down, as a runner hands out a batch's tasks, how many still to go have each parameter
 * value, and says which values the last task to have them took: a runner tells its evaluators
 * (Evaluator.retire) so that the indicators only those tasks read are dropped and their memory
 * reused for the next ones (in a grid, each finished row's fast SMA). A value is told only while
 * at least as many tasks are left as had it, so that what is freed serves the rest of the batch;
 * values that run out near its end (a grid's last row, and every column) stay for the search's
 * next batch or its reported trials.
 *
 *     const countdown = new ParamCountdown(tasks);
 *     const retired = countdown.handOut(task); // [["fast", 5]] once the last fast=5 task is out
 */
export class ParamCountdown {
  /** per parameter and value: [tasks that had it, tasks left that have it] */
  readonly #counts = new Map<string, Map<number, [number, number]>>();
  #tasks: number;

  constructor(tasks: readonly Task[]) {
    this.#tasks = tasks.length;
    for (const task of tasks)
      for (const [name, v] of Object.entries(task.params)) {
        let counts = this.#counts.get(name);
        if (!counts) {
          counts = new Map();
          this.#counts.set(name, counts);
        }
        const c = counts.get(v);
        if (c) {
          c[0]++;
          c[1]++;
        } else counts.set(v, [1, 1]);
      }
  }

  /**
   * The values each parameter has in the batch: told before it starts, so that what only earlier
   * batches' tasks needed is dropped (IndicatorMemo.keepOnly; a search's reported trials after its
   * grid need few of the grid's SMAs, and the memory of the others).
   */
  values(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [name, counts] of this.#counts) out[name] = [...counts.keys()];
    return out;
  }

  /** `task` is handed out: the (name, value) pairs it was the last to have, to be retired. */
  handOut(task: Task): [string, number][] {
    this.#tasks--;
    const out: [string, number][] = [];
    for (const [name, v] of Object.entries(task.params)) {
      const c = this.#counts.get(name)?.get(v);
      if (!c || c[1] === 0) continue;
      c[1]--;
      // a value one task had drops nothing: the memo keeps what it cannot tell apart (retire())
      if (c[1] === 0 && c[0] >= 2 && this.#tasks >= c[0]) out.push([name, v]);
    }
    return out;
  }
}
