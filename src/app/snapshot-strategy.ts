// The strategies that trade on STOM's snapshots rather than bars: tick strategies
// (defineTickStrategy, `<dir>/ticks/<name>.ts`) and STOM's own texts (`<dir>/stom/<name>/buy.txt`
// and `sell.txt`, with `vars.txt` for their self.vars ranges). The bridge loads them by name only,
// never from a path it was sent, and ties each promotion to its backtest by a fingerprint over the
// source, the resolved parameters and the run's settings, as for bar strategies.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { resolveParams, suggest } from "../engine/index.ts";
import type { TickStrategyDef } from "../engine/portfolio/index.ts";
import { fingerprint } from "./fingerprint.ts";
import { importStrategy } from "./import-strategy.ts";
import { STRATEGY_DIR } from "./strategy-loader.ts";

export type SnapshotKind = "ticks" | "stom";

const NAME = /^[a-z0-9][a-z0-9-]*$/i;

/** The texts of a STOM strategy as the bridge runs them. */
export interface StomTexts {
  readonly buy: string;
  readonly sell: string;
  /** 최적화 범위 (self.vars[n] = [[start, end, step], best]); their best values are the defaults */
  readonly vars?: string;
}

export interface LoadedSnapshotStrategy {
  readonly kind: SnapshotKind;
  readonly name: string;
  /** what the fingerprint covers: the module's source, or the texts joined */
  readonly source: string;
  /** the tick strategy (kind "ticks") */
  readonly tick?: TickStrategyDef;
  /** the STOM texts (kind "stom") */
  readonly texts?: StomTexts;
  /** parameters with their defaults filled in (ticks); the given self.vars values (stom) */
  readonly params: Readonly<Record<string, number>>;
  readonly fingerprint: string;
}

/** The folder a kind's named strategies live in. */
export function snapshotDir(kind: SnapshotKind, dir = STRATEGY_DIR): string {
  return path.join(dir, kind);
}

/** The named strategies of a kind, sorted. */
export function snapshotStrategyNames(kind: SnapshotKind, dir = STRATEGY_DIR): string[] {
  const folder = snapshotDir(kind, dir);
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((e) => (kind === "ticks" ? e.isFile() && e.name.endsWith(".ts") : e.isDirectory()))
    .map((e) => (kind === "ticks" ? e.name.slice(0, -3) : e.name))
    .sort();
}

function unknown(kind: SnapshotKind, name: string, dir: string): Error {
  const names = snapshotStrategyNames(kind, dir);
  const hint = suggest(name, names);
  return new Error(
    `unknown ${kind === "ticks" ? "tick strategy" : "STOM strategy"} '${name}'${
      hint ? `, did you mean '${hint}'?` : ` (in ${snapshotDir(kind, dir)}: ${names.join(", ") || "none"})`
    }`,
  );
}

/** A tick strategy module: a name under `<dir>/ticks`, or a path (unless `namesOnly`). */
export async function loadTickStrategy(
  ref: string,
  { dir = STRATEGY_DIR, namesOnly = false }: { dir?: string; namesOnly?: boolean } = {},
): Promise<{ strategy: TickStrategyDef; name: string; source: string }> {
  const named = NAME.test(ref);
  if (!named && namesOnly) throw new Error(`invalid strategy name: ${ref}`);
  const file = named ? path.join(snapshotDir("ticks", dir), `${ref}.ts`) : path.resolve(ref);
  if (!existsSync(file))
    throw named ? unknown("ticks", ref, dir) : new Error(`no such strategy file: ${ref}`);
  const source = readFileSync(file, "utf8");
  const mod = await importStrategy(file, source);
  const strategy = mod.default as TickStrategyDef | undefined;
  if (
    !strategy ||
    typeof strategy.init !== "function" ||
    typeof strategy.buy !== "function" ||
    typeof strategy.sell !== "function" ||
    !strategy.params
  ) {
    throw new Error(
      `${ref}: the default export is not a tick strategy (use defineTickStrategy({params, init, buy, sell}))`,
    );
  }
  return { strategy, name: named ? ref : path.basename(file, ".ts"), source };
}

/** A STOM strategy's texts by name: `<dir>/stom/<name>/{buy,sell}.txt` (and vars.txt when present). */
export function loadStomTexts(name: string, { dir = STRATEGY_DIR }: { dir?: string } = {}): StomTexts {
  if (!NAME.test(name)) throw new Error(`invalid strategy name: ${name}`);
  const folder = path.join(snapshotDir("stom", dir), name);
  if (!existsSync(folder)) throw unknown("stom", name, dir);
  const read = (file: string) => {
    const p = path.join(folder, file);
    return existsSync(p) ? readFileSync(p, "utf8") : undefined;
  };
  const buy = read("buy.txt");
  const sell = read("sell.txt");
  if (buy === undefined || sell === undefined) throw new Error(`${folder}: needs buy.txt and sell.txt`);
  const vars = read("vars.txt");
  return vars === undefined ? { buy, sell } : { buy, sell, vars };
}

/** The texts as one source for the fingerprint (the NUL cannot occur in a text). */
export function stomSource(texts: StomTexts): string {
  return [texts.buy, texts.sell, texts.vars ?? ""].join("\u0000");
}

/**
 * Loads a snapshot strategy by name and resolves its parameters; `settings` (the run's options,
 * as its backtest report records them) go into the fingerprint.
 */
export async function loadSnapshotStrategy(
  kind: SnapshotKind,
  name: string,
  params: Readonly<Record<string, unknown>>,
  { dir = STRATEGY_DIR, settings }: { dir?: string; settings?: Readonly<Record<string, unknown>> } = {},
): Promise<LoadedSnapshotStrategy> {
  if (kind === "ticks") {
    const loaded = await loadTickStrategy(name, { dir, namesOnly: true });
    const resolved = resolveParams(loaded.strategy.params, params) as Record<string, number>;
    return {
      kind,
      name,
      source: loaded.source,
      tick: loaded.strategy,
      params: resolved,
      fingerprint: fingerprint(loaded.source, resolved, settings),
    };
  }
  const texts = loadStomTexts(name, { dir });
  const vars: Record<string, number> = {};
  for (const [k, v] of Object.entries(params)) {
    if (!/^vars\d+$/.test(k) || typeof v !== "number" || !Number.isFinite(v))
      throw new Error(`invalid STOM parameter: ${k} (expected vars<n> = a number)`);
    vars[k] = v;
  }
  const source = stomSource(texts);
  return { kind, name, source, texts, params: vars, fingerprint: fingerprint(source, vars, settings) };
}
