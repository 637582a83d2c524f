// Network allowlist entries: `host`, `host:port`, `*.suffix`, `*.suffix:port`.
// A missing port means both 443 and 80. The normal form the plan and the
// proxy use is one `host:port` (or `*.suffix:port`) per entry, lower case.
// `*.suffix` matches names below the suffix, not the suffix itself.

const DEFAULT_PORTS = [443, 80];
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const ENTRY = new RegExp(`^(\\*\\.)?(${LABEL}(?:\\.${LABEL})*)\\.?(?::(\\d{1,5}))?$`);

export const DOMAIN_FORMS = '"host", "host:port", "*.suffix" or "*.suffix:port"';

// The planner normalises the same few entries on every sandboxed line.
const normalised = new Map<string, readonly string[] | null>();

/** Normal forms of one entry, or null when it is not a valid entry. */
export function normaliseDomain(entry: string): readonly string[] | null {
  let forms = normalised.get(entry);
  if (forms === undefined) {
    forms = parseEntry(entry);
    if (normalised.size > 4096) normalised.clear();
    normalised.set(entry, forms);
  }
  return forms;
}

function parseEntry(entry: string): string[] | null {
  const m = ENTRY.exec(entry.trim().toLowerCase());
  if (!m) return null;
  const port = m[3] === undefined ? null : Number(m[3]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  const host = `${m[1] ?? ''}${m[2]}`;
  return (port === null ? DEFAULT_PORTS : [port]).map((p) => `${host}:${p}`);
}

/** Every entry normalised, deduplicated, sorted. Invalid entries are rejected when the file is read, so they cannot reach here. */
export function normaliseDomains(entries: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const e of entries) for (const n of normaliseDomain(e) ?? []) out.add(n);
  return [...out].sort();
}

/** Whether normal-form `outer` admits everything normal-form `inner` admits. */
export function domainCovers(outer: string, inner: string): boolean {
  if (outer === inner) return true;
  const [oHost, oPort] = splitPort(outer);
  const [iHost, iPort] = splitPort(inner);
  if (oPort !== iPort || !oHost.startsWith('*.')) return false;
  const suffix = oHost.slice(1); // ".example.com"
  const bare = iHost.startsWith('*.') ? iHost.slice(1) : `.${iHost}`;
  return bare.endsWith(suffix) && bare.length > suffix.length;
}

function splitPort(entry: string): [string, string] {
  const i = entry.lastIndexOf(':');
  return [entry.slice(0, i), entry.slice(i + 1)];
}
