import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AllowlistError, matchDestination, parseAllowlist } from '../../lib/net/allowlist.js';
import { admit, coalesced, type Resolver } from '../../lib/net/admit.js';
import { parseHost, splitHostPort } from '../../lib/net/host.js';

const entries = suite('allowlist: entries');

const VALID: Array<[string, string]> = [
  ['registry.npmjs.org:443', 'name registry.npmjs.org 443'],
  ['Registry.NPMJS.org.:443', 'name registry.npmjs.org 443'],
  ['*.example.com:443', 'suffix example.com 443'],
  ['*.Example.COM:80', 'suffix example.com 80'],
  ['1.2.3.4:8080', 'ip 1.2.3.4 8080'],
  ['[2001:db8::1]:443', 'ip 2001:db8::1 443'],
  ['[::ffff:1.2.3.4]:443', 'ip ::ffff:102:304 443'],
  ['localhost:443', 'name localhost 443'],
  ['_srv.example.com:1', 'name _srv.example.com 1'],
  ['a.b:65535', 'name a.b 65535'],
];
for (const [text, expected] of VALID) {
  entries(`parses ${text}`, () => {
    const [e] = parseAllowlist([text]);
    const m = e!.match;
    const what = m.kind === 'name' ? m.name : m.kind === 'suffix' ? m.suffix : m.text;
    assert.is(`${m.kind} ${what} ${e!.port}`, expected);
    assert.is(e!.entry, text);
  });
}

const INVALID = [
  'registry.npmjs.org',
  'registry.npmjs.org:0',
  'registry.npmjs.org:65536',
  'registry.npmjs.org:443x',
  ':443',
  '*:443',
  '*.:443',
  '*.*.example.com:443',
  'foo.*.example.com:443',
  '*.1.2.3.4:443',
  'a b.com:443',
  'bücher.de:443',
  '::1:443',
  '[::1:443',
  'foo.123:443',
  'exa\u0000mple.com:443',
  'https://example.com:443',
];
for (const text of INVALID) {
  entries(`refuses ${JSON.stringify(text)}`, () => {
    assert.throws(() => parseAllowlist(['ok.example:443', text]), (err: unknown) => err instanceof AllowlistError && err.entry === text && err.message.includes(JSON.stringify(text)));
  });
}

entries('splitHostPort reads CONNECT targets', () => {
  assert.equal(splitHostPort('example.com:443'), { host: 'example.com', port: 443 });
  assert.equal(splitHostPort('[::1]:80'), { host: '[::1]', port: 80 });
  assert.is(splitHostPort('example.com'), null);
  assert.is(splitHostPort('::1:80'), null);
  assert.is(splitHostPort('example.com:99999'), null);
});

entries('parseHost: names are lowercased, numeric-looking names are never names', () => {
  assert.equal(parseHost('Example.COM.'), { kind: 'name', name: 'example.com' });
  assert.is(parseHost('foo.123').kind, 'invalid');
  assert.is(parseHost('0x7f.1').kind, 'ip');
  assert.is(parseHost('[fe80::1%25eth0]').kind, 'invalid');
  assert.is(parseHost('a'.repeat(64) + '.com').kind, 'invalid');
});

entries.run();

const matching = suite('allowlist: matching');

const LIST = parseAllowlist([
  'registry.npmjs.org:443',
  '*.example.com:443',
  '*.example.com:80',
  'pypi.org:443',
  '203.0.113.7:443',
  '[2001:db8::7]:443',
]);

const MATCHES: Array<[host: string, port: number, expected: string]> = [
  ['registry.npmjs.org', 443, 'allowlist:registry.npmjs.org:443'],
  ['REGISTRY.npmjs.org.', 443, 'allowlist:registry.npmjs.org:443'],
  ['registry.npmjs.org', 80, 'port-not-in-allowlist'],
  ['registry.npmjs.org', 22, 'port-not-in-allowlist'],
  ['npmjs.org', 443, 'not-in-allowlist'],
  ['evil-registry.npmjs.org', 443, 'not-in-allowlist'],
  ['registry.npmjs.org.evil.com', 443, 'not-in-allowlist'],
  ['a.example.com', 443, 'allowlist:*.example.com:443'],
  ['a.b.example.com', 80, 'allowlist:*.example.com:80'],
  ['example.com', 443, 'not-in-allowlist'],
  ['badexample.com', 443, 'not-in-allowlist'],
  ['a.example.com', 8443, 'port-not-in-allowlist'],
  ['a.example.com.evil', 443, 'not-in-allowlist'],
  ['203.0.113.7', 443, 'allowlist:203.0.113.7:443'],
  ['0xcb007107', 443, 'allowlist:203.0.113.7:443'],
  ['203.0.113.7', 80, 'port-not-in-allowlist'],
  ['203.0.113.8', 443, 'ip-literal'],
  ['[2001:db8:0::7]', 443, 'allowlist:[2001:db8::7]:443'],
  ['2001:0db8:0000:0000:0000:0000:0000:0007', 443, 'allowlist:[2001:db8::7]:443'],
  ['[::ffff:203.0.113.7]', 443, 'ip-literal'],
  ['127.0.0.1', 443, 'ip-literal'],
  ['2130706433', 443, 'ip-literal'],
  ['0x7f000001', 443, 'ip-literal'],
  ['0177.0.0.1', 443, 'ip-literal'],
  ['127.1', 443, 'ip-literal'],
  ['[::ffff:127.0.0.1]', 443, 'ip-literal'],
  ['[::1]', 443, 'ip-literal'],
  ['localhost', 443, 'not-in-allowlist'],
  ['foo.123', 443, 'invalid-host'],
  ['registry.npmjs.org\u0000.evil.com', 443, 'invalid-host'],
  ['registry.npmjs.org evil', 443, 'invalid-host'],
  ['', 443, 'invalid-host'],
  ['[::1', 443, 'invalid-host'],
];
for (const [host, port, expected] of MATCHES) {
  matching(`${JSON.stringify(host)}:${port} -> ${expected}`, () => {
    const m = matchDestination(LIST, host, port);
    assert.is(m.ok ? `allowlist:${m.entry.entry}` : m.reason, expected);
  });
}

matching('an empty allowlist admits nothing', () => {
  assert.equal(matchDestination([], 'registry.npmjs.org', 443), { ok: false, reason: 'not-in-allowlist' });
});

matching.run();

const admission = suite('admit: resolution');

function resolverOf(table: Record<string, string[] | Error>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (name: string) => {
    calls.push(name);
    const r = table[name];
    if (r === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    if (r instanceof Error) throw r;
    return r;
  };
  return Object.assign(fn, { calls });
}

const ADMIT_LIST = parseAllowlist(['good.test:443', 'localhost:443', '*.rebind.test:443', '203.0.113.7:443', '10.1.2.3:443', '[::1]:443']);
const RESOLVER = resolverOf({
  'good.test': ['203.0.113.10', '2606:4700::1'],
  localhost: ['127.0.0.1', '::1'],
  'mixed.rebind.test': ['203.0.113.10', '127.0.0.1'],
  'meta.rebind.test': ['169.254.169.254'],
  'mapped.rebind.test': ['::ffff:10.0.0.1'],
  'cgnat.rebind.test': ['100.64.1.1'],
  'zero.rebind.test': ['0.0.0.0'],
  'ula.rebind.test': ['fd00::1'],
  'empty.rebind.test': [],
  'garbage.rebind.test': ['not-an-ip'],
  'slow.rebind.test': Object.assign(new Error('timed out'), { code: 'ETIMEOUT' }),
});

const ADMISSIONS: Array<[host: string, expected: string, addresses?: string[]]> = [
  ['good.test', 'allowlist:good.test:443', ['203.0.113.10', '2606:4700::1']],
  ['localhost', 'resolves-to-loopback'],
  ['mixed.rebind.test', 'resolves-to-loopback'],
  ['meta.rebind.test', 'resolves-to-link-local'],
  ['mapped.rebind.test', 'resolves-to-private'],
  ['cgnat.rebind.test', 'resolves-to-private'],
  ['zero.rebind.test', 'resolves-to-unspecified'],
  ['ula.rebind.test', 'resolves-to-private'],
  ['empty.rebind.test', 'resolve-failed:ENODATA'],
  ['garbage.rebind.test', 'resolve-failed:EBADADDRESS'],
  ['slow.rebind.test', 'resolve-failed:ETIMEOUT'],
  ['missing.rebind.test', 'resolve-failed:ENOTFOUND'],
  ['203.0.113.7', 'allowlist:203.0.113.7:443', ['203.0.113.7']],
  ['10.1.2.3', 'resolves-to-private'],
  ['[::1]', 'resolves-to-loopback'],
  ['other.test', 'not-in-allowlist'],
];
for (const [host, expected, addresses] of ADMISSIONS) {
  admission(`${host} -> ${expected}`, async () => {
    const a = await admit(ADMIT_LIST, host, 443, RESOLVER);
    assert.is(a.reason, expected);
    assert.is(a.allowed, expected.startsWith('allowlist:'));
    if (addresses) assert.equal(a.allowed && a.addresses, addresses);
  });
}

admission('IP literals and refused names are never looked up', async () => {
  const r = resolverOf({});
  await admit(ADMIT_LIST, '203.0.113.7', 443, r);
  await admit(ADMIT_LIST, 'other.test', 443, r);
  await admit(ADMIT_LIST, 'good.test', 22, r);
  assert.equal(r.calls, []);
});

admission('concurrent lookups of one name share one; a lookup after it settled asks again', async () => {
  const r = resolverOf({ 'good.test': ['203.0.113.10'], 'other.test': ['203.0.113.11'] });
  const resolve = coalesced(r);
  const together = await Promise.all([resolve('good.test'), resolve('good.test'), resolve('other.test'), resolve('good.test')]);
  assert.equal(together, [['203.0.113.10'], ['203.0.113.10'], ['203.0.113.11'], ['203.0.113.10']]);
  assert.equal(r.calls, ['good.test', 'other.test']);
  await resolve('good.test');
  assert.equal(r.calls, ['good.test', 'other.test', 'good.test']);
});

admission('a failed shared lookup fails every attempt that shared it, and the next one asks again', async () => {
  const r = resolverOf({});
  const resolve = coalesced(r);
  const codes = await Promise.all([resolve('gone.test'), resolve('gone.test')].map((p) => p.then(() => 'ok', (e: { code?: string }) => e.code)));
  assert.equal(codes, ['ENOTFOUND', 'ENOTFOUND']);
  await resolve('gone.test').catch(() => {});
  assert.equal(r.calls, ['gone.test', 'gone.test']);
});

admission.run();
