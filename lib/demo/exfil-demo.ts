import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditEvent } from '../audit/schema.js';
import { buildExfilWorld, type ExfilWorld } from './exfil-world.js';

// `sbsh demo exfil`: a malicious dependency installed and built through
// `sbsh -c`, for real, then every attack it tried shown with what it got and
// the host-side verdict. For teaching: the attack is real, the secrets are
// canaries, nothing outside a throwaway directory is touched.

const SBSH = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../bin/sbsh' : '../../bin/sbsh', import.meta.url));

const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const green = (s: string) => (process.stdout.isTTY ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s: string) => (process.stdout.isTTY ? `\x1b[31m${s}\x1b[0m` : s);

interface AttackReport {
  reads: Record<string, string>;
  sends: Record<string, string>;
  writes: Record<string, string>;
  kills: Record<string, string>;
}

/** The package's own report of what each attempt got (`evil-pkg PHASE: {json}` on stdout). */
export function parseAttackReport(stdout: string, phase: string): AttackReport | null {
  const line = stdout.split('\n').find((l) => l.startsWith(`evil-pkg ${phase}: `));
  if (!line) return null;
  try {
    return JSON.parse(line.slice(`evil-pkg ${phase}: `.length)) as AttackReport;
  } catch {
    return null;
  }
}

/** One row per attempt: what the attacker got, in words. Pure. */
export function describeAttempts(r: AttackReport): Array<[string, string]> {
  const got = (v: string) => (v.startsWith('!') ? `failed: ${v.slice(1)}` : v.length ? `read ${v.length} bytes (none of them secret: checked below)` : 'empty file (masked)');
  const rows: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(r.reads)) if (k !== 'env') rows.push([`read ${k}`, got(v)]);
  for (const [k, v] of Object.entries(r.sends)) rows.push([`send loot via ${k}`, v.startsWith('!') ? `failed: ${v.slice(1)}` : v]);
  for (const [k, v] of Object.entries(r.writes)) rows.push([`write ${k}`, v.startsWith('!') ? `failed: ${v.slice(1)}` : v === 'written' ? 'written (inside the sandbox only: checked below)' : v]);
  for (const [k, v] of Object.entries(r.kills)) rows.push([`kill host pid ${k}`, v.startsWith('!') ? `failed: ${v.slice(1)}` : v]);
  return rows;
}

function runSbsh(world: ExfilWorld, line: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SBSH, ['-c', line], { cwd: world.ws, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      // The package's JSON report is long; the table below shows it readably.
      for (const l of d.toString().split('\n')) if (l && !l.startsWith('evil-pkg ')) process.stdout.write(dim(`  | ${l}\n`));
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      for (const l of d.toString().split('\n')) if (l) process.stdout.write(dim(`  | ${l}\n`));
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export async function runExfilDemo(): Promise<number> {
  const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  process.stdout.write('sbsh demo exfil: a project whose dependency (evil-pkg) attacks the machine from its postinstall\n');
  process.stdout.write('and from a planted build tool. The secrets below are canaries in a throwaway HOME.\n\n');
  const world = await buildExfilWorld(owner);
  const state = join(world.base, 'sbsh-state');
  mkdirSync(state, { recursive: true });
  const env = { ...world.env, XDG_STATE_HOME: join(state, 'state'), XDG_CONFIG_HOME: join(state, 'config'), XDG_CACHE_HOME: join(state, 'cache') };
  let failures = 0;
  try {
    for (const [phase, line] of [['postinstall', 'npm install --no-audit --no-fund --offline --foreground-scripts'], ['build', 'npm run build']] as const) {
      process.stdout.write(`$ sbsh -c '${line}'\n`);
      const r = await runSbsh(world, line, env);
      process.stdout.write(`  exit status ${r.status}${r.status === 0 ? ' (the project still installs and builds)' : ''}\n\n`);
      if (r.status !== 0) failures++;
      const report = parseAttackReport(r.stdout, phase);
      if (!report) {
        process.stdout.write(red(`  the attack did not report (${phase}); the demo cannot judge it\n`));
        failures++;
        continue;
      }
      process.stdout.write(`  what evil-pkg ${phase} tried, and what it got:\n`);
      for (const [what, got] of describeAttempts(report)) process.stdout.write(`    ${what.padEnd(38)} ${got}\n`);
      const leaks = await world.leaks(r);
      process.stdout.write('\n  host-side check (listeners, canary secrets in every file and output, file hashes, processes):\n');
      if (leaks.length === 0) process.stdout.write(green('    nothing got out: no listener was reached, no secret appeared, no file outside the writable paths changed, no process survived\n\n'));
      else {
        failures++;
        for (const l of leaks) process.stdout.write(red(`    LEAK: ${l}\n`));
        process.stdout.write('\n');
      }
    }
    const log = join(state, 'state', 'sbsh', 'audit.jsonl');
    const events = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => AuditEvent.parse(JSON.parse(l)));
    process.stdout.write(`the audit log (${log}) says:\n`);
    for (const e of events) {
      if (e.type === 'decision') process.stdout.write(`  decision: ${e.line} → ${e.action}${e.action === 'sandbox' ? `:${e.backend} (profile ${e.profile})` : ''}; ${e.reasons[0]?.rule}: ${e.reasons[0]?.why}\n`);
      if (e.type === 'network' && !e.allowed) process.stdout.write(`  network refused: ${e.protocol} ${e.host}:${e.port} (${e.reason})\n`);
      if (e.type === 'violation') process.stdout.write(`  violation: ${e.kind} ${e.rule}: ${e.detail}\n`);
    }
  } finally {
    world.cleanup();
  }
  process.stdout.write(failures === 0 ? green('\nevery attack was blocked.\n') : red(`\n${failures} problem(s): see above.\n`));
  return failures === 0 ? 0 : 1;
}
