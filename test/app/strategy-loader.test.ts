import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { fingerprint } from "../../src/app/fingerprint.ts";
import { loadResolvedStrategy, loadStrategy, strategyNames } from "../../src/app/strategy-loader.ts";

const dir = mkdtempSync(join(tmpdir(), "stom-loader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const strategy = (fast: number) => `import { defineStrategy } from "stom";
export default defineStrategy({
  params: { fast: { default: ${fast} }, slow: { default: 30 } },
  init: () => ({}),
  next() {},
});
`;

describe("the strategy loader", () => {
  test("bundled names resolve in the strategy folder; a near miss gets a suggestion", async () => {
    expect(strategyNames()).toEqual(expect.arrayContaining(["sma-cross", "rsi-bracket", "breakout-trail"]));
    const loaded = await loadStrategy("sma-cross");
    expect(loaded.name).toBe("sma-cross");
    expect(loaded.source).toContain("defineStrategy");
    await expect(loadStrategy("sma-cros")).rejects.toThrow(
      "unknown strategy 'sma-cros', did you mean 'sma-cross'?",
    );
  });

  test("the bridge's names-only mode refuses a path", async () => {
    await expect(loadStrategy("../etc/passwd", { namesOnly: true })).rejects.toThrow(
      "invalid strategy name: ../etc/passwd",
    );
  });

  test("an edited file is imported afresh, and its fingerprint changes", async () => {
    writeFileSync(join(dir, "mine.ts"), strategy(10));
    const a = await loadResolvedStrategy("mine", {}, { dir });
    writeFileSync(join(dir, "mine.ts"), strategy(12));
    const b = await loadResolvedStrategy("mine", {}, { dir });
    expect(a.params).toEqual({ fast: 10, slow: 30 });
    expect(b.params).toEqual({ fast: 12, slow: 30 });
    expect(b.fingerprint).not.toBe(a.fingerprint);
    // the fingerprint is sha256(source + JSON(params)): the same params on the same source agree
    expect(b.fingerprint).toBe(fingerprint(b.source, { fast: 12, slow: 30 }));
    const c = await loadResolvedStrategy("mine", { fast: "11" }, { dir });
    expect(c.fingerprint).toBe(fingerprint(b.source, { fast: 11, slow: 30 }));
  });

  test("a module that is not a strategy is refused with its name", async () => {
    writeFileSync(join(dir, "nothing.ts"), "export default 42;\n");
    await expect(loadStrategy("nothing", { dir })).rejects.toThrow(
      "nothing: the default export is not a strategy",
    );
  });
});
