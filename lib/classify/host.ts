import { accessSync, constants, lstatSync, readlinkSync, statSync } from 'node:fs';
import { posix } from 'node:path';

// The two questions the classifier asks the host, through functions in its
// context so that it stays pure (tests pass their own):
//
// - Where does a path lead? Symbolic links decide where a write lands: a
//   repository can ship `dist -> ~` and wait for `rm -rf dist/*`, or
//   `notes.txt -> ~/.bashrc` and wait for `echo … >> notes.txt`.
// - Which program does a bare name run? With a virtualenv activated or
//   node_modules/.bin on PATH, `pip` or `eslint` is the repository's own
//   file, which a sandboxed install may have rewritten.

/** Maps an absolute, normalised path to where it leads once symbolic links are followed. */
export type LinkResolver = (abs: string) => string;

export const asWritten: LinkResolver = (abs) => abs;

/** More links than this in one path is a loop; the path is then judged as written up to there. */
const MAX_HOPS = 40;

/**
 * Follows every symbolic link in the path, including dangling ones (writing
 * through a dangling link creates its target); components that do not
 * exist are kept as they are.
 */
export function hostLinkResolver(): LinkResolver {
  return (abs) => {
    const todo = abs.split('/').filter(Boolean);
    let at = '/';
    let hops = 0;
    while (todo.length) {
      const next = posix.join(at, todo.shift()!);
      let target: string | null = null;
      try {
        if (lstatSync(next).isSymbolicLink()) target = readlinkSync(next);
      } catch {
        return posix.join(next, ...todo); // does not exist: nothing below it can be a link
      }
      if (target === null || ++hops > MAX_HOPS) {
        at = next;
        continue;
      }
      todo.unshift(...target.split('/').filter(Boolean));
      at = target.startsWith('/') ? '/' : at;
    }
    return at;
  };
}

/** Where the shell would find a command name on its PATH, or null. */
export type PathLookup = (name: string) => string | null;

/**
 * Looks names up like the shell: the first executable regular file in the
 * PATH directories, an empty entry meaning the current directory.
 */
export function hostPathLookup(path: string, cwd: string): PathLookup {
  const dirs = path.split(':').map((d) => posix.resolve(cwd, d || '.'));
  return (name) => {
    for (const dir of dirs) {
      const file = posix.join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        if (statSync(file).isFile()) return file;
      } catch {
        // not here: the next directory
      }
    }
    return null;
  };
}
