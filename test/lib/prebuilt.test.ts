// The bundled strategies prebuilt into build/strategies import the library by its relative path
// there, so a process or worker thread that runs the build loads them with no module hooks.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { buildStale, prebuiltStrategy } from "../../bin/library.mjs";
import { ROOT } from "../support/paths.ts";

const root = pathToFileURL(`${ROOT}/`);
const stale = buildStale(root);
if (stale) console.log(`prebuilt strategies: skipped, ${stale}`);
const dir = mkdtempSync(join(tmpdir(), "stom-prebuilt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("prebuilt strategies", () => {
  test.skipIf(stale)("load with a plain import(), no hooks: 'stom' is the build's own index.js", () => {
    const file = join(ROOT, "notebooks/strategies/sma-cross.ts");
    const built = prebuiltStrategy(root, file);
    expect(built).toBe(join(ROOT, "build/strategies/sma-cross.js"));
    expect(readFileSync(built as string, "utf8")).toContain('from "../index.js"');
    const script = `
      const [{ default: strategy }, { Series }] = await Promise.all([
        import(${JSON.stringify(pathToFileURL(built as string).href)}),
        import(${JSON.stringify(pathToFileURL(join(ROOT, "build/index.js")).href)}),
      ]);
      console.log(strategy.name, typeof strategy.signals, typeof Series);`;
    // a child node with no loader flags: nothing but Node's own resolution
    const out = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(out.stderr).toBe("");
    expect(out.stdout.trim()).toBe("sma-cross function function");
  });

  test.skipIf(stale)("are not used for other files", () => {
    const copy = join(dir, "sma-cross.ts");
    copyFileSync(join(ROOT, "notebooks/strategies/sma-cross.ts"), copy);
    expect(prebuiltStrategy(root, copy)).toBeUndefined();
  });
});
