// The one home for where the tests find ../shared/data and for skipping what needs it.
// A clone with nothing beside it runs every other test; each file that needs shared data says
// once which path is missing and how to get it, and its shared-data tests are reported as skipped.
//
//   const { missing } = needShared("backtesting-py/GOOG.csv");
//   describe.skipIf(missing)("golden GOOG run", () => { ... });
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** The repository root (the checkout this test tree belongs to). */
export const ROOT = resolve(import.meta.dirname, "../..");

/** ../shared/data beside the checkout: the project's shared data folder (real market data, STOM cases). */
export const SHARED = resolve(ROOT, "../shared/data");

/** SHARED as a directory URL, for `new URL("binance/x.json", SHARED_URL)`. */
export const SHARED_URL = pathToFileURL(`${SHARED}/`);

/** An absolute path under ../shared/data: `shared("backtesting-py", "GOOG.csv")`. */
export function shared(...parts: string[]): string {
  return join(SHARED, ...parts);
}

const HOW = "../shared/data is the project's shared data folder; place it beside the checkout";

/** The one-line reason a file's shared-data tests are skipped (null when nothing is missing). */
export function sharedReason(relPath: string): string {
  return `skipped: ${relative(ROOT, shared(relPath))} is missing (${HOW})`;
}

/**
 * Checks that every relPath (relative to ../shared/data; none means the folder itself) exists.
 * `missing` is the first absent path or null, usable as `describe.skipIf(missing)`; the reason is
 * printed once per call, so call it once per file at the top.
 */
export function needShared(...relPaths: string[]): { missing: string | null } {
  const wanted = relPaths.length ? relPaths : [""];
  const absent = wanted.find((p) => !existsSync(shared(p)));
  if (absent === undefined) return { missing: null };
  console.log(sharedReason(absent));
  return { missing: absent || "." };
}

/**
 * `load()` when nothing is missing; otherwise a stand-in that throws on any use, so a file can
 * keep module-level fixtures (`const GOOG = sharedOr(missing, () => toBars(...))`) and still load.
 */
export function sharedOr<T>(missing: string | null, load: () => T): T {
  if (!missing) return load();
  const fail = (): never => {
    throw new Error(`needs ../shared/data/${missing}`);
  };
  return new Proxy({}, { get: fail, has: fail, ownKeys: fail, apply: fail }) as T;
}
