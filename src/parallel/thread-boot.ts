// How this project's worker threads start. A thread starts without the parent's hooks: the boot
// registers bin/ts-hooks.mjs, which maps "stom" in a strategy file to the copy of the library the
// thread runs (bin/library.mjs), or a second engine would load whose Series the strategy's
// crossover() would not recognise, and strips the types of a strategy's .ts file with esbuild.
// A process that runs the build (the `stom` CLI) starts its threads from the build too: a thread
// from the sources strips the types of every engine file it loads, about 1.5 s a thread against
// 0.1 s to load the bundle. Registering tsx as well cost a third of a thread's start.
import { pathToFileURL } from "node:url";

// scripts/build.mjs defines this; under tsx it is undeclared
declare const __STOM_BUNDLED__: boolean | undefined;

const ROOT = new URL("../../", import.meta.url);

/**
 * The eval source of a thread that registers the hooks, then imports its entry: `source` (a .ts
 * path) from the sources, or build/<built>.js (scripts/build.mjs's entry of that file) when this
 * process runs the build. Without `built` the thread runs the sources. A thread that imports a
 * module by the URL it is sent (context-thread.ts) must be sent the built module's URL then.
 */
export function threadBoot(source: string, built?: string): string {
  const library = JSON.stringify(new URL("bin/library.mjs", ROOT).href);
  const hooks = JSON.stringify(new URL("bin/ts-hooks.mjs", ROOT).href);
  const root = JSON.stringify(ROOT.href);
  if (built && typeof __STOM_BUNDLED__ !== "undefined") {
    return `Promise.all([import("node:module"), import(${library})]).then(([{ register }, { builtHooks }]) => {
  register(${hooks}, { data: builtHooks(${root}) });
  return import(${JSON.stringify(new URL(`build/${built}.js`, ROOT).href)});
});`;
  }
  return `Promise.all([import("node:module"), import(${library})]).then(([{ register }, { sourceLibrary }]) => {
  register(${hooks}, {
    data: {
      library: sourceLibrary(${root}),
      transpile: true,
      keep: ${JSON.stringify([new URL("node_modules/", ROOT).href])},
    },
  });
  return import(${JSON.stringify(pathToFileURL(source).href)});
});`;
}
