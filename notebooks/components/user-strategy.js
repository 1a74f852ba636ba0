import * as esbuild from "esbuild-wasm/esm/browser.min.js";

// A strategy file of the user's own, run in the page: the same .ts (or .js) file `npx stom backtest
// ./my.ts` runs. esbuild (as WebAssembly, the same compiler the CLI uses) strips the types and
// points `import ... from "stom"` at the engine this page already runs, so the file's crossover()
// and the page's backtest() share one Series class. Referenced through import.meta.resolve so the
// build copies the .wasm into dist/ (no CDN); it is fetched the first time a file is picked.
const WASM = import.meta.resolve("esbuild-wasm/esbuild.wasm");

let ready;

/** Compiles `file` (a File) and imports it; resolves to its default export, checked to be a strategy. */
export async function loadUserStrategy(file, engineUrl) {
  ready ??= esbuild.initialize({ wasmURL: WASM, worker: true });
  await ready;
  const source = await file.text();
  let code;
  try {
    const out = await esbuild.build({
      stdin: { contents: source, loader: file.name.endsWith(".js") ? "js" : "ts", sourcefile: file.name },
      bundle: true,
      format: "esm",
      target: "es2022",
      write: false,
      logLevel: "silent",
      plugins: [
        {
          name: "stom-only",
          setup(build) {
            build.onResolve({ filter: /^stom$/ }, () => ({ path: engineUrl, external: true }));
            build.onResolve({ filter: /.*/ }, (args) => ({
              errors: [
                {
                  text: `cannot import "${args.path}" here: a strategy in the page may import only from "stom"`,
                },
              ],
            }));
          },
        },
      ],
    });
    code = out.outputFiles[0].text;
  } catch (error) {
    const first = error.errors?.[0];
    const where = first?.location ? `${file.name}:${first.location.line}:${first.location.column + 1}: ` : "";
    throw new Error(`${where}${first?.text ?? error.message}`);
  }
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  try {
    const mod = await import(url);
    const strategy = mod.default;
    if (
      !strategy ||
      typeof strategy.init !== "function" ||
      typeof strategy.next !== "function" ||
      !strategy.params
    )
      throw new Error(
        `${file.name}: the default export is not a strategy (use defineStrategy({params, init, next}))`,
      );
    return { strategy, source, name: file.name };
  } finally {
    URL.revokeObjectURL(url);
  }
}
