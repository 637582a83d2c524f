import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

// Runs the real `bin/sbsh` (the compiled build) as a child process, as root
// or as another user through setpriv: what a user or CI would type.

export const REPO = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../../..' : '../..', import.meta.url));
export const SBSH = join(REPO, 'bin', 'sbsh');
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? 'setpriv';

export interface SbshResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SbshOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Run as this uid/gid (through setpriv) instead of the current user. */
  as?: { uid: number; gid: number };
  stdin?: string;
  timeoutMs?: number;
}

export function runSbsh(args: string[], opts: SbshOptions): Promise<SbshResult> {
  const node = [process.execPath, SBSH, ...args];
  const argv = !opts.as || opts.as.uid === process.getuid?.() ? node : [SETPRIV, `--reuid=${opts.as.uid}`, `--regid=${opts.as.gid}`, '--clear-groups', '--', ...node];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(opts.stdin ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}
