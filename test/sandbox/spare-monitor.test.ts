import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createAudit } from '../../lib/audit/bus.js';
import type { AuditEvent } from '../../lib/audit/schema.js';
import { findExecutable } from '../../lib/net/bridge.js';
import { backendFor, runPrepared } from '../../lib/sandbox/index.js';
import { poll } from '../helpers/poll.js';
import { monitorsOf } from '../helpers/proc.js';
import { skipWithReason } from '../helpers/skip.js';
import { sandboxPlan } from './plans.js';

// The interactive shell's spare network monitor (Backend.warm), with real
// bubblewrap: a run that takes it logs its direct attempts under its own id,
// a spare that died while it waited is replaced, never used unwatched, and a
// spare bridged ahead of need serves a run with network but never leaves a
// run without network a way out.

const s = suite('sandbox: the spare network monitor');
const missing = ['bwrap', 'tcpdump', 'nsenter', 'unshare', 'ip'].filter((t) => !findExecutable(t, '/usr/sbin:/usr/bin:/sbin:/bin'));

/** pids of this process's running monitor scripts; other test files run their own. */
function monitorScripts(): number[] {
  return monitorsOf(process.pid).map((m) => m.pid);
}

/**
 * The port a process listens on, from its network namespace's socket table:
 * the bridge's command line stops naming it once the proxy program has
 * replaced the listener (an exec, as soon as the bridge is ready).
 */
function listeningPort(pid: number): number | null {
  for (const line of readFileSync(`/proc/${pid}/net/tcp`, 'utf8').split('\n').slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (state === '0A' && local) return parseInt(local.split(':')[1]!, 16);
  }
  return null;
}

/** The bridge a monitor script started: its port and the proxy socket it leads to. */
async function bridgeOf(script: number): Promise<{ port: number; socketPath: string }> {
  const found = await poll(() => {
    const bridge = monitorsOf(process.pid).find((m) => m.pid === script)?.bridge;
    const port = bridge ? listeningPort(bridge.pid) : null;
    return bridge && port !== null ? { port, socketPath: bridge.argv[bridge.argv.length - 1]! } : undefined;
  });
  if (!found) throw new Error(`monitor ${script} started no bridge`);
  return found;
}

const REGISTRY = 'registry.npmjs.org';

if (missing.length > 0) {
  skipWithReason(s, 'spare monitor', `${missing.join(', ')} not installed; fix: scripts/install-deps`);
} else {
  let dir: string;
  let ws: string;
  let home: string;
  s.before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sbsh-spare-'));
    // As root the sandbox runs as an unprivileged uid, which must reach the workspace.
    chmodSync(dir, 0o755);
    ws = join(dir, 'ws');
    home = join(dir, 'home');
    mkdirSync(ws);
    mkdirSync(home);
  });
  s.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  interface SpareRun {
    status: number;
    events: AuditEvent[];
    stdout: string;
    /** The spare's bridge, when it was started bridged. */
    bridge: { port: number; socketPath: string } | null;
  }

  async function runWithSpare(id: string, o: { killSpare?: boolean; bridged?: boolean; line?: (bridge: SpareRun['bridge']) => string; network?: boolean } = {}): Promise<SpareRun> {
    const backend = backendFor('bwrap');
    const before = new Set(monitorScripts());
    backend.warm!(ws, { network: o.bridged ?? false });
    // Let the spare get going, as it would while the user types.
    await new Promise((r) => setTimeout(r, 400));
    const spares = monitorScripts().filter((p) => !before.has(p));
    assert.is(spares.length, 1, 'warm started one monitor');
    const bridge = o.bridged ? await bridgeOf(spares[0]!) : null;
    if (o.killSpare) {
      process.kill(spares[0]!, 'SIGKILL');
      // Dead, as a spare that died long ago would be (its namespace is gone).
      await poll(() => !monitorScripts().includes(spares[0]!));
    }
    const events: AuditEvent[] = [];
    const audit = createAudit({ logPath: null });
    audit.subscribe((e) => events.push(e));
    const line = o.line?.(bridge) ?? '(exec 3<>/dev/tcp/203.0.113.9/8080) 2>/dev/null; exit 0';
    const network = o.network ? { mode: 'allow' as const, domains: [`${REGISTRY}:443`] } : { mode: 'off' as const, domains: [] };
    const plan = sandboxPlan(line, { workspace: ws, home, network });
    const prepared = await backendFor('bwrap').prepare(plan, { env: { PATH: process.env.PATH, HOME: home }, audit, id });
    const out = join(dir, `${id}.out`);
    const fd = openSync(out, 'w');
    try {
      const r = await runPrepared(prepared, { stdin: 'ignore', stdout: fd, stderr: 'inherit' });
      return { status: r.status, events, stdout: readFileSync(out, 'utf8'), bridge };
    } finally {
      closeSync(fd);
    }
  }

  s('a run takes the spare and logs its direct connect under its own id', async () => {
    const { status, events } = await runWithSpare('with-spare');
    assert.is(status, 0);
    const e = events.find((x) => x.type === 'network' && x.protocol === 'tcp' && x.host === '203.0.113.9');
    assert.ok(e, 'the direct connect is logged');
    assert.is(e!.id, 'with-spare');
  });

  s('a spare killed while it waited is replaced: the run is still watched', async () => {
    const { status, events } = await runWithSpare('spare-died', { killSpare: true });
    assert.is(status, 0);
    assert.ok(events.some((x) => x.type === 'network' && x.protocol === 'tcp' && x.host === '203.0.113.9' && x.id === 'spare-died'), 'the direct connect is logged');
    assert.not.ok(events.some((x) => x.type === 'violation'), 'no set-up failure');
  });

  s('a spare bridged ahead of need, taken by a run without network: its bridge is stopped before the command starts', async () => {
    const r = await runWithSpare('unbridged', { bridged: true, line: (b) => `(exec 3<>/dev/tcp/127.0.0.1/${b!.port}) 2>/dev/null && echo open || echo refused` });
    assert.is(r.status, 0);
    assert.is(r.stdout.trim(), 'refused');
    assert.ok(r.events.some((x) => x.type === 'network' && x.protocol === 'tcp' && x.host === '127.0.0.1' && x.port === r.bridge!.port && x.id === 'unbridged'), 'the attempt is logged');
    assert.not.ok(existsSync(dirname(r.bridge!.socketPath)), 'the spare\'s proxy directory is removed');
  });

  s('a spare bridged ahead of need, taken by a run with network: the run\'s proxy is at the end of that bridge', async () => {
    const connect = `CONNECT ${REGISTRY}:443 HTTP/1.1\\r\\nHost: ${REGISTRY}:443\\r\\n\\r\\n`;
    const r = await runWithSpare('bridged', {
      bridged: true,
      network: true,
      line: () => `echo "$HTTPS_PROXY"; exec 3<>/dev/tcp/127.0.0.1/\${HTTPS_PROXY##*:}; printf '${connect}' >&3; head -n 1 <&3`,
    });
    assert.is(r.status, 0, r.stdout);
    const [proxy, status] = r.stdout.trim().split('\n');
    assert.is(proxy, `http://127.0.0.1:${r.bridge!.port}`);
    assert.match(status ?? '', /^HTTP\/1\.1 200/);
    assert.ok(r.events.some((x) => x.type === 'network' && x.host === REGISTRY && x.allowed && x.id === 'bridged'), 'the proxy logged it');
    assert.not.ok(existsSync(dirname(r.bridge!.socketPath)), 'the proxy directory is removed');
  });

  s('a spare bridged ahead of need that nobody takes: its proxy directory is removed when sbsh exits', () => {
    const backend = new URL('../../lib/sandbox/index.js', import.meta.url).href;
    const script = `
      const { readdirSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const before = new Set(readdirSync(tmpdir()));
      (await import(${JSON.stringify(backend)})).backendFor('bwrap').warm(${JSON.stringify(ws)}, { network: true });
      console.log(readdirSync(tmpdir()).filter((n) => n.startsWith('sbsh-net-') && !before.has(n)).join(' '));
      setTimeout(() => process.exit(0), 300);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    const made = r.stdout.trim().split(' ').filter(Boolean);
    assert.is(made.length, 1, 'warm made one proxy directory');
    assert.not.ok(existsSync(join(tmpdir(), made[0]!)), `${made[0]} is left behind`);
  });
}

s.run();
