import { formatIp, looksLikeIPv4, parseIp, type Ip } from './address.js';

// A destination host as a client spelled it (CONNECT authority, URL host,
// SOCKS5 address), reduced to one canonical form so that the allowlist is
// compared against exactly what will be connected to.

export type Host =
  | { kind: 'name'; name: string }
  | { kind: 'ip'; ip: Ip; text: string }
  | { kind: 'invalid' };

const LABEL = /^[a-z0-9_-]{1,63}$/;

/** Lowercase DNS name without trailing dot, or null when it is not one (spaces, NULs, unicode, empty labels). */
export function normaliseName(text: string): string | null {
  const name = (text.endsWith('.') ? text.slice(0, -1) : text).toLowerCase();
  if (name.length === 0 || name.length > 253) return null;
  return name.split('.').every((l) => LABEL.test(l)) ? name : null;
}

export function parseHost(text: string): Host {
  const ip = parseIp(text);
  if (ip) return { kind: 'ip', ip, text: formatIp(ip) };
  // A host a URL parser or inet_aton would read as a number is never a name.
  if (text.includes(':') || text.startsWith('[') || looksLikeIPv4(text)) return { kind: 'invalid' };
  const name = normaliseName(text);
  return name ? { kind: 'name', name } : { kind: 'invalid' };
}

/** `host:port` or `[v6]:port` (CONNECT request target, allowlist entry); null when malformed. */
export function splitHostPort(text: string): { host: string; port: number } | null {
  const m = /^(\[[^\]]*\]|[^:[\]]*):([0-9]{1,5})$/.exec(text);
  if (!m) return null;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1] as string, port } : null;
}
