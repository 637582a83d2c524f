import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runCollected, type Collected } from './process.js';

// Runs the real `bin/sbsh` (the compiled build) as a child process, as root
// or as another user through setpriv: what a user or CI would type.

export const REPO = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../../..' : '../..', import.meta.url));
export const SBSH = join(REPO, 'bin', 'sbsh');

export type SbshResult = Collected;

export interface SbshOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Run as this uid/gid (through setpriv) instead of the current user. */
  as?: { uid: number; gid: number };
  stdin?: string;
  timeoutMs?: number;
}

export function runSbsh(args: string[], opts: SbshOptions): Promise<SbshResult> {
  return runCollected([SBSH, ...args], { ...opts, timeoutMs: opts.timeoutMs ?? 120_000 });
}
