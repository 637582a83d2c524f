import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compilePathGlob, matchPathGlob } from '../policy/globs.js';
import { SetupError } from '../sandbox/types.js';
import { dirStamp, isSettled } from './dir-stamp.js';

// Which workspace files and directories an exclude glob hides. Planning
// happens before every sandboxed line, so the walk is cached and
// revalidated by the stamps of the directories it read (./dir-stamp.ts).

export const MAX_WALK_ENTRIES = 200_000;
const NOT_DESCENDED = new Set(['node_modules', '.git']);

interface Walk {
  masked: string[];
  dirs: Array<[string, string]>;
}

const cache = new Map<string, Walk>();
const CACHE_SIZE = 16;

/** Absolute paths under `workspace` matching any pattern (a matched directory is listed, not entered). */
export function findExcluded(workspace: string, patterns: readonly string[], maxEntries = MAX_WALK_ENTRIES): string[] {
  if (patterns.length === 0) return [];
  const key = `${workspace}\0${maxEntries}\0${patterns.join('\0')}`;
  const hit = cache.get(key);
  if (hit && hit.dirs.every(([dir, stamp]) => dirStamp(dir) === stamp)) return hit.masked;
  const now = Date.now();
  const walk = walkWorkspace(workspace, patterns, maxEntries);
  cache.delete(key);
  if (walk.dirs.length > 0 && walk.dirs.every(([, stamp]) => isSettled(stamp, now))) {
    cache.set(key, walk);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  return walk.masked;
}

function walkWorkspace(root: string, patterns: readonly string[], maxEntries: number): Walk {
  const globs = patterns.map(compilePathGlob);
  const masked: string[] = [];
  const dirs: Array<[string, string]> = [];
  let seen = 0;
  const pending = [''];
  while (pending.length) {
    const rel = pending.pop()!;
    const abs = rel ? join(root, rel) : root;
    // Stamped before the listing, so a change in between invalidates the cache.
    const stamp = dirStamp(abs);
    if (stamp === null) continue;
    dirs.push([abs, stamp]);
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      // Gone since its parent was listed, or unreadable by this user — and
      // so equally unreadable by the sandboxed command running as this user.
      if (['ENOENT', 'EACCES', 'EPERM', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) continue;
      throw err;
    }
    for (const entry of entries) {
      if (++seen > maxEntries) {
        throw new SetupError(
          `the workspace ${root} has more than ${maxEntries} entries outside node_modules and .git, too many to check against exclude_paths`,
          'run sbsh in a smaller checkout (the workspace is the git root above the current directory); large generated trees belong in node_modules or outside the workspace',
        );
      }
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const isDir = entry.isDirectory();
      if (globs.some((g) => matchPathGlob(g, childRel, isDir))) masked.push(join(root, childRel));
      else if (isDir && !NOT_DESCENDED.has(entry.name)) pending.push(childRel);
    }
  }
  return { masked: masked.sort(), dirs };
}
