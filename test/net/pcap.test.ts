import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { decodeFrame, dnsQuestion, PcapReader, type Decoded } from '../../lib/net/pcap.js';

// The decoder of what the network monitor captures, against a capture
// recorded on this machine (test/fixtures/net/direct-attempts.pcap: tcpdump
// with monitor.ts's filter while a sandbox tried, in order, TCP to 1.2.3.4:443,
// 127.0.0.1:9999, [::1]:9999 and [2001:db8::1]:443, `getent hosts
// evil.example`, `getent ahosts six.example`, UDP to 10.0.0.1:5000 and
// [2001:db8::2]:5001, a successful local TCP connection (not captured), and
// the datagram "SENTINEL" to 127.0.0.1:9), and against packets built here.

const SAMPLE = readFileSync(new URL('../../../test/fixtures/net/direct-attempts.pcap', import.meta.url));
const ETHERNET = 1;

function decodeAll(chunks: Buffer[]): Decoded[] {
  const reader = new PcapReader();
  const out: Decoded[] = [];
  for (const c of chunks) for (const f of reader.push(c)) out.push(decodeFrame(f, reader.linktype ?? -1));
  assert.is(reader.error, null);
  return out;
}

const dns = (host: string) => ({ kind: 'attempt', attempt: { protocol: 'dns', host, port: 53, server: '10.255.255.53' } });
const EXPECTED = [
  { kind: 'attempt', attempt: { protocol: 'tcp', host: '1.2.3.4', port: 443 } },
  { kind: 'attempt', attempt: { protocol: 'tcp', host: '127.0.0.1', port: 9999 } },
  { kind: 'attempt', attempt: { protocol: 'tcp', host: '::1', port: 9999 } },
  { kind: 'attempt', attempt: { protocol: 'tcp', host: '2001:db8::1', port: 443 } },
  // Each query, then the kernel's "port unreachable" for it (already told by the query).
  dns('evil.example'), null, dns('evil.example'), null, dns('evil.example'), null, dns('evil.example'), null,
  dns('six.example'), null, dns('six.example'), null, dns('six.example'), null, dns('six.example'), null,
  { kind: 'attempt', attempt: { protocol: 'udp', host: '10.0.0.1', port: 5000 } },
  { kind: 'attempt', attempt: { protocol: 'udp', host: '2001:db8::2', port: 5001 } },
  { kind: 'datagram', port: 9, payload: Buffer.from('SENTINEL') },
  { kind: 'attempt', attempt: { protocol: 'udp', host: '127.0.0.1', port: 9 } },
];

const recorded = suite('pcap: a recorded capture');

recorded('every attempt in the capture, in order, and nothing else', () => {
  assert.equal(decodeAll([SAMPLE]), EXPECTED);
});

recorded('the same, however the stream is cut into chunks', () => {
  const bytewise = [...SAMPLE].map((b) => Buffer.from([b]));
  assert.equal(decodeAll(bytewise), EXPECTED);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: SAMPLE.length }), { maxLength: 20 }), (cuts) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let at = 0;
      for (const p of [...points, SAMPLE.length]) {
        chunks.push(SAMPLE.subarray(at, p));
        at = p;
      }
      assert.equal(decodeAll(chunks), EXPECTED);
    }),
    { numRuns: 200 },
  );
});

recorded('a big-endian capture reads the same', () => {
  const be = Buffer.from(SAMPLE);
  const swap = (at: number, width: 2 | 4) => (width === 4 ? be.writeUInt32BE(SAMPLE.readUInt32LE(at), at) : be.writeUInt16BE(SAMPLE.readUInt16LE(at), at));
  for (const [at, w] of [[0, 4], [4, 2], [6, 2], [8, 4], [12, 4], [16, 4], [20, 4]] as const) swap(at, w);
  for (let at = 24; at < be.length; ) {
    const caplen = SAMPLE.readUInt32LE(at + 8);
    for (const off of [0, 4, 8, 12]) swap(at + off, 4);
    at += 16 + caplen;
  }
  assert.equal(decodeAll([be]), EXPECTED);
});

recorded('a stream that is not pcap is refused once, and nothing is decoded from it', () => {
  const reader = new PcapReader();
  assert.equal(reader.push(Buffer.from('tcpdump: some error text that is not a capture\n')), []);
  assert.match(reader.error!, /not a pcap stream/);
  assert.equal(reader.push(SAMPLE), []);
});

recorded('a record claiming more than any snap length stops the reader', () => {
  const bad = Buffer.from(SAMPLE.subarray(0, 40));
  bad.writeUInt32LE(1 << 30, 24 + 8);
  const reader = new PcapReader();
  assert.equal(reader.push(bad), []);
  assert.match(reader.error!, /claims/);
});

// Packets built by hand: an Ethernet header (zero MACs, as on lo), then IP.
function ether(ipPacket: Buffer, v6: boolean): Buffer {
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  return Buffer.concat([eth, ipPacket]);
}

function ipv4(proto: number, src: number[], dst: number[], payload: Buffer, opts: { fragOffset?: number } = {}): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(opts.fragOffset ?? 0, 6);
  h[8] = 64;
  h[9] = proto;
  Buffer.from(src).copy(h, 12);
  Buffer.from(dst).copy(h, 16);
  return Buffer.concat([h, payload]);
}

function tcp(srcPort: number, dstPort: number, flags: number, seq: number): Buffer {
  const t = Buffer.alloc(20);
  t.writeUInt16BE(srcPort, 0);
  t.writeUInt16BE(dstPort, 2);
  t.writeUInt32BE(seq, 4);
  t[12] = 0x50;
  t[13] = flags;
  return t;
}

function udp(dstPort: number, payload: Buffer): Buffer {
  const u = Buffer.alloc(8);
  u.writeUInt16BE(40000, 0);
  u.writeUInt16BE(dstPort, 2);
  u.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([u, payload]);
}

function dnsMessage(flags: number, labels: Buffer[]): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(0x1234, 0);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(1, 4);
  const q = Buffer.concat([...labels.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0, 0, 1, 0, 1])]);
  return Buffer.concat([h, q]);
}

const A = [203, 0, 113, 7];
const B = [10, 0, 0, 2];
const RST_ACK = 0x14;

const built = suite('pcap: packets built by hand');
const cases: Array<[string, Buffer, Decoded]> = [
  ['RST+ACK, seq 0: the refused destination is its source', ether(ipv4(6, A, B, tcp(443, 50000, RST_ACK, 0)), false), { kind: 'attempt', attempt: { protocol: 'tcp', host: '203.0.113.7', port: 443 } }],
  ['a RST inside a live connection (seq not 0) is not an attempt', ether(ipv4(6, A, B, tcp(443, 50000, RST_ACK, 77)), false), null],
  ['a bare RST without ACK is not an answer to a SYN', ether(ipv4(6, A, B, tcp(443, 50000, 0x04, 0)), false), null],
  ['a SYN is not captured as an attempt (its RST is)', ether(ipv4(6, B, A, tcp(50000, 443, 0x02, 0)), false), null],
  ['a later IPv4 fragment has no TCP header to read', ether(ipv4(6, A, B, tcp(443, 50000, RST_ACK, 0), { fragOffset: 5 }), false), null],
  ['a truncated TCP header is skipped', ether(ipv4(6, A, B, tcp(443, 50000, RST_ACK, 0).subarray(0, 12)), false), null],
  ['a DNS query names what was looked up', ether(ipv4(17, B, A, udp(53, dnsMessage(0x0100, [Buffer.from('Exfil'), Buffer.from('example')]))), false), { kind: 'attempt', attempt: { protocol: 'dns', host: 'exfil.example', port: 53, server: '203.0.113.7' } }],
  ['a DNS label that is not plain text is shown in hex', ether(ipv4(17, B, A, udp(53, dnsMessage(0x0100, [Buffer.from([0x1b, 0x5b, 0x32, 0x4a]), Buffer.from('x')]))), false), { kind: 'attempt', attempt: { protocol: 'dns', host: '\\x1b5b324a.x', port: 53, server: '203.0.113.7' } }],
  ['a DNS datagram that is no query is still a DNS attempt, to an unknown name', ether(ipv4(17, B, A, udp(53, Buffer.from('garbage'))), false), { kind: 'attempt', attempt: { protocol: 'dns', host: '?', port: 53, server: '203.0.113.7' } }],
  ['other UDP is left to its "port unreachable" answer', ether(ipv4(17, B, A, udp(5000, Buffer.from('x'))), false), { kind: 'datagram', port: 5000, payload: Buffer.from('x') }],
  ['an ICMP error other than port unreachable is not an attempt', ether(ipv4(1, A, B, Buffer.concat([Buffer.from([3, 1, 0, 0, 0, 0, 0, 0]), ipv4(17, B, A, udp(5000, Buffer.alloc(0)))])), false), null],
  ['an ICMP port unreachable quoting TCP is not a UDP attempt', ether(ipv4(1, A, B, Buffer.concat([Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]), ipv4(6, B, A, tcp(1, 2, 2, 0))])), false), null],
  ['an ICMP port unreachable quoting UDP names the destination', ether(ipv4(1, A, B, Buffer.concat([Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]), ipv4(17, B, A, udp(6000, Buffer.alloc(0)))])), false), { kind: 'attempt', attempt: { protocol: 'udp', host: '203.0.113.7', port: 6000 } }],
  ['ICMPv6 type numbers inside IPv4 mean nothing', ether(ipv4(58, A, B, Buffer.concat([Buffer.from([1, 4, 0, 0, 0, 0, 0, 0]), ipv4(17, B, A, udp(6000, Buffer.alloc(0)))])), false), null],
  ['an IPv4 ethertype frame holding something else is skipped', ether(Buffer.from([0x60, 1, 2, 3]), false), null],
  ['an empty frame is skipped', Buffer.alloc(0), null],
];

for (const [name, frame, expected] of cases) {
  built(name, () => {
    assert.equal(decodeFrame(frame, ETHERNET), expected);
  });
}

built('another link type is not decoded', () => {
  assert.is(decodeFrame(ether(ipv4(6, A, B, tcp(443, 50000, RST_ACK, 0)), false), 113), null);
});

built('DNS names: a name longer than DNS allows, or a compression pointer, is not read', () => {
  const long = dnsMessage(0x0100, Array.from({ length: 5 }, () => Buffer.alloc(63, 0x61)));
  assert.is(dnsQuestion(long), null);
  const pointer = Buffer.concat([dnsMessage(0x0100, []).subarray(0, 12), Buffer.from([0xc0, 0x0c])]);
  assert.is(dnsQuestion(pointer), null);
  assert.is(dnsQuestion(dnsMessage(0x8180, [Buffer.from('answer')])), null, 'a response is not a query');
  assert.is(dnsQuestion(dnsMessage(0x0100, [])), '.');
});

built('no sequence of bytes makes the decoder throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...sampleFrames()), fc.nat(), (noise, frame, at) => {
      decodeFrame(Buffer.from(noise), ETHERNET);
      // Real frames with bytes overwritten and cut short.
      const mutated = Buffer.from(frame);
      Buffer.from(noise).copy(mutated, at % Math.max(1, mutated.length));
      decodeFrame(mutated, ETHERNET);
      decodeFrame(mutated.subarray(0, at % (mutated.length + 1)), ETHERNET);
    }),
    { numRuns: 2000 },
  );
});

function sampleFrames(): Buffer[] {
  const reader = new PcapReader();
  return reader.push(SAMPLE);
}

recorded.run();
built.run();
