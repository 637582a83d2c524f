import { posix } from 'node:path';

// Paths in a policy are written relative to the workspace root (`dist`),
// relative to the home directory (`~/.npm`) or absolute (`/tmp/cache`).
// Merging compares them in this written form, before any workspace or home
// is known; the planner resolves them.

interface Split {
  root: 'workspace' | 'home' | '/';
  /** Normalised, no trailing slash; relative ('.' for the root itself) unless root is '/'. */
  rest: string;
}

function split(entry: string): Split {
  if (entry === '~' || entry.startsWith('~/')) return { root: 'home', rest: clean(entry.slice(2) || '.') };
  if (entry.startsWith('/')) return { root: '/', rest: clean(entry) };
  return { root: 'workspace', rest: clean(entry) };
}

function clean(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export function normalisePolicyPath(entry: string): string {
  const { root, rest } = split(entry);
  if (root !== 'home') return rest;
  return rest === '.' ? '~' : `~/${rest}`;
}

/** Whether `outer` contains `inner` (both as written in a policy): the same path or one below it. */
export function pathCovers(outer: string, inner: string): boolean {
  const o = split(outer);
  const i = split(inner);
  if (o.root !== i.root) return false;
  if (o.rest === i.rest) return true;
  if (i.rest === '..' || i.rest.startsWith('../') || o.rest === '..' || o.rest.startsWith('../')) return false;
  if (o.rest === '.' || o.rest === '/') return true;
  return i.rest.startsWith(`${o.rest}/`);
}

/** The absolute path a policy path names, for this workspace and home. */
export function resolvePolicyPath(entry: string, workspace: string, home: string): string {
  const { root, rest } = split(entry);
  if (root === 'home') return posix.join(home, rest);
  return posix.resolve(workspace, rest);
}
