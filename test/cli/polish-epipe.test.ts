import { spawn, spawnSync } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { exitQuietlyOnEpipe } from "../../src/cli/epipe.ts";

const ROOT = join(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "stom-epipe-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `node args` with stdout on a real pipe whose read end closes after the first chunk, as `| head -1` does. */
function headOne(args: readonly string[]): Promise<{ code: number | null; stderr: string; first: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("node", args, { cwd: ROOT, env: { ...process.env, TZ: "UTC" } });
    let stderr = "";
    let first = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.stdout.once("data", (d) => {
      first = String(d).split("\n")[0];
      child.stdout.destroy();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr, first }));
  });
}

test("exitQuietlyOnEpipe exits 0 on EPIPE and rethrows any other error", () => {
  const stream = new EventEmitter();
  const codes: number[] = [];
  exitQuietlyOnEpipe(stream, (code) => codes.push(code));
  stream.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
  expect(codes).toEqual([0]);
  expect(() => stream.emit("error", Object.assign(new Error("no space"), { code: "ENOSPC" }))).toThrow(
    "no space",
  );
});

test("exitQuietlyOnEpipe: a writer into a closed pipe ends with code 0 and nothing on stderr", async () => {
  const script = join(dir, "writer.mts");
  writeFileSync(
    script,
    `import { exitQuietlyOnEpipe } from ${JSON.stringify(join(ROOT, "src/cli/epipe.ts"))};
if (process.argv[2] === "install") exitQuietlyOnEpipe();
for (let i = 0; i < 1e6; i++) {
  console.log("line " + i);
  if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
}
`,
  );
  // without the handler the same writer crashes: the test below would catch a regression
  const bare = await headOne(["--import", "tsx", script]);
  expect(bare.code).not.toBe(0);
  expect(bare.stderr).toMatch(/EPIPE/);
  const handled = await headOne(["--import", "tsx", script, "install"]);
  expect(handled).toEqual({ code: 0, stderr: "", first: "line 0" });
});

// `stom data query` over a big result, read by `head -1`
const catalog = join(dir, "catalog");
const query = ["data", "query", "select range as n from range(50000)", "--catalog", catalog];
const sample = () =>
  spawnSync("node", ["bin/stom.js", "data", "sample", "--bars", "10", "--catalog", catalog], { cwd: ROOT });

test("stom data query | head -1, with the handler installed the way bin/stom.js + main.ts do: exit 0", async () => {
  expect(sample().status).toBe(0);
  // bin/stom.js (tsx, then main.ts) with the line main.ts gets
  const entry = join(dir, "stom-entry.mjs");
  writeFileSync(
    entry,
    `(await import(${JSON.stringify(join(ROOT, "src/cli/epipe.ts"))})).exitQuietlyOnEpipe();
await import(${JSON.stringify(join(ROOT, "src/cli/main.ts"))});
`,
  );
  const run = await headOne(["--import", "tsx", entry, ...query]);
  expect(run).toEqual({ code: 0, stderr: "", first: expect.stringMatching(/^ *n$/) });
});

const wired = readFileSync(join(ROOT, "src/cli/main.ts"), "utf8").includes("exitQuietlyOnEpipe");
test.skipIf(!wired)("bin/stom.js data query | head -1 ends with code 0 and no stack", async () => {
  expect(sample().status).toBe(0);
  const run = await headOne(["bin/stom.js", ...query]);
  expect(run).toEqual({ code: 0, stderr: "", first: expect.stringMatching(/^ *n$/) });
});
