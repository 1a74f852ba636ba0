// How this process imports a strategy file (TypeScript), for both loaders (strategy-loader.ts,
// snapshot-strategy.ts). Under tsx (the sources) a plain import(); the built CLI sets its own
// (src/cli/main.ts): a bundled strategy's prebuilt bundle with no module hooks, and the hooks
// registered only when another file is first imported (Node's loader thread costs ~65 ms).
import { pathToFileURL } from "node:url";
import { sourceHash } from "./fingerprint.ts";

/** Imports `file` (a path) afresh for each `version` of its source. */
export type StrategyImporter = (file: string, version: string) => Promise<Record<string, unknown>>;

let importer: StrategyImporter = (file, version) => import(`${pathToFileURL(file).href}?v=${version}`);

/** Replaces how strategy files are imported in this process. */
export function setStrategyImporter(fn: StrategyImporter): void {
  importer = fn;
}

/**
 * The module of a strategy file whose text is `source`: the URL carries the source hash, so a
 * long-running bridge or `npm start` never runs an old version of an edited file.
 */
export function importStrategy(file: string, source: string): Promise<Record<string, unknown>> {
  return importer(file, sourceHash(source).slice(0, 16));
}
