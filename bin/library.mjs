// What `import ... from "stom"` means inside stom's own processes: the copy of the library the
// process runs, so a strategy and the engine that drives it share one Series class. bin/stom.js maps
// it to the sources, the built CLI to build/, and worker threads as their process (thread-boot.ts).
// package.json `exports` says the same for everyone else: keep the entries in step.
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const ENTRIES = {
  stom: ["src/lib/index.ts", "index"],
  "stom/optimize": ["src/engine/optimize/index.ts", "optimize"],
  "stom/stom": ["src/engine/stom/index.ts", "stom"],
  "stom/data": ["src/lib/data.ts", "data"],
  "stom/bridge": ["src/bridge/index.ts", "bridge"],
};

/** specifier -> file URL of its source, for a checkout at `root` (a directory URL) */
export function sourceLibrary(root) {
  return Object.fromEntries(Object.entries(ENTRIES).map(([k, [src]]) => [k, new URL(src, root).href]));
}

/** Why the build at `root` cannot be used, or "" when it can (no source newer than it). */
export function buildStale(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(new URL("build/stamp.json", root), "utf8"));
  } catch {
    return "no build/ (run `npm run prepare`)";
  }
  for (const file of stamp.inputs) {
    const mtime = statSync(new URL(file, root), { throwIfNoEntry: false })?.mtimeMs;
    if (mtime === undefined || mtime > stamp.builtAt)
      return `${file} changed since the build (run \`npm run prepare\`)`;
  }
  return "";
}

/**
 * bin/ts-hooks.mjs' data for a process (or thread) that runs the build: "stom" means build/ and a
 * strategy's .ts is stripped of its types on first use (a bundled one loads prebuilt instead, with
 * no hooks: prebuiltStrategy).
 */
export function builtHooks(root) {
  return { library: builtLibrary(root), transpile: true };
}

/**
 * The prebuilt bundle of a strategy file (a path), when the build at `root` lists it (build/stamp.json)
 * and the file is not newer: it imports the library from build/ by relative path, so it loads with
 * no hooks.
 */
export function prebuiltStrategy(root, file) {
  const stamp = JSON.parse(readFileSync(new URL("build/stamp.json", root), "utf8"));
  for (const [src, out] of Object.entries(stamp.strategies)) {
    if (new URL(src, root).href !== pathToFileURL(file).href) continue;
    const mtime = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
    return mtime !== undefined && mtime <= stamp.builtAt ? fileURLToPath(new URL(out, root)) : undefined;
  }
  return undefined;
}

/** specifier -> file name of its build output in build/ */
export function libraryFiles() {
  return Object.fromEntries(Object.entries(ENTRIES).map(([k, [, out]]) => [k, `${out}.js`]));
}

/** specifier -> file URL of its build output */
export function builtLibrary(root) {
  return Object.fromEntries(
    Object.entries(ENTRIES).map(([k, [, out]]) => [k, new URL(`build/${out}.js`, root).href]),
  );
}
