import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runSbsh } from '../helpers/sbsh.js';
import { AuditEvent } from '../../lib/audit/schema.js';

// The install profile's network, end to end through `bin/sbsh -c` with the
// built-in default policy: a real `npm install` of a registry package works
// through the proxy, and from the same sandbox every other way out fails and
// is logged: through the proxy, and straight out (the network monitor).
// Traffic goes only to loopback, to the sandbox's own namespace,
// or through the proxy to the npm registry (the only admitted name).

type Net = Extract<AuditEvent, { type: 'network' }>;
const s = suite('network: sbsh -c npm install through the proxy');
let base: string;
let ws: string;
let env: NodeJS.ProcessEnv;
let listener: net.Server;
let received = 0;

const PROBE = `
const net = require('net'), dns = require('dns');
const proxy = new URL(process.env.HTTPS_PROXY);
const out = {};
function connect(opts) {
  return new Promise((res) => {
    const s = net.connect(opts);
    s.setTimeout(3000, () => { s.destroy(); res('!timeout'); });
    s.on('error', (e) => res('!' + e.code));
    s.on('connect', () => { s.end('hello'); res('connected'); });
  });
}
function viaProxy(target) {
  return new Promise((res) => {
    const s = net.connect({ host: proxy.hostname, port: Number(proxy.port) });
    s.setTimeout(5000, () => { s.destroy(); res('!timeout'); });
    s.on('error', (e) => res('!' + e.code));
    s.on('connect', () => s.write('CONNECT ' + target + ' HTTP/1.1\\r\\nHost: ' + target + '\\r\\n\\r\\n'));
    s.once('data', (d) => { s.destroy(); res(d.toString().split('\\r\\n')[0]); });
  });
}
(async () => {
  out.direct4 = await connect({ host: '127.0.0.1', port: Number(process.argv[2]) });
  out.direct6 = await connect({ host: '::1', port: Number(process.argv[2]) });
  out.directRegistry = await connect({ host: 'registry.npmjs.org', port: 443 });
  out.proxyLoopback = await viaProxy('127.0.0.1:' + process.argv[2]);
  out.proxyOther = await viaProxy('evil.example.com:443');
  out.proxyRawIp = await viaProxy('93.184.216.34:443');
  out.proxyRegistry = await viaProxy('registry.npmjs.org:443');
  out.dns = await new Promise((res) => dns.lookup('registry.npmjs.org', (e, a) => res(e ? '!' + e.code : a)));
  console.log('PROBE ' + JSON.stringify(out));
})();
`;

s.before(async () => {
  base = mkdtempSync(join(tmpdir(), 'sbsh-net-'));
  // As root the sandbox runs as an unprivileged uid, which must reach the workspace.
  chmodSync(base, 0o755);
  ws = join(base, 'app');
  mkdirSync(ws);
  spawnSync('git', ['init', '-q', ws]);
  writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies: { 'is-number': '7.0.0' } }, null, 2));
  writeFileSync(join(ws, 'probe.js'), PROBE);
  const home = join(base, 'home');
  mkdirSync(home);
  env = {
    PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8',
    XDG_STATE_HOME: join(base, 'state'), XDG_CONFIG_HOME: join(base, 'config'), XDG_CACHE_HOME: join(base, 'cache'),
    // The same TLS trust as the host (a gateway may re-sign registry traffic).
    ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
  };
  listener = net.createServer((sock) => {
    received++;
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => listener.listen(0, '::', r));
});
s.after(() => {
  listener.close();
  rmSync(base, { recursive: true, force: true });
});

function events(): AuditEvent[] {
  return readFileSync(join(base, 'state', 'sbsh', 'audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => AuditEvent.parse(JSON.parse(l)));
}

s('npm install of a registry package works, and nothing but the registry is reachable', async () => {
  const port = (listener.address() as net.AddressInfo).port;
  const r = await runSbsh(['-c', `npm install --no-audit --no-fund && node probe.js ${port}`], { cwd: ws, env, timeoutMs: 240_000 });
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.ok(existsSync(join(ws, 'node_modules', 'is-number', 'package.json')), 'the registry package was installed');
  const line = r.stdout.split('\n').find((l) => l.startsWith('PROBE '));
  assert.ok(line, r.stdout + r.stderr);
  const got = JSON.parse(line!.slice(6)) as Record<string, string>;
  assert.match(got.direct4!, /^!/, 'direct TCP to the host loopback (v4)');
  assert.match(got.direct6!, /^!/, 'direct TCP to the host loopback (v6)');
  assert.match(got.directRegistry!, /^!/, 'direct TCP to the registry, bypassing the proxy');
  assert.match(got.proxyLoopback!, / 403 /, 'CONNECT to 127.0.0.1 through the proxy');
  assert.match(got.proxyOther!, / 403 /, 'CONNECT to a domain not in the allowlist');
  assert.match(got.proxyRawIp!, / 403 /, 'CONNECT to a raw IP');
  assert.match(got.proxyRegistry!, / 200 /, 'CONNECT to the registry');
  assert.match(got.dns!, /^!/, 'DNS from inside the sandbox');
  assert.is(received, 0, 'the host listener was reached');

  const net = events().filter((e): e is Net => e.type === 'network');
  const refused = (host: string) => net.find((e) => e.host === host && !e.allowed);
  assert.ok(refused('127.0.0.1'), 'the CONNECT to 127.0.0.1 is logged as refused');
  assert.ok(refused('evil.example.com'), 'the CONNECT to evil.example.com is logged as refused');
  assert.match(refused('evil.example.com')!.reason, /not-in-allowlist/);
  assert.ok(refused('93.184.216.34'), 'the raw IP is logged as refused');
  assert.match(refused('93.184.216.34')!.reason, /ip-literal/);
  // What never reached the proxy is logged too: the direct connects, by the
  // kernel's refusal, and the DNS lookups, by their query.
  const direct = (protocol: string, host: string, p: number) => net.find((e) => e.protocol === protocol && e.host === host && e.port === p && !e.allowed);
  assert.is(direct('tcp', '127.0.0.1', port)?.reason, 'direct-connect', 'the direct TCP connect to 127.0.0.1 is logged');
  assert.is(direct('tcp', '::1', port)?.reason, 'direct-connect', 'the direct TCP connect to ::1 is logged');
  assert.is(direct('dns', 'registry.npmjs.org', 53)?.reason, 'direct-dns', 'the DNS lookup of the registry is logged');
  const allowed = net.filter((e) => e.allowed);
  assert.ok(allowed.length > 0, 'the registry traffic is logged');
  assert.ok(allowed.every((e) => e.host === 'registry.npmjs.org'), `only the registry was admitted: ${allowed.map((e) => e.host).join(', ')}`);
  assert.ok(allowed.some((e) => e.bytes_in > 0), 'bytes are counted');
  const log = await runSbsh(['log', '-n', '40'], { cwd: ws, env });
  assert.match(log.stdout, /network REFUSED connect evil\.example\.com:443 \(not-in-allowlist\)/);
  assert.match(log.stdout, new RegExp(`network REFUSED tcp 127\\.0\\.0\\.1:${port} \\(direct-connect\\)`));
  assert.match(log.stdout, /network REFUSED dns registry\.npmjs\.org:53 \(direct-dns\)/);
});

s.run();
