import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { dirStamp, isSettled } from './dir-stamp.js';

// Which of the policy's mask paths exist. There are dozens (every credential
// file a tool might keep) and most are absent, so the answer is cached per
// parent directory and rechecked only when that directory changes.

const groups = new WeakMap<readonly string[], Map<string, string[]>>();
const cache = new Map<string, { stamp: string; present: string[] }>();
const CACHE_SIZE = 256;

function byParent(paths: readonly string[]): Map<string, string[]> {
  let g = groups.get(paths);
  if (!g) {
    g = new Map();
    for (const p of paths) g.set(dirname(p), [...(g.get(dirname(p)) ?? []), p]);
    groups.set(paths, g);
  }
  return g;
}

/** The entries of `paths` (absolute) that exist; a dangling symlink counts. */
export function existingPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const [parent, children] of byParent(paths)) {
    const stamp = dirStamp(parent);
    if (stamp === null) continue;
    const key = `${parent}\0${children.join('\0')}`;
    const hit = cache.get(key);
    if (hit && hit.stamp === stamp) {
      out.push(...hit.present);
      continue;
    }
    const present = children.filter((c) => lstatSync(c, { throwIfNoEntry: false }) !== undefined);
    cache.delete(key);
    if (isSettled(stamp)) {
      cache.set(key, { stamp, present });
      if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    out.push(...present);
  }
  return out;
}
