/** The environment variable holding the bridge's bearer token (never a flag: flags end up in shell history). */
export const TOKEN_ENV = "STOM_BRIDGE_TOKEN";

/** The shortest token the bridge accepts. */
export const MIN_TOKEN_LENGTH = 32;

/**
 * Estimated bits a token must carry: 32 random hex characters carry ~115 by this count and fall
 * under 80 about never; 64 (`openssl rand -hex 32`) never do.
 */
export const MIN_TOKEN_BITS = 80;

const HOW = "make one with: openssl rand -hex 32";

/**
 * Why a token is too weak, or undefined when it will do. Length alone lets "aaaa…" or
 * "0123456789abcdef…" through, so the characters are counted too: no character may make up more
 * than a third of the token, it may not be mostly a run of neighbouring characters, and its
 * it may not repeat a shorter string, and its Shannon entropy over its own characters × length
 * must reach MIN_TOKEN_BITS.
 */
export function tokenProblem(token: string | undefined): string | undefined {
  if (typeof token !== "string" || token.length < MIN_TOKEN_LENGTH) {
    return `${TOKEN_ENV} must be set to at least ${MIN_TOKEN_LENGTH} characters (${HOW})`;
  }
  const counts = new Map<string, number>();
  for (const c of token) counts.set(c, (counts.get(c) ?? 0) + 1);
  const [top, most] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
  if (most > Math.max(12, token.length / 3)) {
    return `${TOKEN_ENV} is too weak: "${top}" makes up ${most} of its ${token.length} characters (${HOW})`;
  }
  // "abcdef…", "0123…", "zyx…": steps of ±1 between neighbours
  let steps = 0;
  for (let i = 1; i < token.length; i++) {
    if (Math.abs(token.charCodeAt(i) - token.charCodeAt(i - 1)) === 1) steps++;
  }
  if (steps > (token.length - 1) / 2) {
    return `${TOKEN_ENV} is too weak: it is mostly a run of neighbouring characters (${HOW})`;
  }
  // "passwordpassword…": a short word repeated
  for (let period = 1; period <= token.length / 2; period++) {
    if (token.slice(period) === token.slice(0, token.length - period)) {
      return `${TOKEN_ENV} is too weak: it repeats ${JSON.stringify(token.slice(0, period))} (${HOW})`;
    }
  }
  let bits = 0;
  for (const n of counts.values()) bits -= n * Math.log2(n / token.length);
  if (bits < MIN_TOKEN_BITS) {
    return `${TOKEN_ENV} is too weak: about ${Math.floor(bits)} bits of entropy, ${MIN_TOKEN_BITS} needed (${HOW})`;
  }
  return undefined;
}
