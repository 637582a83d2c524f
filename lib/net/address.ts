// IP literals in every spelling a resolver or URL parser accepts, and the
// kind of address each one is. The proxy refuses any destination whose
// address is not `public`, so a name that resolves to 127.0.0.1 or to the
// cloud metadata service reaches nothing.

export type Ip = { family: 4; bytes: number[] } | { family: 6; bytes: number[] };

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

const IPV4_PART = /^(?:0x[0-9a-f]*|[0-9]+)$/i;

function parseIPv4Part(part: string): number | null {
  if (/^0x/i.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return parseInt(part, 8);
  if (/^(?:0|[1-9][0-9]*)$/.test(part)) return parseInt(part, 10);
  return null; // e.g. `08`: neither octal nor decimal
}

function stripTrailingDot(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text;
}

/**
 * True when the host would be read as an IPv4 address by a URL parser (its
 * last label is a number), so it must never be treated as a name: `foo.123`,
 * `0x7f.1`, `2130706433`.
 */
export function looksLikeIPv4(text: string): boolean {
  const labels = stripTrailingDot(text).split('.');
  return IPV4_PART.test(labels[labels.length - 1] ?? '');
}

/**
 * The inet_aton forms getaddrinfo accepts: 1 to 4 parts, each decimal, 0x-hex
 * or 0-octal, the last part filling the remaining bytes (`127.1`,
 * `2130706433`, `0177.0.0.1`, `0x7f.0.0.1`), optionally with one trailing dot.
 */
export function parseIPv4(text: string): number[] | null {
  const parts = stripTrailingDot(text).split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    if (!IPV4_PART.test(part)) return null;
    const v = parseIPv4Part(part);
    if (v === null || !Number.isFinite(v)) return null;
    values.push(v);
  }
  const last = values.pop() as number;
  if (values.some((v) => v > 255)) return null;
  const restBytes = 4 - values.length;
  if (last >= 2 ** (8 * restBytes)) return null;
  const tail: number[] = [];
  for (let i = restBytes - 1; i >= 0; i--) tail.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return [...values, ...tail];
}

/** Strict dotted-quad decimal, the only IPv4 form allowed inside an IPv6 literal. */
function parseDottedQuad(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(?:0|[1-9][0-9]{0,2})$/.test(p))) return null;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

function parseIPv6Groups(text: string, allowV4Tail: boolean): number[] | null {
  if (text === '') return [];
  const groups = text.split(':');
  const bytes: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] as string;
    if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
      const v4 = parseDottedQuad(g);
      if (!v4) return null;
      bytes.push(...v4);
    } else {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
      const v = parseInt(g, 16);
      bytes.push(v >> 8, v & 0xff);
    }
  }
  return bytes;
}

/** An IPv6 literal, with or without brackets. Zone ids (`%eth0`) are refused. */
export function parseIPv6(text: string): number[] | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!bare.includes(':')) return null;
  const halves = bare.split('::');
  if (halves.length > 2) return null;
  if (halves.length === 1) {
    const bytes = parseIPv6Groups(bare, true);
    return bytes && bytes.length === 16 ? bytes : null;
  }
  const head = parseIPv6Groups(halves[0] as string, false);
  const tail = parseIPv6Groups(halves[1] as string, true);
  if (!head || !tail || head.length + tail.length > 14) return null;
  return [...head, ...new Array<number>(16 - head.length - tail.length).fill(0), ...tail];
}

export function parseIp(text: string): Ip | null {
  const v6 = parseIPv6(text);
  if (v6) return { family: 6, bytes: v6 };
  const v4 = parseIPv4(text);
  return v4 ? { family: 4, bytes: v4 } : null;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run compressed). */
export function formatIp(ip: Ip): string {
  if (ip.family === 4) return ip.bytes.join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((ip.bytes[i] as number) << 8) | (ip.bytes[i + 1] as number));
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.len) best = { start: i, len: j - i };
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best.len < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.len).join(':')}`;
}

// First match wins. Documentation ranges (192.0.2/24, 198.51.100/24,
// 203.0.113/24) are deliberately public: they route nowhere on the internet,
// and test networks (this project's CI among them) resolve real names to them.
const V4_RANGES: Array<[cidr: string, cls: AddressClass]> = [
  ['255.255.255.255/32', 'broadcast'],
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'private'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.168.0.0/16', 'private'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

function v4Number(bytes: number[]): number {
  return bytes.reduce((n, b) => n * 256 + b, 0);
}

function inV4Cidr(n: number, cidr: string): boolean {
  const [base, prefix] = cidr.split('/') as [string, string];
  const size = 2 ** (32 - Number(prefix));
  const start = v4Number(parseDottedQuad(base) as number[]);
  return n >= start && n < start + size;
}

function classifyV4(bytes: number[]): AddressClass {
  const n = v4Number(bytes);
  for (const [cidr, cls] of V4_RANGES) if (inV4Cidr(n, cidr)) return cls;
  return 'public';
}

function startsWith(bytes: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if (((bytes[byte] as number) & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
}

const v6 = (text: string): number[] => parseIPv6(text) as number[];

// IPv6 prefixes that carry an IPv4 address: the embedded address decides.
const V6_EMBEDDING: Array<[prefix: number[], bits: number, v4At: number]> = [
  [v6('::ffff:0:0'), 96, 12], // IPv4-mapped
  [v6('::ffff:0:0:0'), 96, 12], // IPv4-translated (SIIT)
  [v6('64:ff9b::'), 96, 12], // NAT64 well-known prefix
  [v6('::'), 96, 12], // IPv4-compatible (deprecated); :: and ::1 are matched before
  [v6('2002::'), 16, 2], // 6to4
];

type V6Range = [prefix: number[], bits: number, cls: AddressClass];

// Checked before the embeddings: `::` and `::1` also fall inside `::/96`.
const V6_EXACT: V6Range[] = [
  [v6('::'), 128, 'unspecified'],
  [v6('::1'), 128, 'loopback'],
];

const V6_RANGES: V6Range[] = [
  [v6('64:ff9b:1::'), 48, 'private'], // local-use NAT64
  [v6('2001::'), 32, 'reserved'], // Teredo: the client address is obfuscated inside
  [v6('100::'), 64, 'reserved'], // discard
  [v6('fe80::'), 10, 'link-local'],
  [v6('fec0::'), 10, 'private'], // site-local (deprecated)
  [v6('fc00::'), 7, 'private'], // unique local
  [v6('ff00::'), 8, 'multicast'],
];

function classifyV6(bytes: number[]): AddressClass {
  for (const [prefix, bits, cls] of V6_EXACT) if (startsWith(bytes, prefix, bits)) return cls;
  for (const [prefix, bits, at] of V6_EMBEDDING) {
    if (startsWith(bytes, prefix, bits)) return classifyV4(bytes.slice(at, at + 4));
  }
  for (const [prefix, bits, cls] of V6_RANGES) if (startsWith(bytes, prefix, bits)) return cls;
  // Only 2000::/3 is allocated global unicast; anything else is not a real destination.
  return startsWith(bytes, v6('2000::'), 3) ? 'public' : 'reserved';
}

export function classifyIp(ip: Ip): AddressClass {
  return ip.family === 4 ? classifyV4(ip.bytes) : classifyV6(ip.bytes);
}
