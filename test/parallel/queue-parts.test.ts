// The queue's pure parts, no Redis: the --queue URL, task keys, result bytes and content hashes.
import { describe, expect, test } from "vitest";
import { contentHash } from "../../src/app/content-hash.ts";
import { studyId } from "../../src/app/queue-context.ts";
import { decodeResult, encodeResult, jobId, parseRedisUrl, taskKey } from "../../src/parallel/index.ts";

describe("parseRedisUrl", () => {
  test("reads host, port and db, with defaults", () => {
    expect(parseRedisUrl("redis://10.0.0.5:6380/2")).toEqual({ host: "10.0.0.5", port: 6380, db: 2 });
    expect(parseRedisUrl("redis://queue.local")).toEqual({ host: "queue.local", port: 6379, db: 0 });
    expect(parseRedisUrl("redis://:s3cret@h:1/0")).toMatchObject({ password: "s3cret" });
  });

  test("names the bad value", () => {
    expect(() => parseRedisUrl("http://h:1")).toThrow("invalid queue url: http://h:1");
    expect(() => parseRedisUrl("h:6379")).toThrow("invalid queue url: h:6379");
    expect(() => parseRedisUrl("redis://h/x")).toThrow("invalid redis db in redis://h/x: x");
  });
});

describe("taskKey", () => {
  test("is the task's content, not its id: one trial proposed twice is one job", () => {
    const a = taskKey("ctx", { id: 0, params: { fast: 5, slow: 20 } });
    expect(taskKey("ctx", { id: 7, params: { slow: 20, fast: 5 } })).toBe(a);
    expect(taskKey("ctx", { id: 0, params: { fast: 5, slow: 30 } })).not.toBe(a);
    expect(taskKey("ctx", { id: 0, params: { fast: 5, slow: 20 }, start: 0, end: 100 })).not.toBe(a);
    expect(taskKey("other", { id: 0, params: { fast: 5, slow: 20 } })).not.toBe(a);
    // BullMQ refuses ":" in custom job ids
    expect(jobId("abc", [a])).toBe(`abc.${a}`);
    expect(jobId("abc", [a, a])).not.toContain(":");
  });
});

describe("encodeResult", () => {
  test("gives back NaN, Infinity and the equity curve exactly, under the asking task's id", () => {
    const result = {
      id: 3,
      stats: { sharpe: Number.NaN, profitFactor: Number.POSITIVE_INFINITY, returnPct: 1.5 },
      equity: new Float64Array([1, 2.5, Number.NaN]),
    };
    const back = decodeResult(encodeResult(result as never), 9);
    expect(back.id).toBe(9);
    expect(back.stats).toEqual(result.stats);
    expect(back.equity).toEqual(result.equity);
  });
});

describe("contentHash", () => {
  test("changes with one value, not with key order", () => {
    const a = contentHash({ close: new Float64Array([1, 2, 3]), time: new Float64Array([0, 1, 2]) });
    expect(contentHash({ time: new Float64Array([0, 1, 2]), close: new Float64Array([1, 2, 3]) })).toBe(a);
    expect(
      contentHash({ close: new Float64Array([1, 2, 3.0001]), time: new Float64Array([0, 1, 2]) }),
    ).not.toBe(a);
    expect(contentHash([Number.NaN])).not.toBe(contentHash([null]));
  });

  test("a study id is the same for the same definition", () => {
    expect(studyId({ method: "tpe", seed: 1 })).toBe(studyId({ seed: 1, method: "tpe" }));
    expect(studyId({ method: "tpe", seed: 1 })).not.toBe(studyId({ method: "tpe", seed: 2 }));
  });
});
