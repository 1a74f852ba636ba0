import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolveParams, type StrategyDef } from "../engine/index.ts";

export const STRATEGY_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../notebooks/strategies",
);

/** The fingerprint `stom backtest --out` writes: sha256 of the strategy source, then the JSON of the resolved params. */
export function fingerprint(source: string, resolvedParams: Readonly<Record<string, number>>): string {
  return createHash("sha256").update(source).update(JSON.stringify(resolvedParams)).digest("hex");
}

export interface LoadedStrategy {
  readonly strategy: StrategyDef;
  readonly file: string;
  readonly params: Readonly<Record<string, number>>;
  readonly fingerprint: string;
}

/**
 * Loads a strategy by name from the strategy folder only (never a path, never code over HTTP),
 * freshly from disk: the module URL carries the source hash so an edited file is re-imported.
 */
export async function loadNamedStrategy(
  name: string,
  params: Readonly<Record<string, unknown>>,
  dir = STRATEGY_DIR,
): Promise<LoadedStrategy> {
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(name)) throw new Error(`invalid strategy name: ${name}`);
  const file = path.join(dir, `${name}.ts`);
  if (!existsSync(file)) throw new Error(`unknown strategy: ${name}`);
  const source = await readFile(file, "utf8");
  const hash = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const mod = await import(`${pathToFileURL(file).href}?v=${hash}`);
  const strategy = mod.default as StrategyDef | undefined;
  if (
    !strategy ||
    typeof strategy.init !== "function" ||
    typeof strategy.next !== "function" ||
    !strategy.params
  ) {
    throw new Error(`${name}: the default export is not a strategy`);
  }
  const resolved = resolveParams(strategy.params, params);
  return { strategy, file, params: resolved, fingerprint: fingerprint(source, resolved) };
}
