import { isIP } from "node:net";

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  // IPv4-mapped IPv6 loopback
  return /^::ffff:127\./.test(h);
}

export interface ExposureOptions {
  host: string;
  tlsCert?: string;
  tlsKey?: string;
  /** plain HTTP on a non-loopback host, asked for in so many words */
  insecure?: boolean;
}

/**
 * What binding `host` means for the bearer token: off loopback it crosses a network, so the bridge
 * warns, and refuses unless it serves HTTPS (both --tls-cert and --tls-key) or is told --insecure.
 */
export function exposure({ host, tlsCert, tlsKey, insecure = false }: ExposureOptions): {
  warning?: string;
  error?: string;
} {
  if (Boolean(tlsCert) !== Boolean(tlsKey)) {
    return { error: "--tls-cert and --tls-key go together: give both or neither" };
  }
  if (isLoopback(host)) return {};
  const warning =
    `stom bridge: listening on ${host}, reachable from other machines: anyone who can reach it ` +
    "may try the token; prefer 127.0.0.1 behind an SSH tunnel or a reverse proxy";
  if (tlsCert || insecure) return { warning };
  return {
    warning,
    error:
      `--host ${host} is not loopback: serve HTTPS with --tls-cert <pem> --tls-key <pem>, ` +
      "or pass --insecure to send the token in clear",
  };
}
