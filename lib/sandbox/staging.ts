import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Ids } from './identity.js';
import { chownTree } from './ownership.js';
import { removePrivateDir } from './private-dir.js';

// What sbsh creates for one sandbox: the empty file every file mask binds,
// and placeholders for writable paths that do not exist yet.
//
// A writable path that does not exist (node_modules, or package-lock.json on
// a first `npm install`) cannot be created inside: its directory is
// read-only, and making that directory writable would let the repository
// plant .npmrc, Makefile or .envrc next to it. A bind needs an existing
// mount point, so sbsh creates an empty placeholder on the host and binds it
// read-write (npm treats an empty lockfile as absent and writes it in
// place). After the run, placeholders that stayed empty are removed, so a
// profile listing twenty ecosystems' paths leaves no twenty empty
// directories behind; written ones stay, handed to the workspace's owner.

export interface Staging {
  readonly dir: string;
  readonly emptyFile: string;
  /**
   * Creates `path` as an empty file or directory owned by `user`, and its
   * missing parents owned by `parentOwner` (null: whoever sbsh runs as).
   */
  placeholder(path: string, kind: 'file' | 'dir', user: Ids, parentOwner: Ids | null): Promise<void>;
  /** Removes placeholders that stayed empty; when root, gives the rest (and all written into them) to `owner`. */
  settle(owner: Ids): Promise<string[]>;
  remove(): Promise<void>;
}

export async function createStaging(): Promise<Staging> {
  const dir = mkdtempSync(join(tmpdir(), 'sbsh-stage-'));
  // The sandbox's uid must reach the empty file by path (bwrap binds by
  // path) but has no business listing the directory.
  chmodSync(dir, 0o711);
  const emptyFile = join(dir, 'empty');
  writeFileSync(emptyFile, '', { mode: 0o444 });
  const root = process.getuid?.() === 0;
  /** Everything created, parents before children. */
  const created: string[] = [];
  return {
    dir,
    emptyFile,
    async placeholder(path, kind, user, parentOwner) {
      // Most placeholders sit right in the workspace: one lstat instead of a recursive mkdir.
      const first = lstatSync(dirname(path), { throwIfNoEntry: false })?.isDirectory() ? undefined : mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
      if (first) {
        const parents: string[] = [];
        for (let p = dirname(path); ; p = dirname(p)) {
          parents.unshift(p);
          if (p === first) break;
        }
        for (const p of parents) {
          created.push(p);
          if (parentOwner) {
            chownSync(p, parentOwner.uid, parentOwner.gid);
            // Not left to the umask: the sandbox's uid, another one here, must pass through.
            chmodSync(p, 0o755);
          }
        }
      }
      if (kind === 'dir') mkdirSync(path, { mode: 0o755 });
      else writeFileSync(path, '', { mode: 0o644, flag: 'wx' });
      created.push(path);
      if (root) chownSync(path, user.uid, user.gid);
    },
    async settle(owner) {
      const problems: string[] = [];
      for (const path of [...created].reverse()) {
        try {
          const st = lstatSync(path);
          if (st.isDirectory() && (readdirSync(path)).length === 0) {
            rmdirSync(path);
            continue;
          }
          if (st.isFile() && st.size === 0) {
            unlinkSync(path);
            continue;
          }
          // chown by root also clears any setuid/setgid bit the sandbox set.
          if (root) await chownTree(path, owner);
        } catch (err) {
          problems.push(`${path}: ${(err as Error).message}`);
        }
      }
      return problems;
    },
    async remove() {
      removePrivateDir(dir, [basename(emptyFile)]);
    },
  };
}
