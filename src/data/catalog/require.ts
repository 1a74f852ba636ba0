import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { suggest } from "../../engine/params.ts";
import { MANIFEST_FILE } from "./manifest.ts";

/**
 * Refuses a directory that holds no catalog, so a mistyped `--catalog` fails loudly instead of
 * reading (or creating) an empty one; suggests a sibling catalog with a close name.
 *
 *   requireCatalog("catlog"); // Error: no catalog at catlog, did you mean 'catalog'?
 */
export function requireCatalog(dir: string): void {
  if (existsSync(join(dir, MANIFEST_FILE))) return;
  const what = existsSync(dir) ? `${dir} holds no catalog (no ${MANIFEST_FILE})` : `no catalog at ${dir}`;
  const hint = nearbyCatalog(dir);
  throw new Error(
    hint
      ? `${what}, did you mean '${hint}'?`
      : `${what}: import, fetch or sample data into it first (stom data sample --catalog ${dir})`,
  );
}

/** A sibling of `dir` that holds a catalog and whose name is a likely typo away. */
function nearbyCatalog(dir: string): string | undefined {
  const parent = dirname(dir);
  let names: string[];
  try {
    names = readdirSync(parent, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(parent, e.name, MANIFEST_FILE)))
      .map((e) => e.name);
  } catch {
    return undefined;
  }
  const name = suggest(basename(dir), names);
  return name === undefined ? undefined : join(parent, name);
}
