import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

// Starting a test's child process and collecting what it printed, as the
// current user or as another one through setpriv.

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? 'setpriv';

export interface Collected {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CollectOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this uid/gid (through setpriv) instead of the current user. */
  as?: { uid: number; gid: number };
  stdin?: string;
  /** SIGKILL after this long. */
  timeoutMs?: number;
  onSpawn?(child: ChildProcess): void;
}

/** `argv` prefixed so that it runs as `as` (nothing when that is already us). */
export function asUser(argv: string[], as?: { uid: number; gid: number }): string[] {
  return !as || as.uid === process.getuid?.() ? argv : [SETPRIV, `--reuid=${as.uid}`, `--regid=${as.gid}`, '--clear-groups', '--', ...argv];
}

export function runCollected(argv: string[], opts: CollectOptions = {}): Promise<Collected> {
  const full = asUser(argv, opts.as);
  return new Promise((resolve, reject) => {
    const child = spawn(full[0]!, full.slice(1), { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
    const timer = opts.timeoutMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('spawn', () => opts.onSpawn?.(child));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}
