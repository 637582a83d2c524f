import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAudit } from '../lib/audit/bus.js';
import { makePlan } from '../lib/plan/index.js';
import { backendFor, runPrepared } from '../lib/sandbox/index.js';
import { report, timeCommand, type Sample } from './measure.js';
import { lineLatency, openTerm, type Term } from './pty.js';

// The interactive shell's overhead, measured in real ptys:
//  1. keystroke echo: a key typed into `sbsh --no-tui` until its echo comes
//     back, against plain bash in a pty (sbsh adds a second pty and a relay);
//  2. a line, Enter to the next prompt: a host `true` and a sandboxed no-op
//     inside sbsh, against plain bash running `true`, bare bwrap, and the
//     same pipeline called in-process (plan, prepare, run, dispose: what the
//     session adds is the difference).
// Usage: npx tsx bench/shell-latency.ts [RUNS]   (prints tables, asserts nothing)

const RUNS = Number(process.argv[2] ?? 30);
const REPO = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../..' : '..', import.meta.url));
const SBSH = join(REPO, 'bin', 'sbsh');

const dir = mkdtempSync(join(tmpdir(), 'sbsh-bench-shell-'));
chmodSync(dir, 0o755); // as root the sandbox runs as an unprivileged uid that must reach the repo
const home = join(dir, 'home');
const repo = join(dir, 'repo');
mkdirSync(home);
mkdirSync(repo);
execFileSync('git', ['init', '-q', repo]);
writeFileSync(join(repo, 'noop.sh'), '#!/bin/sh\n:\n', { mode: 0o755 });
const env: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  TERM: 'xterm-256color',
  LANG: 'C.UTF-8',
  XDG_CONFIG_HOME: join(home, '.config'),
  XDG_STATE_HOME: join(home, '.state'),
  SBSH_AUDIT_LOG: join(dir, 'audit.jsonl'),
};

function open(file: string, args: string[], extraEnv: Record<string, string> = {}): Term {
  return openTerm(file, args, { cwd: repo, env: { ...env, ...extraEnv } });
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** ms from typing one key to its echo, `runs` times (each key rubbed out again). */
async function echoLatency(name: string, t: Term): Promise<Sample> {
  const ms: number[] = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const echoed = t.next(/x/);
    const t0 = now();
    t.pty.write('x');
    await echoed;
    if (i >= 3) ms.push(now() - t0);
    const rubbed = t.next(/\x08|\x1b\[K|\x1b\[P/);
    t.pty.write('\x7f');
    await rubbed;
  }
  return { name, ms };
}

/** The pipeline alone, in this process: plan, prepare, run (no terminal), dispose. */
async function pipelineLatency(name: string, line: string): Promise<Sample> {
  const audit = createAudit({ logPath: null });
  const ms: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = now();
    const plan = await makePlan(line, { cwd: repo, env });
    const prepared = await backendFor(plan.backend!).prepare(plan, { env, audit, id: `bench${i}` });
    const r = await runPrepared(prepared, { stdin: 'ignore', stdout: 'ignore', stderr: 'inherit' });
    if (r.status !== 0) throw new Error(`bench: ${line} exited ${r.status}`);
    if (i >= 2) ms.push(now() - t0);
  }
  return { name, ms };
}

async function main(): Promise<void> {
  // A prompt at the start of a row: readline also redraws the prompt on the typed line.
  const bashPrompt = /\n[^\n]*BENCH> $/;
  const bash = open('bash', ['--norc', '--noprofile', '-i'], { PS1: 'BENCH> ' });
  await bash.next(/BENCH> $/);
  const sbshPrompt = /\n[^\n]*\(sbsh\) repo[#$] $/;
  const sbsh = open(SBSH, ['--no-tui']);
  await sbsh.next(/\(sbsh\) repo[#$] $/);

  const keys = [await echoLatency('plain bash in a pty', bash), await echoLatency('sbsh --no-tui (two ptys)', sbsh)];
  console.log(report('Keystroke echo', keys, 'plain bash in a pty'));

  const bwrap = ['bwrap', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', home,
    '--bind', repo, repo, '--chdir', repo, '--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL', '/bin/true'];
  const lines = [
    await lineLatency('plain bash: true', bash, 'true', bashPrompt, { runs: RUNS }),
    await lineLatency('sbsh: true (host line: hook + plan)', sbsh, 'true', sbshPrompt, { runs: RUNS }),
    await lineLatency('sbsh: ./noop.sh (sandbox:bwrap)', sbsh, './noop.sh', sbshPrompt, { runs: RUNS }),
    await pipelineLatency('pipeline in-process: ./noop.sh', './noop.sh'),
    timeCommand('bare bwrap /bin/true (spawned from node)', bwrap, { runs: RUNS }),
    // The same pipeline without the interactive shell, node start-up included.
    timeCommand('sbsh -c ./noop.sh (new node process)', [SBSH, '-c', './noop.sh'], { runs: RUNS, cwd: repo, env }),
  ];
  console.log(report('A line: Enter to the next prompt', lines, 'plain bash: true'));

  bash.pty.kill();
  sbsh.pty.write('exit\r');
  await new Promise<void>((resolve) => sbsh.pty.onExit(() => resolve()));
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
