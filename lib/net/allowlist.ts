import { normaliseName, parseHost, splitHostPort, type Host } from './host.js';

// The policy's network allowlist and the first decision on a destination:
// does its host and port match an entry? (Where the name resolves to is
// decided after, in admit.ts.)

export type AllowEntry = {
  /** The entry as written in the plan, quoted in audit reasons. */
  entry: string;
  port: number;
  match: { kind: 'name'; name: string } | { kind: 'suffix'; suffix: string } | { kind: 'ip'; text: string };
};

export class AllowlistError extends Error {
  constructor(readonly entry: string, why: string) {
    super(`network allowlist entry ${JSON.stringify(entry)}: ${why}`);
    this.name = 'AllowlistError';
  }
}

function parseEntry(entry: string): AllowEntry {
  const hp = splitHostPort(entry);
  if (!hp) throw new AllowlistError(entry, 'expected host:port, *.suffix:port or [ipv6]:port with a port 1-65535');
  if (hp.host.startsWith('*.')) {
    const suffix = normaliseName(hp.host.slice(2));
    if (!suffix || parseHost(suffix).kind !== 'name') throw new AllowlistError(entry, 'the part after "*." is not a DNS name');
    return { entry, port: hp.port, match: { kind: 'suffix', suffix } };
  }
  const host = parseHost(hp.host);
  if (host.kind === 'invalid') throw new AllowlistError(entry, 'the host is neither a DNS name nor an IP address');
  return {
    entry,
    port: hp.port,
    match: host.kind === 'ip' ? { kind: 'ip', text: host.text } : { kind: 'name', name: host.name },
  };
}

/** Throws AllowlistError naming the first malformed entry: a policy that cannot be read admits nothing. */
export function parseAllowlist(entries: readonly string[]): AllowEntry[] {
  return entries.map(parseEntry);
}

function hostMatches(match: AllowEntry['match'], host: Exclude<Host, { kind: 'invalid' }>): boolean {
  if (host.kind === 'ip') return match.kind === 'ip' && match.text === host.text;
  if (match.kind === 'name') return match.name === host.name;
  // `*.example.com` covers names below example.com, never example.com itself.
  return match.kind === 'suffix' && host.name.endsWith(`.${match.suffix}`);
}

export type Match =
  | { ok: true; entry: AllowEntry; host: Exclude<Host, { kind: 'invalid' }> }
  | { ok: false; reason: 'invalid-host' | 'ip-literal' | 'not-in-allowlist' | 'port-not-in-allowlist' };

export function matchDestination(list: readonly AllowEntry[], rawHost: string, port: number): Match {
  const host = parseHost(rawHost);
  if (host.kind === 'invalid') return { ok: false, reason: 'invalid-host' };
  const sameHost = list.filter((e) => hostMatches(e.match, host));
  const entry = sameHost.find((e) => e.port === port);
  if (entry) return { ok: true, entry, host };
  if (sameHost.length > 0) return { ok: false, reason: 'port-not-in-allowlist' };
  return { ok: false, reason: host.kind === 'ip' ? 'ip-literal' : 'not-in-allowlist' };
}
