import { posix } from 'node:path';
import type { Word } from '../parse/types.js';
import { compilePathGlob, matchPathGlob, type PathGlob } from '../policy/globs.js';

// Where a word points on the host. Relative paths resolve against the cwd the
// command will run in (null when an earlier `cd $X` made it unknowable), `~`
// and `$HOME` against the home directory, `$PWD` and `$(pwd)` against the
// cwd; `..` is normalised away so it cannot escape a check. A word known
// only at run time is `dynamic`; a glob resolves to the directory its
// matches live in, with `below` set (`~/.*` writes somewhere below home).

export interface Places {
  workspace: string;
  home: string;
}

export type Target =
  | { kind: 'path'; abs: string; below: boolean }
  | { kind: 'dynamic'; text: string };

const GLOB = /[*?[{]/;
const RUNTIME = /[$`\\'"]/;
const HOME_PREFIX = /^(?:\$HOME|\$\{HOME\}|~)(?=\/|$)/;
const PWD_PREFIX = /^(?:\$PWD|\$\{PWD\}|\$\(pwd\)|`pwd`)(?=\/|$)/;

export function resolvePath(path: string, cwd: string | null, home: string): Target {
  if (path === '~' || path.startsWith('~/')) return { kind: 'path', abs: posix.join(home, path.slice(1)), below: false };
  if (path.startsWith('/')) return { kind: 'path', abs: posix.resolve(path), below: false };
  if (cwd === null) return { kind: 'dynamic', text: path };
  return { kind: 'path', abs: posix.resolve(cwd, path), below: false };
}

export function resolveWord(w: Word, cwd: string | null, home: string): Target {
  if (w.value !== null) {
    // Only an unquoted leading tilde expands; `'~/x'` is a directory named `~`.
    const tilde = w.raw.startsWith('~') && w.value.startsWith('~');
    if (w.value.startsWith('~') && !tilde) return cwd === null ? { kind: 'dynamic', text: w.raw } : { kind: 'path', abs: posix.resolve(cwd, w.value), below: false };
    if (tilde && !(w.value === '~' || w.value.startsWith('~/'))) return { kind: 'dynamic', text: w.raw }; // ~user
    return resolvePath(w.value, cwd, home);
  }
  return resolveRuntimeWord(w.raw, cwd, home);
}

/** `"$HOME"/.bashrc`, `$(pwd)/out`, `*.o`, `~/.ssh/*`: what can be known of a word expanded at run time. */
function resolveRuntimeWord(raw: string, cwd: string | null, home: string): Target {
  const dynamic: Target = { kind: 'dynamic', text: raw };
  // Double quotes only stop splitting and globbing of what they enclose; a
  // glob character inside them is literal, so a quoted word with one is not a glob.
  const quotedGlob = /"[^"]*[*?[{][^"]*"/.test(raw);
  let s = raw.replace(/"/g, '');
  let base: string;
  const home_ = HOME_PREFIX.exec(s);
  const pwd = PWD_PREFIX.exec(s);
  if (home_) {
    base = home;
    s = s.slice(home_[0].length);
  } else if (pwd) {
    if (cwd === null) return dynamic;
    base = cwd;
    s = s.slice(pwd[0].length);
  } else if (s.startsWith('/')) base = '/';
  else {
    if (cwd === null) return dynamic;
    base = cwd;
  }
  if (RUNTIME.test(s)) return dynamic;
  const g = GLOB.exec(s);
  if (!g) return { kind: 'path', abs: posix.resolve(base, `./${s}`), below: false };
  if (quotedGlob) return dynamic;
  // The matches live below the directory part before the first glob
  // character; a `..` after it could climb anywhere.
  const after = s.slice(g.index);
  if (after.split('/').includes('..')) return dynamic;
  const before = s.slice(0, g.index);
  const dir = before.includes('/') ? before.slice(0, before.lastIndexOf('/') + 1) : '';
  return { kind: 'path', abs: posix.resolve(base, `./${dir}`), below: true };
}

export function isAtOrBelow(abs: string, root: string): boolean {
  return abs === root || root === '/' || abs.startsWith(`${root}/`);
}

/**
 * Inside the workspace. The filesystem root, the home directory and their
 * ancestors never are, even when the workspace is one of them (sbsh started
 * in `~`): `rm -rf ~` stays a finding whatever the workspace.
 */
export function isInside(t: { abs: string; below: boolean }, p: Places): boolean {
  if (!isAtOrBelow(t.abs, p.workspace)) return false;
  return t.below || !isAtOrBelow(p.home, t.abs);
}

/** A policy path pattern (absolute, `~/…` or workspace-relative, globs allowed) naming a path and everything below it. */
export interface PathPattern {
  entry: string;
  root: string;
  /** The literal directories before the first glob character (the whole path when there is none). */
  prefix: string;
  /** null for a literal path: matching is then "at or below prefix". */
  glob: PathGlob | null;
}

export function compilePathPattern(entry: string, p: Places): PathPattern {
  const [root, rest] =
    entry === '~' || entry.startsWith('~/') ? [p.home, entry.slice(2)] : entry.startsWith('/') ? ['/', entry.slice(1)] : [p.workspace, entry];
  const clean = rest === '.' ? '' : rest.replace(/^\.\//, '').replace(/\/+$/, '');
  const firstGlob = clean.search(/[*?[]/);
  const cut = clean.lastIndexOf('/', firstGlob);
  const literalPart = firstGlob < 0 ? clean : cut < 0 ? '' : clean.slice(0, cut);
  return { entry, root, prefix: posix.join(root, literalPart), glob: firstGlob < 0 ? null : compilePathGlob(`./${clean}`) };
}

/** Whether the path, or some path below it when `below`, matches the pattern. */
export function matchesPattern(pat: PathPattern, t: { abs: string; below: boolean }): boolean {
  if (t.below && isAtOrBelow(pat.prefix, t.abs)) return true;
  if (!isAtOrBelow(t.abs, pat.prefix)) return false;
  if (pat.glob === null) return true;
  // The path itself or one of its ancestors: `.git/modules/*/hooks` covers `.git/modules/a/hooks/x`.
  const segs = posix.relative(pat.root, t.abs).split('/');
  for (let i = 1; i <= segs.length; i++) if (matchPathGlob(pat.glob, segs.slice(0, i).join('/'), i < segs.length)) return true;
  return false;
}
