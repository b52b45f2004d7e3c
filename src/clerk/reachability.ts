import { lookup } from "node:dns/promises";
import net from "node:net";
import tls from "node:tls";

/** A failure retrying will not fix: the name does not resolve, nothing listens, or TLS fails. */
export interface Unreachable {
  kind: "dns" | "refused" | "tls";
  /** ENOTFOUND, ECONNREFUSED, CERT_HAS_EXPIRED, … */
  code: string;
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"]);
const REFUSED_CODES = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

/**
 * Why a connection to `url` fails (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, …), or undefined if a TCP
 * connection opens: the SDK reports every network failure as "fetch failed", which says nothing.
 */
export function probeConnection(url: string, timeoutMs = 2000): Promise<string | undefined> {
  const u = new URL(url);
  const port = Number(u.port) || (u.protocol === "https:" ? 443 : 80);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname.replace(/^\[|\]$/g, ""), port });
    const done = (code: string | undefined) => {
      socket.destroy();
      resolve(code);
    };
    socket.setTimeout(timeoutMs, () => done("ETIMEDOUT"));
    socket.once("connect", () => done(undefined));
    socket.once("error", (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

/** For an https URL whose port answers: the TLS handshake's error code, if it fails. */
function probeTls(url: URL, timeoutMs: number): Promise<string | undefined> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port: Number(url.port) || 443, servername: net.isIP(host) ? undefined : host });
    const done = (code: string | undefined) => {
      socket.destroy();
      resolve(code);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once("secureConnect", () => done(undefined));
    socket.once("error", (err: NodeJS.ErrnoException) => done(err.code ?? "TLS_ERROR"));
  });
}

/**
 * Tells a failure no retry will fix (DNS, refused, TLS) from a passing one (a reset connection, a
 * timeout): the first gets one retry, the second the usual backoff.
 */
export async function diagnoseUnreachable(apiUrl: string, timeoutMs = 2000): Promise<Unreachable | undefined> {
  const url = new URL(apiUrl);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!net.isIP(host)) {
    try {
      await lookup(host);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "ENOTFOUND";
      if (DNS_CODES.has(code)) return { kind: "dns", code };
    }
  }
  const tcp = await probeConnection(apiUrl, timeoutMs);
  if (tcp && DNS_CODES.has(tcp)) return { kind: "dns", code: tcp };
  if (tcp && REFUSED_CODES.has(tcp)) return { kind: "refused", code: tcp };
  if (tcp || url.protocol !== "https:") return undefined;
  const handshake = await probeTls(url, timeoutMs);
  return handshake ? { kind: "tls", code: handshake } : undefined;
}
