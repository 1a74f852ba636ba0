// How this project's worker threads start. A thread starts without the parent's hooks: the boot
// registers bin/ts-hooks.mjs, which maps "stom" in a strategy file to the same sources
// (bin/library.mjs), or a second engine would load whose Series the strategy's crossover() would not
// recognise, and strips the types of every .ts file with esbuild (as for a strategy outside the
// checkout under bin/stom.js). Registering tsx as well cost a third of a thread's start.
import { pathToFileURL } from "node:url";

const ROOT = new URL("../../", import.meta.url);

/** The eval source of a thread that registers the hooks, then imports `file` (a .ts path). */
export function threadBoot(file: string): string {
  return `Promise.all([
  import("node:module"),
  import(${JSON.stringify(new URL("bin/library.mjs", ROOT).href)}),
]).then(([{ register }, { sourceLibrary }]) => {
  register(${JSON.stringify(new URL("bin/ts-hooks.mjs", ROOT).href)}, {
    data: {
      library: sourceLibrary(${JSON.stringify(ROOT.href)}),
      transpile: true,
      keep: ${JSON.stringify([new URL("node_modules/", ROOT).href])},
    },
  });
  return import(${JSON.stringify(pathToFileURL(file).href)});
});`;
}
