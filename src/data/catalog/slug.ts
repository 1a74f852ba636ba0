/**
 * A path segment for any symbol or name: keeps [A-Za-z0-9._-], escapes the rest as `~XX`
 * (UTF-8 bytes, hex) so "BTC/USDT" -> "BTC~2FUSDT" and "현대차" stays unique and reversible.
 * A leading dot is escaped too, so no slug is "." or "..".
 */
const PLAIN = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export function slug(name: string): string {
  if (name === "") throw new Error("empty name cannot be a path segment");
  // most names (every KRX code, "krx", "1m") need no escape: skip the byte walk
  if (PLAIN.test(name)) return name;
  let out = "";
  for (const byte of new TextEncoder().encode(name)) {
    const ch = String.fromCharCode(byte);
    const safe = /[A-Za-z0-9_-]/.test(ch) || (ch === "." && out !== "");
    out += safe ? ch : `~${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
