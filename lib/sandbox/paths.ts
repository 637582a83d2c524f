import { basename, dirname, isAbsolute, normalize } from 'node:path';
import { isWithin } from './bwrap-args.js';
import { permits, type Ids } from './identity.js';

// Pure decisions about the plan's paths. Each returns an error message that
// names the path and the fix, or a classification; bwrap.ts does the I/O.

export type WritableKind = 'workspace' | 'home';

export function checkAbsolute(what: string, path: string): string | null {
  if (!isAbsolute(path) || normalize(path) !== path || (path.length > 1 && path.endsWith('/'))) {
    return `${what} ${JSON.stringify(path)} is not a normalized absolute path`;
  }
  return null;
}

/**
 * Where a writable path lives. Only below the workspace (never the workspace
 * root itself: a repository could then drop .npmrc, Makefile, .envrc there)
 * or below HOME (package-manager caches); anything else is refused.
 */
export function classifyWritable(path: string, workspace: string, home: string): { kind: WritableKind } | { error: string } {
  const bad = checkAbsolute('writable path', path);
  if (bad) return { error: bad };
  if (isWithin(workspace, path)) {
    return { error: `writable path ${path} is the workspace root or contains it; only paths below ${workspace} may be writable` };
  }
  if (isWithin(path, workspace)) return { kind: 'workspace' };
  if (isWithin(path, home) && path !== home) return { kind: 'home' };
  return { error: `writable path ${path} is outside the workspace ${workspace} and outside HOME ${home}` };
}

/**
 * What a missing writable path is meant to be: a name with an extension
 * (package-lock.json, yarn.lock, .pnp.cjs, install-state.gz) is a file,
 * anything else (node_modules, target, .venv, .yarn/cache) a directory.
 */
export function missingKind(path: string): 'file' | 'dir' {
  return basename(path).replace(/^\./, '').includes('.') ? 'file' : 'dir';
}

/**
 * Whether a host path is visible inside at all: below something bound in,
 * or not below any directory that gets a fresh tmpfs. Masks of invisible
 * paths are left out (a fresh HOME already has no ~/.ssh).
 */
export function visibleInside(path: string, hidden: string[], bound: string[]): boolean {
  if (bound.some((b) => isWithin(path, b))) return true;
  return !hidden.some((h) => isWithin(path, h));
}

export interface NodeInfo extends Ids {
  path: string;
  mode: number;
  dir: boolean;
}

/**
 * The first entry on the way to `chain`'s last element that `user` cannot
 * pass (search on directories, read on the target), as a readable reason.
 * `chain` is every ancestor from / down to the target.
 */
export function blockedOnTheWay(chain: NodeInfo[], user: Ids): string | null {
  for (const [i, node] of chain.entries()) {
    const last = i === chain.length - 1;
    const want = node.dir ? (last ? 5 : 1) : 4;
    if (!permits(node, user, want)) {
      const mode = (node.mode & 0o7777).toString(8).padStart(4, '0');
      return `${node.path} (mode ${mode}, owner ${node.uid}:${node.gid}) does not let uid ${user.uid} ${last ? 'read it' : 'through'}`;
    }
  }
  return null;
}

/** Every path from / down to `path`. */
export function ancestry(path: string): string[] {
  const out: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    out.unshift(p);
    if (dirname(p) === p) return out;
  }
}
