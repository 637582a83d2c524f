import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as tlsConnect } from 'node:tls';
import { once } from 'node:events';
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createAudit } from '../../lib/audit/bus.js';
import type { NetworkSession } from '../../lib/net/index.js';
import { SetupError } from '../../lib/sandbox/types.js';
import { httpConnect, networkEvents, rawExchange, readAll, socks5Connect, startNetwork } from './proxy-client.js';

// The proxy on its own (no sandbox): real unix socket, real DNS, and the npm
// registry (the one destination reachable from this machine and CI).

const REGISTRY = 'registry.npmjs.org';
const DOMAINS = [`${REGISTRY}:443`, `${REGISTRY}:80`, 'localhost:443'];

const audit = createAudit({ logPath: null });
const net = networkEvents(audit);
let session: NetworkSession;

const proxy = suite('proxy: through its unix socket');

proxy.before(async () => {
  session = await startNetwork({ mode: 'allow', domains: DOMAINS }, { audit, id: 'net-test' });
});
proxy.after(async () => {
  await session.stop();
});

proxy('the socket lives in a private 0700 directory', () => {
  assert.is(statSync(dirname(session.bridge.socketPath)).mode & 0o777, 0o700);
  assert.ok(statSync(session.bridge.socketPath).isSocket());
});

proxy('CONNECT to an allowed name works: a TLS GET of /is-number through the tunnel', async () => {
  const { status, socket } = await httpConnect(session.bridge.socketPath, `${REGISTRY}:443`);
  assert.is(status, 200);
  const tls = tlsConnect({ socket, servername: REGISTRY });
  await once(tls, 'secureConnect');
  tls.write(`GET /is-number HTTP/1.1\r\nHost: ${REGISTRY}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
  const chunks: Buffer[] = [];
  tls.on('data', (d: Buffer) => chunks.push(d));
  await once(tls, 'end');
  tls.destroy();
  const response = Buffer.concat(chunks).toString('utf8');
  assert.match(response, /^HTTP\/1\.1 200 /);
  const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as { name: string; 'dist-tags': { latest: string } };
  assert.is(body.name, 'is-number');
  assert.match(body['dist-tags'].latest, /^\d+\.\d+\.\d+$/);
  const e = await net.next((e) => e.protocol === 'connect' && e.host === REGISTRY && e.allowed);
  assert.is(e.reason, `allowlist:${REGISTRY}:443`);
  assert.is(e.port, 443);
  assert.is(e.id, 'net-test');
  assert.ok(e.bytes_in > Buffer.byteLength(response), `bytes_in ${e.bytes_in} counts the TLS stream`);
  assert.ok(e.bytes_out > 100, `bytes_out ${e.bytes_out}`);
});

const CONNECT_REFUSALS: Array<[target: string, reason: string]> = [
  ['127.0.0.1:443', 'ip-literal'],
  ['localhost:80', 'port-not-in-allowlist'],
  ['example.com:443', 'not-in-allowlist'],
  ['203.0.113.80:443', 'ip-literal'],
  ['2130706433:443', 'ip-literal'],
  ['0x7f000001:443', 'ip-literal'],
  ['0177.0.0.1:443', 'ip-literal'],
  ['127.1:443', 'ip-literal'],
  ['[::ffff:127.0.0.1]:443', 'ip-literal'],
  ['[::1]:443', 'ip-literal'],
  ['169.254.169.254:80', 'ip-literal'],
  [`${REGISTRY}:22`, 'port-not-in-allowlist'],
  [`${REGISTRY}.evil.example:443`, 'not-in-allowlist'],
  // Listed, but a name that resolves to loopback is still refused.
  ['localhost:443', 'resolves-to-loopback'],
];
for (const [target, reason] of CONNECT_REFUSALS) {
  proxy(`CONNECT ${target} is refused (${reason}) and logged`, async () => {
    const { status, socket } = await httpConnect(session.bridge.socketPath, target);
    socket.destroy();
    assert.is(status, 403);
    const e = await net.next((e) => e.protocol === 'connect' && `${e.host}:${e.port}` === target);
    assert.is(e.allowed, false);
    assert.is(e.reason, reason);
    assert.is(e.bytes_in + e.bytes_out, 0);
  });
}

proxy('CONNECT localhost when it is not listed: not-in-allowlist', async () => {
  const s = await startNetwork({ mode: 'allow', domains: [`${REGISTRY}:443`] }, { audit, id: 'net-unlisted' });
  try {
    const { status, socket } = await httpConnect(s.bridge.socketPath, 'localhost:443');
    socket.destroy();
    assert.is(status, 403);
    const e = await net.next((e) => e.id === 'net-unlisted');
    assert.equal([e.allowed, e.reason], [false, 'not-in-allowlist']);
  } finally {
    await s.stop();
  }
});

proxy('SOCKS5 to an allowed name works; to a name not listed it is refused (reply 2) and logged', async () => {
  const ok = await socks5Connect(session.bridge.socketPath, { domain: REGISTRY }, 443);
  assert.is(ok.reply, 0);
  const tls = tlsConnect({ socket: ok.socket, servername: REGISTRY });
  await once(tls, 'secureConnect');
  tls.destroy();
  const allowed = await net.next((e) => e.protocol === 'socks5' && e.allowed);
  assert.is(allowed.reason, `allowlist:${REGISTRY}:443`);

  const refused = await socks5Connect(session.bridge.socketPath, { domain: 'example.com' }, 443);
  assert.is(refused.reply, 2);
  const e = await net.next((e) => e.protocol === 'socks5' && e.host === 'example.com');
  assert.is(e.allowed, false);
  assert.is(e.reason, 'not-in-allowlist');
});

proxy('SOCKS5 refuses raw IPv4/IPv6 addresses and hostile domain bytes', async () => {
  const CASES: Array<[Parameters<typeof socks5Connect>[1], string, string]> = [
    [{ ipv4: [127, 0, 0, 1] }, '127.0.0.1', 'ip-literal'],
    [{ ipv4: [203, 0, 113, 80] }, '203.0.113.80', 'ip-literal'],
    [{ ipv6: [...new Array(15).fill(0), 1] }, '0000:0000:0000:0000:0000:0000:0000:0001', 'ip-literal'],
    [{ domain: `${REGISTRY}\u0000.evil.example` }, `${REGISTRY}\u0000.evil.example`, 'invalid-host'],
    [{ domain: '2130706433' }, '2130706433', 'ip-literal'],
  ];
  for (const [address, host, reason] of CASES) {
    const r = await socks5Connect(session.bridge.socketPath, address, 443);
    assert.is(r.reply, 2, host);
    const e = await net.next((e) => e.protocol === 'socks5' && e.host === host);
    assert.is(e.reason, reason, host);
  }
});

proxy('plain HTTP: the URI host is checked, a Host header naming an allowed site does not help', async () => {
  const refused = await rawExchange(session.bridge.socketPath, `GET http://example.com/ HTTP/1.1\r\nHost: ${REGISTRY}\r\nConnection: close\r\n\r\n`);
  assert.match(refused, /^HTTP\/1\.1 403 /);
  assert.match(refused, /example\.com:80 refused \(not-in-allowlist\)/);
  const e = await net.next((e) => e.protocol === 'http' && e.host === 'example.com');
  assert.is(e.allowed, false);

  const decimal = await rawExchange(session.bridge.socketPath, `GET http://2130706433/ HTTP/1.1\r\nHost: ${REGISTRY}\r\nConnection: close\r\n\r\n`);
  assert.match(decimal, /^HTTP\/1\.1 403 /);
  const d = await net.next((e) => e.protocol === 'http' && e.host === '127.0.0.1');
  assert.is(d.reason, 'ip-literal');

  const allowed = await rawExchange(session.bridge.socketPath, `GET http://${REGISTRY}/is-number HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n`);
  assert.match(allowed, /^HTTP\/1\.1 \d{3} /);
  const a = await net.next((e) => e.protocol === 'http' && e.host === REGISTRY);
  assert.is(a.allowed, true);
  assert.ok(a.bytes_in > 0 && a.bytes_out > 0);
});

proxy('a request that is not a proxy request gets 400 and nothing is contacted', async () => {
  const before = net.events.length;
  const r = await rawExchange(session.bridge.socketPath, 'GET / HTTP/1.1\r\nHost: registry.npmjs.org\r\nConnection: close\r\n\r\n');
  assert.match(r, /^HTTP\/1\.1 400 /);
  assert.is(net.events.length, before);
});

proxy('stop() with an open idle tunnel returns promptly and reports the tunnel', async () => {
  const s = await startNetwork({ mode: 'allow', domains: DOMAINS }, { audit, id: 'net-stop' });
  const { status, socket } = await httpConnect(s.bridge.socketPath, `${REGISTRY}:443`);
  assert.is(status, 200);
  const closed = readAll(socket);
  const t0 = performance.now();
  await s.stop();
  const ms = performance.now() - t0;
  // A hang detector, not a speed check: stop() must not wait for a stuck upstream.
  assert.ok(ms < 10_000, `stop took ${ms} ms`);
  await closed;
  const e = await net.next((e) => e.id === 'net-stop');
  assert.is(e.allowed, true);
  assert.ok(!existsSync(dirname(s.bridge.socketPath)), 'the socket directory is removed');
  await s.stop(); // idempotent
});

proxy.run();

const setup = suite('openNetwork: set-up errors, and the proxy\'s start-up time');

setup('a malformed allowlist entry is a SetupError naming the entry', async () => {
  const err = await startNetwork({ mode: 'allow', domains: ['registry.npmjs.org'] }, { audit, id: 'x' }).catch((e: unknown) => e);
  assert.instance(err, SetupError);
  assert.match((err as SetupError).message, /"registry\.npmjs\.org"/);
  assert.match((err as SetupError).fix, /network\.domains/);
});

setup('without systemd-socket-activate (the bridge) it is a SetupError whose fix installs it', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    const err = await startNetwork({ mode: 'allow', domains: [] }, { audit, id: 'x' }).catch((e: unknown) => e);
    assert.instance(err, SetupError);
    assert.match((err as SetupError).message, /systemd-socket-activate \(on PATH\) is missing/);
    assert.is((err as SetupError).fix, 'apt-get install -y systemd');
  } finally {
    process.env.PATH = path;
  }
});

setup('a TMPDIR the bridge cannot take (a comma) is a SetupError naming TMPDIR', async () => {
  const odd = mkdtempSync(join(tmpdir(), 'sbsh,net-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = odd;
  try {
    const err = await startNetwork({ mode: 'allow', domains: [] }, { audit, id: 'x' }).catch((e: unknown) => e);
    assert.instance(err, SetupError);
    assert.match((err as SetupError).fix, /TMPDIR/);
    assert.equal(readdirSync(odd), [], 'the private directory is removed again');
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(odd, { recursive: true, force: true });
  }
});

setup('mode off has no proxy', async () => {
  const err = await startNetwork({ mode: 'off', domains: [] }, { audit, id: 'x' }).catch((e: unknown) => e);
  assert.instance(err, Error);
  assert.match((err as Error).message, /mode is "off"/);
});

setup('env points every client at the bridge\'s port; the bridge leads to the socket the proxy listens on', async () => {
  const s = await startNetwork({ mode: 'allow', domains: [] }, { audit, id: 'x' });
  try {
    const port = /^http:\/\/127\.0\.0\.1:(\d+)$/.exec(s.env.HTTPS_PROXY ?? '')?.[1];
    assert.ok(port, s.env.HTTPS_PROXY);
    for (const name of ['HTTP_PROXY', 'http_proxy', 'https_proxy', 'npm_config_proxy', 'npm_config_https_proxy']) assert.is(s.env[name], `http://127.0.0.1:${port}`, name);
    assert.is(s.env.ALL_PROXY, `socks5h://127.0.0.1:${port}`);
    assert.ok(s.env.NO_PROXY !== undefined && s.env.no_proxy !== undefined);
    assert.is(s.bridge.port, Number(port));
    assert.ok(s.bridge.socketPath.startsWith(`${s.dir}/`), s.bridge.socketPath);
    assert.ok(lstatSync(s.bridge.socketPath).isSocket(), 'the proxy listens there');
    assert.ok(lstatSync(s.bridge.activate).isFile());
    assert.ok(lstatSync(s.bridge.proxyd).isFile());
  } finally {
    await s.stop();
  }
});

setup('proxy start-up time (startNetwork to a listening socket)', async () => {
  const N = 20;
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const s = await startNetwork({ mode: 'allow', domains: DOMAINS }, { audit, id: 'x' });
    times.push(performance.now() - t0);
    await s.stop();
  }
  times.sort((a, b) => a - b);
  const median = times[N >> 1]!;
  process.stdout.write(`proxy start-up: median ${median.toFixed(2)} ms, max ${times[N - 1]!.toFixed(2)} ms over ${N}\n`);
});

setup.run();
