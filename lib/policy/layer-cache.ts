import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The YAML → data conversion of the built-in policies, cached by content
// hash. Parsing the default policy costs tens of milliseconds in every new
// sbsh process (every `sbsh -c`); reading this cache costs about one. The
// data is validated again on every load, so a cache entry saves only the
// YAML parse. It lives in sbsh's config directory, beside trusted.json:
// whoever can write there can already trust any policy, so the cache adds
// no new way in.

// Bumped when what is stored changes shape.
const FORMAT = 'sbsh-policy-data-1';

function entryPath(dir: string, bytes: Buffer): string {
  return join(dir, `${createHash('sha256').update(FORMAT).update(bytes).digest('hex')}.json`);
}

/** The stored data for these exact bytes, or undefined when there is none (or it cannot be read). */
export function cachedData(dir: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(readFileSync(entryPath(dir, bytes), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Best effort: a cache that cannot be written only costs the next process a parse. */
export function storeData(dir: string, bytes: Buffer, data: unknown): void {
  const path = entryPath(dir, bytes);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // Read-only or full config directory: carry on without the cache.
  }
}
