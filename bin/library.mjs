// What `import ... from "stom"` means inside stom's own processes: the copy of the library the
// process runs, so a strategy and the engine that drives it share one Series class. bin/stom.js and
// the worker threads (src/parallel/pool.ts) map it to the sources, the built CLI to build/.
// package.json `exports` says the same for everyone else: keep the entries in step.
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

/** specifier -> file URL of its build output */
export function builtLibrary(root) {
  return Object.fromEntries(
    Object.entries(ENTRIES).map(([k, [, out]]) => [k, new URL(`build/${out}.js`, root).href]),
  );
}
