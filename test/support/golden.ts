// Pinned outputs: a run's result compared with a JSON file under test/golden/fixtures. The file is
// (re)written only when UPDATE_GOLDEN=1, on purpose, after a change the diff shows to be intended.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./paths.ts";

const DIR = join(ROOT, "test/golden/fixtures");

/** JSON's view of a value (typed arrays as arrays, NaN as null), as written to the golden file. */
export function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v) =>
      ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v,
    ),
  );
}

/** The golden `name`.json, written from `actual` first when UPDATE_GOLDEN=1; throws when absent. */
export function golden(name: string, actual: unknown): unknown {
  const file = join(DIR, `${name}.json`);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, `${JSON.stringify(plain(actual), null, 1)}\n`);
  if (!existsSync(file)) throw new Error(`no golden ${file}: run with UPDATE_GOLDEN=1 once to pin it`);
  return JSON.parse(readFileSync(file, "utf8"));
}
