import { formatIp } from './address.js';

// Decodes what the network monitor captures inside a sandbox's network
// namespace (tcpdump -w -, see monitor.ts) into the attempts it stands for.
// Every byte here was sent by sandboxed code, so nothing is trusted: each
// read is bounds-checked and a malformed packet is skipped, never thrown on.
//
// With every address routed to the namespace's own loopback, a way out that
// the sandbox tries ends in one of these packets:
//   - a TCP RST+ACK with sequence number 0 from the destination: the kernel's
//     answer to a SYN nobody listens for (the connect gets ECONNREFUSED);
//   - a UDP datagram to port 53: a DNS query, whose name we read;
//   - an ICMP / ICMPv6 "port unreachable" quoting a UDP datagram: any other
//     UDP (DNS is already reported from the query itself).

export type DirectProtocol = 'tcp' | 'udp' | 'dns';

export interface DirectAttempt {
  protocol: DirectProtocol;
  /** Destination address, or for DNS the name asked for. */
  host: string;
  port: number;
  /** For DNS, the server the query was sent to. */
  server?: string;
}

export type Decoded = { kind: 'attempt'; attempt: DirectAttempt } | { kind: 'datagram'; port: number; payload: Buffer } | null;

// pcap's magic number, microsecond and nanosecond timestamps; read in the writer's byte order.
const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
/** tcpdump's snap length is 512; a record claiming more is corrupt. */
const MAX_RECORD = 65_536;
const LINKTYPE_ETHERNET = 1;

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const ICMP6 = 58;
const RST = 0x04;
const ACK = 0x10;

/** Splits a pcap byte stream, as it arrives in chunks, into captured frames. */
export class PcapReader {
  private buf: Buffer = Buffer.alloc(0);
  private little: boolean | null = null;
  linktype: number | null = null;
  /** Set when the stream is not pcap at all; the reader then ignores the rest. */
  error: string | null = null;

  push(chunk: Buffer): Buffer[] {
    if (this.error) return [];
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.little === null) {
      if (this.buf.length < GLOBAL_HEADER) return [];
      const le = this.buf.readUInt32LE(0);
      const be = this.buf.readUInt32BE(0);
      if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) this.little = true;
      else if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) this.little = false;
      else {
        this.error = `not a pcap stream (magic ${le.toString(16)})`;
        return [];
      }
      this.linktype = this.little ? this.buf.readUInt32LE(20) : this.buf.readUInt32BE(20);
      this.buf = this.buf.subarray(GLOBAL_HEADER);
    }
    const frames: Buffer[] = [];
    while (this.buf.length >= RECORD_HEADER) {
      const caplen = this.little ? this.buf.readUInt32LE(8) : this.buf.readUInt32BE(8);
      if (caplen > MAX_RECORD) {
        this.error = `a pcap record claims ${caplen} bytes`;
        return frames;
      }
      if (this.buf.length < RECORD_HEADER + caplen) break;
      frames.push(this.buf.subarray(RECORD_HEADER, RECORD_HEADER + caplen));
      this.buf = this.buf.subarray(RECORD_HEADER + caplen);
    }
    // Keep the remainder in a buffer of its own so the consumed chunk can be freed.
    if (frames.length > 0) this.buf = Buffer.from(this.buf);
    return frames;
  }
}

interface IpPacket {
  version: 4 | 6;
  proto: number;
  src: string;
  dst: string;
  /** The transport header and what follows. */
  payload: Buffer;
}

function ip4(b: Buffer): IpPacket | null {
  if (b.length < 20 || b[0]! >> 4 !== 4) return null;
  const ihl = (b[0]! & 0x0f) * 4;
  if (ihl < 20 || b.length < ihl) return null;
  // A fragment other than the first carries no transport header.
  if ((b.readUInt16BE(6) & 0x1fff) !== 0) return null;
  const total = Math.min(b.readUInt16BE(2), b.length);
  return {
    version: 4,
    proto: b[9]!,
    src: formatIp({ family: 4, bytes: [...b.subarray(12, 16)] }),
    dst: formatIp({ family: 4, bytes: [...b.subarray(16, 20)] }),
    payload: b.subarray(ihl, Math.max(ihl, total)),
  };
}

function ip6(b: Buffer): IpPacket | null {
  // Extension headers are not followed: the capture filter admits only packets without them.
  if (b.length < 40 || b[0]! >> 4 !== 6) return null;
  return {
    version: 6,
    proto: b[6]!,
    src: formatIp({ family: 6, bytes: [...b.subarray(8, 24)] }),
    dst: formatIp({ family: 6, bytes: [...b.subarray(24, 40)] }),
    payload: b.subarray(40, Math.min(b.length, 40 + b.readUInt16BE(4))),
  };
}

function ipPacket(b: Buffer): IpPacket | null {
  const version = b.length > 0 ? b[0]! >> 4 : 0;
  return version === 4 ? ip4(b) : version === 6 ? ip6(b) : null;
}

/** The first question's name of a DNS query, or null when there is none to read. */
export function dnsQuestion(msg: Buffer): string | null {
  if (msg.length < 12 || msg.readUInt16BE(4) < 1) return null;
  // A query, not a response (QR bit clear).
  if ((msg[2]! & 0x80) !== 0) return null;
  const labels: string[] = [];
  let at = 12;
  let length = 0;
  for (;;) {
    if (at >= msg.length) return null;
    const n = msg[at]!;
    if (n === 0) break;
    // Compression pointers and extended label types do not occur in a question.
    if (n > 63 || at + 1 + n > msg.length) return null;
    length += n + 1;
    if (length > 255) return null;
    const label = msg.subarray(at + 1, at + 1 + n).toString('latin1');
    // Shown to people: anything but a plain label is spelled in hex.
    labels.push(/^[A-Za-z0-9_-]+$/.test(label) ? label.toLowerCase() : `\\x${msg.subarray(at + 1, at + 1 + n).toString('hex')}`);
    at += 1 + n;
  }
  return labels.length === 0 ? '.' : labels.join('.');
}

function refusedTcp(p: IpPacket): DirectAttempt | null {
  const t = p.payload;
  if (t.length < 20) return null;
  const flags = t[13]!;
  if ((flags & (RST | ACK)) !== (RST | ACK) || t.readUInt32BE(4) !== 0) return null;
  // The RST comes from the address and port the sandbox tried to reach.
  return { protocol: 'tcp', host: p.src, port: t.readUInt16BE(0) };
}

/** The UDP datagram an ICMP error quotes: destination address and port. */
function quotedUdp(quoted: Buffer): { host: string; port: number } | null {
  const inner = ipPacket(quoted);
  if (!inner || inner.proto !== UDP || inner.payload.length < 4) return null;
  return { host: inner.dst, port: inner.payload.readUInt16BE(2) };
}

function unreachableUdp(p: IpPacket): DirectAttempt | null {
  const m = p.payload;
  if (m.length < 8) return null;
  const portUnreachable = p.proto === ICMP ? m[0] === 3 && m[1] === 3 : m[0] === 1 && m[1] === 4;
  if (!portUnreachable) return null;
  const udp = quotedUdp(m.subarray(8));
  // DNS is reported from the query, which names what was looked up.
  if (!udp || udp.port === 53) return null;
  return { protocol: 'udp', ...udp };
}

function udpDatagram(p: IpPacket): Decoded {
  const u = p.payload;
  if (u.length < 8) return null;
  const port = u.readUInt16BE(2);
  const payload = u.subarray(8);
  if (port === 53) {
    const name = dnsQuestion(payload);
    return { kind: 'attempt', attempt: { protocol: 'dns', host: name ?? '?', port, server: p.dst } };
  }
  return { kind: 'datagram', port, payload };
}

/** What one captured frame means. Never throws. */
export function decodeFrame(frame: Buffer, linktype: number): Decoded {
  if (linktype !== LINKTYPE_ETHERNET || frame.length < 14) return null;
  const p = ipPacket(frame.subarray(14));
  if (!p) return null;
  switch (p.proto) {
    case TCP: {
      const a = refusedTcp(p);
      return a ? { kind: 'attempt', attempt: a } : null;
    }
    case UDP:
      return udpDatagram(p);
    case ICMP:
    case ICMP6: {
      if (p.proto !== (p.version === 4 ? ICMP : ICMP6)) return null;
      const a = unreachableUdp(p);
      return a ? { kind: 'attempt', attempt: a } : null;
    }
    default:
      return null;
  }
}
