import { execFile, spawn } from 'node:child_process';
import { lchownSync, lstatSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Ids } from './identity.js';

// Lending writable paths to the sandbox's uid for one run (root only; see
// identity.ts). Before: every entry is chowned to the sandbox uid, and the
// entries whose owner differed from the path's own owner are remembered.
// After: everything, including what the run created, goes back to the
// path's owner, and the remembered entries get their own owners back. Both
// directions use `chown -h` (never through a symlink the sandbox planted),
// and run only after every sandboxed process is gone (PID namespace).

const run = promisify(execFile);
const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export interface Loan {
  path: string;
  owner: Ids;
  /** Entries owned by someone other than `owner` before the loan. */
  exceptions: { path: string; uid: number; gid: number }[];
}

/** Parses `find -printf '%U %G %p\0'`. */
export function parseOwners(out: string): Loan['exceptions'] {
  return out
    .split('\0')
    .filter(Boolean)
    .map((rec) => {
      const m = /^(\d+) (\d+) ([\s\S]*)$/.exec(rec);
      if (!m) throw new Error(`unexpected find output: ${JSON.stringify(rec)}`);
      return { uid: Number(m[1]), gid: Number(m[2]), path: m[3]! };
    });
}

/** A file, or an empty directory: nothing below it to walk. */
function single(path: string): boolean {
  return !lstatSync(path).isDirectory() || readdirSync(path).length === 0;
}

/** `chown -hR`: the whole tree, never through a symlink. */
export async function chownTree(path: string, to: Ids): Promise<void> {
  // Nothing to walk: two processes saved (a lockfile, an empty build directory).
  if (single(path)) return lchownSync(path, to.uid, to.gid);
  // Only stderr is piped (for the error): chown prints nothing else, and each
  // pipe is a stream sbsh would set up for nothing.
  await new Promise<void>((resolve, reject) => {
    const child = spawn('chown', ['-hR', `${to.uid}:${to.gid}`, '--', path], { env: { PATH: SYSTEM_PATH }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr = (stderr + d).slice(-4096)));
    child.once('error', reject);
    child.once('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`chown exited ${code ?? signal}: ${stderr.trim()}`))));
  });
}

/** Lends `path` to `to`; null when it already belongs to `to`. */
export async function lend(path: string, to: Ids): Promise<Loan | null> {
  const st = lstatSync(path);
  if (st.uid === to.uid && st.gid === to.gid) return null;
  const owner = { uid: st.uid, gid: st.gid };
  if (single(path)) {
    lchownSync(path, to.uid, to.gid);
    return { path, owner, exceptions: [] };
  }
  const { stdout } = await run('find', [path, '-xdev', '(', '!', '-uid', String(owner.uid), '-o', '!', '-gid', String(owner.gid), ')', '-printf', '%U %G %p\\0'], {
    env: { PATH: SYSTEM_PATH },
    maxBuffer: 64 << 20,
  });
  const loan = { path, owner, exceptions: parseOwners(stdout) };
  await chownTree(path, to);
  return loan;
}

/** Gives a lent path back; returns what could not be restored, as readable lines. */
export async function giveBack(loan: Loan): Promise<string[]> {
  const problems: string[] = [];
  try {
    await chownTree(loan.path, loan.owner);
  } catch (err) {
    problems.push(`chown -hR ${loan.owner.uid}:${loan.owner.gid} ${loan.path}: ${(err as Error).message}`);
  }
  for (const e of loan.exceptions) {
    try {
      lchownSync(e.path, e.uid, e.gid);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`chown -h ${e.uid}:${e.gid} ${e.path}: ${(err as Error).message}`);
    }
  }
  return problems;
}
