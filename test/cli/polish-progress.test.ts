import { Writable } from "node:stream";
import { expect, test } from "vitest";
import { trialsProgress } from "../../src/cli/optimize.ts";
import { progress } from "../../src/cli/progress.ts";

/** A stderr stand-in that says it is a terminal and keeps what is written. */
function fakeTty(): Writable & { isTTY: boolean; columns: number; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { isTTY: true, columns: 120, text: () => chunks.join("") });
}

const report = (done: number, total: number) => ({ done, total, elapsedMs: 10, etaMs: 100 });

test("trialsProgress shows done/total of the optimizer's reports, not /1", () => {
  const stream = fakeTty();
  const bar = trialsProgress({ stream });
  bar.onProgress(report(40, 400));
  bar.onProgress(report(400, 400));
  bar.stop();
  expect(stream.text()).toContain("400/400 trials");
  expect(stream.text()).not.toMatch(/\/1 trials/);
});

test("trialsProgress follows a new total when a fold restarts the count", () => {
  const stream = fakeTty();
  const bar = trialsProgress({ stream });
  bar.onProgress(report(50, 50));
  bar.onProgress(report(20, 20));
  bar.stop();
  expect(stream.text()).toContain("20/20 trials");
});

test("trialsProgress is silent with --json and when stderr is not a terminal", () => {
  const tty = fakeTty();
  const json = trialsProgress({ json: true, stream: tty });
  json.onProgress(report(1, 2));
  json.stop();
  const pipe = Object.assign(fakeTty(), { isTTY: false });
  const piped = trialsProgress({ stream: pipe });
  piped.onProgress(report(1, 2));
  piped.stop();
  expect(tty.text() + pipe.text()).toBe("");
});

test("progress setTotal changes the bar's total", () => {
  const stream = fakeTty();
  const bar = progress("rows", { total: 1, stream });
  bar.setTotal(400);
  bar.update(400);
  bar.stop();
  expect(stream.text()).toContain("400/400 rows");
});
