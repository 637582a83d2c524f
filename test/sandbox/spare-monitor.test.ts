import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAudit } from '../../lib/audit/bus.js';
import type { AuditEvent } from '../../lib/audit/schema.js';
import { findExecutable } from '../../lib/net/bridge.js';
import { backendFor, runPrepared } from '../../lib/sandbox/index.js';
import { skipWithReason } from '../helpers/skip.js';
import { sandboxPlan } from './plans.js';

// The interactive shell's spare network monitor (Backend.warm), with real
// bubblewrap: a run that takes it logs its direct attempts under its own id,
// and a spare that died while it waited is replaced, never used unwatched.

const s = suite('sandbox: the spare network monitor');
const missing = ['bwrap', 'tcpdump', 'nsenter', 'unshare', 'ip'].filter((t) => !findExecutable(t, '/usr/sbin:/usr/bin:/sbin:/bin'));

/** pids of this process's running monitor scripts (bash running sbsh-monitor); other test files run their own. */
function monitorScripts(): string[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      const ppid = Number(readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
      return ppid === process.pid && argv.includes('sbsh-monitor') && argv.some((a) => a.endsWith('bash'));
    } catch {
      return false;
    }
  });
}

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

  async function runWithSpare(id: string, killSpare: boolean): Promise<{ status: number; events: AuditEvent[] }> {
    const backend = backendFor('bwrap');
    const before = new Set(monitorScripts());
    backend.warm!(ws);
    // Let the spare get going, as it would while the user types.
    await new Promise((r) => setTimeout(r, 400));
    const spares = monitorScripts().filter((p) => !before.has(p));
    assert.is(spares.length, 1, 'warm started one monitor');
    if (killSpare) {
      process.kill(Number(spares[0]), 'SIGKILL');
      // Dead, as a spare that died long ago would be (its namespace is gone).
      for (let i = 0; i < 100 && monitorScripts().includes(spares[0]!); i++) await new Promise((r) => setTimeout(r, 20));
    }
    const events: AuditEvent[] = [];
    const audit = createAudit({ logPath: null });
    audit.subscribe((e) => events.push(e));
    const plan = sandboxPlan('(exec 3<>/dev/tcp/203.0.113.9/8080) 2>/dev/null; exit 0', { workspace: ws, home });
    const prepared = await backendFor('bwrap').prepare(plan, { env: { PATH: process.env.PATH, HOME: home }, audit, id });
    const r = await runPrepared(prepared, { stdin: 'ignore', stdout: 'ignore', stderr: 'inherit' });
    return { status: r.status, events };
  }

  s('a run takes the spare and logs its direct connect under its own id', async () => {
    const { status, events } = await runWithSpare('with-spare', false);
    assert.is(status, 0);
    const e = events.find((x) => x.type === 'network' && x.protocol === 'tcp' && x.host === '203.0.113.9');
    assert.ok(e, 'the direct connect is logged');
    assert.is(e!.id, 'with-spare');
  });

  s('a spare killed while it waited is replaced: the run is still watched', async () => {
    const { status, events } = await runWithSpare('spare-died', true);
    assert.is(status, 0);
    assert.ok(events.some((x) => x.type === 'network' && x.protocol === 'tcp' && x.host === '203.0.113.9' && x.id === 'spare-died'), 'the direct connect is logged');
    assert.not.ok(events.some((x) => x.type === 'violation'), 'no set-up failure');
  });
}

s.run();
