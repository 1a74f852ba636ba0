import { createHash } from "node:crypto";

/** sha256 of a text, hex. */
export function sourceHash(source: string): string {
  return createHash("sha256").update(source).digest("hex");
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/**
 * What ties a promotion to its backtest: sha256 over the strategy's source text, the JSON of its
 * resolved params (in the strategy's declaration order) and, when given, the canonical JSON of the
 * run's broker settings (cash, costs, unit, account ...: a report's `settings`). `stom backtest --out`
 * writes it, the Backtest page computes it the same way with Web Crypto, and the bridge refuses a
 * promotion whose fingerprint differs from the strategy and settings it would run.
 */
export function fingerprint(
  source: string,
  params: Readonly<Record<string, number>>,
  settings?: Readonly<Record<string, unknown>>,
): string {
  const hash = createHash("sha256").update(source).update(JSON.stringify(params));
  if (settings) hash.update(canonicalJson(settings));
  return hash.digest("hex");
}
