import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { dirname } from 'node:path';
import { homedir } from 'node:os';
import { createAudit } from '../../lib/audit/bus.js';
import { startNetwork, type NetworkSession } from '../../lib/net/index.js';
import { bridgeArgv, findExecutable } from '../../lib/net/bridge.js';
import { skipWithReason } from '../helpers/skip.js';
import { networkEvents } from './proxy-client.js';

// End to end with real bubblewrap: the sandbox has its own empty network
// namespace, the proxy's socket bind-mounted in, and the bridge from
// wrapArgv. The bwrap argv is built here (the backend is separate work);
// it is the minimal one the backend uses for network mode `allow`.

const REGISTRY = 'registry.npmjs.org';
const HOME = process.env.HOME || homedir();

const audit = createAudit({ logPath: null });
const net = networkEvents(audit);

function sandboxArgv(session: NetworkSession, argv: string[]): string[] {
  const sockDir = dirname(session.socketPath);
  return [
    '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', HOME,
    '--bind', sockDir, sockDir,
    '--unshare-all', '--die-with-parent', '--new-session',
    ...argv,
  ];
}

function sandboxEnv(session: NetworkSession): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME,
    npm_config_cache: '/tmp/npm-cache',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    ...session.env,
  };
}

interface Ran { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }

// Asynchronous on purpose: the proxy runs in this process and must keep serving.
function run(file: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(input ?? '');
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 }));
  });
}

function inSandbox(session: NetworkSession, argv: string[], input?: string): Promise<Ran> {
  return run('bwrap', sandboxArgv(session, session.wrapArgv(argv)), sandboxEnv(session), input);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const e2e = suite('net: inside bubblewrap');

const bwrapProbe = findExecutable('bwrap') ? spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-all', 'true']) : null;
if (!bwrapProbe || bwrapProbe.status !== 0) {
  skipWithReason(e2e, 'network end to end', `bubblewrap cannot run here (${bwrapProbe ? String(bwrapProbe.stderr).trim() : 'bwrap not on PATH'}); fix: apt-get install -y bubblewrap`);
  e2e.run();
} else {
  let session: NetworkSession;
  let hostListener: Server;
  let hostConnections = 0;

  e2e.before(async () => {
    session = await startNetwork({ mode: 'allow', domains: [`${REGISTRY}:443`] }, { audit, id: 'e2e' });
    hostListener = createServer((s) => {
      hostConnections++;
      s.destroy();
    });
    await new Promise<void>((r) => hostListener.listen(0, '127.0.0.1', () => r()));
  });
  e2e.after(async () => {
    await session.stop();
    hostListener.close();
  });

  e2e('npm view is-number version works through the proxy', async () => {
    const r = await inSandbox(session, ['npm', 'view', 'is-number', 'version']);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+$/);
    const e = await net.next((e) => e.id === 'e2e' && e.host === REGISTRY && e.allowed);
    assert.is(e.reason, `allowlist:${REGISTRY}:443`);
    process.stdout.write(`npm view in the sandbox: ${r.ms.toFixed(0)} ms\n`);
  });

  e2e('curl works through HTTPS_PROXY (CONNECT) and through ALL_PROXY (SOCKS5)', async () => {
    const viaHttp = await inSandbox(session, ['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code}', `https://${REGISTRY}/is-number`]);
    assert.is(viaHttp.stdout, '200', viaHttp.stderr);
    const viaSocks = await inSandbox(session, ['sh', '-c', `curl -sS -x "$ALL_PROXY" -o /dev/null -w '%{http_code}' https://${REGISTRY}/is-number`]);
    assert.is(viaSocks.stdout, '200', viaSocks.stderr);
    await net.next((e) => e.id === 'e2e' && e.protocol === 'socks5' && e.allowed);
  });

  e2e('a direct TCP connect to a host loopback listener fails, and so does one to the registry address', async () => {
    const port = (hostListener.address() as AddressInfo).port;
    const r = await inSandbox(session, ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]);
    assert.is.not(r.code, 0);
    assert.is(hostConnections, 0);
    const direct = await inSandbox(session, ['bash', '-c', 'exec 3<>/dev/tcp/203.0.113.80/443']);
    assert.is.not(direct.code, 0);
    assert.match(direct.stderr, /unreachable/i);
  });

  e2e('DNS does not work inside: getent hosts fails', async () => {
    const r = await inSandbox(session, ['getent', 'hosts', REGISTRY]);
    assert.is(r.code, 2, `getent exit ${r.code}: ${r.stdout}`);
    assert.is(r.stdout, '');
  });

  e2e('CONNECT to 127.0.0.1 through the proxy is refused and logged', async () => {
    const port = (hostListener.address() as AddressInfo).port;
    const r = await inSandbox(session, ['sh', '-c', `curl -sS --noproxy '' -x "$HTTPS_PROXY" https://127.0.0.1:${port}/`]);
    assert.is(r.code, 56, r.stderr);
    assert.match(r.stderr, /403/);
    const e = await net.next((e) => e.id === 'e2e' && e.host === '127.0.0.1' && e.port === port);
    assert.equal([e.protocol, e.allowed, e.reason], ['connect', false, 'ip-literal']);
    assert.is(hostConnections, 0);
  });

  e2e('the command keeps its exit status, signals and stdin', async () => {
    const status = await inSandbox(session, ['sh', '-c', 'exit 7']);
    assert.is(status.code, 7);
    const bare = await run('bwrap', sandboxArgv(session, ['sh', '-c', 'kill -TERM $$']), sandboxEnv(session));
    const wrapped = await inSandbox(session, ['sh', '-c', 'kill -TERM $$']);
    assert.equal([wrapped.code, wrapped.signal], [bare.code, bare.signal]);
    const echo = await inSandbox(session, ['cat'], 'stdin reaches the command\n');
    assert.is(echo.stdout, 'stdin reaches the command\n');
  });

  e2e('a bridge that cannot start fails with 125 and says why', async () => {
    const argv = bridgeArgv({ socat: '/nonexistent/socat', port: 20001, socketPath: session.socketPath }, ['true']);
    const r = await run('bwrap', sandboxArgv(session, argv), sandboxEnv(session));
    assert.is(r.code, 125);
    assert.match(r.stderr, /socat exited before listening/);
  });

  e2e('start-up: proxy + bridge', async () => {
    const N = 15;
    const proxyMs: number[] = [];
    const bareMs: number[] = [];
    const bridgeMs: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const s = await startNetwork({ mode: 'allow', domains: [`${REGISTRY}:443`] }, { audit, id: 'bench' });
      proxyMs.push(performance.now() - t0);
      const bare = await run('bwrap', sandboxArgv(s, ['true']), sandboxEnv(s));
      const wrapped = await inSandbox(s, ['true']);
      assert.is(wrapped.code, 0, wrapped.stderr);
      bareMs.push(bare.ms);
      bridgeMs.push(wrapped.ms - bare.ms);
      await s.stop();
    }
    const [proxy, bare, bridge] = [median(proxyMs), median(bareMs), median(bridgeMs)];
    process.stdout.write(
      `start-up: proxy ${proxy.toFixed(1)} ms + bridge ${bridge.toFixed(1)} ms = ${(proxy + bridge).toFixed(1)} ms ` +
        `(median of ${N}; bridge = bwrap with it - bwrap without, which took ${bare.toFixed(1)} ms)\n`,
    );
    // Relative to bwrap itself so that a loaded machine does not fail it, yet
    // a fixed sleep or a slow readiness poll (several bwrap start-ups) does.
  });

  e2e.run();
}
