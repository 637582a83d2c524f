import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, chownSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { homedir } from 'node:os';
import { createAudit } from '../../lib/audit/bus.js';
import type { NetworkSession } from '../../lib/net/index.js';
import { findBridgeTools, findExecutable } from '../../lib/net/bridge.js';
import { startMonitor, type MonitorTools, type NetworkMonitor } from '../../lib/net/monitor.js';
import { SANDBOX_NAMESPACES } from '../../lib/sandbox/bwrap-args.js';
import { becomeUserFlags, DEDICATED } from '../../lib/sandbox/identity.js';
import { SetupError } from '../../lib/sandbox/types.js';
import { runCollected, type Collected } from '../helpers/process.js';
import { skipWithReason } from '../helpers/skip.js';
import { networkEvents, startNetwork } from './proxy-client.js';

// End to end with real bubblewrap, as the backend runs it: a network monitor
// owns the sandbox's namespace (only lo, every address routed to it) and runs
// the bridge there, systemd's socket proxy on 127.0.0.1:PORT leading to the proxy's unix
// socket; bwrap joins that namespace with nsenter. The bwrap argv is built
// here, the minimal one the backend uses for network mode `allow`. As root,
// the monitor and the sandbox run as the dedicated uid, as the backend does.

const REGISTRY = 'registry.npmjs.org';
const HOME = process.env.HOME || homedir();
const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const tool = (name: string) => findExecutable(name, PATH);
const found = { setpriv: tool('setpriv'), unshare: tool('unshare'), bash: tool('bash'), ip: tool('ip'), tcpdump: tool('tcpdump'), nsenter: tool('nsenter'), bwrap: tool('bwrap'), ...findBridgeTools(PATH) };
const missing = Object.entries(found).filter(([, v]) => !v).map(([k]) => k);
const root = process.getuid?.() === 0;
const as = root ? DEDICATED : undefined;
const asUser = root ? becomeUserFlags({ uid: 0, gid: 0 }, { ...DEDICATED, why: 'dedicated' }) : [];

const audit = createAudit({ logPath: null });
const net = networkEvents(audit);

interface Ran extends Collected {
  ms: number;
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

/** A session whose socket the sandbox's uid may use, as the backend leaves it. */
async function openSession(id: string): Promise<NetworkSession> {
  const session = await startNetwork({ mode: 'allow', domains: [`${REGISTRY}:443`] }, { audit, id });
  if (as) {
    chmodSync(session.dir, 0o711);
    chownSync(session.bridge.socketPath, as.uid, as.gid);
  }
  return session;
}

const e2e = suite('net: inside bubblewrap, through the monitor\'s bridge');

if (missing.length > 0) {
  skipWithReason(e2e, 'network end to end', `${missing.join(', ')} not installed; fix: scripts/install-deps`);
  e2e.run();
} else {
  const tools = found as MonitorTools & { nsenter: string; bwrap: string };
  let session: NetworkSession;
  let monitor: NetworkMonitor;
  let hostListener: Server;
  let hostConnections = 0;

  const inSandbox = async (argv: string[], input?: string): Promise<Ran> => {
    const t0 = performance.now();
    const full = [...monitor.enter(tools.nsenter), tools.bwrap, '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', HOME,
      ...SANDBOX_NAMESPACES, '--die-with-parent', '--new-session', '--', ...argv];
    const r = await runCollected(full, { env: sandboxEnv(session), as, stdin: input });
    return { ...r, ms: performance.now() - t0 };
  };

  e2e.before(async () => {
    session = await openSession('e2e');
    monitor = await startMonitor({ tools, asUser, report: () => {} });
    await Promise.all([monitor.listening, monitor.bridge(session.bridge)]);
    hostListener = createServer((s) => {
      hostConnections++;
      s.destroy();
    });
    await new Promise<void>((r) => hostListener.listen(0, '127.0.0.1', () => r()));
  });
  e2e.after(async () => {
    await monitor.stop();
    await session.stop();
    hostListener.close();
  });

  e2e('npm view is-number version works through the proxy', async () => {
    const r = await inSandbox(['npm', 'view', 'is-number', 'version']);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+$/);
    const e = await net.next((e) => e.id === 'e2e' && e.host === REGISTRY && e.allowed);
    assert.is(e.reason, `allowlist:${REGISTRY}:443`);
    process.stdout.write(`npm view in the sandbox: ${r.ms.toFixed(0)} ms\n`);
  });

  e2e('curl works through HTTPS_PROXY (CONNECT) and through ALL_PROXY (SOCKS5)', async () => {
    const viaHttp = await inSandbox(['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code}', `https://${REGISTRY}/is-number`]);
    assert.is(viaHttp.stdout, '200', viaHttp.stderr);
    const viaSocks = await inSandbox(['sh', '-c', `curl -sS -x "$ALL_PROXY" -o /dev/null -w '%{http_code}' https://${REGISTRY}/is-number`]);
    assert.is(viaSocks.stdout, '200', viaSocks.stderr);
    await net.next((e) => e.id === 'e2e' && e.protocol === 'socks5' && e.allowed);
  });

  e2e('a direct TCP connect to a host loopback listener fails, and so does one to the registry address', async () => {
    const port = (hostListener.address() as AddressInfo).port;
    const r = await inSandbox(['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]);
    assert.is.not(r.status, 0);
    assert.is(hostConnections, 0);
    const direct = await inSandbox(['bash', '-c', 'exec 3<>/dev/tcp/203.0.113.80/443']);
    assert.is.not(direct.status, 0);
    // The monitor routes every address to the namespace's own lo: refused at once.
    assert.match(direct.stderr, /refused/i);
  });

  e2e('DNS does not work inside: getent hosts fails', async () => {
    const r = await inSandbox(['getent', 'hosts', REGISTRY]);
    assert.is(r.status, 2, `getent exit ${r.status}: ${r.stdout}`);
    assert.is(r.stdout, '');
  });

  e2e('CONNECT to 127.0.0.1 through the proxy is refused and logged', async () => {
    const port = (hostListener.address() as AddressInfo).port;
    const r = await inSandbox(['sh', '-c', `curl -sS --noproxy '' -x "$HTTPS_PROXY" https://127.0.0.1:${port}/`]);
    assert.is(r.status, 56, r.stderr);
    assert.match(r.stderr, /403/);
    const e = await net.next((e) => e.id === 'e2e' && e.host === '127.0.0.1' && e.port === port);
    assert.equal([e.protocol, e.allowed, e.reason], ['connect', false, 'ip-literal']);
    assert.is(hostConnections, 0);
  });

  e2e('the bridge is outside the sandbox: not in its process list, no proxy socket in its file system', async () => {
    const r = await inSandbox(['sh', '-c', `ps -eo comm=; test -e ${session.bridge.socketPath} && echo socket-visible; exit 0`]);
    assert.is(r.status, 0, r.stderr);
    assert.not.match(r.stdout, /systemd-socket|tcpdump/);
    assert.not.match(r.stdout, /socket-visible/);
  });

  e2e('the bridge runs without capabilities, and its connections are bounded', async () => {
    const pid = Number(monitor.enter('nsenter')[2]);
    const ps = await runCollected(['ps', '-o', 'pid=,args=', '--ppid', String(pid)]);
    const bridge = ps.stdout.split('\n').find((l) => l.includes('systemd-socket-'));
    assert.ok(bridge, ps.stdout);
    assert.match(bridge, /--connections-max=64 /);
    const status = await runCollected(['cat', `/proc/${bridge.trim().split(/\s+/)[0]}/status`]);
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) assert.match(status.stdout, new RegExp(`${set}:\\s+0+\\n`), set);
    assert.match(status.stdout, /NoNewPrivs:\s+1/);
  });

  e2e('a bridge that cannot start is a SetupError naming it, and stop() still ends the monitor', async () => {
    const m = await startMonitor({ tools, asUser, report: () => {} });
    const err = await m.bridge({ ...session.bridge, activate: '/nonexistent/systemd-socket-activate' }).catch((e: unknown) => e);
    assert.instance(err, SetupError);
    assert.match((err as SetupError).message, /\/nonexistent\/systemd-socket-activate exited before listening/);
    assert.match((err as SetupError).fix, /apt-get install -y systemd/);
    assert.equal(await m.stop(), []);
  });

  e2e('a bridge path the monitor would split is refused before it is passed on', async () => {
    const m = await startMonitor({ tools, asUser, report: () => {} });
    const err = await m.bridge({ ...session.bridge, socketPath: '/tmp/a,b/proxy.sock' }).catch((e: unknown) => e);
    assert.instance(err, SetupError);
    assert.match((err as SetupError).message, /a,b/);
    await m.stop();
  });

  e2e('start-up: proxy + bridge', async () => {
    const N = 15;
    const proxyMs: number[] = [];
    const bridgeMs: number[] = [];
    for (let i = 0; i < N; i++) {
      const m = await startMonitor({ tools, asUser, report: () => {} });
      await m.listening;
      const t0 = performance.now();
      const s = await openSession('bench');
      const t1 = performance.now();
      await m.bridge(s.bridge);
      const t2 = performance.now();
      proxyMs.push(t1 - t0);
      bridgeMs.push(t2 - t1);
      await m.stop();
      await s.stop();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const [proxy, bridge] = [median(proxyMs), median(bridgeMs)];
    process.stdout.write(
      `start-up: proxy ${proxy.toFixed(1)} ms, then the bridge ${bridge.toFixed(1)} ms (median of ${N}); ` +
        'the backend starts the bridge with the network monitor (ahead of need when it knows the line has network) and the proxy once bwrap is spawned; the command waits for both\n',
    );
  });

  e2e.run();
}
