import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAudit } from '../../lib/audit/bus.js';
import type { AuditEvent } from '../../lib/audit/schema.js';
import type { LimitsPlan } from '../../lib/plan/schema.js';
import { findExecutable } from '../../lib/net/bridge.js';
import { superviseBwrap } from '../../lib/sandbox/bwrap-supervise.js';
import { runPrepared, type Supervised } from '../../lib/sandbox/run.js';
import { SetupError } from '../../lib/sandbox/types.js';
import { skipWithReason } from '../helpers/skip.js';

// The go-ahead gate between bwrap's set-up and the command (--block-fd), with
// real bubblewrap: the command runs only once the supervisor's `ready` holds,
// and never when it fails; then the sandbox is killed unstarted and sbsh
// exits 125, as for any set-up failure.

const s = suite('sandbox: the go-ahead gate');
const bwrap = findExecutable('bwrap');
const LIMITS: LimitsPlan = { memory_mb: null, pids: null, cpu_seconds: null, wall_seconds: null };

function gated(dir: string, ready: Promise<void>, events: AuditEvent[]): Supervised {
  const audit = createAudit({ logPath: null });
  audit.subscribe((e) => events.push(e));
  const marker = join(dir, 'ran');
  return {
    file: bwrap!,
    // As root the sandbox's uid maps to root: fine here, the test only asks whether the command ran.
    args: ['--ro-bind', '/', '/', '--bind', dir, dir, '--dev', '/dev', '--proc', '/proc', '--unshare-all', '--die-with-parent', '--new-session',
      '--json-status-fd', '3', '--block-fd', '4', '--', '/bin/sh', '-c', `touch ${marker}`],
    env: { PATH: process.env.PATH },
    cwd: dir,
    fds: [],
    detached: true,
    statusPipe: true,
    gatePipe: true,
    supervise: (run) => superviseBwrap(run, LIMITS, { env: process.env, audit, id: 'gate' }, ready),
    dispose: async () => {},
  };
}

const later = <T>(ms: number, f: () => T) => new Promise<T>((r) => setTimeout(() => r(f()), ms));

if (!bwrap) {
  skipWithReason(s, 'gate', 'bwrap is not installed; fix: apt-get install -y bubblewrap');
} else {
  let dir: string;
  s.before.each(() => {
    dir = mkdtempSync(join(tmpdir(), 'sbsh-gate-'));
  });
  s.after.each(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  s('the command waits for the go-ahead, then runs', async () => {
    let released = false;
    const events: AuditEvent[] = [];
    const ready = later(300, () => {
      released = true;
      assert.not.ok(existsSync(join(dir, 'ran')), 'the command ran before the go-ahead');
    });
    const r = await runPrepared(gated(dir, ready, events), { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' });
    assert.ok(released);
    assert.equal(r, { status: 0, signal: null });
    assert.ok(existsSync(join(dir, 'ran')));
    assert.ok(events.some((e) => e.type === 'start'));
  });

  s('a failed go-ahead kills the sandbox unstarted: exit 125, the command never ran, the failure is told and logged', async () => {
    const events: AuditEvent[] = [];
    const ready = new Promise<void>((_, reject) => setTimeout(() => reject(new SetupError('the network monitor could not start capturing: tcpdump ended', 'run `sbsh doctor`')), 300));
    const errFile = join(dir, 'stderr');
    const errFd = openSync(errFile, 'w');
    const r = await runPrepared(gated(dir, ready, events), { stdin: 'ignore', stdout: 'ignore', stderr: errFd });
    closeSync(errFd);
    const lines = [readFileSync(errFile, 'utf8')];
    assert.equal(r, { status: 125, signal: null });
    // Give a command that escaped the kill time to show itself.
    await later(300, () => {});
    assert.not.ok(existsSync(join(dir, 'ran')), 'the command ran');
    assert.match(lines.join(''), /sandbox setup failed \(bwrap\): the network monitor could not start capturing/);
    assert.match(lines.join(''), /The command was not run/);
    const setup = events.find((e) => e.type === 'violation' && e.kind === 'setup');
    assert.ok(setup, 'a setup violation is logged');
    assert.not.ok(events.some((e) => e.type === 'start'), 'no start event for a command that never started');
  });

  s('a signal before the go-ahead calls the run off: 128+n, the command never ran, no start event, however long the go-ahead takes', async () => {
    const events: AuditEvent[] = [];
    // Longer than any retry of delivering the signal to a process group that does not exist yet.
    const ready = later(1500, () => {});
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const r = await runPrepared(gated(dir, ready, events), { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' }, { signal: abort.signal });
    assert.equal(r, { status: 143, signal: 'SIGTERM' });
    await ready;
    await later(300, () => {});
    assert.not.ok(existsSync(join(dir, 'ran')), 'the command ran');
    assert.not.ok(events.some((e) => e.type === 'start'), 'no start event for a command that never started');
  });

  s('a go-ahead that fails at once (before bwrap reports its init) is handled the same', async () => {
    const events: AuditEvent[] = [];
    const ready = Promise.reject(new SetupError('monitor failed early', 'run `sbsh doctor`'));
    ready.catch(() => {});
    const r = await runPrepared(gated(dir, ready, events), { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' });
    assert.equal(r, { status: 125, signal: null });
    await later(300, () => {});
    assert.not.ok(existsSync(join(dir, 'ran')), 'the command ran');
  });
}

s.run();
