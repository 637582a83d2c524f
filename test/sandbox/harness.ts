import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditEvent } from '../../lib/audit/schema.js';
import type { Plan } from '../../lib/plan/schema.js';
import type { Ids } from '../../lib/sandbox/identity.js';
import { runCollected } from '../helpers/process.js';

// Real runs for the sandbox tests: throwaway workspaces and HOMEs, a normal
// user to run as, and drive.ts started as a separate process (as sbsh -c would be).

export const TEST_USER = 'sbshtest';

export interface User extends Ids {
  name: string;
}

export const ROOT: User = { name: 'root', uid: 0, gid: 0 };

/** The normal test user (made with useradd -m when missing; needs root). Null when this machine cannot have one. */
export function testUser(): User | null {
  const look = () => spawnSync('id', ['-u', TEST_USER], { encoding: 'utf8' });
  let r = look();
  if (r.status !== 0 && process.getuid?.() === 0) {
    spawnSync('useradd', ['-m', '-s', '/bin/bash', TEST_USER], { stdio: 'ignore' });
    r = look();
  }
  if (r.status !== 0) return null;
  const gid = Number(spawnSync('id', ['-g', TEST_USER], { encoding: 'utf8' }).stdout.trim());
  return { name: TEST_USER, uid: Number(r.stdout.trim()), gid };
}

export { makeWorld, processesWith, waitFor, type World } from '../../lib/demo/exfil-world.js';
import type { World } from '../../lib/demo/exfil-world.js';

/** Writes a file in the world as its owner would have. */
export function put(world: World, path: string, content: string, mode = 0o644): void {
  writeFileSync(path, content, { mode });
  chownSync(path, world.owner.uid, world.owner.gid);
}

export interface DriveResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  events: AuditEvent[];
  ms: number;
}

export interface DriveOptions {
  as: User;
  env: NodeJS.ProcessEnv;
  stdin?: string;
  /** Called once the driver runs (to send it signals). */
  onSpawn?(child: ChildProcess): void;
  timeoutMs?: number;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const compiled = import.meta.url.endsWith('.js');

/** Runs `plan` through drive.ts in its own process, as `opts.as`, with `opts.env` as both its environment and the caller's. */
export async function drive(plan: Plan, opts: DriveOptions): Promise<DriveResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sbsh-job-'));
  chmodSync(dir, 0o755);
  const jobFile = join(dir, 'job.json');
  const auditLog = join(dir, 'audit.jsonl');
  writeFileSync(jobFile, JSON.stringify({ plan, env: opts.env, auditLog }), { mode: 0o644 });
  if (opts.as.uid !== 0) chownSync(dir, opts.as.uid, opts.as.gid);
  const script = compiled ? [join(here, 'drive.js')] : ['--import', import.meta.resolve('tsx'), join(here, 'drive.ts')];
  const started = Date.now();
  const ran = await runCollected([process.execPath, ...script, jobFile], { ...opts, cwd: plan.sandbox?.cwd ?? '/', timeoutMs: opts.timeoutMs ?? 60_000 });
  let events: AuditEvent[] = [];
  try {
    events = readFileSync(auditLog, 'utf8').split('\n').filter(Boolean).map((l) => AuditEvent.parse(JSON.parse(l)));
  } catch {
    // no event was written
  }
  rmSync(dir, { recursive: true, force: true });
  return { ...ran, events, ms: Date.now() - started };
}

/** Host processes whose command line starts with `name` (argv[0] set with `exec -a`). */
export function processesNamed(name: string): string[] {
  const r = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.trim().split(/\s+/)[1] === name);
}

