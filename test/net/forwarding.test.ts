import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAudit } from '../../lib/audit/bus.js';
import type { Resolver } from '../../lib/net/admit.js';
import { parseAllowlist } from '../../lib/net/allowlist.js';
import { startProxy, type RunningProxy } from '../../lib/net/proxy.js';
import { findExecutable } from '../../lib/net/bridge.js';
import { skipWithReason } from '../helpers/skip.js';
import { httpConnect, networkEvents, rawExchange, readAll, socks5Connect } from './proxy-client.js';

// What the proxy does with admitted traffic: streaming, byte counts, header
// rewriting, timeouts, stop(). Upstreams need an address the proxy accepts
// (public), so this file runs itself inside a user+network namespace of its
// own where 198.51.100.1 (a documentation address, classified public) is on
// loopback and the rest of 198.51.100.0/24 is routed nowhere (SYNs vanish).

const IN_NETNS = 'SBSH_NET_TEST_NETNS';
const UPSTREAM = '198.51.100.1';
const BLACKHOLE = '198.51.100.2';

if (!process.env[IN_NETNS]) {
  const outer = suite('proxy forwarding (own network namespace)');
  const probe = spawnSync('unshare', ['-Urn', 'true']);
  if (probe.status !== 0 || !findExecutable('ip')) {
    skipWithReason(outer, 'forwarding tests', `needs unshare -Urn (user namespaces) and ip (iproute2): ${probe.error?.message ?? String(probe.stderr).trim()}`);
    outer.run();
  } else {
    const setupNs = `ip link set lo up && ip addr add ${UPSTREAM}/32 dev lo && ip route add 198.51.100.0/24 dev lo && exec "$@"`;
    const r = spawnSync('unshare', ['-Urn', 'sh', '-c', setupNs, 'netns', process.execPath, ...process.execArgv, process.argv[1]!], {
      stdio: 'inherit',
      env: { ...process.env, [IN_NETNS]: '1' },
    });
    process.exitCode = r.status ?? 1;
  }
} else {
  runInNamespace();
}

function runInNamespace(): void {
  const audit = createAudit({ logPath: null });
  const net = networkEvents(audit);
  const dir = mkdtempSync(join(tmpdir(), 'sbsh-net-fwd-'));
  const socketPath = join(dir, 'proxy.sock');
  const resolveCalls: string[] = [];
  let release: () => void = () => {};
  const released = new Promise<void>((r) => (release = r));

  const NAMES: Record<string, string[]> = {
    'upstream.test': [UPSTREAM],
    'dead.test': [BLACKHOLE],
    'flip.test': [UPSTREAM],
  };
  const resolver: Resolver = async (name) => {
    resolveCalls.push(name);
    if (name === 'pending.test') return new Promise<string[]>(() => {});
    if (name === 'slow.test') return new Promise<string[]>((r) => setTimeout(() => r([UPSTREAM]), 100));
    const found = NAMES[name];
    // A second lookup of flip.test would land on loopback.
    if (name === 'flip.test') NAMES[name] = ['127.0.0.1'];
    if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return found;
  };

  const servers: Server[] = [];
  function listen(server: Server, host: string, port: number): Promise<void> {
    servers.push(server);
    return new Promise((r) => server.listen(port, host, () => r()));
  }

  let proxy: RunningProxy;
  const fwd = suite('proxy forwarding');

  fwd.before(async () => {
    const http = createHttpServer(async (req: IncomingMessage, res) => {
      if (req.url === '/echo-headers') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(req.headers));
      } else if (req.url === '/upload') {
        // Answers as soon as the first body bytes arrive, then hashes the rest.
        const hash = createHash('sha256');
        let bytes = 0;
        res.writeHead(200, { 'content-type': 'text/plain' });
        req.once('data', () => res.write('first-bytes-arrived\n'));
        for await (const chunk of req) {
          hash.update(chunk as Buffer);
          bytes += (chunk as Buffer).length;
        }
        res.end(`${bytes} ${hash.digest('hex')}\n`);
      } else if (req.url === '/slow') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part1\n');
        await released;
        res.end('part2\n');
      } else {
        res.writeHead(404).end();
      }
    });
    await listen(http, UPSTREAM, 8080);
    await listen(createNetServer({ allowHalfOpen: true }, (s) => s.pipe(s)), UPSTREAM, 7000);
    await listen(createNetServer((s) => s.end('loopback\n')), '127.0.0.1', 7000);
    await listen(createNetServer(() => {}), UPSTREAM, 7001);
    proxy = await startProxy(socketPath, {
      allowlist: parseAllowlist(['upstream.test:8080', 'upstream.test:7000', 'upstream.test:7001', 'upstream.test:7999', 'dead.test:7000', 'flip.test:7000', 'pending.test:7000', 'slow.test:7000', `${UPSTREAM}:7000`]),
      report: (r) => audit.emit({ type: 'network', id: 'fwd', ...r }),
      resolve: resolver,
      connectTimeoutMs: 300,
    });
  });

  fwd.after(async () => {
    await proxy.close();
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  fwd('plain HTTP: Host is rewritten to the URI host; hop-by-hop and proxy credentials are dropped', async () => {
    const r = await rawExchange(
      socketPath,
      'GET http://upstream.test:8080/echo-headers HTTP/1.1\r\nHost: evil.test\r\nProxy-Authorization: Basic c2VjcmV0\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nX-Kept: yes\r\n\r\n',
    );
    assert.match(r, /^HTTP\/1\.1 200 /);
    const headers = JSON.parse(r.slice(r.indexOf('\r\n\r\n') + 4)) as Record<string, string>;
    assert.is(headers.host, 'upstream.test:8080');
    assert.is(headers['x-kept'], 'yes');
    assert.is(headers['proxy-authorization'], undefined);
    assert.is(headers['x-hop'], undefined);
    const e = await net.next((e) => e.protocol === 'http' && e.port === 8080);
    assert.equal([e.allowed, e.reason], [true, 'allowlist:upstream.test:8080']);
    assert.ok(e.bytes_in > 0 && e.bytes_out > 0);
  });

  fwd('plain HTTP request bodies stream: the upstream sees the first bytes before the client sends the rest', async () => {
    const s = connect(socketPath);
    await once(s, 'connect');
    const first = randomBytes(64 * 1024);
    const rest = randomBytes(8 * 1024 * 1024);
    const total = first.length + rest.length;
    s.write(`POST http://upstream.test:8080/upload HTTP/1.1\r\nHost: upstream.test:8080\r\nContent-Length: ${total}\r\nConnection: close\r\n\r\n`);
    s.write(first);
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (got += d));
    const deadline = Date.now() + 5000;
    while (!got.includes('first-bytes-arrived')) {
      assert.ok(Date.now() < deadline, `the upstream never saw the first bytes: ${JSON.stringify(got)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    s.write(rest);
    await once(s, 'close');
    const expected = createHash('sha256').update(first).update(rest).digest('hex');
    assert.match(got, new RegExp(`${total} ${expected}`));
    const e = await net.next((e) => e.protocol === 'http' && e.bytes_out > total);
    assert.ok(e.bytes_out < total + 4096, `bytes_out ${e.bytes_out}`);
  });

  fwd('plain HTTP responses stream: the first part arrives while the upstream is still writing', async () => {
    const s = connect(socketPath);
    s.write('GET http://upstream.test:8080/slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (got += d));
    const deadline = Date.now() + 5000;
    while (!got.includes('part1')) {
      assert.ok(Date.now() < deadline, 'part1 never arrived before the response ended');
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.not.match(got, /part2/);
    release();
    await once(s, 'close');
    assert.match(got, /part2/);
  });

  fwd('CONNECT tunnels bytes both ways, keeps half-closed streams, and counts bytes', async () => {
    const { status, socket, rest } = await httpConnect(socketPath, 'upstream.test:7000');
    assert.is(status, 200);
    assert.is(rest.length, 0);
    const payload = randomBytes(1024 * 1024);
    const echoed = readAll(socket);
    socket.end(payload);
    const back = await echoed;
    assert.ok(back.equals(payload), `echoed ${back.length} of ${payload.length} bytes`);
    const e = await net.next((e) => e.protocol === 'connect' && e.port === 7000 && e.host === 'upstream.test');
    assert.equal([e.allowed, e.bytes_in, e.bytes_out], [true, payload.length, payload.length]);
  });

  fwd('SOCKS5 tunnels to an admitted name and counts bytes; a listed IP literal works too', async () => {
    const cases: Array<[Parameters<typeof socks5Connect>[1], string]> = [[{ domain: 'upstream.test' }, 'upstream.test'], [{ ipv4: [198, 51, 100, 1] }, UPSTREAM]];
    for (const [address, host] of cases) {
      const { reply, socket } = await socks5Connect(socketPath, address, 7000);
      assert.is(reply, 0, host);
      const echoed = readAll(socket);
      socket.end('hello socks\n');
      assert.is((await echoed).toString(), 'hello socks\n');
      const e = await net.next((e) => e.protocol === 'socks5' && e.host === host);
      assert.equal([e.allowed, e.bytes_in, e.bytes_out], [true, 12, 12]);
    }
  });

  fwd('the checked address is the one connected to: one lookup per attempt (DNS rebinding)', async () => {
    const before = resolveCalls.filter((n) => n === 'flip.test').length;
    const { status, socket } = await httpConnect(socketPath, 'flip.test:7000');
    assert.is(status, 200);
    const echoed = readAll(socket);
    socket.end('public\n');
    assert.is((await echoed).toString(), 'public\n');
    assert.is(resolveCalls.filter((n) => n === 'flip.test').length, before + 1);
    // The name now resolves to loopback: the next attempt is refused.
    const again = await httpConnect(socketPath, 'flip.test:7000');
    again.socket.destroy();
    assert.is(again.status, 403);
    const e = await net.next((e) => e.host === 'flip.test' && !e.allowed);
    assert.is(e.reason, 'resolves-to-loopback');
  });

  fwd('attempts that start while a name is being looked up share that lookup, and each connects', async () => {
    const before = resolveCalls.filter((n) => n === 'slow.test').length;
    const tunnels = await Promise.all([1, 2, 3].map(() => httpConnect(socketPath, 'slow.test:7000')));
    for (const { status, socket } of tunnels) {
      assert.is(status, 200);
      const echoed = readAll(socket);
      socket.end('shared\n');
      assert.is((await echoed).toString(), 'shared\n');
    }
    assert.is(resolveCalls.filter((n) => n === 'slow.test').length, before + 1);
  });

  fwd('a dead upstream times out on connect: 502, SOCKS host-unreachable, logged with the error', async () => {
    const t0 = performance.now();
    const { status, socket } = await httpConnect(socketPath, 'dead.test:7000');
    socket.destroy();
    assert.is(status, 502);
    assert.ok(performance.now() - t0 < 2000);
    const e = await net.next((e) => e.host === 'dead.test' && e.protocol === 'connect');
    assert.equal([e.allowed, e.reason], [true, 'allowlist:dead.test:7000 upstream-error:ETIMEDOUT']);

    const s = await socks5Connect(socketPath, { domain: 'dead.test' }, 7000);
    s.socket.destroy();
    assert.is(s.reply, 4);
  });

  fwd('a refused upstream port: 502 and SOCKS connection-refused', async () => {
    const { status, socket } = await httpConnect(socketPath, 'upstream.test:7999');
    socket.destroy();
    assert.is(status, 502);
    const e = await net.next((e) => e.port === 7999 && e.protocol === 'connect');
    assert.is(e.reason, 'allowlist:upstream.test:7999 upstream-error:ECONNREFUSED');
    const s = await socks5Connect(socketPath, { domain: 'upstream.test' }, 7999);
    s.socket.destroy();
    assert.is(s.reply, 5);
  });

  fwd('a client that never says anything, a stuck lookup and a silent upstream do not make close() hang', async () => {
    const idle = connect(socketPath);
    await once(idle, 'connect');
    const silent = await httpConnect(socketPath, 'upstream.test:7001');
    assert.is(silent.status, 200);
    const stuck = connect(socketPath);
    stuck.write('CONNECT pending.test:7000 HTTP/1.1\r\n\r\n');
    while (!resolveCalls.includes('pending.test')) await new Promise((r) => setTimeout(r, 5));
    const closedAll = Promise.all([idle, silent.socket, stuck].map((s: Socket) => once(s, 'close')));
    const t0 = performance.now();
    await proxy.close();
    const ms = performance.now() - t0;
    // A hang detector, not a speed check: close() must not wait for stuck clients.
    assert.ok(ms < 10_000, `close took ${ms} ms`);
    await closedAll;
    const silentEvent = await net.next((e) => e.port === 7001);
    assert.is(silentEvent.allowed, true);
    const pending = await net.next((e) => e.host === 'pending.test');
    assert.equal([pending.allowed, pending.reason], [false, 'proxy-stopped']);
    process.stdout.write(`proxy close with 3 open clients: ${ms.toFixed(1)} ms\n`);
  });

  fwd.run();
}
