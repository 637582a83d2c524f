import { statSync } from 'node:fs';

// Caches in the planner are revalidated by directory mtimes: creating,
// removing or renaming an entry changes its directory's mtime. Timestamps
// are coarse (a clock tick, seconds on some filesystems), so a directory
// modified within SETTLE_MS of being read could change again without its
// mtime moving; results that depend on such a directory are not cached.
const SETTLE_MS = 2_000;

/** Identity and mtime of a directory (following symlinks), or null when it is gone. */
export function dirStamp(path: string): string | null {
  const st = statSync(path, { throwIfNoEntry: false, bigint: true });
  return st ? `${st.ino}:${st.mtimeNs}` : null;
}

/** Whether a stamp is old enough that a later change will show as a new stamp. */
export function isSettled(stamp: string, now = Date.now()): boolean {
  const mtimeNs = BigInt(stamp.slice(stamp.indexOf(':') + 1));
  return mtimeNs < BigInt(now - SETTLE_MS) * 1_000_000n;
}
