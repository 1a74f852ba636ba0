// The one way strategies are found and loaded: by the CLI (`stom backtest`, `optimize`, `check
// lookahead`, `promote`), the bridge and the notebooks' loaders.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveParams, type StrategyDef, suggest } from "../engine/index.ts";
import { fingerprint } from "./fingerprint.ts";
import { importStrategy } from "./import-strategy.ts";

/** Where the bundled strategies live: `stom backtest sma-cross` means STRATEGY_DIR/sma-cross.ts. */
export const STRATEGY_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../notebooks/strategies",
);

const NAME = /^[a-z0-9][a-z0-9-]*$/i;

/** The bundled strategy names, sorted. */
export function strategyNames(dir = STRATEGY_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -3))
    .sort();
}

export interface LoadedStrategy {
  readonly strategy: StrategyDef;
  /** the bundled name, or the file's base name */
  readonly name: string;
  readonly file: string;
  readonly source: string;
}

export interface LoadOptions {
  /** the folder bundled names resolve in */
  readonly dir?: string;
  /** refuse paths, take names only: the bridge never loads code from a path it was sent */
  readonly namesOnly?: boolean;
}

/**
 * A bundled name ("sma-cross") resolves to `<dir>/<name>.ts`; anything else is a path (unless
 * `namesOnly`). The module is imported fresh whenever its source changed (the URL carries the
 * source hash), so a long-running bridge or `npm start` never runs an old version of an edited file.
 */
export async function loadStrategy(ref: string, options: LoadOptions = {}): Promise<LoadedStrategy> {
  const { dir = STRATEGY_DIR, namesOnly = false } = options;
  const named = NAME.test(ref);
  if (!named && namesOnly) throw new Error(`invalid strategy name: ${ref}`);
  const file = named ? path.join(dir, `${ref}.ts`) : path.resolve(ref);
  if (!existsSync(file)) {
    if (!named) throw new Error(`no such strategy file: ${ref}`);
    const names = strategyNames(dir);
    const hint = suggest(ref, names);
    throw new Error(
      `unknown strategy '${ref}'${hint ? `, did you mean '${hint}'?` : ` (bundled: ${names.join(", ")})`}`,
    );
  }
  const source = readFileSync(file, "utf8");
  const mod = await importStrategy(file, source);
  const strategy = mod.default as StrategyDef | undefined;
  if (
    !strategy ||
    typeof strategy.init !== "function" ||
    typeof strategy.next !== "function" ||
    !strategy.params
  ) {
    throw new Error(
      `${ref}: the default export is not a strategy (use defineStrategy({params, init, next}))`,
    );
  }
  return { strategy, name: named ? ref : path.basename(file, ".ts"), file, source };
}

/** A loaded strategy with its parameters resolved against its defaults, and their fingerprint. */
export interface ResolvedStrategy extends LoadedStrategy {
  readonly params: Readonly<Record<string, number>>;
  readonly fingerprint: string;
}

export async function loadResolvedStrategy(
  ref: string,
  params: Readonly<Record<string, unknown>>,
  options: LoadOptions & { settings?: Readonly<Record<string, unknown>> } = {},
): Promise<ResolvedStrategy> {
  const loaded = await loadStrategy(ref, options);
  const resolved = resolveParams(loaded.strategy.params, params);
  return { ...loaded, params: resolved, fingerprint: fingerprint(loaded.source, resolved, options.settings) };
}
