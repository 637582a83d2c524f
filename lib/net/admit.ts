import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { classifyIp, formatIp, parseIp } from './address.js';
import { matchDestination, type AllowEntry } from './allowlist.js';

// The whole decision on one destination: allowlist, then the addresses the
// name resolves to on the host. The proxy connects to exactly the addresses
// returned here, so a second lookup (DNS rebinding) cannot swap them.

/** Addresses a name resolves to, as text. Rejects with an error carrying `code`. */
export type Resolver = (name: string) => Promise<string[]>;

export type Admission =
  | { allowed: true; reason: string; addresses: string[] }
  | { allowed: false; reason: string };

const RESOLVE_TIMEOUT_MS = 10_000;

export const systemResolver: Resolver = async (name) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`resolving ${name} timed out`), { code: 'ETIMEOUT' })), RESOLVE_TIMEOUT_MS);
  });
  try {
    const found = await Promise.race([lookup(name, { all: true, verbatim: true }), timeout]);
    return found.map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
};

let lookupWarm = false;

/**
 * Readies what the first lookup would otherwise pay for on the command's
 * first connection: node's lookup() tests every name with net.isIP, whose
 * IPv6 pattern V8 compiles on first use, in two steps (bytecode, then
 * machine code on the second use): 15-20 ms on a 2-core VM. Once per process.
 */
export function warmLookup(): void {
  if (lookupWarm) return;
  lookupWarm = true;
  isIP('warm-up.invalid');
  isIP('warm-up.invalid');
}

/**
 * One lookup of a name at a time: attempts that start while a lookup of the
 * same name is in flight share its answer (npm opens a dozen connections to
 * the registry at once, and each lookup is a chance of a resolver timeout).
 * Each attempt still connects only to the addresses it was admitted with,
 * and one that starts after the lookup settled looks the name up again.
 */
export function coalesced(resolve: Resolver): Resolver {
  const inFlight = new Map<string, Promise<string[]>>();
  return (name) => {
    let found = inFlight.get(name);
    if (!found) {
      found = resolve(name).finally(() => inFlight.delete(name));
      inFlight.set(name, found);
    }
    return found;
  };
}

export async function admit(list: readonly AllowEntry[], host: string, port: number, resolve: Resolver): Promise<Admission> {
  const match = matchDestination(list, host, port);
  if (!match.ok) return { allowed: false, reason: match.reason };
  let addresses: string[];
  if (match.host.kind === 'ip') {
    addresses = [match.host.text];
  } else {
    try {
      addresses = await resolve(match.host.name);
    } catch (err) {
      return { allowed: false, reason: `resolve-failed:${(err as { code?: string }).code ?? 'ERROR'}` };
    }
    if (addresses.length === 0) return { allowed: false, reason: 'resolve-failed:ENODATA' };
  }
  const checked: string[] = [];
  for (const address of addresses) {
    const ip = parseIp(address);
    if (!ip) return { allowed: false, reason: 'resolve-failed:EBADADDRESS' };
    const cls = classifyIp(ip);
    // Any internal record refuses the whole name: mixing a public record with
    // an internal one is how rebinding passes a check.
    if (cls !== 'public') return { allowed: false, reason: `resolves-to-${cls}` };
    checked.push(formatIp(ip));
  }
  return { allowed: true, reason: `allowlist:${match.entry.entry}`, addresses: checked };
}
