import { createHash } from "node:crypto";

/** sha256 of a text, hex. */
export function sourceHash(source: string): string {
  return createHash("sha256").update(source).digest("hex");
}

/**
 * What ties a promotion to its backtest: sha256 over the strategy's source text followed by the JSON
 * of its resolved params (in the strategy's declaration order). `stom backtest --out` writes it, the
 * Backtest page computes it the same way with Web Crypto, and the bridge refuses a promotion whose
 * fingerprint differs from the strategy it would run.
 */
export function fingerprint(source: string, params: Readonly<Record<string, number>>): string {
  return createHash("sha256").update(source).update(JSON.stringify(params)).digest("hex");
}
