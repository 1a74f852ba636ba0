// How this project's worker threads start. From the sources, a thread starts without the parent's
// hooks: the boot registers bin/ts-hooks.mjs, which maps "stom" in a strategy file to the copy of the
// library the thread runs (bin/library.mjs), or a second engine would load whose Series the
// strategy's crossover() would not recognise, and strips the types of a strategy's .ts file with
// esbuild. A process that runs the build (the `stom` CLI) starts its threads from the build: a
// thread from the sources strips the types of every engine file it loads, about 1.5 s a thread
// against 0.1 s to load the bundle; such a thread registers the hooks only if it imports a strategy
// that is not prebuilt (src/app/import-strategy.ts).
import { pathToFileURL } from "node:url";
import type { Worker } from "node:worker_threads";

// scripts/build.mjs defines this; under tsx it is undeclared
declare const __STOM_BUNDLED__: boolean | undefined;

const ROOT = new URL("../../", import.meta.url);

/**
 * The eval source of a thread: build/<built>.js (scripts/build.mjs's entry of `source`) when this
 * process runs the build, else the hooks, then `source` (a .ts path). Without `built` the thread
 * runs the sources. A thread that imports a module by the URL it is sent (context-thread.ts) must be
 * sent the built module's URL then.
 */
export function threadBoot(source: string, built?: string): string {
  const library = JSON.stringify(new URL("bin/library.mjs", ROOT).href);
  const hooks = JSON.stringify(new URL("bin/ts-hooks.mjs", ROOT).href);
  const root = JSON.stringify(ROOT.href);
  if (built && typeof __STOM_BUNDLED__ !== "undefined")
    return `import(${JSON.stringify(new URL(`build/${built}.js`, ROOT).href)});`;
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

/** What a pool posts to a thread to end it: the thread closes its port and winds down. */
export const CLOSE = Object.freeze({ close: true } as const);

/**
 * Ends a pool's thread by letting it wind down (it closes its port on CLOSE), and terminates it
 * only if it has not exited after `graceMs`. terminate() while V8 was still compiling on a
 * background thread for that thread's isolate aborted the whole process now and then
 * (node_platform.cc "NodePlatform::ForIsolate ... Assertion failed", seen once in CI on Node 20,
 * not reproduced on demand); a thread that exits on its own goes through Node's normal teardown,
 * which drains the platform's tasks for its isolate before disposing of it.
 */
export async function closeThread(worker: Worker, graceMs = 2_000): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.postMessage(CLOSE);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), graceMs);
  });
  if ((await Promise.race([exited, late])) === "late") await worker.terminate();
  clearTimeout(timer);
}
