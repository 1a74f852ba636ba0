/**
 * Venue errors quote the request they failed on, and a signed request carries its signature (and
 * sometimes the key) in the query string: ccxt's "binance GET https://…/order?…&signature=…". Such
 * text is scrubbed before it reaches the journal, the event stream or a log line.
 */
const SIGNED_URL = /(\bhttps?:\/\/[^\s?"'<>]+)\?[^\s"'<>]*\bsignature=[^\s"'<>]*/gi;
const SECRET_PARAM =
  /((?:^|[?&;,\s{"'])(?:signature|sig|api[-_]?key|access[-_]?key|secret(?:[-_]?key)?|token|app[-_]?key|app[-_]?secret)["']?\s*[=:]\s*["']?)[^&\s"'<>,}]+/gi;
const BEARER = /\bBearer\s+[\w.~+/=-]+/gi;
const JWT = /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]+/g;

export function redactSecrets(text: string): string {
  return text
    .replace(SIGNED_URL, "$1?[signed query redacted]")
    .replace(SECRET_PARAM, "$1[redacted]")
    .replace(BEARER, "Bearer [redacted]")
    .replace(JWT, "[jwt redacted]");
}

/** The same over a JSON-like value (audit details, event payloads); other values are returned as they are. */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  return value;
}
