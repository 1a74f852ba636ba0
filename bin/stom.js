#!/usr/bin/env node
// `stom` runs the bundle `npm install` builds (scripts/build.mjs, into build/) when it is at least
// as new as every source it was built from; otherwise the TypeScript sources through tsx, which
// works from any checkout but compiles at run time (seconds).
import { buildStale, sourceLibrary } from "./library.mjs";

// stack traces, the CLI's own and a strategy's, name the TypeScript file, line and column
process.setSourceMapsEnabled(true);

const root = new URL("../", import.meta.url);

const why = buildStale(root);
if (!why) {
  await import("../build/cli-main.js");
} else {
  // said to a person at a terminal; output read by programs (and tests) stays as it was
  if (process.stderr.isTTY) console.error(`stom: running from the TypeScript sources: ${why}`);
  const [{ register }, { register: registerHooks }] = await Promise.all([
    import("tsx/esm/api"),
    import("node:module"),
  ]);
  register();
  // "stom" in a strategy file means these sources too, wherever the file lives
  const library = sourceLibrary(root);
  // strategy files outside the checkout load as ES modules whatever package.json they sit under
  // (tsx would take a .ts next to no `"type": "module"` for CommonJS and fail on `import`)
  const keep = ["src/", "node_modules/"].map((d) => new URL(d, root).href);
  registerHooks(new URL("ts-hooks.mjs", import.meta.url), { data: { library, transpile: true, keep } });
  await import("../src/cli/main.ts");
}
