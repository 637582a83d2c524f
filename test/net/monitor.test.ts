import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { captureFilter, startMonitor, type MonitorTools, type NetworkMonitor } from '../../lib/net/monitor.js';
import type { DirectAttempt } from '../../lib/net/pcap.js';
import { findBridgeTools, findExecutable } from '../../lib/net/bridge.js';
import { becomeUserFlags, DEDICATED } from '../../lib/sandbox/identity.js';
import { SANDBOX_NAMESPACES } from '../../lib/sandbox/bwrap-args.js';
import { runCollected, type Collected } from '../helpers/process.js';
import { SetupError } from '../../lib/sandbox/types.js';
import { poll } from '../helpers/poll.js';
import { monitorsOf, processTable, runsProxyd } from '../helpers/proc.js';
import { skipWithReason } from '../helpers/skip.js';

// The network monitor for real: its own user and network namespace, tcpdump
// inside, and real bubblewrap joined to it with nsenter, as the bwrap backend
// does. Traffic stays inside the namespace the test makes.

const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const tool = (name: string) => findExecutable(name, PATH);
const found = { setpriv: tool('setpriv'), unshare: tool('unshare'), bash: tool('bash'), ip: tool('ip'), tcpdump: tool('tcpdump'), nsenter: tool('nsenter'), bwrap: tool('bwrap'), ...findBridgeTools(PATH) };
const missing = Object.entries(found).filter(([, v]) => !v).map(([k]) => k);
const root = process.getuid?.() === 0;
// As root the monitor runs as the sandbox's uid, exactly as the backend does.
const asUser = root ? becomeUserFlags({ uid: 0, gid: 0 }, { ...DEDICATED, why: 'dedicated' }) : [];

const s = suite('net: the network monitor, with real bubblewrap');

function alive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** stop() returns once every packet is read; the processes end on their own just after. */
function goneSoon(pid: number): Promise<boolean> {
  return poll(() => !alive(pid), 41, 50);
}

function monitorPid(m: NetworkMonitor): number {
  const argv = m.enter('nsenter');
  return Number(argv[argv.indexOf('-t') + 1]);
}

function inSandbox(m: NetworkMonitor, script: string): Promise<Collected> {
  const argv = [...m.enter(found.nsenter!), found.bwrap!, '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp',
    ...SANDBOX_NAMESPACES, '--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--', found.bash!, '-c', script];
  return runCollected(argv, { as: root ? DEDICATED : undefined });
}

if (missing.length > 0) {
  skipWithReason(s, 'network monitor', `${missing.join(', ')} not installed; fix: scripts/install-deps`);
} else {
  const tools = found as MonitorTools & { nsenter: string; bwrap: string };
  let host: Server;
  let hostConnections = 0;

  s.before(async () => {
    host = createServer((c) => {
      hostConnections++;
      c.destroy();
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', () => r()));
  });
  s.after(() => {
    host.close();
  });

  s('every way out is refused at once and reported once; the sentinel is not an attempt; nothing is left running', async () => {
    const seen: DirectAttempt[] = [];
    const m = await startMonitor({ tools, asUser, report: (a) => seen.push(a) });
    await m.listening;
    const port = (host.address() as AddressInfo).port;
    const script = [
      `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo host-reached`,
      `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null`,
      '(exec 3<>/dev/tcp/203.0.113.5/443) 2>/dev/null',
      '(exec 3<>/dev/tcp/2001:db8::7/8443) 2>/dev/null',
      'getent hosts exfil.example',
      'echo x 2>/dev/null > /dev/udp/198.51.100.9/5353',
      // Only lo: no interface leads anywhere.
      'ip -o link | cut -d: -f2 | tr -d " " | tr "\\n" ,',
    ].join('; ');
    const r = await inSandbox(m, script);
    const problems = await m.stop();
    assert.equal(problems, []);
    assert.is(r.stdout.trim(), 'lo,', r.stderr);
    assert.is(hostConnections, 0, 'the host listener was reached');
    const got = seen.map((a) => `${a.protocol} ${a.host}:${a.port}`);
    assert.equal(got, [
      `tcp 127.0.0.1:${port}`,
      'tcp 203.0.113.5:443',
      'tcp 2001:db8::7:8443',
      'dns exfil.example:53',
      'udp 198.51.100.9:5353',
    ]);
    assert.ok(await goneSoon(monitorPid(m)), 'the monitor\'s processes are gone');
  });

  s('the namespace is a new one, owned by the sandbox\'s uid, and the sandbox cannot see the monitor', async () => {
    const m = await startMonitor({ tools, asUser, report: () => {} });
    await m.listening;
    const pid = monitorPid(m);
    const hostNs = spawnSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }).stdout.trim();
    const r = await inSandbox(m, 'readlink /proc/self/ns/net; ls /proc | grep -c "^[0-9]"; pgrep -x tcpdump || echo no-tcpdump');
    await m.stop();
    const [ns, pids, tcpdump] = r.stdout.trim().split('\n');
    assert.ok(ns && ns !== hostNs, `sandbox net ns ${ns} vs host ${hostNs}`);
    assert.ok(Number(pids) <= 4, `the sandbox sees ${pids} processes`);
    assert.is(tcpdump, 'no-tcpdump');
    assert.ok(pid > 0);
  });

  s('a flood of distinct destinations is logged up to the limit and counted past it', async () => {
    const seen: DirectAttempt[] = [];
    let overflow = 0;
    const m = await startMonitor({ tools, asUser, report: (a) => seen.push(a), overflow: (n) => (overflow = n) });
    await m.listening;
    // 250 closed ports, each tried twice: repeats are not new attempts.
    await inSandbox(m, 'for p in $(seq 40001 40250) $(seq 40001 40250); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; done');
    assert.equal(await m.stop(), []);
    assert.is(seen.length, 200);
    assert.is(overflow, 50);
  });

  s('when sbsh itself is killed (SIGKILL), neither the monitor nor its bridge outlives it, also once the bridge has served', async () => {
    const bridgePort = 21000 + (process.pid % 1000);
    const socketPath = `/tmp/sbsh-monitor-test-${process.pid}.sock`;
    const bridge = { activate: found.activate, proxyd: found.proxyd, port: bridgePort, socketPath };
    const driver = `
      import { startMonitor } from ${JSON.stringify(new URL('../../lib/net/monitor.js', import.meta.url).href)};
      const m = await startMonitor({ tools: ${JSON.stringify(tools)}, asUser: ${JSON.stringify(asUser)}, report: () => {} });
      await Promise.all([m.listening, m.bridge(${JSON.stringify(bridge)})]);
      console.log(m.enter('nsenter').join(' '));
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', driver], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
    const pid = Number(line.split(' ')[2]);
    // The sentinel port, as the script got it, names this monitor's tcpdump too.
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const port = args[args.indexOf('sbsh-monitor') + 4];
    const mine = () => processTable().filter((p) => p.argv.some((a) => a.includes(`udp dst port ${port} and`)) || p.argv.includes(socketPath));
    // A first connection (the bridge makes one itself once it listens) turns
    // the listener into the proxy program (one exec), which then serves this
    // one: it too must die with the monitor. (Nothing listens on the socket;
    // the connection is simply closed.)
    const enter = [found.nsenter!, ...line.trim().split(' ').slice(1)];
    await runCollected([...enter, found.bash!, '-c', `exec 3<>/dev/tcp/127.0.0.1/${bridgePort}; cat <&3 >/dev/null; exit 0`], { as: root ? DEDICATED : undefined });
    assert.ok(await poll(() => mine().some(runsProxyd), 50), 'the bridge runs the proxy program once it has served');
    assert.ok(mine().length >= 3, 'the monitor, its tcpdump and its bridge are found while they run');
    child.kill('SIGKILL');
    let left = mine();
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = mine();
    }
    assert.equal(left, [], 'processes of the monitor are left');
  });

  s('unbridge: the bridge is gone before it settles, a connect to its port is refused and reported; no bridge starts again', async () => {
    const reports: string[] = [];
    const m = await startMonitor({ tools, asUser, report: (a) => reports.push(`${a.protocol} ${a.host}:${a.port}`) });
    try {
      const port = 22000 + (process.pid % 1000);
      const bridge = { activate: found.activate!, proxyd: found.proxyd!, port, socketPath: '/nonexistent/proxy.sock' };
      const probe = `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo open || echo refused`;
      await Promise.all([m.listening, m.bridge(bridge)]);
      assert.is((await inSandbox(m, probe)).stdout.trim(), 'open', 'the bridge listens before unbridge');
      await m.unbridge();
      assert.is((await inSandbox(m, probe)).stdout.trim(), 'refused');
      await m.stop();
      assert.ok(reports.includes(`tcp 127.0.0.1:${port}`), reports.join(', '));
      const again = await m.bridge(bridge).then(() => null, (e: unknown) => e);
      assert.instance(again, Error);
    } finally {
      await m.stop();
    }
  });

  s('a ready bridge already runs its proxy program, and that start sends the proxy no request and reports nothing', async () => {
    const reports: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'sbsh-monitor-test-'));
    const socketPath = join(dir, 'proxy.sock');
    let received = 0;
    const proxy = createServer((c) => c.on('data', (d) => (received += d.length)));
    await new Promise<void>((r) => proxy.listen(socketPath, () => r()));
    // As root the bridge connects as the sandbox's uid (the backend chowns the socket to it).
    chmodSync(dir, 0o711);
    chmodSync(socketPath, 0o777);
    const m = await startMonitor({ tools, asUser, report: (a) => reports.push(`${a.protocol} ${a.host}:${a.port}`) });
    try {
      const bridge = { activate: found.activate!, proxyd: found.proxyd!, port: 23000 + (process.pid % 1000), socketPath };
      await Promise.all([m.listening, m.bridge(bridge)]);
      // The exec follows the bridge's own first connection; nothing else connects here.
      const proxied = await poll(() => monitorsOf(process.pid).some((x) => x.bridge !== null && runsProxyd(x.bridge)));
      assert.ok(proxied, 'the bridge runs systemd-socket-proxyd before anything connects to it');
      await m.stop();
      assert.is(received, 0, 'the proxy received no bytes');
      assert.equal(reports, []);
    } finally {
      await m.stop();
      proxy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  s('unbridge without a bridge settles at once', async () => {
    const m = await startMonitor({ tools, asUser, report: () => {} });
    try {
      await m.listening;
      await m.unbridge();
    } finally {
      await m.stop();
    }
  });

  s('stopping twice, or after the sandbox is long gone, is quick and quiet', async () => {
    const m = await startMonitor({ tools, asUser, report: () => {} });
    await m.listening;
    const first = m.stop();
    assert.equal(await first, []);
    assert.equal(await m.stop(), []);
  });

  s('a tcpdump that cannot capture fails set-up with a SetupError naming it, and leaves nothing behind', async () => {
    const broken = { ...tools, tcpdump: found.bash! };
    const m = await startMonitor({ tools: broken, asUser, report: () => {} });
    const err = await m.listening.then(() => null, (e: unknown) => e);
    assert.instance(err, SetupError);
    assert.match((err as SetupError).message, /network monitor could not start capturing: tcpdump ended/);
    await m.stop();
    assert.ok(await goneSoon(monitorPid(m)));
  });

  s('the capture filter admits only the kernel\'s answers (tcpdump compiles it)', () => {
    const r = spawnSync(tools.tcpdump, ['-d', '-y', 'EN10MB', captureFilter(21000)], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.match(captureFilter(21000), /udp dst port 21000 and dst host 127\.0\.0\.1/);
  });
}

s.run();
