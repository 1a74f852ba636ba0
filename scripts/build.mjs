#!/usr/bin/env node
// `npm install` runs this (the `prepare` script): bundles the CLI and the library entries into
// build/ so `stom` starts without compiling TypeScript. One esbuild run with code splitting: each
// command group is its own chunk, loaded when its command runs, and the CLI and a strategy's
// `import ... from "stom"` share the same engine modules (one Series class). node_modules stay
// external. The bundled strategies are prebuilt too, their "stom" the library's relative path in build/.
// build/stamp.json lists the sources; bin/stom.js falls back to tsx when any is newer than the build.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { libraryFiles } from "../bin/library.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "build");
const STRATEGIES = "notebooks/strategies";

// package.json `exports` point here: keep the two in step
const ENTRIES = {
  "cli-main": "src/cli/main.ts",
  index: "src/lib/index.ts",
  data: "src/lib/data.ts",
  optimize: "src/engine/optimize/index.ts",
  stom: "src/engine/stom/index.ts",
  bridge: "src/bridge/index.ts",
  // worker thread of parallel KRX tarball imports (src/data/formats/krx-minute-parallel.ts)
  "krx-minute-worker": "src/data/formats/krx-minute-worker.ts",
  // the optimizer's worker threads (src/parallel/thread-boot.ts), and their pool for the benchmarks
  "pool-worker": "src/parallel/worker.ts",
  pool: "src/parallel/pool.ts",
  // a universe's threads (contextPool), and the module they load (src/cli/universe.ts)
  "context-thread": "src/parallel/context-thread.ts",
  universe: "src/app/universe.ts",
};

// Sources find files next to themselves (notebooks/strategies, the worker-thread entry) through
// import.meta.url; bundled into build/, that URL would name the chunk. Rewrite it to the source
// file's URL, computed from the chunk's own (all outputs sit directly in build/), so the build can move.
const sourceUrls = {
  name: "source-import-meta-url",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (!text.includes("import.meta.url")) return undefined;
      const rel = path.relative(OUT, args.path).split(path.sep).join("/");
      return {
        contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(rel)}, import.meta.url).href`),
        loader: "ts",
      };
    });
  },
};

const started = performance.now();
// sources saved while the build runs count as newer than it
const builtAt = Date.now();
rmSync(OUT, { recursive: true, force: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: Object.entries(ENTRIES).map(([out, inp]) => ({ out, in: inp })),
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  chunkNames: "[name]-[hash]",
  define: { __STOM_BUNDLED__: "true" },
  metafile: true,
  logLevel: "warning",
  plugins: [sourceUrls],
});

// Each strategy is prebuilt into build/strategies with "stom" as the relative path of the library
// there (../index.js): a process or thread that runs the build imports it with no hooks at all (Node's
// loader thread costs ~65 ms a thread; src/app/import-strategy.ts). Its inline source map names the
// strategy's own file.
const LIBRARY = libraryFiles();
const libraryRelative = {
  name: "library-relative",
  setup(b) {
    b.onResolve({ filter: /^stom(\/\w+)?$/ }, (args) =>
      LIBRARY[args.path] ? { path: `../${LIBRARY[args.path]}`, external: true } : undefined,
    );
  },
};
const strategies = {};
mkdirSync(path.join(OUT, "strategies"));
for (const f of readdirSync(path.join(ROOT, STRATEGIES)).sort()) {
  if (!f.endsWith(".ts") || f.endsWith(".d.ts")) continue;
  const target = `build/strategies/${f.replace(/\.ts$/, ".js")}`;
  await build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(STRATEGIES, f)],
    outfile: target,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    logLevel: "warning",
    plugins: [libraryRelative],
  });
  strategies[`${STRATEGIES}/${f}`] = target;
}

const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("node_modules/"));
writeFileSync(path.join(OUT, "package.json"), '{ "type": "module" }\n');
// the top-level help lists every group; rendering it loads them all (ccxt, DuckDB, express), so
// it is rendered once here and `stom --help` prints it
const help = spawnSync(process.execPath, [path.join(OUT, "cli-main.js"), "--help"], {
  env: { ...process.env, STOM_FULL_HELP: "1", COLUMNS: "80" },
  encoding: "utf8",
});
if (help.status !== 0) throw new Error(`stom --help failed in the build: ${help.stderr}`);
writeFileSync(path.join(OUT, "help.txt"), help.stdout);
// written last: bin/stom.js takes a build without a stamp for an unfinished one
writeFileSync(
  path.join(OUT, "stamp.json"),
  `${JSON.stringify({ builtAt, inputs: [...inputs, "package.json"], strategies }, null, 1)}\n`,
);
console.error(`stom: built ${inputs.length} sources into build/ in ${Math.round(performance.now() - started)} ms`);
