import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { isIPv6 } from 'node:net';
import { classifyIp, formatIp, looksLikeIPv4, parseIp, parseIPv4, parseIPv6, type AddressClass } from '../../lib/net/address.js';

const parsing = suite('address: parsing');

// Every spelling of 127.0.0.1 that getaddrinfo (inet_aton) or a URL parser accepts.
const IPV4_FORMS: Array<[string, string | null]> = [
  ['127.0.0.1', '127.0.0.1'],
  ['127.0.0.1.', '127.0.0.1'],
  ['2130706433', '127.0.0.1'],
  ['0x7f000001', '127.0.0.1'],
  ['0X7F000001', '127.0.0.1'],
  ['017700000001', '127.0.0.1'],
  ['0177.0.0.1', '127.0.0.1'],
  ['0x7f.0.0.1', '127.0.0.1'],
  ['0x7f.1', '127.0.0.1'],
  ['127.1', '127.0.0.1'],
  ['127.0.1', '127.0.0.1'],
  ['0x7f.0x0.0x0.0x1', '127.0.0.1'],
  ['169.254.169.254', '169.254.169.254'],
  ['0xa9fea9fe', '169.254.169.254'],
  ['2852039166', '169.254.169.254'],
  ['0', '0.0.0.0'],
  ['0x', '0.0.0.0'],
  ['4294967295', '255.255.255.255'],
  ['1.2.3.4', '1.2.3.4'],
  ['10.0.0.1', '10.0.0.1'],
  ['4294967296', null],
  ['256.0.0.1', null],
  ['1.2.3.256', null],
  ['1.2.65536', null],
  ['1.16777216', null],
  ['1.2.3.4.5', null],
  ['08.0.0.1', null],
  ['1..2', null],
  ['', null],
  ['.', null],
  ['a.b.c.d', null],
  ['1.2.3.4 evil', null],
  ['1e3', null],
  ['-1', null],
  ['99999999999999999999999', null],
];

for (const [text, expected] of IPV4_FORMS) {
  parsing(`IPv4 ${JSON.stringify(text)} -> ${expected}`, () => {
    const bytes = parseIPv4(text);
    assert.is(bytes ? bytes.join('.') : null, expected);
  });
}

const IPV6_FORMS: Array<[string, string | null]> = [
  ['::1', '::1'],
  ['[::1]', '::1'],
  ['::', '::'],
  ['0:0:0:0:0:0:0:1', '::1'],
  ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
  ['::ffff:127.0.0.1', '::ffff:7f00:1'],
  ['[::ffff:127.0.0.1]', '::ffff:7f00:1'],
  ['::ffff:7f00:1', '::ffff:7f00:1'],
  ['::127.0.0.1', '::7f00:1'],
  ['2001:DB8::1', '2001:db8::1'],
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ['fe80::1', 'fe80::1'],
  ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
  ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
  ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ['fe80::1%eth0', null],
  ['1:2:3:4:5:6:7:8:9', null],
  ['1::2::3', null],
  ['12345::', null],
  ['::ffff:127.1', null],
  ['::ffff:0177.0.0.1', null],
  ['1.2.3.4::', null],
  ['[::1', null],
  [':1', null],
  ['1:', null],
  ['g::1', null],
  ['1:2:3:4:5:6:7:8::', null],
];

for (const [text, expected] of IPV6_FORMS) {
  parsing(`IPv6 ${JSON.stringify(text)} -> ${expected}`, () => {
    const bytes = parseIPv6(text);
    assert.is(bytes ? formatIp({ family: 6, bytes }) : null, expected);
  });
}

parsing('parseIp prefers IPv6 for text with colons and IPv4 forms otherwise', () => {
  assert.equal(parseIp('::1')?.family, 6);
  assert.equal(parseIp('127.1')?.family, 4);
  assert.is(parseIp('example.com'), null);
});

const LOOKS_NUMERIC: Array<[string, boolean]> = [
  ['2130706433', true],
  ['foo.123', true],
  ['foo.0x1f', true],
  ['foo.0x', true],
  ['127.0.0.1.', true],
  ['example.com', false],
  ['123.example', false],
  ['1a', false],
  ['', false],
];
for (const [text, expected] of LOOKS_NUMERIC) {
  parsing(`looksLikeIPv4(${JSON.stringify(text)}) = ${expected}`, () => assert.is(looksLikeIPv4(text), expected));
}

// The WHATWG URL host parser is the reference for numeric hosts: whatever it
// reads as an IPv4 address, parseIPv4 must read as the same address.
parsing('parseIPv4 agrees with the URL host parser on random numeric hosts', () => {
  const DOTTED = /^\d+\.\d+\.\d+\.\d+$/;
  fc.assert(
    fc.property(fc.stringMatching(/^[0-9a-fA-Fx.]{1,20}$/), (text) => {
      let viaUrl: string | null;
      try {
        viaUrl = new URL(`http://${text}/`).hostname;
      } catch {
        viaUrl = null;
      }
      const ours = parseIPv4(text)?.join('.') ?? null;
      if (viaUrl !== null && DOTTED.test(viaUrl)) assert.is(ours, viaUrl, text);
      else assert.is(ours, null, text);
    }),
    { numRuns: 5000 },
  );
});

parsing('parseIPv6 accepts exactly what inet_pton (net.isIPv6) accepts', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^(?:[0-9a-f]{0,5}:){0,9}(?:[0-9a-f]{0,4}|\d{1,3}(?:\.\d{1,3}){1,3})$/), (text) => {
      assert.is(parseIPv6(text) !== null, isIPv6(text), text);
    }),
    { numRuns: 5000 },
  );
});

parsing('every 32-bit value round-trips through decimal, hex, octal and short forms', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
      const dotted = [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
      const [a, b] = dotted.split('.').map(Number) as [number, number];
      for (const form of [String(n), `0x${n.toString(16)}`, `0${n.toString(8)}`, `${a}.${n % 2 ** 24}`, `${a}.${b}.${n % 2 ** 16}`]) {
        assert.is(parseIPv4(form)?.join('.'), dotted, form);
      }
    }),
  );
});

parsing.run();

const classes = suite('address: classification');

const CLASSES: Array<[string, AddressClass]> = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['2130706433', 'loopback'],
  ['0177.0.0.1', 'loopback'],
  ['127.1', 'loopback'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.15.255.255', 'public'],
  ['172.32.0.0', 'public'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'private'],
  ['100.127.255.255', 'private'],
  ['100.63.255.255', 'public'],
  ['100.128.0.0', 'public'],
  ['169.254.169.254', 'link-local'],
  ['169.254.0.1', 'link-local'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.255', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['104.16.0.1', 'public'],
  // Documentation ranges route nowhere and test networks use them for real names.
  ['203.0.113.80', 'public'],
  ['198.51.100.1', 'public'],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:8.8.8.8', 'public'],
  ['::ffff:0:127.0.0.1', 'loopback'],
  ['::127.0.0.1', 'loopback'],
  ['::7f00:1', 'loopback'],
  ['::0.0.0.2', 'unspecified'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::8.8.8.8', 'public'],
  ['64:ff9b:1::1', 'private'],
  ['2002:7f00:1::', 'loopback'],
  ['2002:a9fe:a9fe::1', 'link-local'],
  ['2002:808:808::1', 'public'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
  ['100::1', 'reserved'],
  ['fe80::1', 'link-local'],
  ['febf::1', 'link-local'],
  ['fec0::1', 'private'],
  ['fc00::1', 'private'],
  ['fd00::1', 'private'],
  ['ff02::1', 'multicast'],
  ['2606:4700::1', 'public'],
  ['2a00:1450:4001::1', 'public'],
  ['3fff::1', 'public'],
  ['4000::1', 'reserved'],
  ['::2', 'unspecified'],
];

for (const [text, expected] of CLASSES) {
  classes(`${text} is ${expected}`, () => {
    const ip = parseIp(text);
    assert.ok(ip, `${text} parses`);
    assert.is(classifyIp(ip), expected);
  });
}

classes.run();
