// Framework 1.13 serves local TypeScript only when imported as `.js`, and the engine's own imports
// say `.ts` (the house rule), so pages get the engine as one esbuild bundle written by a loader.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { sourceLibrary } from "../../bin/library.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, "../..");
const STRATEGIES = path.join(REPO, "notebooks/strategies");

/** Every notebooks/strategies/*.ts, by file name without extension. */
export function strategyFiles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(STRATEGIES).sort()) {
    if (f.endsWith(".ts") && !f.endsWith(".d.ts")) out.set(f.slice(0, -3), path.join(STRATEGIES, f));
  }
  return out;
}

/** Bundles `contents` (an ES module resolved from the repository root) into one browser ES module. */
export async function bundle(contents: string, { minify = true } = {}): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: REPO, loader: "ts", sourcefile: "entry.ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify,
    write: false,
    legalComments: "none",
    // "stom" (a strategy's import) is the engine the page bundles, from these sources
    alias: Object.fromEntries(
      Object.entries(sourceLibrary(new URL("../../", import.meta.url))).map(([k, url]) => [
        k,
        fileURLToPath(url),
      ]),
    ),
  });
  return result.outputFiles[0].text;
}

/**
 * `import s0 from ".../sma-cross.ts"` lines plus a `strategies` Map of them, and `strategySources`,
 * each file's text as built: the Backtest page fingerprints a run from it for promotion.
 */
export function strategyRegistry(): string {
  const files = [...strategyFiles()];
  return [
    ...files.map(([, file], k) => `import s${k} from ${JSON.stringify(file)};`),
    `export const strategies = new Map([${files.map(([name], k) => `[${JSON.stringify(name)}, s${k}]`).join(", ")}]);`,
    `export const strategySources = new Map([${files.map(([name, file]) => `[${JSON.stringify(name)}, ${JSON.stringify(readFileSync(file, "utf8"))}]`).join(", ")}]);`,
  ].join("\n");
}
