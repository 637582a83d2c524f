import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The YAML → data conversion of the built-in policies, cached by content
// hash. Parsing the default policy costs tens of milliseconds in every new
// sbsh process (every `sbsh -c`); reading this cache costs about one. The
// data is validated again on every load, so a cache entry saves only the
// YAML parse. It lives in sbsh's config directory, beside trusted.json:
// whoever can write there can already trust any policy, so the cache adds
// no new way in. For the same reason the hash need not resist forgery, only
// tell versions of a file apart: a 64-bit one computed here, since
// node:crypto costs ~8 ms to load in every new sbsh process.

// Bumped when what is stored changes shape.
const FORMAT = 'sbsh-policy-data-2';

/**
 * 64 bits in two multiplicative lanes that mix into each other at the end; 16
 * hex digits. Four bytes per step, by index: it runs once per process, cold,
 * where a byte iterator costs ~8 ms on the 48 KB default policy.
 */
export function contentKey(bytes: Uint8Array): string {
  let a = 0x9e3779b9;
  let b = 0x85ebca6b ^ bytes.length;
  const words = bytes.length >>> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < words; i++) {
    const w = view.getUint32(i * 4, true);
    a = Math.imul(a ^ w, 0x01000193);
    b = Math.imul(b ^ w, 0x5bd1e995);
    b ^= b >>> 15;
  }
  for (let i = words * 4; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i]!, 0x01000193);
    b = Math.imul(b ^ bytes[i]!, 0x5bd1e995);
  }
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b) ^ Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  b = Math.imul(b ^ (b >>> 16), 0x85ebca6b) ^ Math.imul(a ^ (a >>> 13), 0xc2b2ae35);
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

function entryPath(dir: string, bytes: Buffer): string {
  return join(dir, `${FORMAT}-${contentKey(bytes)}.json`);
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
