/** One tunable parameter: its default and the range the optimizer may search. */
export interface ParamSpec {
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly step?: number;
  /** integer unless said otherwise (window lengths are the common case) */
  readonly integer?: boolean;
}

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;
export type ParamValues<P extends ParamSpecs> = { readonly [K in keyof P]: number };

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** The closest known name, if it is close enough to be a typo. */
export function suggest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 2)) ? best : undefined;
}

/**
 * Merges overrides into the defaults, rejecting unknown names (with a suggestion), non-numbers,
 * non-integers where integers are required, and values outside [min, max].
 */
export function resolveParams<P extends ParamSpecs>(
  specs: P,
  overrides: Readonly<Record<string, unknown>> = {},
): ParamValues<P> {
  const names = Object.keys(specs);
  const out: Record<string, number> = {};
  for (const name of names) out[name] = specs[name].default;
  for (const [name, raw] of Object.entries(overrides)) {
    if (!(name in specs)) {
      const hint = suggest(name, names);
      throw new Error(
        `unknown parameter '${name}'${hint ? `, did you mean '${hint}'?` : names.length ? ` (known: ${names.join(", ")})` : ""}`,
      );
    }
    const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new Error(`parameter '${name}' must be a finite number, got ${JSON.stringify(raw)}`);
    }
    const spec = specs[name];
    if ((spec.integer ?? true) && !Number.isInteger(value)) {
      throw new Error(`parameter '${name}' must be an integer, got ${value}`);
    }
    if (spec.min !== undefined && value < spec.min) {
      throw new Error(`parameter '${name}' must be >= ${spec.min}, got ${value}`);
    }
    if (spec.max !== undefined && value > spec.max) {
      throw new Error(`parameter '${name}' must be <= ${spec.max}, got ${value}`);
    }
    out[name] = value;
  }
  return Object.freeze(out) as ParamValues<P>;
}
