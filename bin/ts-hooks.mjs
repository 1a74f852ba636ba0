// Module hooks for `stom`, run on Node's loader thread: registered by bin/stom.js and by threads
// started from the sources (src/parallel/thread-boot.ts), and from the build only when a strategy
// file that is not prebuilt is first imported (src/app/import-strategy.ts).
// - "stom" and "stom/<entry>" resolve to the copy of the library the CLI itself runs (the build, or
//   the sources under tsx), wherever the strategy file lives, so both share one engine.
// - With `transpile`: a strategy's .ts (any outside the `keep` prefixes, which tsx loads) has its
//   types stripped by esbuild here, on first use only. Imports written the TypeScript way
//   ("./util.js" for util.ts) resolve too.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

let state = { library: {}, transpile: false, keep: [] };

export function initialize(data) {
  state = { ...state, ...data };
}

export async function resolve(specifier, context, next) {
  const mapped = state.library[specifier];
  if (mapped) return next(mapped, context);
  try {
    return await next(specifier, context);
  } catch (error) {
    const fromTs = /\.[mc]?ts$/.test(context.parentURL ?? "");
    if (
      !state.transpile ||
      !fromTs ||
      error?.code !== "ERR_MODULE_NOT_FOUND" ||
      !/^\.{1,2}\//.test(specifier)
    ) {
      throw error;
    }
    const alternatives = [
      specifier.replace(/\.(m?)js$/, ".$1ts"),
      `${specifier}.ts`,
      `${specifier}/index.ts`,
    ];
    for (const alt of alternatives) {
      if (alt === specifier) continue;
      try {
        return await next(alt, context);
      } catch {}
    }
    throw error;
  }
}

export async function load(url, context, next) {
  // the strategy loader adds ?v=<source hash> to import an edited file afresh
  const bare = url.split("?")[0];
  if (!state.transpile || !bare.startsWith("file:") || !/\.m?ts$/.test(bare)) return next(url, context);
  if (state.keep.some((prefix) => bare.startsWith(prefix))) return next(url, context);
  const file = fileURLToPath(bare);
  const { transform } = await import("esbuild");
  const { code } = await transform(readFileSync(file, "utf8"), {
    loader: "ts",
    format: "esm",
    target: "node20",
    sourcemap: "inline",
    sourcefile: file,
  });
  return { format: "module", source: code, shortCircuit: true };
}
