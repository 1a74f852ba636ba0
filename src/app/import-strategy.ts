// How a process or thread imports a strategy file (TypeScript), for both loaders
// (strategy-loader.ts, snapshot-strategy.ts) and the optimizer's threads. From the sources (tsx) a
// plain import(). From the build (the `stom` CLI and its threads): a bundled strategy's prebuilt
// bundle, which imports build/index.js by relative path, with no module hooks; any other file through
// bin/ts-hooks.mjs ("stom" mapped to the build, types stripped), registered on the first such import
// (Node's loader thread costs ~65 ms a process or thread, which a prebuilt strategy never pays).
import { pathToFileURL } from "node:url";
import { builtHooks, prebuiltStrategy } from "../../bin/library.mjs";
import { sourceHash } from "./fingerprint.ts";

// scripts/build.mjs defines this; under tsx it is undeclared
declare const __STOM_BUNDLED__: boolean | undefined;
const ROOT = new URL("../../", import.meta.url);

let hooks: Promise<void> | undefined;

/**
 * The module of a strategy file (a path) whose text is `source`: the URL carries the source hash,
 * so a long-running bridge or `npm start` never runs an old version of an edited file.
 */
export async function importStrategy(file: string, source: string): Promise<Record<string, unknown>> {
  const version = `?v=${sourceHash(source).slice(0, 16)}`;
  if (typeof __STOM_BUNDLED__ === "undefined") return import(`${pathToFileURL(file).href}${version}`);
  const built = prebuiltStrategy(ROOT, file);
  if (!built) {
    hooks ??= import("node:module").then(({ register }) =>
      register(new URL("bin/ts-hooks.mjs", ROOT), { data: builtHooks(ROOT) }),
    );
    await hooks;
  }
  return import(`${pathToFileURL(built ?? file).href}${version}`);
}
